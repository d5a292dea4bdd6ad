"""The signature circuit (issue 5, "Signature"): who must sign an NDA and a research collaboration, each signature
recorded honestly and never changed, the refusals a signer would meet, and entry into force with the final PDF
when the last signature lands."""

from __future__ import annotations

import hashlib
import io
import threading
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from agreements import drafts, signatures, workflow
from agreements.choices import ContractStage as C
from agreements.choices import PartyRole
from agreements.models import Agreement, DraftVersion, Signature, StageChange
from agreements.signatures import agreement_sign, agreement_upload_wet_signature, signatories
from agreements.workflow import WorkflowError
from partners.choices import EnquiryStage
from partners.roles import LEGAL_STAFF

from ..factories import (
    CompanyMemberFactory,
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

IP = "203.0.113.7"
# A small but real PDF: the scan's type is read from its content.
SCAN = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def bodies(entity, governing_body):
    """``entity``'s governing bodies: the lead (``governing_body``), a co-owner whose governance records a mandate
    for the lead to sign for it, and a co-owner that signs itself."""
    mandated = GoverningBodyFactory(name="Centre national de la recherche scientifique", short_name="CNRS")
    GovernanceFactory(entity=entity, body=mandated, lead_signs_for_it=True)
    co_owner = GoverningBodyFactory(
        name="Assistance Publique - Hôpitaux de Paris",
        short_name="AP-HP",
        signatory_name="Dr Hélène Roux",
        signatory_title="Directrice de la recherche clinique",
    )
    GovernanceFactory(entity=entity, body=co_owner)
    return SimpleNamespace(lead=governing_body, mandated=mandated, co_owner=co_owner)


@pytest.fixture
def people(central_user, legal_officer, company_member, other_company_member, bodies, company):
    co_owner_legal = UserFactory(username="diane.drci", is_staff=True, groups=[LEGAL_STAFF])
    bodies.co_owner.legal_staff.add(co_owner_legal)
    mandated_legal = UserFactory(username="marc.cnrs", is_staff=True, groups=[LEGAL_STAFF])
    bodies.mandated.legal_staff.add(mandated_legal)
    colleague = CompanyMemberFactory(company=company, user__username="nina.nosign", is_signatory=False).user
    return SimpleNamespace(
        central=central_user,
        lead_legal=legal_officer,
        co_owner_legal=co_owner_legal,
        mandated_legal=mandated_legal,
        company=company_member,
        colleague=colleague,
        other_company=other_company_member,
    )


@pytest.fixture
def ready_draft(django_capture_on_commit_callbacks):
    """``ready_draft(agreement, actor)``: a draft asked for as legal staff do, rendered (the task runs after the
    commit), ready to be signed."""

    def make(agreement, actor, language=None) -> DraftVersion:
        with django_capture_on_commit_callbacks(execute=True):
            version = drafts.draft_request(agreement=agreement, actor=actor, language=language)
        version.refresh_from_db()
        assert version.status == DraftVersion.Status.READY, version.error
        return version

    return make


@pytest.fixture
def agreed_nda(people, entity, company, bodies, ready_draft):
    """An NDA whose text the company accepted, with the ready draft it accepted."""
    enquiry = routed_enquiry(company=company, entities=[entity], actor=people.central)
    agreement = fill_terms(nda(enquiry=enquiry, entity=entity, actor=people.central), actor=people.central)
    workflow.agreement_start_drafting(agreement=agreement, actor=people.lead_legal)
    version = ready_draft(agreement, people.lead_legal)
    workflow.agreement_send_to_company(agreement=agreement, actor=people.lead_legal)
    workflow.agreement_agree(agreement=agreement, actor=people.company)
    return Agreement.objects.get(pk=agreement.pk), version


@pytest.fixture
def collaboration_in_signature(people, entity, company, bodies, ready_draft):
    """A research collaboration in its signature circuit, on an enquiry in contracting."""
    enquiry = contracting_enquiry(company=company, entity=entity, actor=people.central)
    agreement = fill_terms(contract(enquiry=enquiry, entity=entity, actor=people.central), actor=people.central)
    workflow.agreement_start_drafting(agreement=agreement, actor=people.lead_legal)
    workflow.agreement_submit_for_internal_review(agreement=agreement, actor=people.lead_legal)
    version = ready_draft(agreement, people.lead_legal)
    workflow.agreement_send_to_company(agreement=agreement, actor=people.lead_legal)
    workflow.agreement_agree(agreement=agreement, actor=people.company)
    workflow.agreement_open_signature(agreement=agreement, actor=people.lead_legal)
    return Agreement.objects.get(pk=agreement.pk), version


def party(agreement, *, role=PartyRole.COMPANY, body=None):
    if body is not None:
        return agreement.parties.get(body=body)
    return agreement.parties.get(role=role)


def sign(agreement, signing_party, actor, version, **overrides):
    values = {
        "signer_name": actor.get_full_name(),
        "signer_title": "Chief Executive" if signing_party.role == PartyRole.COMPANY else "Head of contracts",
        "consent": True,
        "ip_address": IP,
        "version": version,
    }
    return agreement_sign(agreement=agreement, party=signing_party, actor=actor, **{**values, **overrides})


def circuit(agreement) -> list[tuple[str, bool]]:
    return [(s.name, s.signed) for s in signatories(agreement)]


def stage(agreement) -> str:
    return Agreement.objects.get(pk=agreement.pk).stage


def pdf_text(version: DraftVersion) -> str:
    version.pdf.open("rb")
    try:
        reader = PdfReader(io.BytesIO(version.pdf.read()))
    finally:
        version.pdf.close()
    return "\n".join(page.extract_text() for page in reader.pages)


# ---- the NDA ----------------------------------------------------------------------------------------------------
def test_an_nda_is_signed_by_the_company_then_by_the_academic_parties_and_comes_into_force(
    agreed_nda, people, bodies, company, django_capture_on_commit_callbacks
):
    agreement, version = agreed_nda
    enquiry = agreement.enquiry
    # Who must sign: the company, the lead, and the co-owner without a mandate; the lead signs for the CNRS.
    assert circuit(agreement) == [
        (company.legal_name, False),
        (bodies.lead.name, False),
        (bodies.co_owner.name, False),
    ]
    lead = signatories(agreement)[1]
    assert [p.body for p in lead.signs_for] == [bodies.mandated]

    # The company signs first; its signature is the NDA's move to "signed by the company".
    signature = sign(agreement, party(agreement), people.company, version, signer_name="Chloé Martin")
    assert stage(agreement) == C.SIGNED_BY_COMPANY
    change = StageChange.objects.get(agreement=agreement, transition="sign_by_company")
    assert change.actor == people.company
    assert "Chloé Martin" in change.comment
    assert (signature.pdf_sha256, signature.ip_address, signature.consent) == (version.sha256, IP, True)

    # The lead signs (for itself and the CNRS): the AP-HP is still awaited, so the NDA is not in force yet.
    sign(agreement, party(agreement, body=bodies.lead), people.lead_legal, version)
    assert stage(agreement) == C.SIGNED_BY_COMPANY
    assert [p.body for p in signatures.awaited(agreement)] == [bodies.co_owner]
    assert not enquiry.has_nda_in_force()

    # The last signature puts it in force and asks for the final PDF, made after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        sign(agreement, party(agreement, body=bodies.co_owner), people.co_owner_legal, version)

    agreement = Agreement.objects.get(pk=agreement.pk)
    assert agreement.stage == C.IN_FORCE
    assert agreement.in_force_at is not None
    in_force = StageChange.objects.get(agreement=agreement, transition="enter_into_force")
    assert in_force.actor is None  # the portal moves it once the last signature is in; the signatures say who
    assert enquiry.has_nda_in_force()
    enquiry.refresh_from_db()
    assert enquiry.stage != EnquiryStage.SIGNED  # an NDA is not the partnership
    assert circuit(agreement) == [
        (company.legal_name, True),
        (bodies.lead.name, True),
        (bodies.co_owner.name, True),
    ]
    final = agreement.versions.get(is_final=True)
    assert final.status == DraftVersion.Status.READY, final.error
    assert final.number == version.number + 1
    text = pdf_text(final)
    for record in Signature.objects.filter(agreement=agreement):
        assert record.signer_name in text
        assert record.pdf_sha256 in text.replace("\n", "")
        assert record.ip_address in text


def test_the_academic_parties_sign_an_nda_only_after_the_company(agreed_nda, people, bodies):
    agreement, version = agreed_nda

    with pytest.raises(WorkflowError, match="The company signs the NDA first"):
        sign(agreement, party(agreement, body=bodies.lead), people.lead_legal, version)

    assert not Signature.objects.exists()
    assert stage(agreement) == C.AGREED


# ---- the research collaboration ---------------------------------------------------------------------------------
def test_a_research_collaboration_comes_into_force_with_the_last_signature_whoever_gives_it(
    collaboration_in_signature, people, bodies, django_capture_on_commit_callbacks
):
    agreement, version = collaboration_in_signature
    # Any order: the academic parties first, the company last.
    sign(agreement, party(agreement, body=bodies.co_owner), people.co_owner_legal, version)
    sign(agreement, party(agreement, body=bodies.lead), people.lead_legal, version)
    assert stage(agreement) == C.IN_SIGNATURE
    assert [p.role for p in signatures.awaited(agreement)] == [PartyRole.COMPANY]

    with django_capture_on_commit_callbacks(execute=True):
        sign(agreement, party(agreement), people.company, version)

    agreement = Agreement.objects.get(pk=agreement.pk)
    assert agreement.stage == C.IN_FORCE
    agreement.enquiry.refresh_from_db()
    assert agreement.enquiry.stage == EnquiryStage.SIGNED  # the partnership is signed
    final = agreement.versions.get(is_final=True)
    assert final.status == DraftVersion.Status.READY, final.error
    assert final.requested_by is None  # the portal asked for it
    text = pdf_text(final)
    assert "DRAFT" not in text and "PROJET" not in text  # no watermark on the signed contract
    assert people.company.get_full_name() in text


def test_a_co_owner_with_a_mandate_is_signed_for_by_the_lead_and_never_awaited(
    collaboration_in_signature, people, bodies
):
    agreement, version = collaboration_in_signature

    assert bodies.mandated.name not in [name for name, _signed in circuit(agreement)]
    with pytest.raises(WorkflowError, match="signs for it under its mandate"):
        sign(agreement, party(agreement, body=bodies.mandated), people.mandated_legal, version)
    assert not Signature.objects.exists()


# ---- refusals ---------------------------------------------------------------------------------------------------
def test_nothing_is_signed_without_the_consent_box_a_name_and_a_title(collaboration_in_signature, people):
    agreement, version = collaboration_in_signature

    with pytest.raises(ValidationError) as refused:
        sign(agreement, party(agreement), people.company, version, consent=False, signer_name=" ", signer_title="")

    assert set(refused.value.message_dict) == {"consent", "signer_name", "signer_title"}
    assert "Tick the box to agree to sign electronically" in refused.value.message_dict["consent"][0]
    assert not Signature.objects.exists()


def test_only_the_latest_ready_version_is_signed(collaboration_in_signature, people, bodies, ready_draft):
    agreement, first = collaboration_in_signature
    latest = ready_draft(agreement, people.lead_legal, language="en")  # another text: French and English

    with pytest.raises(WorkflowError, match=f"sign version {latest.number}, the latest"):
        sign(agreement, party(agreement), people.company, first)

    sign(agreement, party(agreement), people.company, latest)
    assert Signature.objects.get().version == latest


def test_every_party_signs_the_pdf_the_first_signature_was_given_on(
    collaboration_in_signature, people, bodies, ready_draft
):
    agreement, version = collaboration_in_signature
    sign(agreement, party(agreement), people.company, version)
    later = ready_draft(agreement, people.lead_legal, language="en")

    assert signatures.version_to_sign(agreement) == version
    with pytest.raises(WorkflowError, match=f"sign version {version.number}"):
        sign(agreement, party(agreement, body=bodies.lead), people.lead_legal, later)
    sign(agreement, party(agreement, body=bodies.lead), people.lead_legal, version)


def test_a_pdf_made_before_the_last_change_of_terms_is_not_signed(people, entity, company, bodies, ready_draft):
    """The legal staff change a term after the company's request and send the text back without a new PDF: the
    old PDF is not the agreed text, so nobody signs it."""
    enquiry = contracting_enquiry(company=company, entity=entity, actor=people.central)
    agreement = fill_terms(contract(enquiry=enquiry, entity=entity, actor=people.central), actor=people.central)
    workflow.agreement_start_drafting(agreement=agreement, actor=people.lead_legal)
    workflow.agreement_submit_for_internal_review(agreement=agreement, actor=people.lead_legal)
    stale = ready_draft(agreement, people.lead_legal)
    workflow.agreement_send_to_company(agreement=agreement, actor=people.lead_legal)
    workflow.agreement_request_changes(agreement=agreement, actor=people.company, comment="36 months, please.")
    fill_terms(agreement, actor=people.lead_legal, duration_months=36)
    workflow.agreement_send_to_company(agreement=agreement, actor=people.lead_legal)
    workflow.agreement_agree(agreement=agreement, actor=people.company)
    workflow.agreement_open_signature(agreement=agreement, actor=people.lead_legal)

    with pytest.raises(WorkflowError, match="was made before its terms last changed"):
        sign(agreement, party(agreement), people.company, stale)

    current = ready_draft(agreement, people.lead_legal)
    sign(agreement, party(agreement), people.company, current)
    assert Signature.objects.get().version == current


def test_a_version_still_being_made_or_of_another_contract_is_not_signed(
    collaboration_in_signature, agreed_nda, people
):
    agreement, version = collaboration_in_signature
    other_contracts_version = agreed_nda[1]

    with pytest.raises(WorkflowError, match="not ready to be signed"):
        sign(agreement, party(agreement), people.company, other_contracts_version)
    rendering = drafts.draft_request(agreement=agreement, actor=people.lead_legal, language="en")  # not rendered
    assert rendering.status == DraftVersion.Status.RENDERING
    with pytest.raises(WorkflowError, match="not ready to be signed"):
        sign(agreement, party(agreement), people.company, rendering)
    assert not Signature.objects.exists()


def test_a_contract_without_a_ready_pdf_cannot_be_signed(people, entity, company, bodies):
    enquiry = contracting_enquiry(company=company, entity=entity, actor=people.central)
    agreement = fill_terms(contract(enquiry=enquiry, entity=entity, actor=people.central), actor=people.central)
    for step in (
        workflow.agreement_start_drafting,
        workflow.agreement_submit_for_internal_review,
        workflow.agreement_send_to_company,
    ):
        step(agreement=agreement, actor=people.lead_legal)
    workflow.agreement_agree(agreement=agreement, actor=people.company)
    workflow.agreement_open_signature(agreement=agreement, actor=people.lead_legal)
    rendering = drafts.draft_request(agreement=agreement, actor=people.lead_legal)  # its task never ran

    with pytest.raises(WorkflowError, match="has no ready PDF to sign yet"):
        sign(agreement, party(agreement), people.company, rendering)


def test_a_company_member_who_may_not_sign_is_told_who_may(collaboration_in_signature, people, company):
    agreement, version = collaboration_in_signature

    with pytest.raises(PermissionDenied) as refused:
        sign(agreement, party(agreement), people.colleague, version)

    assert str(refused.value) == (
        f"Only a person who may sign for {company.legal_name} signs this contract: {people.company.get_full_name()}."
    )
    assert not Signature.objects.exists()


def test_when_nobody_may_sign_for_the_company_the_message_says_whom_to_ask(collaboration_in_signature, people):
    agreement, version = collaboration_in_signature
    people.company.company_membership.is_signatory = False
    people.company.company_membership.save()

    with pytest.raises(PermissionDenied, match="ask the OPALE team to record who signs for your company"):
        sign(agreement, party(agreement), people.company, version)


@pytest.mark.parametrize(
    ("signer", "for_whom"),
    [
        ("other_company", "company"),  # another company's member
        ("central", "company"),  # OPALE is not a party: it never signs
        ("central", "lead"),
        ("lead_legal", "company"),
        ("lead_legal", "co_owner"),  # the lead has no mandate from the AP-HP
        ("co_owner_legal", "lead"),
        ("mandated_legal", "lead"),
    ],
)
def test_only_the_partys_own_people_sign_for_it(collaboration_in_signature, people, bodies, signer, for_whom):
    agreement, version = collaboration_in_signature
    parties = {
        "company": party(agreement),
        "lead": party(agreement, body=bodies.lead),
        "co_owner": party(agreement, body=bodies.co_owner),
    }

    with pytest.raises(PermissionDenied):
        sign(agreement, parties[for_whom], getattr(people, signer), version)

    assert not Signature.objects.exists()


def test_a_party_signs_once(collaboration_in_signature, people):
    agreement, version = collaboration_in_signature
    sign(agreement, party(agreement), people.company, version)

    with pytest.raises(WorkflowError, match="has already signed"):
        sign(agreement, party(agreement), people.company, version, signer_name="Someone Else")

    assert Signature.objects.get().signer_name == people.company.get_full_name()


def test_an_agreement_is_not_signed_before_its_circuit_opens(people, entity, company, bodies, ready_draft):
    enquiry = contracting_enquiry(company=company, entity=entity, actor=people.central)
    agreement = fill_terms(contract(enquiry=enquiry, entity=entity, actor=people.central), actor=people.central)
    workflow.agreement_start_drafting(agreement=agreement, actor=people.lead_legal)
    workflow.agreement_submit_for_internal_review(agreement=agreement, actor=people.lead_legal)
    version = ready_draft(agreement, people.lead_legal)
    workflow.agreement_send_to_company(agreement=agreement, actor=people.lead_legal)
    workflow.agreement_agree(agreement=agreement, actor=people.company)

    with pytest.raises(WorkflowError, match="“Agreed”: it cannot be signed now"):
        sign(agreement, party(agreement), people.company, version)
    assert not Signature.objects.exists()


# ---- the record -------------------------------------------------------------------------------------------------
def test_a_signature_is_an_honest_record_never_changed(collaboration_in_signature, people):
    agreement, version = collaboration_in_signature

    signature = sign(
        agreement,
        party(agreement),
        people.company,
        version,
        signer_name="  Chloé Martin ",
        signer_title="Chief Executive",
    )

    row = Signature.objects.get()
    version.pdf.open("rb")
    pdf_bytes = version.pdf.read()
    version.pdf.close()
    assert (row.signer_name, row.signer_title, row.consent, row.ip_address) == (
        "Chloé Martin",
        "Chief Executive",
        True,
        IP,
    )
    assert (row.signed_by, row.version, row.party.role) == (people.company, version, PartyRole.COMPANY)
    assert row.pdf_sha256 == hashlib.sha256(pdf_bytes).hexdigest() == version.sha256  # the exact PDF signed
    assert row.signed_at is not None
    row.signer_name = "Someone Else"
    with pytest.raises(PermissionDenied):
        row.save()
    with pytest.raises(PermissionDenied):
        signature.delete()
    assert Signature.objects.get().signer_name == "Chloé Martin"


# ---- a scan of a hand-signed copy -------------------------------------------------------------------------------
def test_legal_staff_record_a_wet_signed_scan_instead(collaboration_in_signature, people, bodies):
    agreement, version = collaboration_in_signature

    signature = agreement_upload_wet_signature(
        agreement=agreement,
        party=party(agreement, body=bodies.co_owner),
        actor=people.co_owner_legal,
        scan=SimpleUploadedFile("aphp-signed.pdf", SCAN, content_type="application/pdf"),
    )

    row = Signature.objects.get(pk=signature.pk)
    assert (row.consent, row.signer_name, row.signer_title) == (
        False,
        "Dr Hélène Roux",  # the body's recorded signatory, unless the staff say otherwise
        "Directrice de la recherche clinique",
    )
    assert (row.signed_by, row.version, row.pdf_sha256) == (people.co_owner_legal, version, version.sha256)
    row.wet_scan.open("rb")
    assert row.wet_scan.read() == SCAN
    row.wet_scan.close()
    assert [name for name, signed in circuit(agreement) if signed] == [bodies.co_owner.name]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.pdf", PNG, "is not a PDF"),  # the name says PDF, the content does not
        ("scan.png", SCAN, "is not a PDF"),
        ("scan.pdf", b"", "is empty"),
    ],
)
def test_a_scan_must_be_a_pdf(collaboration_in_signature, people, bodies, name, content, message):
    agreement, _version = collaboration_in_signature

    with pytest.raises(ValidationError, match=message):
        agreement_upload_wet_signature(
            agreement=agreement,
            party=party(agreement, body=bodies.lead),
            actor=people.lead_legal,
            scan=SimpleUploadedFile(name, content),
            signer_name="Pr Jean Dupont",
            signer_title="Président",
        )
    assert not Signature.objects.exists()


def test_a_scan_is_size_limited(collaboration_in_signature, people, bodies, settings):
    agreement, _version = collaboration_in_signature
    settings.ATTACHMENT_MAX_BYTES = len(SCAN) - 1

    with pytest.raises(ValidationError, match="a scan is limited to"):
        agreement_upload_wet_signature(
            agreement=agreement,
            party=party(agreement, body=bodies.lead),
            actor=people.lead_legal,
            scan=SimpleUploadedFile("scan.pdf", SCAN),
            signer_name="Pr Jean Dupont",
            signer_title="Président",
        )


def test_only_a_bodys_legal_staff_upload_its_scan(collaboration_in_signature, people, bodies):
    agreement, _version = collaboration_in_signature

    with pytest.raises(PermissionDenied):
        agreement_upload_wet_signature(
            agreement=agreement,
            party=party(agreement),
            actor=people.company,
            scan=SimpleUploadedFile("scan.pdf", SCAN),
        )
    with pytest.raises(PermissionDenied, match="Only the legal staff of"):
        agreement_upload_wet_signature(
            agreement=agreement,
            party=party(agreement, body=bodies.co_owner),
            actor=people.lead_legal,
            scan=SimpleUploadedFile("scan.pdf", SCAN),
        )
    assert not Signature.objects.exists()


# ---- two signatures of one party at the same moment (PostgreSQL) ------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_signatories_signing_for_the_company_at_once_record_one_signature(
    people, entity, company, bodies, ready_draft, monkeypatch
):
    enquiry = contracting_enquiry(company=company, entity=entity, actor=people.central)
    agreement = fill_terms(contract(enquiry=enquiry, entity=entity, actor=people.central), actor=people.central)
    workflow.agreement_start_drafting(agreement=agreement, actor=people.lead_legal)
    workflow.agreement_submit_for_internal_review(agreement=agreement, actor=people.lead_legal)
    version = ready_draft(agreement, people.lead_legal)
    workflow.agreement_send_to_company(agreement=agreement, actor=people.lead_legal)
    workflow.agreement_agree(agreement=agreement, actor=people.company)
    workflow.agreement_open_signature(agreement=agreement, actor=people.lead_legal)
    second = CompanyMemberFactory(company=company, user__username="sam.signatory", is_signatory=True).user
    # Whoever gets past the "already signed?" check holds its transaction a moment: without the row lock, the
    # other would find no signature meanwhile too.
    check = signatures._check_not_signed

    def slow_check(*args):
        check(*args)
        threading.Event().wait(0.3)

    monkeypatch.setattr(signatures, "_check_not_signed", slow_check)
    start = threading.Barrier(2)
    outcomes: list = []

    def attempt(user):
        try:
            start.wait(timeout=30)
            with translation.override("en"):  # the active language is per thread: as the test's own
                outcomes.append(sign(Agreement.objects.get(pk=agreement.pk), party(agreement), user, version))
        except BaseException as error:  # noqa: BLE001 - reported below
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(user,)) for user in (people.company, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(outcomes) == 2
    assert [type(e) for e in errors] == [WorkflowError], errors
    assert "has already signed" in str(errors[0])
    assert Signature.objects.filter(agreement=agreement).count() == 1


# ---- the admin: the circuit, "Sign for <body>", "Upload a wet-signed scan" ---------------------------------------
def admin_url(name, agreement, *args):
    return reverse(f"admin:agreements_agreement_{name}", args=[agreement.pk, *args])


def test_the_admin_page_shows_the_circuit_and_offers_each_legal_officer_their_own_bodys_signature(
    client, agreed_nda, people, bodies
):
    agreement, version = agreed_nda
    sign(agreement, party(agreement), people.company, version, signer_name="Chloé Martin")
    lead, co_owner = party(agreement, body=bodies.lead), party(agreement, body=bodies.co_owner)

    client.force_login(people.lead_legal)
    page = client.get(admin_url("change", agreement)).content.decode()

    assert "Chloé Martin, Chief Executive" in page and version.sha256 in page and IP in page
    assert f"Sign for {bodies.lead.name}" in page
    assert admin_url("sign", agreement, lead.pk) in page and admin_url("wet_scan", agreement, lead.pk) in page
    assert admin_url("sign", agreement, co_owner.pk) not in page  # the AP-HP signs for itself
    client.force_login(people.central)
    assert "Sign for" not in client.get(admin_url("change", agreement)).content.decode()  # OPALE is no party


def test_legal_staff_sign_for_their_body_in_the_admin(client, agreed_nda, people, bodies):
    agreement, version = agreed_nda
    sign(agreement, party(agreement), people.company, version)
    lead = party(agreement, body=bodies.lead)
    client.force_login(people.lead_legal)
    form = client.get(admin_url("sign", agreement, lead.pk)).content.decode()
    assert version.sha256 in form

    response = client.post(
        admin_url("sign", agreement, lead.pk),
        {"signer_name": "Louis Legal", "signer_title": "Head of contracts", "consent": "on", "version": version.pk},
        REMOTE_ADDR="198.51.100.4",
    )

    assert response.status_code == 302
    signature = Signature.objects.get(party=lead)
    assert (signature.signed_by, signature.signer_name, signature.ip_address, signature.consent) == (
        people.lead_legal,
        "Louis Legal",
        "198.51.100.4",
        True,
    )


def test_legal_staff_upload_a_wet_signed_scan_in_the_admin(client, agreed_nda, people, bodies):
    agreement, version = agreed_nda
    sign(agreement, party(agreement), people.company, version)
    co_owner = party(agreement, body=bodies.co_owner)
    client.force_login(people.co_owner_legal)

    response = client.post(
        admin_url("wet_scan", agreement, co_owner.pk),
        {
            "scan": SimpleUploadedFile("aphp.pdf", SCAN),
            "signer_name": "Dr Hélène Roux",
            "signer_title": "Directrice de la recherche clinique",
        },
    )

    assert response.status_code == 302
    signature = Signature.objects.get(party=co_owner)
    assert (signature.consent, bool(signature.wet_scan), signature.pdf_sha256) == (False, True, version.sha256)


def test_the_admin_refuses_a_signature_page_for_a_body_the_user_does_not_sign_for(client, agreed_nda, people, bodies):
    agreement, version = agreed_nda
    sign(agreement, party(agreement), people.company, version)
    co_owner = party(agreement, body=bodies.co_owner)
    client.force_login(people.lead_legal)

    response = client.post(
        admin_url("sign", agreement, co_owner.pk),
        {"signer_name": "Louis Legal", "signer_title": "Head of contracts", "consent": "on", "version": version.pk},
    )

    assert response.status_code == 302
    assert not Signature.objects.filter(party=co_owner).exists()
    page = client.get(response.url).content.decode()
    assert f"You cannot sign for {bodies.co_owner.name}" in page
