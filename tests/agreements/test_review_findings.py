"""Defects a review of issue 6 found (amendments, signature deadlines, steps before signature, governing bodies'
templates), each fixed, each test stating what a user should see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.template import Context
from django.utils import timezone

from agreements import amendments, body_templates, drafts, expiry, services, signatures, workflow
from agreements.choices import AgreementKind, PartyRole
from agreements.choices import ContractStage as C
from agreements.models import Agreement, DraftVersion
from agreements.terms import KINDS
from notifications.models import Notification
from partners.choices import EntityKind

from ..factories import contract, contracting_enquiry, fill_terms, nda, routed_enquiry
from .kind_data import data_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
BASE = '{% extends "agreements/pdf/base.html" %}{% block title_fr %}Accord{% endblock %}'


def save(agreement, actor, at=None, **changes):
    """The terms form filled with the kind's valid test data, ``changes`` applied, saved as the admin does."""
    data = {**data_for(agreement), **changes}
    return services.agreement_save_terms(agreement=agreement, actor=actor, data=data, at=at)


def in_force_since(agreement, days: int) -> Agreement:
    """``agreement`` as if its parties had signed it ``days`` ago (the signature circuit is not the point here)."""
    Agreement.objects.filter(pk=agreement.pk).update(
        stage=C.IN_FORCE, in_force_at=timezone.now() - dt.timedelta(days=days)
    )
    return Agreement.objects.get(pk=agreement.pk)


def amend(parent, actor, **changes) -> Agreement:
    """An amendment of ``parent``: the terms form opened (the copied terms pre-filled), ``changes`` made, saved."""
    amendment = amendments.amendment_request(parent=parent, actor=actor)
    form = KINDS[amendment.kind].form(agreement=amendment)
    return services.agreement_save_terms(agreement=amendment, actor=actor, data={**form.initial, **changes})


# ---- signature deadlines ----------------------------------------------------------------------------------------
def test_an_amendment_of_a_cifre_contract_in_force_has_no_signature_deadline(entity, company, central_user):
    enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company)
    cifre = contract(enquiry=enquiry, entity=entity, actor=central_user, kind=AgreementKind.CIFRE)
    thesis_start = TODAY - dt.timedelta(days=400)
    cifre = save(cifre, central_user, thesis_start=thesis_start.isoformat())
    cifre = in_force_since(cifre, days=250)  # signed within its 6 months

    amendment = amend(cifre, central_user, time_schedule="Four days a week at the laboratory, one at the company.")
    Notification.objects.all().delete()

    assert amendment.signature_deadline is None
    assert expiry.warn_signature_deadlines() == 0
    assert not Notification.objects.exists()


def test_a_corrected_signature_deadline_is_warned_about_again(entity, company, central_user):
    enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company)
    cifre = contract(enquiry=enquiry, entity=entity, actor=central_user, kind=AgreementKind.CIFRE)
    cifre = save(cifre, central_user, thesis_start=(TODAY - dt.timedelta(days=170)).isoformat())
    first = cifre.signature_deadline
    assert expiry.warn_signature_deadlines() == 1  # "must be signed by <first>"

    # the drafter had typed the wrong thesis start: the real one is ten days later, so is the deadline
    cifre = save(cifre, central_user, thesis_start=(TODAY - dt.timedelta(days=160)).isoformat())
    assert cifre.signature_deadline == first + dt.timedelta(days=10)

    assert expiry.warn_signature_deadlines() == 1  # "must be signed by <the corrected date>"


# ---- steps before signature ---------------------------------------------------------------------------------------
def test_the_gates_hold_the_signature_even_when_the_contract_predates_them(entity, company, central_user):
    enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company)
    collaboration = save(contract(enquiry=enquiry, entity=entity, actor=central_user), central_user)
    # the central team corrects the entity: it is in fact a clinical cooperative group
    entity.kind = EntityKind.COOPERATIVE_GROUP
    entity.save()
    workflow.agreement_start_drafting(agreement=collaboration, actor=central_user)
    workflow.agreement_submit_for_internal_review(agreement=collaboration, actor=central_user)
    workflow.agreement_send_to_company(agreement=collaboration, actor=central_user)
    agreed = workflow.agreement_agree(agreement=collaboration, actor=central_user)

    with pytest.raises(ValidationError, match="scientific council"):
        workflow.agreement_open_signature(agreement=agreed, actor=central_user)


# ---- amendments ---------------------------------------------------------------------------------------------------
def test_an_nda_amendment_keeps_the_ndas_effective_date_without_a_retroactive_reason(entity, company, central_user):
    enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user)
    signed_on = TODAY - dt.timedelta(days=200)
    parent = nda(enquiry=enquiry, entity=entity, actor=central_user)
    at = timezone.make_aware(dt.datetime.combine(signed_on, dt.time(10)))
    parent = save(parent, central_user, at=at, effective_date=signed_on.isoformat())
    parent = in_force_since(parent, days=200)

    amendment = amend(parent, central_user, disclosure_months=36)  # refused: "say why the NDA covers the time before"

    assert amendment.terms["disclosure_months"] == 36
    assert amendment.terms["effective_date"] == signed_on.isoformat()
    assert not amendment.terms.get("retroactive_reason")


def _sign_every_party(agreement, version, company_member, legal_officer, capture) -> Agreement:
    workflow.agreement_agree(agreement=agreement, actor=company_member)
    workflow.agreement_open_signature(agreement=agreement, actor=legal_officer)
    with capture(execute=True):
        for signatory in signatures.signatories(agreement):
            actor = company_member if signatory.party.role == PartyRole.COMPANY else legal_officer
            signatures.agreement_sign(
                agreement=Agreement.objects.get(pk=agreement.pk),
                party=signatory.party,
                actor=actor,
                signer_name=actor.get_username(),
                signer_title="Head of contracts",
                consent=True,
                ip_address="203.0.113.7",
                version=version,
            )
    return Agreement.objects.get(pk=agreement.pk)


def _sent(agreement, legal_officer, capture) -> DraftVersion:
    workflow.agreement_start_drafting(agreement=agreement, actor=legal_officer)
    workflow.agreement_submit_for_internal_review(agreement=agreement, actor=legal_officer)
    with capture(execute=True):
        version = drafts.draft_request(agreement=agreement, actor=legal_officer)
    workflow.agreement_send_to_company(agreement=agreement, actor=legal_officer)
    version.refresh_from_db()
    assert version.status == DraftVersion.Status.READY, version.error
    return version


def test_the_final_pdf_of_an_amended_contract_still_prints_the_text_its_parties_signed(
    entity, company, company_member, central_user, legal_officer, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company)
    parent = fill_terms(contract(enquiry=enquiry, entity=entity, actor=central_user), actor=central_user)
    parent = _sign_every_party(parent, _sent(parent, legal_officer, capture), company_member, legal_officer, capture)
    signed_final = parent.versions.get(is_final=True)
    amendment = amend(parent, legal_officer, duration_months=36)
    amendment = _sign_every_party(
        amendment, _sent(amendment, legal_officer, capture), company_member, legal_officer, capture
    )
    assert amendment.stage == C.IN_FORCE

    # the lead body's legal staff ask for the contract's PDF again (the admin's "Make a PDF", offered in force)
    with capture(execute=True):
        again = drafts.draft_request(agreement=parent, actor=legal_officer)

    assert not (again.is_final and again.terms != signed_final.terms), (
        f"v{again.number} is a final, signed PDF of terms nobody signed: "
        f"{again.terms['duration_months']} months instead of {signed_final.terms['duration_months']}"
    )


# ---- governing bodies' templates ----------------------------------------------------------------------------------
def test_a_source_whose_rendering_grows_as_the_square_of_its_text_is_refused():
    side = 2000
    source = f'{BASE}{{% block articles_fr %}}{{{{ "{"a" * side}"|make_list|join:"{"b" * side}" }}}}{{% endblock %}}'
    # what one such expression prints: 4 million characters from a source of 4 thousand
    assert len(body_templates.engine().from_string(source).render(Context({}))) > side * side

    with pytest.raises(ValidationError):
        body_templates.validate_source(source, kind="nda", language="fr")


def test_deeply_nested_tags_are_refused_with_a_message_not_a_server_error():
    depth = 1500
    source = f"{BASE}{{% block articles_fr %}}{'{% if a %}' * depth}{'{% endif %}' * depth}{{% endblock %}}"
    assert len(source) < body_templates.MAX_SOURCE_CHARS

    with pytest.raises(ValidationError):
        body_templates.validate_source(source, kind="nda", language="fr")
