"""The e-mails the enquiry's life causes (issue 4): who is told what, in which language, and what the company
never reads (an entity's reason for declining, an internal note). Each e-mail is an outbox row written with
its cause and sent once that commits."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from notifications.models import Notification
from partners import demo_data, notices, services, workflow
from partners.choices import EnquiryStage as S
from partners.models import Routing
from partners.roles import CENTRAL_TEAM, ENTITY_CONTACT

from ..factories import EntityFactory, GovernanceFactory, GoverningBodyFactory, UserFactory, submitted_enquiry
from .outbox import CHLOE, CLAIRE, COMPANY, PORTAL, portal_url, sent  # noqa: F401 - portal_url: fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("portal_url")]

DECLINE_REASON = "Our team is fully booked until 2028 and the PI has a conflict of interest."
NOTE = "The company mentioned a deadline in June; please answer this week."


def everything_to(addresses: set[str]) -> str:
    """All the company ever received: subjects, texts and HTML, every template."""
    rows = Notification.objects.filter(recipient__in=addresses)
    return "\n".join(f"{n.subject}\n{n.body_text}\n{n.body_html}" for n in rows)


def admin_link(enquiry) -> str:
    return PORTAL + reverse("admin:partners_enquiry_change", args=[enquiry.pk])


def company_link(enquiry) -> str:
    return PORTAL + reverse("partners:enquiry_detail", args=[enquiry.pk])


@pytest.fixture
def enquiry(company, company_member):
    """Submitted in English by Chloé; Claire is the contact person."""
    return submitted_enquiry(company=company, submitted=company_member, language="en")


@pytest.fixture
def second_contact(other_entity):
    user = UserFactory(username="hugo.lyon", is_staff=True, groups=[ENTITY_CONTACT])
    other_entity.scientific_contacts.add(user)
    return user


def route(enquiry, actor, *entities, note=NOTE):
    return workflow.enquiry_route(enquiry=enquiry, actor=actor, entities=list(entities), note=note)


def answer(enquiry, entity, actor, *, accept, reason=""):
    routing = Routing.objects.get(enquiry=enquiry, entity=entity)
    return workflow.enquiry_answer_routing(routing=routing, actor=actor, accept=accept, reason=reason)


class TestRouting:
    def test_each_entity_contact_is_asked_in_french_with_what_is_asked_and_the_admin_link(
        self, enquiry, central_user, entity, entity_contact, other_entity, second_contact
    ):
        route(enquiry, central_user, entity, other_entity)

        asked = sent("enquiry_routed_entity")
        assert set(asked) == {entity_contact.email, second_contact.email}
        email = asked[entity_contact.email]
        assert (email.language, email.user) == ("fr", entity_contact)
        assert enquiry.reference in email.subject
        for shown in [
            enquiry.reference,
            enquiry.title,
            "Leukos Therapeutics SAS",
            "Projet de R&D bilatéral",  # the kind, in the staff's French even from an English request
            enquiry.summary,
            NOTE,
            central_user.get_full_name(),  # who routed it, to reply to
            admin_link(enquiry),
        ]:
            assert shown in email.body_text
        assert "Référence" in email.body_text
        assert f'href="{admin_link(enquiry)}"' in email.body_html
        assert "Institut de recherche Saint-Louis" in email.body_text
        assert "Centre de recherche de Lyon" not in email.body_text  # each reads about their own entity

    def test_an_entity_without_a_reachable_contact_is_asked_at_its_own_address(self, enquiry, central_user):
        lonely = EntityFactory(contact_email="secretariat@u1170.example.org", lead_body=GoverningBodyFactory())
        gone = UserFactory(email="left@u1170.example.org", is_active=False)
        lonely.scientific_contacts.add(gone)

        route(enquiry, central_user, lonely)

        assert set(sent("enquiry_routed_entity")) == {"secretariat@u1170.example.org"}

    def test_the_lead_bodys_contracting_office_is_told_for_information_and_no_other_body(
        self, enquiry, central_user, entity, governing_body, entity_contact
    ):
        GovernanceFactory(entity=entity, body=GoverningBodyFactory(contact_email="drci@aphp.example.org"))

        route(enquiry, central_user, entity)

        told = sent("enquiry_routed_legal")
        assert set(told) == {governing_body.contact_email.lower()}
        email = told[governing_body.contact_email.lower()]
        assert email.language == "fr"
        assert "UPCité" in email.body_text
        assert admin_link(enquiry) in email.body_text

    def test_without_an_office_address_the_bodys_legal_staff_are_told(
        self, enquiry, central_user, entity, governing_body, legal_officer
    ):
        governing_body.contact_email = ""
        governing_body.save()

        route(enquiry, central_user, entity)

        assert set(sent("enquiry_routed_legal")) == {legal_officer.email}

    def test_the_company_reads_in_its_language_who_will_answer_and_never_the_note_to_the_entity(
        self, enquiry, central_user, entity, other_entity, company_member
    ):
        other_entity.city = "Lyon"
        other_entity.save()

        route(enquiry, central_user, entity, other_entity)

        told = sent("enquiry_routed_company")
        assert set(told) == COMPANY
        assert told[CHLOE].user == company_member
        email = told[CLAIRE]
        assert email.language == "en"
        assert "Institut de recherche Saint-Louis (Paris)" in email.body_text
        assert "Centre de recherche de Lyon (Lyon)" in email.body_text
        assert "teams best placed" in email.body_text
        assert company_link(enquiry) in email.body_text
        assert NOTE not in email.body_text + email.body_html
        assert "/admin/" not in email.body_text + email.body_html

    def test_a_french_enquiry_gets_french_emails(self, company, company_member, central_user, entity):
        french = submitted_enquiry(company=company, submitted=company_member, language="fr")
        route(french, central_user, entity)
        assert {n.language for n in sent("enquiry_routed_company").values()} == {"fr"}

    def test_the_emails_go_out_once_the_routing_commits(
        self, enquiry, central_user, entity, entity_contact, django_capture_on_commit_callbacks
    ):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            route(enquiry, central_user, entity)

        received = {address for message in mail.outbox for address in message.to}
        assert {entity_contact.email, CLAIRE, CHLOE} <= received
        routing_emails = Notification.objects.exclude(template="enquiry_submitted")
        assert {n.status for n in routing_emails} == {Notification.Status.SENT}
        routed_email = next(m for m in mail.outbox if m.to == [entity_contact.email])
        assert [mime for _content, mime in routed_email.alternatives] == ["text/html"]

    def test_a_routing_refused_writes_no_email(self, enquiry, entity, entity_contact):
        with pytest.raises(PermissionDenied):
            route(enquiry, entity_contact, entity)  # only the central team routes
        assert not Notification.objects.exclude(template="enquiry_submitted").exists()


class TestAnswers:
    @pytest.fixture
    def routed(self, enquiry, central_user, entity, other_entity):
        route(enquiry, central_user, entity, other_entity)
        Notification.objects.all().delete()
        return enquiry

    def test_an_acceptance_tells_the_central_team_and_the_company(
        self, routed, entity, entity_contact, central_user, settings
    ):
        settings.CENTRAL_TEAM_EMAIL = "Equipe@opale.example"
        UserFactory(username="away.central", groups=[CENTRAL_TEAM], is_active=False)
        UserFactory(username="no.mail", email="", groups=[CENTRAL_TEAM])

        answer(routed, entity, entity_contact, accept=True, reason="Happy to help.")

        central = sent("routing_answered")
        assert set(central) == {central_user.email, "equipe@opale.example"}
        assert central[central_user.email].language == "fr"
        assert "Acceptée" in central[central_user.email].body_text
        company = sent("routing_accepted_company")
        assert set(company) == COMPANY
        email = company[CLAIRE]
        assert email.language == "en"
        assert "Good news: Institut de recherche Saint-Louis (Paris) can take on your enquiry" in email.body_text
        assert "OPALE will contact you shortly to confirm the next steps" in email.body_text
        assert company_link(routed) in email.body_text

    def test_a_decline_gives_the_central_team_the_reason_and_the_company_nothing_while_others_may_accept(
        self, routed, entity, entity_contact, central_user
    ):
        answer(routed, entity, entity_contact, accept=False, reason=DECLINE_REASON)

        central = sent("routing_answered")[central_user.email]
        assert DECLINE_REASON in central.body_text
        assert "Refusée" in central.body_text
        assert everything_to(COMPANY) == ""

    def test_once_every_entity_declined_the_company_hears_opale_looks_further_never_why(
        self, routed, entity, entity_contact, other_entity, second_contact, central_user, settings
    ):
        settings.LANGUAGE_CODE = "en"  # staff e-mails read in the language of the sources, for the last line
        answer(routed, entity, entity_contact, accept=False, reason=DECLINE_REASON)
        answer(routed, other_entity, second_contact, accept=False, reason="Not our field: we work on lymphomas.")

        routed.refresh_from_db()
        assert routed.stage == S.IN_TRIAGE
        told = sent("enquiry_rerouting_company")
        assert set(told) == COMPANY
        assert "OPALE is now looking for another team" in told[CLAIRE].body_text
        everything = everything_to(COMPANY)
        assert DECLINE_REASON not in everything
        assert "lymphomas" not in everything
        last = Notification.objects.filter(template="routing_answered").order_by("-pk").first()
        assert "back in your triage queue" in last.body_text


class TestQuestionsAndClosures:
    def test_a_question_reaches_the_company_with_the_link_to_answer(self, enquiry, central_user):
        question = "Could you tell us how many patient samples you would need, and of which subtype?"
        workflow.enquiry_request_information(enquiry=enquiry, actor=central_user, question=question)

        told = sent("information_requested")
        assert set(told) == COMPANY
        assert question in told[CLAIRE].body_text
        assert company_link(enquiry) in told[CLAIRE].body_text
        assert told[CLAIRE].language == "en"

    @pytest.mark.parametrize(
        ("close", "subject_end"),
        [(workflow.enquiry_decline, "could not be taken on"), (workflow.enquiry_close_no_go, "is closed")],
    )
    def test_a_closure_tells_the_company_why(self, enquiry, central_user, close, subject_end):
        reason = "Your project needs a GMP facility that no OPALE member runs today."
        close(enquiry=enquiry, actor=central_user, reason=reason)

        told = sent("enquiry_closed")
        assert set(told) == COMPANY
        assert told[CLAIRE].subject.endswith(subject_end)
        assert reason in told[CLAIRE].body_text
        assert company_link(enquiry) in told[CLAIRE].body_text


class TestMessages:
    def test_a_staff_message_reaches_the_company_and_an_internal_note_nobody(self, enquiry, central_user):
        services.staff_message_post(
            enquiry=enquiry, author=central_user, body="Internal: the PI is away.", internal=True
        )
        services.staff_message_post(
            enquiry=enquiry, author=central_user, body="Could we call you on Tuesday?", internal=False
        )

        told = sent("message_from_opale")
        assert set(told) == COMPANY
        assert "Could we call you on Tuesday?" in told[CLAIRE].body_text
        assert company_link(enquiry) in told[CLAIRE].body_text
        assert "the PI is away" not in everything_to(COMPANY)
        assert not Notification.objects.filter(body_text__contains="the PI is away").exists()

    def test_a_company_message_reaches_the_central_team_and_the_entities_still_on_the_enquiry(
        self, member, enquiry, central_user, entity, entity_contact, other_entity, second_contact
    ):
        route(enquiry, central_user, entity, other_entity)
        answer(enquiry, other_entity, second_contact, accept=False, reason=DECLINE_REASON)

        response = member.post(
            reverse("partners:message_create", args=[enquiry.pk]), {"body": "Here are the answers you asked for."}
        )

        assert response.status_code == 302
        told = sent("message_from_company")
        assert set(told) == {central_user.email, entity_contact.email}  # not the entity that declined
        email = told[entity_contact.email]
        assert email.language == "fr"
        assert "Here are the answers you asked for." in email.body_text
        assert admin_link(enquiry) in email.body_text


def test_a_replayed_history_emails_nobody_and_mail_resumes_after(enquiry, central_user, entity, entity_contact):
    """The demo loader replays months of past events through the workflow: nobody is told about them today."""
    with notices.silenced():
        route(enquiry, central_user, entity)
        answer(enquiry, entity, entity_contact, accept=True)
    assert not Notification.objects.exclude(template="enquiry_submitted").exists()

    workflow.enquiry_close_no_go(enquiry=enquiry, actor=central_user, reason="The company chose another partner.")
    assert set(sent("enquiry_closed")) == COMPANY


def test_loading_the_demo_data_emails_nobody():
    demo_data.load(contracts=False)
    assert Routing.objects.exists()
    assert not Notification.objects.exists()
