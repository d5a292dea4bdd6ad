"""The e-mails of the events test_notices.py leaves out (issue 4): the company answers OPALE's question, the
company withdraws, and the central team closes an enquiry that entities were still asked about or working on.
Who is told, in which language, what they read, and that drafts and replayed history e-mail nobody."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from agreements.models import StageChange
from notifications.models import Notification
from partners import demo_data, notices, services, workflow
from partners.choices import EnquiryStage as S
from partners.choices import RoutingStatus
from partners.models import Enquiry, Routing
from partners.roles import CENTRAL_TEAM, ENTITY_CONTACT

from ..factories import EnquiryFactory, EntityFactory, GoverningBodyFactory, UserFactory, submitted_enquiry
from .outbox import CHLOE, CLAIRE, COMPANY, PORTAL, portal_url, sent  # noqa: F401 - portal_url: fixture

NO_NEED_TO_ANSWER = "You no longer need to answer it, and any work started for it can stop."


def in_staff_language(text: str) -> str:
    """``text`` as staff read it: their e-mails are in the portal's language (French)."""
    with translation.override("fr"):
        return translation.gettext(text)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("portal_url")]

QUESTION = "How many primary AML samples would you need, and of which subtype?"
ANSWER = "About forty samples, FLT3-ITD positive, with matched remission samples if possible."
WITHDRAWAL = "Our board stopped the CD123 programme after the phase I interim results."
CLOSURE = "The company's budget does not cover the work; we agreed to stop here."


def everything(notification: Notification) -> str:
    return f"{notification.subject}\n{notification.body_text}\n{notification.body_html}"


def admin_link(enquiry) -> str:
    return PORTAL + reverse("admin:partners_enquiry_change", args=[enquiry.pk])


@pytest.fixture
def enquiry(company, company_member):
    """Submitted in English by Chloé; Claire is the contact person. Staff still read French."""
    return submitted_enquiry(company=company, submitted=company_member, language="en")


@pytest.fixture
def second_contact(other_entity):
    user = UserFactory(username="hugo.lyon", is_staff=True, groups=[ENTITY_CONTACT])
    other_entity.scientific_contacts.add(user)
    return user


@pytest.fixture
def third_entity():
    """An entity with its own contact, routed alongside and then declining."""
    entity = EntityFactory(name="Plateforme de criblage", code="PF-CRIB", lead_body=GoverningBodyFactory())
    entity.scientific_contacts.add(UserFactory(username="paul.platform", is_staff=True, groups=[ENTITY_CONTACT]))
    return entity


def route(enquiry, actor, *entities):
    return workflow.enquiry_route(enquiry=enquiry, actor=actor, entities=list(entities), note="Please look.")


def answer(enquiry, entity, *, accept, reason=""):
    routing = Routing.objects.get(enquiry=enquiry, entity=entity)
    actor = entity.scientific_contacts.first()
    return workflow.enquiry_answer_routing(routing=routing, actor=actor, accept=accept, reason=reason)


@pytest.fixture
def asked(enquiry, central_user):
    """The central team asked its question; the company has the ball. Earlier e-mails are cleared."""
    workflow.enquiry_request_information(enquiry=enquiry, actor=central_user, question=QUESTION)
    Notification.objects.all().delete()
    return enquiry


class TestTheCompanyAnswers:
    def test_a_message_while_opale_waits_is_the_answer_and_hands_the_ball_back_to_the_central_team(
        self, member, asked, central_user
    ):
        response = member.post(reverse("partners:message_create", args=[asked.pk]), {"body": ANSWER})

        assert response.status_code == 302
        asked.refresh_from_db()
        assert asked.stage == S.IN_TRIAGE
        told = sent("information_provided")
        assert set(told) == {central_user.email}
        email = told[central_user.email]
        assert (email.language, email.user) == ("fr", central_user)  # the staff's language, not the enquiry's
        assert asked.reference in email.subject
        assert "Leukos Therapeutics SAS" in email.subject
        for shown in [ANSWER, QUESTION, asked.title, admin_link(asked)]:
            assert shown in email.body_text
        assert f'href="{admin_link(asked)}"' in email.body_html
        # one e-mail for the answer, not a second one for the same words as a message
        assert not Notification.objects.filter(template="message_from_company").exists()
        assert not Notification.objects.filter(recipient__in=COMPANY).exists()

    def test_whoever_follows_the_enquiry_reads_the_answer_with_the_team_and_its_mailbox(
        self, asked, central_user, company_member, settings
    ):
        settings.CENTRAL_TEAM_EMAIL = "Equipe@opale.example"
        follower = UserFactory(username="fanny.follow", is_staff=True, groups=[CENTRAL_TEAM])
        services.enquiry_assign(enquiry=asked, actor=central_user, assignee=follower)
        follower.groups.clear()  # moved to another team since; the enquiry is still theirs to follow

        workflow.enquiry_provide_information(enquiry=asked, actor=company_member, answer=ANSWER)

        told = sent("information_provided")
        assert set(told) == {central_user.email, follower.email, "equipe@opale.example"}
        assert told[follower.email].user == follower
        assert {n.language for n in told.values()} == {"fr"}

    def test_without_a_follower_only_the_central_team_reads_it(self, asked, central_user, company_member):
        UserFactory(username="gone.central", groups=[CENTRAL_TEAM], is_active=False)

        workflow.enquiry_provide_information(enquiry=asked, actor=company_member, answer=ANSWER)

        assert set(sent("information_provided")) == {central_user.email}

    def test_a_message_while_the_central_team_holds_the_ball_stays_a_message(self, member, enquiry, central_user):
        member.post(reverse("partners:message_create", args=[enquiry.pk]), {"body": "A detail we forgot."})

        enquiry.refresh_from_db()
        assert enquiry.stage == S.SUBMITTED
        assert set(sent("message_from_company")) == {central_user.email}
        assert not Notification.objects.filter(template="information_provided").exists()


class TestTheCompanyWithdraws:
    def test_the_central_team_and_the_entities_still_on_it_read_why_and_a_declined_one_nothing(
        self,
        member,
        enquiry,
        central_user,
        entity,
        entity_contact,
        other_entity,
        second_contact,
        third_entity,
    ):
        route(enquiry, central_user, entity, other_entity, third_entity)
        answer(enquiry, other_entity, accept=True)  # working on it
        answer(enquiry, third_entity, accept=False, reason="Not our field.")
        Notification.objects.all().delete()

        response = member.post(reverse("partners:enquiry_withdraw", args=[enquiry.pk]), {"reason": WITHDRAWAL})

        assert response.status_code == 302
        enquiry.refresh_from_db()
        assert enquiry.stage == S.WITHDRAWN
        central = sent("enquiry_withdrawn")
        assert set(central) == {central_user.email}
        email = central[central_user.email]
        assert email.language == "fr"
        assert WITHDRAWAL in email.body_text
        assert admin_link(enquiry) in email.body_text
        assert "Institut de recherche Saint-Louis (U944)" in email.body_text
        assert "Centre de recherche de Lyon (U1052)" in email.body_text
        assert "PF-CRIB" not in everything(email)

        entities = sent("enquiry_withdrawn_entity")
        assert set(entities) == {entity_contact.email, second_contact.email}  # not the platform that declined
        for contact, name in [(entity_contact, "Saint-Louis"), (second_contact, "Lyon")]:
            told = entities[contact.email]
            assert (told.language, told.user) == ("fr", contact)
            assert enquiry.reference in told.subject
            assert name in told.body_text
            assert WITHDRAWAL in told.body_text
            assert in_staff_language(NO_NEED_TO_ANSWER) in told.body_text
        assert "Lyon" not in entities[entity_contact.email].body_text  # each reads about their own entity
        assert not Notification.objects.filter(recipient__in=COMPANY).exists()  # the company did it itself

    def test_before_any_routing_only_the_central_team_is_told(self, enquiry, company_member, central_user):
        workflow.enquiry_withdraw(enquiry=enquiry, actor=company_member, reason=WITHDRAWAL)

        assert set(sent("enquiry_withdrawn")) == {central_user.email}
        assert not Notification.objects.filter(template="enquiry_withdrawn_entity").exists()

    def test_a_contact_of_two_entities_gets_one_email_naming_both(
        self, enquiry, company_member, central_user, entity, entity_contact, other_entity
    ):
        other_entity.scientific_contacts.add(entity_contact)
        route(enquiry, central_user, entity, other_entity)

        workflow.enquiry_withdraw(enquiry=enquiry, actor=company_member, reason=WITHDRAWAL)

        email = Notification.objects.get(template="enquiry_withdrawn_entity")
        assert email.recipient == entity_contact.email
        assert "Institut de recherche Saint-Louis (U944)" in email.body_text
        assert "Centre de recherche de Lyon (U1052)" in email.body_text

    def test_a_withdrawn_draft_emails_nobody(self, company, central_user):
        # What enquiry_withdraw hands over for a draft: withdrawn, never submitted. Run in memory because the
        # workflow cannot save a withdrawn draft today (the reference check constraint refuses a withdrawn row
        # without a reference; reported to the lead).
        draft = EnquiryFactory(company=company, language="en")
        draft.withdraw()

        notices.enquiry_withdrawn(draft, "Started by mistake.")

        assert draft.submitted_at is None
        assert not Notification.objects.exists()

    def test_the_emails_go_out_once_the_withdrawal_commits(
        self, enquiry, company_member, central_user, entity, entity_contact, django_capture_on_commit_callbacks
    ):
        route(enquiry, central_user, entity)
        mail.outbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            workflow.enquiry_withdraw(enquiry=enquiry, actor=company_member, reason=WITHDRAWAL)

        # the company is asked, separately, how it went (quality surveys); the others are told of the withdrawal
        told = [message for message in mail.outbox if "how did it go" not in message.subject]
        assert {address for message in told for address in message.to} == {central_user.email, entity_contact.email}
        assert all(WITHDRAWAL in message.body for message in told)
        assert [m.to for m in mail.outbox if "how did it go" in m.subject] == [[enquiry.contact_email]]


class TestTheCentralTeamCloses:
    @pytest.mark.parametrize(
        ("close", "accepted"),
        [
            (workflow.enquiry_decline, False),  # declined while routed: the entities have not answered
            (workflow.enquiry_close_no_go, True),  # a no-go after an entity accepted: it was working on it
        ],
    )
    def test_the_entities_still_on_it_need_not_go_on_and_read_nothing_new_about_the_company(
        self,
        enquiry,
        central_user,
        entity,
        entity_contact,
        other_entity,
        second_contact,
        third_entity,
        close,
        accepted,
    ):
        route(enquiry, central_user, entity, other_entity, third_entity)
        answer(enquiry, third_entity, accept=False, reason="Not our field.")
        if accepted:
            answer(enquiry, entity, accept=True)
        Notification.objects.all().delete()

        close(enquiry=enquiry, actor=central_user, reason=CLOSURE)

        told = sent("routings_closed")
        assert set(told) == {entity_contact.email, second_contact.email}  # not the platform that declined
        email = told[entity_contact.email]
        assert (email.language, email.user) == ("fr", entity_contact)
        assert enquiry.reference in email.subject
        assert "Institut de recherche Saint-Louis (U944)" in email.body_text
        assert "Lyon" not in email.body_text
        assert in_staff_language(NO_NEED_TO_ANSWER) in email.body_text
        assert admin_link(enquiry) in email.body_text
        for private in [CLOSURE, CLAIRE, "Claire Martin", CHLOE]:  # the reason is written for the company
            assert private not in everything(email)
        assert set(sent("enquiry_closed")) == COMPANY  # the company still reads why

    def test_closing_an_enquiry_no_entity_was_asked_about_tells_no_entity(self, enquiry, central_user):
        workflow.enquiry_close_no_go(enquiry=enquiry, actor=central_user, reason=CLOSURE)

        assert not Notification.objects.filter(template="routings_closed").exists()
        assert set(sent("enquiry_closed")) == COMPANY

    def test_once_every_entity_declined_closing_tells_no_entity(
        self, enquiry, central_user, entity, other_entity, second_contact, entity_contact
    ):
        route(enquiry, central_user, entity, other_entity)
        answer(enquiry, entity, accept=False, reason="Fully booked.")
        answer(enquiry, other_entity, accept=False, reason="Not our field.")

        workflow.enquiry_decline(enquiry=enquiry, actor=central_user, reason=CLOSURE)

        assert not Notification.objects.filter(template="routings_closed").exists()


def test_replayed_answers_withdrawals_and_closures_email_nobody(
    enquiry, company_member, central_user, entity, other_entity
):
    with notices.silenced():
        workflow.enquiry_request_information(enquiry=enquiry, actor=central_user, question=QUESTION)
        workflow.enquiry_provide_information(enquiry=enquiry, actor=company_member, answer=ANSWER)
        route(enquiry, central_user, entity)
        workflow.enquiry_close_no_go(enquiry=enquiry, actor=central_user, reason=CLOSURE)
        other = submitted_enquiry(company=enquiry.company, submitted=company_member, language="en")
        route(other, central_user, other_entity)
        workflow.enquiry_withdraw(enquiry=other, actor=company_member, reason=WITHDRAWAL)

    assert not Notification.objects.exclude(template="enquiry_submitted").exists()


def test_the_demo_loader_replays_these_events_and_emails_nobody():
    demo_data.load(contracts=False)

    live = [RoutingStatus.PENDING, RoutingStatus.ACCEPTED]
    assert StageChange.objects.filter(transition="provide_information").exists()
    assert Enquiry.objects.filter(stage=S.WITHDRAWN, routings__status__in=live).exists()
    assert Enquiry.objects.filter(stage__in=[S.DECLINED, S.NO_GO], routings__status__in=live).exists()
    assert not Notification.objects.exists()
