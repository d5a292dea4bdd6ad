"""Who is told of each contract step (agreements.notices), in which language, and never of what is not theirs."""

import pytest

from agreements import workflow as contracts
from notifications.models import Notification
from partners import notices as enquiry_notices

from ..factories import fill_terms, nda, routed_enquiry

pytestmark = pytest.mark.django_db

OFFICE = "contrats@upcite.example.org"


@pytest.fixture
def an_nda(central_user, company, company_member, entity, governing_body, settings):
    settings.CENTRAL_TEAM_EMAIL = ""
    governing_body.contact_email = OFFICE
    governing_body.save()
    enquiry = routed_enquiry(
        company=company, entities=[entity], actor=central_user, submitted=company_member, language="en"
    )
    Notification.objects.all().delete()
    return nda(enquiry=enquiry, entity=entity, actor=company_member)


def told(template="contract_update"):
    return {n.recipient: n for n in Notification.objects.filter(template=template)}


def test_asking_for_an_nda_tells_the_lead_bodys_office_and_the_central_team_in_french(an_nda, central_user):
    readers = told()
    assert set(readers) == {OFFICE, central_user.email}
    assert all(n.language == "fr" for n in readers.values())
    assert an_nda.reference in readers[OFFICE].subject
    assert "/admin/agreements/agreement/" in readers[OFFICE].body_text


def test_the_company_reads_in_its_language_that_a_draft_awaits_it(an_nda, central_user, company_member):
    contracts.agreement_start_drafting(agreement=an_nda, actor=central_user)
    fill_terms(an_nda, actor=central_user)
    Notification.objects.all().delete()
    contracts.agreement_send_to_company(agreement=an_nda, actor=central_user)
    readers = told()
    assert company_member.email in readers
    email = readers[company_member.email]
    assert email.language == "en"
    assert "ready for your review" in email.body_text
    assert f"/enquiries/{an_nda.enquiry_id}/contracts/{an_nda.pk}/" in email.body_text  # its contract page
    assert "/admin/" not in email.body_text
    assert OFFICE not in readers


def test_the_companys_request_for_changes_reaches_the_lead_body_with_its_comment(an_nda, central_user, company_member):
    contracts.agreement_start_drafting(agreement=an_nda, actor=central_user)
    fill_terms(an_nda, actor=central_user)
    contracts.agreement_send_to_company(agreement=an_nda, actor=central_user)
    Notification.objects.all().delete()
    contracts.agreement_request_changes(agreement=an_nda, actor=company_member, comment="Please add our cell lines.")
    readers = told()
    assert "Please add our cell lines." in readers[OFFICE].body_text
    assert company_member.email not in readers


def test_a_cancellation_tells_every_side_once_with_its_reason(an_nda, central_user, company_member):
    Notification.objects.all().delete()
    contracts.agreement_cancel(agreement=an_nda, actor=central_user, reason="The company chose another partner.")
    readers = told()
    assert {OFFICE, central_user.email, company_member.email} <= set(readers)
    assert len(readers) == Notification.objects.filter(template="contract_update").count()  # once each
    assert all("another partner" in n.body_text for n in readers.values())


def test_nothing_is_sent_while_the_demo_replays_the_past(central_user, company, company_member, entity):
    enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user, submitted=company_member)
    Notification.objects.all().delete()
    with enquiry_notices.silenced():
        nda(enquiry=enquiry, entity=entity, actor=company_member)
    assert not Notification.objects.exists()
