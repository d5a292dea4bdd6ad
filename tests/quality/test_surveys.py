"""Satisfaction surveys (issue 7, "Surveys"): who is asked after which event, the link's rules, the answer page,
the low-score alert and who reads the answers in the admin."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agreements import amendments
from agreements import workflow as contracts
from agreements.models import Agreement
from agreements.workflow import _transition
from notifications.models import Notification
from partners import notices
from partners import workflow as enquiries
from partners.models import Enquiry
from quality import services
from quality.models import SurveyAnswer, SurveyEvent, SurveyInvitation, token_digest

from ..factories import contract, contracting_enquiry, nda, routed_enquiry, submitted_enquiry

pytestmark = pytest.mark.django_db

GOOD = {"recommendation": "9", "responsiveness": "5", "clarity": "4", "expertise_fit": "5", "comment": "Smooth."}
NDA_STEPS = ("start_drafting", "send_for_review", "agree", "sign_by_company")
CONTRACT_STEPS = ("start_drafting", "submit_for_internal_review", "send_to_company", "agree", "open_signature")


def into_force(agreement, steps, capture):
    """The steps before (not this test's subject) taken directly, entry into force through the workflow."""
    for step in steps:
        _transition(agreement=agreement, actor=None, name=step)
    with capture(execute=True):
        contracts.agreement_enter_into_force(agreement=Agreement.objects.get(pk=agreement.pk), actor=None)
    return Agreement.objects.get(pk=agreement.pk)


def survey_link(email: str) -> str:
    body = Notification.objects.get(template="survey_invitation", recipient=email).body_text
    return re.search(r"https?://[^/\s]+(/survey/[^/\s]+/)", body).group(1)


def invite(enquiry, event=SurveyEvent.ENQUIRY_CLOSED) -> str:
    (invitation,) = services.surveys_for_event(event=event, enquiry=enquiry)
    return survey_link(invitation.email).split("/")[2]


@pytest.fixture
def enquiry(company, company_member):
    return submitted_enquiry(company=company, submitted=company_member, contact_email="Claire.Martin@example.com")


# The hooks


def test_an_nda_in_force_asks_the_contact_once(
    central_user, entity, company, company_member, django_capture_on_commit_callbacks
):
    enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user, submitted=company_member)
    agreement = into_force(
        nda(enquiry=enquiry, entity=entity, actor=central_user), NDA_STEPS, django_capture_on_commit_callbacks
    )
    invitation = SurveyInvitation.objects.get()
    assert (invitation.event, invitation.contract, invitation.email) == (
        SurveyEvent.NDA_IN_FORCE,
        agreement,
        "claire.martin@example.com",
    )
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=60)
    email = Notification.objects.get(template="survey_invitation")
    assert email.language == "fr" and email.recipient == "claire.martin@example.com"
    assert "/survey/" in email.body_text and "/survey/" in email.body_html
    # run again (a task retried): nobody is asked twice
    services.surveys_for_event(event=SurveyEvent.NDA_IN_FORCE, enquiry=enquiry, contract_id=agreement.pk)
    assert SurveyInvitation.objects.count() == 1


def test_an_agreement_in_force_asks_about_the_signature_but_an_amendment_does_not(
    central_user, entity, company, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    enquiry = contracting_enquiry(company=company, entity=entity, actor=central_user, language="en")
    nda_in_force = into_force(nda(enquiry=enquiry, entity=entity, actor=central_user), NDA_STEPS, capture)
    amendment = into_force(amendments.amendment_request(parent=nda_in_force, actor=central_user), NDA_STEPS, capture)
    assert amendment.stage == "in_force"
    assert not SurveyInvitation.objects.filter(contract=amendment).exists()

    agreement = into_force(contract(enquiry=enquiry, entity=entity, actor=central_user), CONTRACT_STEPS, capture)
    assert set(SurveyInvitation.objects.values_list("event", "contract")) == {
        (SurveyEvent.NDA_IN_FORCE, nda_in_force.pk),
        (SurveyEvent.AGREEMENT_SIGNED, agreement.pk),
    }
    assert set(Notification.objects.filter(template="survey_invitation").values_list("language", flat=True)) == {"en"}
    # the enquiry turned "signed" with it: the closure of the enquiry asks nothing more
    assert Enquiry.objects.get(pk=enquiry.pk).stage == "signed"


@pytest.mark.parametrize("close", ["decline", "withdraw", "close_no_go"])
def test_closing_an_enquiry_asks_the_contact(
    close, central_user, company_member, enquiry, django_capture_on_commit_callbacks
):
    actor = company_member if close == "withdraw" else central_user
    if close != "withdraw":
        enquiries.enquiry_take_into_triage(enquiry=enquiry, actor=central_user)
    with django_capture_on_commit_callbacks(execute=True):
        getattr(enquiries, f"enquiry_{close}")(enquiry=enquiry, actor=actor, reason="Not for us.")
    invitation = SurveyInvitation.objects.get()
    assert (invitation.event, invitation.contract, invitation.enquiry) == (SurveyEvent.ENQUIRY_CLOSED, None, enquiry)


def test_a_silenced_closure_asks_nobody(central_user, enquiry, django_capture_on_commit_callbacks):
    enquiries.enquiry_take_into_triage(enquiry=enquiry, actor=central_user)
    with django_capture_on_commit_callbacks(execute=True), notices.silenced():
        enquiries.enquiry_close_no_go(enquiry=enquiry, actor=central_user, reason="Out of scope.")
    assert Enquiry.objects.get(pk=enquiry.pk).stage == "no_go"
    assert not SurveyInvitation.objects.exists()
    assert not Notification.objects.filter(template="survey_invitation").exists()


def test_a_rolled_back_closure_asks_nobody(central_user, enquiry, django_capture_on_commit_callbacks):
    enquiries.enquiry_take_into_triage(enquiry=enquiry, actor=central_user)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            enquiries.enquiry_close_no_go(enquiry=enquiry, actor=central_user, reason="Out of scope.")
            raise RuntimeError("the caller fails after the closure")
    assert Enquiry.objects.get(pk=enquiry.pk).stage == "in_triage"
    assert not SurveyInvitation.objects.exists()
    assert not Notification.objects.filter(template="survey_invitation").exists()


def test_a_withdrawn_draft_asks_nobody(company, company_member, django_capture_on_commit_callbacks):
    from ..factories import EnquiryFactory

    draft = EnquiryFactory(company=company, submitted_by=company_member)
    with django_capture_on_commit_callbacks(execute=True):
        enquiries.enquiry_withdraw(enquiry=draft, actor=company_member, reason="Changed my mind.")
    assert not SurveyInvitation.objects.exists()


# The token


def test_only_the_digest_of_the_token_is_stored(enquiry):
    token = invite(enquiry)
    invitation = SurveyInvitation.objects.get()
    assert invitation.token_sha256 == token_digest(token) and token not in invitation.token_sha256


def test_a_valid_token_answers_once(enquiry):
    token = invite(enquiry)
    answer = services.survey_answer(token=token, data=GOOD)
    assert (answer.recommendation, answer.clarity, answer.comment) == (9, 4, "Smooth.")
    assert SurveyInvitation.objects.get().answered_at == answer.answered_at
    with pytest.raises(services.SurveyClosed, match="already been answered"):
        services.survey_answer(token=token, data=GOOD)
    assert SurveyAnswer.objects.count() == 1


def test_a_forged_token_is_refused(enquiry):
    invite(enquiry)
    with pytest.raises(services.SurveyClosed, match="not valid"):
        services.survey_answer(token="forged-token", data=GOOD)
    assert not SurveyAnswer.objects.exists()


def test_an_expired_token_is_refused(enquiry):
    token = invite(enquiry)
    SurveyInvitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(services.SurveyClosed, match="expired"):
        services.survey_answer(token=token, data=GOOD)


def test_scores_out_of_range_are_refused_by_the_service(enquiry):
    token = invite(enquiry)
    with pytest.raises(ValidationError):
        services.survey_answer(token=token, data={**GOOD, "recommendation": "11"})
    assert SurveyInvitation.objects.get().answered_at is None


# The page, from the e-mail's link


def test_the_emailed_link_answers_the_survey_end_to_end(
    client, central_user, enquiry, django_capture_on_commit_callbacks
):
    enquiries.enquiry_take_into_triage(enquiry=enquiry, actor=central_user)
    with django_capture_on_commit_callbacks(execute=True):
        enquiries.enquiry_decline(enquiry=enquiry, actor=central_user, reason="No team available.")
    link = survey_link("claire.martin@example.com")
    page = client.get(link)
    assert page.status_code == 200
    assert '<html lang="fr">' in page.content.decode()  # the enquiry's language, whatever the browser asks
    response = client.post(link, GOOD)
    assert response.status_code == 200
    assert "quality/survey_thanks.html" in [t.name for t in response.templates]
    assert SurveyAnswer.objects.get().expertise_fit == 5
    again = client.get(link)
    assert again.status_code == 200 and "already been answered" in again.content.decode()


def test_the_page_says_which_answers_are_out_of_range(client, enquiry):
    token = invite(enquiry)
    SurveyInvitation.objects.update(language="en")
    response = client.post(reverse("quality:survey", args=[token]), {**GOOD, "recommendation": "12", "clarity": ""})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Choose a whole number from 0 to 10." in text and "Choose a whole number from 1 to 5." in text
    assert not SurveyAnswer.objects.exists()


@pytest.mark.parametrize(
    ("token", "expired", "message"),
    [("forged", False, "not valid"), (None, True, "expired")],
)
def test_forged_and_expired_links_give_a_clear_page(client, enquiry, token, expired, message):
    real = invite(enquiry)
    if expired:
        SurveyInvitation.objects.update(expires_at=timezone.now() - dt.timedelta(days=1))
    for method in (client.get, client.post):
        response = method(reverse("quality:survey", args=[token or real]), GOOD)
        assert response.status_code == 200 and message in response.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_answers_are_rate_limited_per_address(client, settings):
    url = reverse("quality:survey", args=["forged"])
    limit = int(settings.QUALITY_SURVEY_RATE.split("/")[0])
    codes = [client.post(url, GOOD).status_code for _ in range(limit + 1)]
    assert codes[:-1] == [200] * limit and codes[-1] == 429


# The central team


def test_a_low_score_alerts_the_central_team(central_user, enquiry):
    services.survey_answer(token=invite(enquiry), data={**GOOD, "recommendation": "7"})
    assert not Notification.objects.filter(template="survey_low_score").exists()
    other = submitted_enquiry(company=enquiry.company, contact_email="bob@example.com")
    services.survey_answer(token=invite(other), data={**GOOD, "recommendation": "6", "comment": "Too slow."})
    alert = Notification.objects.get(template="survey_low_score")
    assert alert.recipient == central_user.email
    assert "6/10" in alert.subject and other.reference in alert.subject and "Too slow." in alert.body_text


@pytest.fixture
def answered(enquiry):
    return services.survey_answer(token=invite(enquiry), data=GOOD)


def test_the_central_team_reads_the_answers_with_their_scores(client, central_user, answered, entity, governing_body):
    client.force_login(central_user)
    page = client.get(reverse("admin:quality_surveyanswer_changelist"))
    assert page.status_code == 200
    assert answered.invitation.enquiry.reference in page.content.decode()
    assert "Smooth." in page.content.decode()
    for params in ({"entity": entity.pk}, {"body": governing_body.pk}, {"invitation__event": "enquiry_closed"}):
        assert client.get(reverse("admin:quality_surveyanswer_changelist"), params).status_code == 200


def test_the_filters_by_entity_and_body_follow_the_routing(
    client, central_user, company, entity, other_entity, governing_body
):
    routed = routed_enquiry(company=company, entities=[entity], actor=central_user)
    answer = services.survey_answer(token=invite(routed), data=GOOD)
    client.force_login(central_user)
    url = reverse("admin:quality_surveyanswer_changelist")
    assert list(client.get(url, {"entity": entity.pk}).context["cl"].result_list) == [answer]
    assert list(client.get(url, {"body": governing_body.pk}).context["cl"].result_list) == [answer]
    assert list(client.get(url, {"entity": other_entity.pk}).context["cl"].result_list) == []


@pytest.mark.parametrize("who", ["legal_officer", "entity_contact", "company_member"])
def test_nobody_else_reads_the_answers(client, request, who, answered):
    user = request.getfixturevalue(who)
    client.force_login(user)
    refused = 403 if user.is_staff else 302  # staff: forbidden; a company member is sent to the admin's sign-in
    for name in ("admin:quality_surveyanswer_changelist", "admin:quality_surveyinvitation_changelist"):
        response = client.get(reverse(name))
        assert response.status_code == refused
    change = client.get(reverse("admin:quality_surveyanswer_change", args=[answered.pk]))
    assert change.status_code == refused
    index = client.get(reverse("admin:index"))
    assert "Survey answers" not in index.content.decode()


def test_invitations_are_read_only_even_for_the_central_team(client, central_user, answered):
    client.force_login(central_user)
    url = reverse("admin:quality_surveyinvitation_change", args=[answered.invitation.pk])
    page = client.get(url)
    assert page.status_code == 200 and answered.invitation.token_sha256 not in page.content.decode()
    assert client.post(url, {"email": "x@example.com"}).status_code == 403
    assert client.get(reverse("admin:quality_surveyinvitation_add")).status_code == 403
