"""Steps before signature (issue 6, "Checks the law or OPALE's rules impose"): the data protection officer's
sign-off on a data access licence, the transparency and anti-gift declarations when a hospital clinician takes
part in a consultancy, and a cooperative group's gates; each recorded with its date and decision, by the right
people, and the signature circuit refused, with the steps named, until they are approved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from agreements import approvals, services, workflow
from agreements.choices import AgreementKind
from agreements.choices import ContractStage as C
from agreements.models import ApprovalDecision as D
from agreements.models import ApprovalKind as A
from partners.choices import EntityKind

from ..factories import EntityFactory, GoverningBodyFactory, contract, contracting_enquiry, nda, routed_enquiry
from .kind_data import data_for

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def agreed(agreement, actor, **terms):
    """``agreement`` with complete terms, through internal review and accepted by the company."""
    services.agreement_save_terms(agreement=agreement, actor=actor, data={**data_for(agreement), **terms})
    workflow.agreement_start_drafting(agreement=agreement, actor=actor)
    workflow.agreement_submit_for_internal_review(agreement=agreement, actor=actor)
    workflow.agreement_send_to_company(agreement=agreement, actor=actor)
    return workflow.agreement_agree(agreement=agreement, actor=actor)


def approve(agreement, kind, actor, decision=D.APPROVED, **fields):
    approval = agreement.approvals.get(kind=kind)
    values = {"decided_on": YESTERDAY if decision in (D.APPROVED, D.REFUSED) else None, **fields}
    return approvals.approval_record(approval=approval, actor=actor, decision=decision, **values)


def kinds_of(agreement) -> list[str]:
    return [a.kind for a in approvals.of(agreement)]


@pytest.fixture
def data_licence(entity, company, central_user):
    enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company)
    return contract(enquiry=enquiry, entity=entity, actor=central_user, kind=AgreementKind.DATA_ACCESS)


@pytest.fixture
def group(governing_body):
    return EntityFactory(name="GRAALL", kind=EntityKind.COOPERATIVE_GROUP, lead_body=governing_body)


# ---- the DPO's sign-off ------------------------------------------------------------------------------------
def test_a_data_access_licence_waits_for_the_dpos_sign_off(data_licence, central_user, legal_officer):
    assert kinds_of(data_licence) == [A.DPO_SIGN_OFF]
    agreement = agreed(data_licence, central_user)
    with pytest.raises(ValidationError, match="record first Data protection officer's sign-off"):
        workflow.agreement_open_signature(agreement=agreement, actor=legal_officer)
    assert agreement.stage == C.AGREED

    approve(agreement, A.DPO_SIGN_OFF, legal_officer, reference="DPO-2026-31")
    opened = workflow.agreement_open_signature(agreement=agreement, actor=legal_officer)
    assert opened.stage == C.IN_SIGNATURE


def test_the_dpos_sign_off_cannot_be_waived(data_licence, legal_officer):
    with pytest.raises(ValidationError) as caught:
        approve(data_licence, A.DPO_SIGN_OFF, legal_officer, decision=D.NOT_APPLICABLE, note="No personal data.")
    assert "cannot be marked not applicable" in caught.value.message_dict["decision"][0]


def test_a_refusal_blocks_the_signature_and_says_so(data_licence, central_user):
    agreement = agreed(data_licence, central_user)
    approve(agreement, A.DPO_SIGN_OFF, central_user, decision=D.REFUSED, note="Re-identification risk.")
    with pytest.raises(ValidationError, match="cannot be signed: refused: Data protection officer's sign-off"):
        workflow.agreement_open_signature(agreement=agreement, actor=central_user)


# ---- recording rules ---------------------------------------------------------------------------------------
def test_a_decision_needs_its_date_and_not_a_future_one(data_licence, legal_officer):
    with pytest.raises(ValidationError) as caught:
        approve(data_licence, A.DPO_SIGN_OFF, legal_officer, decided_on=None)
    assert caught.value.message_dict["decided_on"] == ["Enter the date of the decision."]
    with pytest.raises(ValidationError) as caught:
        approve(data_licence, A.DPO_SIGN_OFF, legal_officer, decided_on=timezone.localdate() + dt.timedelta(days=1))
    assert caught.value.message_dict["decided_on"] == ["The decision cannot be dated in the future."]


@pytest.mark.parametrize("who", ["entity_contact", "company_member", "other_legal"])
def test_only_the_central_team_and_the_lead_bodys_legal_staff_record(request, data_licence, who):
    if who == "other_legal":
        from partners.roles import LEGAL_STAFF

        from ..factories import UserFactory

        user = UserFactory(username="someone.else", is_staff=True, groups=[LEGAL_STAFF])
        GoverningBodyFactory(name="Another university", short_name="Other U", legal_staff=[user])
    else:
        user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        approve(data_licence, A.DPO_SIGN_OFF, user)
    assert data_licence.approvals.get().decision == D.PENDING


# ---- a hospital clinician in a consultancy ----------------------------------------------------------------------
def test_a_clinician_in_a_consultancy_calls_for_both_declarations(entity, company, central_user):
    enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company)
    consultancy = contract(enquiry=enquiry, entity=entity, actor=central_user, kind=AgreementKind.CONSULTANCY)
    assert kinds_of(consultancy) == []
    agreement = agreed(consultancy, central_user, hospital_clinician="True")
    assert kinds_of(agreement) == [A.TRANSPARENCY, A.ANTI_GIFT]
    with pytest.raises(ValidationError, match="Transparency declaration .*; Anti-gift declaration"):
        workflow.agreement_open_signature(agreement=agreement, actor=central_user)
    approve(agreement, A.TRANSPARENCY, central_user, reference="TS-2026-0042")
    approve(agreement, A.ANTI_GIFT, central_user, reference="CNOM-2026-117")
    assert workflow.agreement_open_signature(agreement=agreement, actor=central_user).stage == C.IN_SIGNATURE


def test_no_clinician_no_declarations_and_an_untouched_step_goes_away(entity, company, central_user):
    enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company)
    consultancy = contract(enquiry=enquiry, entity=entity, actor=central_user, kind=AgreementKind.CONSULTANCY)
    consultancy = services.agreement_save_terms(
        agreement=consultancy, actor=central_user, data={**data_for(consultancy), "hospital_clinician": "True"}
    )
    assert len(kinds_of(consultancy)) == 2
    consultancy = services.agreement_save_terms(
        agreement=consultancy, actor=central_user, data={**data_for(consultancy), "hospital_clinician": "False"}
    )
    assert kinds_of(consultancy) == [] and not consultancy.approvals.exists()


# ---- a cooperative group's gates ------------------------------------------------------------------------------
def test_clinical_work_with_a_cooperative_group_passes_its_gates(group, company, central_user):
    enquiry = contracting_enquiry(entity=group, actor=central_user, company=company)
    collaboration = contract(enquiry=enquiry, entity=group, actor=central_user)
    assert kinds_of(collaboration) == [
        A.SCIENTIFIC_COUNCIL,
        A.DATA_ACCESS_COMMITTEE,
        A.PUBLICATION_CHARTER,
        A.PATIENT_COMMITTEE,
        A.ETHICS,
        A.REGULATORY,
    ]
    agreement = agreed(collaboration, central_user)
    approve(agreement, A.SCIENTIFIC_COUNCIL, central_user, reference="CS 2026-03")
    approve(agreement, A.DATA_ACCESS_COMMITTEE, central_user)
    with pytest.raises(ValidationError) as caught:
        workflow.agreement_open_signature(agreement=agreement, actor=central_user)
    message = caught.value.messages[0]
    assert "Publication charter accepted by the company" in message and "Ethics committee (CPP) opinion" in message
    assert "scientific council" not in message

    with pytest.raises(ValidationError):  # the charter is always required
        approve(agreement, A.PUBLICATION_CHARTER, central_user, decision=D.NOT_APPLICABLE, note="-")
    with pytest.raises(ValidationError) as caught:  # "not applicable" needs its reason
        approve(agreement, A.ETHICS, central_user, decision=D.NOT_APPLICABLE)
    assert caught.value.message_dict["note"] == ["Say why this step does not apply to this project."]

    approve(agreement, A.PUBLICATION_CHARTER, central_user)
    reason = "Retrospective samples only: no new research involving people."
    for kind in (A.PATIENT_COMMITTEE, A.ETHICS, A.REGULATORY):
        approve(agreement, kind, central_user, decision=D.NOT_APPLICABLE, note=reason)
    assert workflow.agreement_open_signature(agreement=agreement, actor=central_user).stage == C.IN_SIGNATURE


def test_an_nda_with_a_cooperative_group_needs_no_gates(group, company, central_user):
    enquiry = routed_enquiry(entities=[group], actor=central_user, company=company)
    assert kinds_of(nda(enquiry=enquiry, entity=group, actor=central_user)) == []


# ---- the admin page -------------------------------------------------------------------------------------------
def test_the_contract_page_lists_the_steps_and_lead_legal_records_one(client, data_licence, legal_officer):
    client.force_login(legal_officer)
    change = reverse("admin:agreements_agreement_change", args=[data_licence.pk])
    page = client.get(change).content.decode()
    assert "Before signature" in page and "Data protection officer&#x27;s sign-off" in page
    approval = data_licence.approvals.get()
    url = reverse("admin:agreements_agreement_approval", args=[data_licence.pk, approval.pk])
    assert url in page
    assert "Not applicable" not in client.get(url).content.decode()  # not offered for a required step

    response = client.post(url, {"decision": "approved", "decided_on": "", "reference": "", "note": ""})
    assert response.status_code == 200 and "Enter the date of the decision." in response.content.decode()
    response = client.post(
        url, {"decision": "approved", "decided_on": YESTERDAY.isoformat(), "reference": "DPO-31", "note": ""}
    )
    assert response.status_code == 302
    approval.refresh_from_db()
    assert (approval.decision, approval.reference, approval.recorded_by) == (D.APPROVED, "DPO-31", legal_officer)


def test_an_entity_contact_reads_the_steps_but_records_nothing(client, data_licence, entity_contact):
    client.force_login(entity_contact)
    change = reverse("admin:agreements_agreement_change", args=[data_licence.pk])
    page = client.get(change).content.decode()
    approval = data_licence.approvals.get()
    url = reverse("admin:agreements_agreement_approval", args=[data_licence.pk, approval.pk])
    assert "Before signature" in page and url not in page
    assert client.get(url).status_code == 403


def test_advice_from_a_cooperative_group_is_not_clinical_work(group, company, central_user):
    enquiry = contracting_enquiry(entity=group, actor=central_user, company=company)
    consultancy = contract(enquiry=enquiry, entity=group, actor=central_user, kind=AgreementKind.CONSULTANCY)
    assert kinds_of(consultancy) == []
    saved = services.agreement_save_terms(
        agreement=consultancy, actor=central_user, data={**data_for(consultancy), "hospital_clinician": "True"}
    )
    assert kinds_of(saved) == [A.TRANSPARENCY, A.ANTI_GIFT]
