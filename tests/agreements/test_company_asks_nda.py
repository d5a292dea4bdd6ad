"""The company asks for an NDA from its enquiry page (issue 5, "Done when": "a company asks for an NDA"): the
card offers it while an entity works on the enquiry and no NDA with it is under way; the request reaches the
lead body's legal staff; a second request, a declined entity, a closed enquiry or another company are refused
with a message that says why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agreements.choices import AgreementKind
from agreements.choices import ContractStage as C
from agreements.models import Agreement, StageChange
from notifications.models import Notification
from partners import workflow as enquiry_workflow
from partners.notices import legal_recipients

from ..factories import nda, routed_enquiry

pytestmark = pytest.mark.django_db


@pytest.fixture
def enquiry(company, entity, central_user):
    return routed_enquiry(company=company, entities=[entity], actor=central_user, language="en")


def page_of(member, enquiry) -> str:
    return member.get(reverse("partners:enquiry_detail", args=[enquiry.pk])).content.decode()


def ask(client, enquiry, entity, language="en"):
    return client.post(
        reverse("agreements:nda_ask", args=[enquiry.pk]), {"entity": entity.pk, "language": language}, follow=True
    )


def test_the_card_offers_an_nda_with_the_entity_working_on_the_enquiry(member, enquiry, entity):
    page = page_of(member, enquiry)
    assert "Ask for an NDA" in page
    assert f"With {entity.name}." in page
    assert reverse("agreements:nda_ask", args=[enquiry.pk]) in page


def test_asking_makes_the_nda_and_tells_the_lead_bodys_legal_staff(
    member, company_member, enquiry, entity, governing_body
):
    response = ask(member, enquiry, entity)
    agreement = Agreement.objects.get(enquiry=enquiry)
    assert agreement.kind == AgreementKind.NDA and agreement.stage == C.REQUESTED
    assert agreement.language == "en" and agreement.requested_by == company_member
    assert response.redirect_chain[-1][0] == reverse("agreements:contract_detail", args=[enquiry.pk, agreement.pk])
    assert "Your request for an NDA was sent" in response.content.decode()
    assert StageChange.objects.get(agreement=agreement).actor == company_member
    office = list(legal_recipients(governing_body))
    assert office and Notification.objects.filter(recipient__in=office).exists()
    assert "Ask for an NDA" not in page_of(member, enquiry)  # one is under way


def test_a_second_nda_with_the_same_entity_is_refused_with_its_reference(member, enquiry, entity, central_user):
    existing = nda(enquiry=enquiry, entity=entity, actor=central_user)
    response = ask(member, enquiry, entity)
    assert f"An NDA with {entity} is already under way on this enquiry: {existing.reference}" in (
        response.content.decode()
    )
    assert Agreement.objects.filter(enquiry=enquiry).count() == 1


def test_an_entity_that_declined_is_not_offered_and_is_refused(member, enquiry, entity, central_user):
    enquiry_workflow.enquiry_answer_routing(
        routing=enquiry.routings.get(entity=entity), actor=central_user, accept=False, reason="No capacity."
    )
    assert "Ask for an NDA" not in page_of(member, enquiry)
    response = ask(member, enquiry, entity)
    assert "is not working on enquiry" in response.content.decode()
    assert not Agreement.objects.exists()


def test_a_closed_enquiry_takes_no_nda(member, enquiry, entity, company_member):
    enquiry_workflow.enquiry_withdraw(enquiry=enquiry, actor=company_member, reason="Project stopped.")
    assert "Ask for an NDA" not in page_of(member, enquiry)
    response = ask(member, enquiry, entity)
    assert "is closed: no contract can start on it" in response.content.decode()
    assert not Agreement.objects.exists()


def test_another_company_gets_404(client, other_company_member, enquiry, entity):
    client.force_login(other_company_member)
    response = client.post(reverse("agreements:nda_ask", args=[enquiry.pk]), {"entity": entity.pk, "language": "fr"})
    assert response.status_code == 404
    assert not Agreement.objects.exists()


def test_an_entity_the_enquiry_never_went_to_is_refused(member, enquiry, other_entity):
    response = ask(member, enquiry, other_entity)
    assert "Select a valid choice" in response.content.decode()
    assert not Agreement.objects.exists()


def test_an_entity_that_declined_another_enquiry_is_still_offered(member, company, enquiry, entity, central_user):
    earlier = routed_enquiry(company=company, entities=[entity], actor=central_user, title="An earlier study")
    enquiry_workflow.enquiry_answer_routing(
        routing=earlier.routings.get(entity=entity), actor=central_user, accept=False, reason="No capacity then."
    )
    assert f"With {entity.name}." in page_of(member, enquiry)
    assert "Ask for an NDA" not in page_of(member, earlier)
