"""Amendments (issue 6): a contract in force is amended by a contract of its own, linked to it, with its own stages
and PDF; once the amendment is in force, the contract's terms and end date are the amended ones (and its expiry
follows them), and the enquiry stays "partnership signed". Who may start one, the company's pages, the PDF."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from agreements import amendments, documents, drafts, expiry, services, signatures, workflow
from agreements.amendments import amendment_request
from agreements.choices import ContractStage as C
from agreements.choices import PartyRole
from agreements.models import Agreement, DraftVersion, StageChange
from agreements.terms import KINDS
from agreements.terms.base import add_months
from agreements.workflow import WorkflowError
from notifications.models import Notification
from partners.choices import EnquiryStage
from partners.roles import LEGAL_STAFF

from ..factories import (
    GovernanceFactory,
    GoverningBodyFactory,
    UserFactory,
    contract,
    contracting_enquiry,
    fill_terms,
    nda,
    routed_enquiry,
)

pytestmark = pytest.mark.django_db

COLLABORATION = "Contrat de collaboration de recherche"


# ---- the parties and a contract in force ------------------------------------------------------------------------
@pytest.fixture
def bodies(entity, governing_body):
    """The lead (``governing_body``), a co-owner that signs itself, and one the lead signs for under a mandate."""
    co_owner = GoverningBodyFactory(name="Assistance Publique - Hôpitaux de Paris", short_name="AP-HP")
    GovernanceFactory(entity=entity, body=co_owner)
    mandated = GoverningBodyFactory(name="Centre national de la recherche scientifique", short_name="CNRS")
    GovernanceFactory(entity=entity, body=mandated, lead_signs_for_it=True)
    return SimpleNamespace(lead=governing_body, co_owner=co_owner, mandated=mandated)


@pytest.fixture
def people(central_user, legal_officer, entity_contact, company_member, other_company_member, bodies):
    co_owner_legal = UserFactory(username="diane.drci", is_staff=True, groups=[LEGAL_STAFF])
    bodies.co_owner.legal_staff.add(co_owner_legal)
    unrelated_legal = UserFactory(username="ugo.unrelated", is_staff=True, groups=[LEGAL_STAFF])
    GoverningBodyFactory(legal_staff=[unrelated_legal])
    return SimpleNamespace(
        central=central_user,
        lead_legal=legal_officer,
        co_owner_legal=co_owner_legal,
        unrelated_legal=unrelated_legal,
        entity_contact=entity_contact,
        company=company_member,
        other_company=other_company_member,
    )


@pytest.fixture
def draft(django_capture_on_commit_callbacks, people):
    """``draft(agreement)``: a ready PDF the lead's legal staff asked for (rendered after the commit)."""

    def make(agreement, language=None) -> DraftVersion:
        with django_capture_on_commit_callbacks(execute=True):
            version = drafts.draft_request(agreement=agreement, actor=people.lead_legal, language=language)
        version.refresh_from_db()
        assert version.status == DraftVersion.Status.READY, version.error
        return version

    return make


@pytest.fixture
def send(people, draft):
    """``send(contract)``: drafted, a PDF made, sent to the company (the agreement through its internal review)."""

    def run(agreement) -> DraftVersion:
        workflow.agreement_start_drafting(agreement=agreement, actor=people.lead_legal)
        if not agreement.is_nda:
            workflow.agreement_submit_for_internal_review(agreement=agreement, actor=people.lead_legal)
        version = draft(agreement)
        workflow.agreement_send_to_company(agreement=agreement, actor=people.lead_legal)
        return version

    return run


@pytest.fixture
def sign_all(people, bodies, django_capture_on_commit_callbacks):
    """``sign_all(contract, version)``: accepted by the company, then signed by every party that must sign; the
    last signature puts it in force and asks for the final PDF (rendered after the commit)."""
    signers = {bodies.lead.pk: people.lead_legal, bodies.co_owner.pk: people.co_owner_legal}

    def run(agreement, version) -> Agreement:
        workflow.agreement_agree(agreement=agreement, actor=people.company)
        if not agreement.is_nda:
            workflow.agreement_open_signature(agreement=agreement, actor=people.lead_legal)
        with django_capture_on_commit_callbacks(execute=True):
            for signatory in signatures.signatories(agreement):
                party = signatory.party
                actor = people.company if party.role == PartyRole.COMPANY else signers[party.body_id]
                signatures.agreement_sign(
                    agreement=Agreement.objects.get(pk=agreement.pk),
                    party=party,
                    actor=actor,
                    signer_name=actor.get_full_name() or actor.get_username(),
                    signer_title="Head of contracts",
                    consent=True,
                    ip_address="203.0.113.7",
                    version=version,
                )
        return Agreement.objects.get(pk=agreement.pk)

    return run


@pytest.fixture
def in_force(people, entity, company, send, sign_all):
    """A research collaboration (24 months) in force through its signatures; the enquiry is then signed."""
    enquiry = contracting_enquiry(company=company, entity=entity, actor=people.central, title="CD123 antibody")
    agreement = fill_terms(contract(enquiry=enquiry, entity=entity, actor=people.central), actor=people.central)
    agreement = sign_all(agreement, send(agreement))
    assert agreement.stage == C.IN_FORCE
    return agreement


def amend_terms(amendment, actor, **changes) -> Agreement:
    """The drafter opens the terms form (the copied terms pre-filled), changes ``changes`` and saves."""
    form = KINDS[amendment.kind].form(agreement=amendment)
    return services.agreement_save_terms(agreement=amendment, actor=actor, data={**form.initial, **changes})


def amendment_of(parent, actor, **changes) -> Agreement:
    """An amendment of ``parent`` asked for by ``actor``, with ``changes`` to the copied terms saved."""
    return amend_terms(amendment_request(parent=parent, actor=actor), actor, **changes)


def pdf_text(version: DraftVersion) -> str:
    with version.pdf.open("rb") as pdf:
        reader = PdfReader(io.BytesIO(pdf.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def reload(agreement) -> Agreement:
    return Agreement.objects.get(pk=agreement.pk)


# ---- starting an amendment --------------------------------------------------------------------------------------
def test_an_amendment_is_a_contract_of_its_own_with_the_parents_parties_and_terms(in_force, people, bodies):
    Notification.objects.all().delete()

    amendment = amendment_request(parent=in_force, actor=people.lead_legal)

    assert (amendment.amends, amendment.kind, amendment.entity, amendment.enquiry) == (
        in_force,
        in_force.kind,
        in_force.entity,
        in_force.enquiry,
    )
    assert amendment.number == in_force.number + 1 and amendment.amendment_number == 1
    assert amendment.stage == C.SCOPING and amendment.language == in_force.language
    assert amendments.title(amendment) == f"Amendment No. 1 to {in_force.reference}"

    def shape(agreement):
        parties = agreement.parties.select_related("signs_through")
        return sorted(
            (p.role, p.company_id, p.body_id, p.must_sign, p.signs_through.body_id if p.signs_through else None)
            for p in parties
        )

    assert shape(amendment) == shape(in_force)
    mandated = amendment.parties.get(body=bodies.mandated)
    assert mandated.signs_through == amendment.parties.get(role=PartyRole.LEAD_NEGOTIATOR)  # its own lead row
    # Per-party terms are keyed by the amendment's own parties, with the parent's values.
    own = {(p.company_id, p.body_id): str(p.pk) for p in amendment.parties.all()}
    for party in in_force.parties.all():
        key = own[(party.company_id, party.body_id)]
        assert amendment.terms["share"][key] == in_force.terms["share"][str(party.pk)]
    assert {k: v for k, v in amendment.terms.items() if k not in ("share", "background")} == {
        k: v for k, v in in_force.terms.items() if k not in ("share", "background")
    }
    assert (amendment.starts_on, amendment.ends_on) == (in_force.starts_on, in_force.ends_on)
    request = StageChange.objects.get(agreement=amendment)
    assert (request.transition, request.actor, request.to_stage) == ("request", people.lead_legal, C.SCOPING)
    assert people.central.email in {n.recipient for n in Notification.objects.filter(template="contract_update")}


def test_an_nda_in_force_is_amended_by_an_nda_in_the_ndas_first_stage(people, entity, company, send, sign_all):
    enquiry = routed_enquiry(company=company, entities=[entity], actor=people.central)
    parent = fill_terms(nda(enquiry=enquiry, entity=entity, actor=people.central), actor=people.central)
    parent = sign_all(parent, send(parent))

    amendment = amendment_request(parent=parent, actor=people.central, language="en")

    assert (amendment.kind, amendment.stage, amendment.language) == ("nda", C.REQUESTED, "en")


def test_only_a_contract_in_force_can_be_amended(people, entity, company):
    enquiry = contracting_enquiry(company=company, entity=entity, actor=people.central)
    drafting = contract(enquiry=enquiry, entity=entity, actor=people.central)

    with pytest.raises(WorkflowError, match="only a contract in force can be amended"):
        amendment_request(parent=drafting, actor=people.central)

    assert not Agreement.objects.filter(amends=drafting).exists()


@pytest.mark.parametrize("who", ["co_owner_legal", "unrelated_legal", "entity_contact", "company"])
def test_only_the_central_team_and_the_lead_bodys_legal_staff_amend(who, in_force, people):
    with pytest.raises(PermissionDenied):
        amendment_request(parent=in_force, actor=getattr(people, who))

    assert not in_force.amendments.exists()


def test_one_amendment_at_a_time_and_never_an_amendment_of_an_amendment(in_force, people):
    first = amendment_request(parent=in_force, actor=people.central)

    with pytest.raises(WorkflowError, match=f"Amendment {first.reference} to contract {in_force.reference} is still"):
        amendment_request(parent=in_force, actor=people.lead_legal)
    with pytest.raises(WorkflowError, match=f"amend the contract it amends, {in_force.reference}"):
        amendment_request(parent=first, actor=people.central)

    workflow.agreement_cancel(agreement=first, actor=people.central, reason="Wrong budget line.")
    second = amendment_request(parent=in_force, actor=people.lead_legal)
    assert second.amends == in_force


def test_an_amendment_that_changes_nothing_cannot_go_to_the_company(in_force, people):
    amendment = amendment_request(parent=in_force, actor=people.lead_legal)
    amend_terms(amendment, people.lead_legal)  # saved as copied
    workflow.agreement_start_drafting(agreement=amendment, actor=people.lead_legal)
    workflow.agreement_submit_for_internal_review(agreement=amendment, actor=people.lead_legal)

    with pytest.raises(ValidationError, match="An amendment must change at least one term"):
        workflow.agreement_send_to_company(agreement=amendment, actor=people.lead_legal)
    assert reload(amendment).stage == C.INTERNAL_REVIEW

    amend_terms(reload(amendment), people.lead_legal, duration_months=36)
    assert workflow.agreement_send_to_company(agreement=amendment, actor=people.lead_legal).stage == C.SENT_TO_COMPANY


# ---- in force ---------------------------------------------------------------------------------------------------
@pytest.fixture
def amended(in_force, people, send, sign_all):
    """``in_force`` amended in French and English: 36 months instead of 24, a higher contribution, through every
    stage and signature."""
    amendment = amendment_request(parent=in_force, actor=people.lead_legal, language="en")
    amendment = amend_terms(amendment, people.lead_legal, duration_months=36, company_contribution="150000.00")
    version = send(amendment)
    return SimpleNamespace(parent=in_force, amendment=sign_all(amendment, version), signed=version)


def test_an_amendment_in_force_gives_the_contract_its_terms_and_end_date(amended, people):
    parent, amendment = reload(amended.parent), amended.amendment

    assert amendment.stage == C.IN_FORCE
    assert parent.stage == C.IN_FORCE
    assert parent.terms["duration_months"] == 36
    assert parent.terms["company_contribution"] == "150000.00"
    assert parent.ends_on == add_months(parent.starts_on, 36) != amended.parent.ends_on
    assert parent.terms["share"] == amended.parent.terms["share"]  # keyed by the contract's own parties again
    note = parent.stage_changes.get(transition="amend")
    assert (note.from_stage, note.to_stage) == (C.IN_FORCE, C.IN_FORCE)
    assert amendment.reference in note.comment


def test_the_enquiry_stays_signed_once(amended):
    enquiry = amended.parent.enquiry
    enquiry.refresh_from_db()

    assert enquiry.stage == EnquiryStage.SIGNED
    assert enquiry.stage_changes.filter(transition="mark_signed").count() == 1


def test_the_expiry_task_follows_the_amended_end_date(amended, people):
    parent, amendment = reload(amended.parent), amended.amendment
    old_end, new_end = amended.parent.ends_on, parent.ends_on
    Notification.objects.all().delete()

    assert expiry.warn_expiring(today=old_end - dt.timedelta(days=5)) == 0
    assert expiry.expire_due(today=old_end + dt.timedelta(days=1)) == 0
    assert reload(parent).stage == C.IN_FORCE

    assert expiry.warn_expiring(today=new_end - dt.timedelta(days=5)) == 1  # the contract, not its amendment
    assert expiry.expire_due(today=new_end + dt.timedelta(days=1)) == 1
    assert reload(parent).stage == C.EXPIRED
    assert reload(amendment).stage == C.IN_FORCE  # its changes are the contract's; it has no end of its own


def test_a_new_end_date_owes_a_new_expiry_warning(in_force, people, send, sign_all):
    assert expiry.warn_expiring(today=in_force.ends_on - dt.timedelta(days=5)) == 1
    assert reload(in_force).expiry_warned_at is not None
    amendment = amendment_of(in_force, people.central, duration_months=30)

    sign_all(amendment, send(amendment))

    parent = reload(in_force)
    assert parent.expiry_warned_at is None
    assert expiry.warn_expiring(today=parent.ends_on - dt.timedelta(days=5)) == 1


def test_an_amendment_cannot_come_into_force_once_the_contract_has_ended(in_force, people, send, sign_all):
    amendment = amendment_of(in_force, people.central, duration_months=30)
    version = send(amendment)
    workflow.agreement_terminate(agreement=in_force, actor=people.central, reason="The company stopped the project.")

    with pytest.raises(WorkflowError, match="can no longer come into force"):
        sign_all(amendment, version)

    assert reload(amendment).stage == C.IN_SIGNATURE
    assert reload(in_force).terms["duration_months"] == 24


# ---- the PDF ----------------------------------------------------------------------------------------------------
def test_the_pdf_in_french_names_the_contract_and_each_change(in_force, people):
    amendment = amendment_of(in_force, people.central, duration_months=36)

    html = documents.build_html(reload(amendment), "fr", False)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(documents.render_pdf(html))).pages).split())

    assert f"Avenant n° 1 au contrat de collaboration de recherche {in_force.reference}" in text
    assert f"référencé {in_force.reference}" in text
    assert "Durée (mois) : « 36 », en remplacement de « 24 »." in text
    assert "demeurent inchangées" in text and "la date de sa signature par la dernière des Parties" in text
    assert "Amendment No." not in text  # French alone


def test_the_pdf_says_which_terms_an_amendment_adds_and_which_it_deletes(in_force, people):
    # The company now owns the results at a market price: the price is added, the co-owners' shares go.
    amendment = amendment_of(in_force, people.central, ownership="company", market_price="80000.00")

    html = documents.build_html(reload(amendment), "fr", False)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(documents.render_pdf(html))).pages).split())

    assert "« 80 000,00 » (stipulation ajoutée au Contrat)." in text
    assert "stipulation supprimée ; elle prévoyait : « 25,00 »." in text
    assert "en remplacement de « Copropriété des résultats" in text


def test_the_bilingual_pdf_signed_and_final_keeps_the_changes_once_in_force(amended, draft):
    final = amended.amendment.versions.get(is_final=True)
    assert final.status == DraftVersion.Status.READY, final.error
    parent = amended.parent.reference

    for version in (amended.signed, final):  # the one signed, and the one made once the contract carries them
        text = pdf_text(version)
        assert f"Amendment No. 1 to the Research collaboration agreement {parent}" in text
        assert f"Avenant n° 1 au contrat de collaboration de recherche {parent}" in text
        assert "Duration (months): “36”, replacing “24”." in text
        assert "Durée (mois) : « 36 », en remplacement de « 24 »." in text
        assert "“150,000.00”, replacing “120,000.00”" in text
    # Asked again now, the text is the same: the changes are read from the contract as signed, not as amended.
    assert draft(amended.amendment, language="en").pk == final.pk


# ---- the admin --------------------------------------------------------------------------------------------------
def change_page(agreement) -> str:
    return reverse("admin:agreements_agreement_change", args=[agreement.pk])


def amend_url(agreement) -> str:
    return reverse("admin:agreements_agreement_amend", args=[agreement.pk])


@pytest.mark.parametrize("who", ["central", "lead_legal"])
def test_the_central_team_and_the_lead_legal_staff_amend_from_the_contracts_page(who, in_force, people, client):
    client.force_login(getattr(people, who))
    assert amend_url(in_force) in client.get(change_page(in_force)).text

    response = client.post(amend_url(in_force), {"language": "en"})

    amendment = in_force.amendments.get()
    assert response.status_code == 302 and response.url == change_page(amendment)
    assert amendment.language == "en" and amendment.requested_by == getattr(people, who)
    page = client.get(change_page(amendment)).text
    assert f"Amendment No. 1 to {in_force.reference}" in page
    assert change_page(in_force) in page  # a link to the contract it amends
    assert "No term changed yet" in page
    parent_page = client.get(change_page(in_force)).text
    assert change_page(amendment) in parent_page and amendment.reference in parent_page
    assert amend_url(in_force) not in parent_page  # one at a time


def test_the_amendments_page_shows_what_it_changes(in_force, people, client):
    amendment = amendment_of(in_force, people.central, duration_months=36)
    client.force_login(people.lead_legal)

    page = client.get(change_page(amendment)).text

    assert "Duration (months)" in page and "<td>24</td><td>36</td>" in page.replace("\n", "")


@pytest.mark.parametrize("who", ["co_owner_legal", "entity_contact"])
def test_other_staff_who_see_the_contract_cannot_amend_it(who, in_force, people, client):
    client.force_login(getattr(people, who))
    page = client.get(change_page(in_force))
    assert page.status_code == 200 and amend_url(in_force) not in page.text

    assert client.post(amend_url(in_force)).status_code == 403
    assert not in_force.amendments.exists()


def test_legal_staff_of_another_body_get_404(in_force, people, client):
    client.force_login(people.unrelated_legal)

    assert client.post(amend_url(in_force)).status_code == 404
    assert not in_force.amendments.exists()


def test_no_amend_button_on_a_contract_not_in_force(people, entity, company, client):
    enquiry = contracting_enquiry(company=company, entity=entity, actor=people.central)
    drafting = contract(enquiry=enquiry, entity=entity, actor=people.central)
    client.force_login(people.central)

    assert amend_url(drafting) not in client.get(change_page(drafting)).text
    response = client.post(amend_url(drafting), follow=True)
    assert "only a contract in force can be amended" in response.text
    assert not drafting.amendments.exists()


# ---- the company's pages ----------------------------------------------------------------------------------------
def company_page(agreement) -> str:
    return reverse("agreements:contract_detail", args=[agreement.enquiry_id, agreement.pk])


def download(agreement, version) -> str:
    return reverse("agreements:version_download", args=[agreement.enquiry_id, agreement.pk, version.number])


def test_the_company_follows_the_amendment_and_downloads_its_ready_versions(in_force, people, client, draft):
    amendment = amendment_of(in_force, people.central, duration_months=36)
    working = draft(amendment)
    client.force_login(people.company)

    card = client.get(reverse("partners:enquiry_detail", args=[in_force.enquiry_id])).text
    assert f"Amendment No. 1 to {in_force.reference}" in card and company_page(amendment) in card
    page = client.get(company_page(amendment)).text
    assert f"Amendment No. 1 to {in_force.reference}" in page and company_page(in_force) in page
    assert "What this amendment changes" not in page  # still the legal staff's draft
    assert client.get(download(amendment, working)).status_code == 404

    workflow.agreement_start_drafting(agreement=amendment, actor=people.lead_legal)
    workflow.agreement_submit_for_internal_review(agreement=amendment, actor=people.lead_legal)
    workflow.agreement_send_to_company(agreement=amendment, actor=people.lead_legal)

    page = client.get(company_page(amendment)).text
    assert "What this amendment changes" in page and "Duration (months)" in page
    response = client.get(download(amendment, working))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_contract_page_says_it_was_amended(amended, people, client):
    client.force_login(people.company)

    page = client.get(company_page(amended.parent)).text

    since = timezone.localtime(amended.amendment.in_force_at)
    assert f'Amended by <a href="{company_page(amended.amendment)}">{amended.amendment.reference}</a>' in page
    assert f"in force since {since.day} {since:%B} {since.year}" in page


def test_another_company_never_sees_the_amendment(amended, people, client):
    client.force_login(people.other_company)

    assert client.get(company_page(amended.amendment)).status_code == 404
    assert client.get(download(amended.amendment, amended.signed)).status_code == 404
