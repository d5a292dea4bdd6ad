"""The daily digests (issue 4): each entity contact reads what still awaits their answer, the central team what
is overdue; nobody gets an empty digest, nobody gets two a day, and the digest costs a fixed number of queries
whatever the number of enquiries."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from notifications.models import Notification
from partners import notices, workflow
from partners.choices import PartnershipKind
from partners.models import Routing
from partners.roles import CENTRAL_TEAM, ENTITY_CONTACT
from partners.tasks import send_daily_digests

from ..factories import EntityFactory, GoverningBodyFactory, UserFactory, submitted_enquiry

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
PORTAL = "http://portal.opale.test"
# Wednesday 18 November 2026; Wednesday 11 November is a public holiday (Armistice).
TODAY = dt.date(2026, 11, 18)


def day(month_day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 11, month_day, hour, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def portal_url(settings):
    settings.PORTAL_URL = PORTAL
    settings.CENTRAL_TEAM_EMAIL = ""


@pytest.fixture
def staff_read_english(settings):
    """Staff e-mails are in the portal's language (French); reading them in the language of the sources keeps
    these assertions true once the French catalogue translates them."""
    settings.LANGUAGE_CODE = "en"


def digests(template: str) -> dict[str, Notification]:
    return {n.recipient: n for n in Notification.objects.filter(template=template)}


def submitted(company, on: int, **kwargs):
    return submitted_enquiry(company=company, submitted__at=day(on), **kwargs)


def routed(company, central_user, entities, on: int, submitted_on: int | None = None, **kwargs):
    enquiry = submitted(company, submitted_on or on, **kwargs)
    return workflow.enquiry_route(enquiry=enquiry, actor=central_user, entities=entities, at=day(on))


@pytest.mark.usefixtures("staff_read_english")
class TestEntityContacts:
    def test_each_contact_gets_one_email_listing_what_awaits_their_answer_with_working_days(
        self, company, central_user, entity, entity_contact, other_entity
    ):
        old = routed(company, central_user, [entity], on=2, title="CD123 antibody on AML blasts")
        recent = routed(company, central_user, [entity, other_entity], on=16, title="FLT3 inhibitor screening")
        Notification.objects.all().delete()

        assert notices.daily_digests(TODAY) == 1  # routed on the day submitted: nothing is overdue
        [email] = digests(notices.DIGEST_ENTITY).values()

        assert (email.recipient, email.user) == (entity_contact.email, entity_contact)
        assert email.subject == "[OPALE] 2 enquiries await your answer"
        text = email.body_text
        assert old.reference in text and recent.reference in text
        assert "CD123 antibody on AML blasts" in text and "Leukos Therapeutics SAS" in text
        # 2 to 18 November: 12 weekdays, less the 11th (Armistice); the oldest comes first
        assert "routed 11 working days ago" in text
        assert "routed 2 working days ago" in text
        assert text.index(old.reference) < text.index(recent.reference)
        assert PORTAL + reverse("admin:partners_enquiry_change", args=[old.pk]) in text

    def test_nothing_waiting_means_no_email(self, company, central_user, entity, entity_contact, other_entity):
        second = UserFactory(username="hugo.lyon", is_staff=True, groups=[ENTITY_CONTACT])
        other_entity.scientific_contacts.add(second)
        answered = routed(company, central_user, [other_entity], on=9)
        workflow.enquiry_answer_routing(
            routing=Routing.objects.get(enquiry=answered, entity=other_entity),
            actor=second,
            accept=False,
            reason="Not our field.",
        )
        closed = routed(company, central_user, [entity], on=9)
        workflow.enquiry_close_no_go(enquiry=closed, actor=central_user, reason="The company chose another route.")

        notices.daily_digests(TODAY)

        assert digests(notices.DIGEST_ENTITY) == {}

    def test_a_contact_of_two_entities_gets_one_email_for_both(self, company, central_user, entity, entity_contact):
        lab = EntityFactory(name="Plateforme de criblage", lead_body=GoverningBodyFactory(), contacts=[entity_contact])
        routed(company, central_user, [entity], on=10)
        routed(company, central_user, [lab], on=12)

        notices.daily_digests(TODAY)

        [email] = digests(notices.DIGEST_ENTITY).values()
        assert "Institut de recherche Saint-Louis" in email.body_text
        assert "Plateforme de criblage" in email.body_text


@pytest.mark.usefixtures("staff_read_english")
class TestCentralTeam:
    def test_the_central_team_reads_the_overdue_open_enquiries_only(self, company, central_user, entity):
        colleague = UserFactory(username="marc.central", is_staff=True, groups=[CENTRAL_TEAM])
        late = submitted(company, on=2, title="Nobody answered this one")  # first response due on the 9th
        on_time = submitted(company, on=16, title="Sent two days ago")
        call = submitted(
            company,
            on=16,
            title="Consortium for the EU Cancer Mission",
            kind=PartnershipKind.COLLABORATIVE_CALL,
            funding_programme="eu_cancer_mission",
            funding_call="HORIZON-MISS-2027-CANCER-01",
            funding_deadline=dt.date(2026, 12, 1),
        )
        closed = submitted(company, on=2, title="Closed long ago")
        workflow.enquiry_close_no_go(enquiry=closed, actor=central_user, reason="Out of scope.", at=day(3))

        assert notices.daily_digests(TODAY) == 2

        central = digests(notices.DIGEST_CENTRAL)
        assert set(central) == {central_user.email, colleague.email}
        email = central[central_user.email]
        assert email.subject == "[OPALE] 2 overdue enquiries"
        text = email.body_text
        assert late.reference in text and call.reference in text
        assert on_time.reference not in text and closed.reference not in text
        assert "first response late" in text  # the reasons, from Enquiry.overdue_reasons
        assert "call deadline in 13 days" in text
        assert "11 working days since submission" in text

    def test_nothing_overdue_means_no_email(self, company, central_user):
        submitted(company, on=17)
        assert notices.daily_digests(TODAY) == 0
        assert not Notification.objects.filter(template=notices.DIGEST_CENTRAL).exists()

    def test_a_long_list_is_cut_and_links_the_queue(self, company, central_user, settings, monkeypatch):
        monkeypatch.setattr(notices, "DIGEST_MAX_ROWS", 2)
        for _ in range(3):
            submitted(company, on=2)

        notices.daily_digests(TODAY)

        email = digests(notices.DIGEST_CENTRAL)[central_user.email]
        assert email.subject == "[OPALE] 3 overdue enquiries"
        assert "…and 1 more in the queue" in email.body_text
        assert PORTAL + reverse("admin:partners_enquiry_changelist") in email.body_text


class TestWhen:
    def test_staff_read_their_digest_in_the_portals_language(self, company, central_user, entity, entity_contact):
        routed(company, central_user, [entity], on=2)
        submitted(company, on=2)

        notices.daily_digests(TODAY)

        emails = Notification.objects.filter(template__startswith="digest_")
        assert emails.count() == 2
        for email in emails:
            assert email.language == "fr"
            assert "Référence" in email.body_html
            assert "Partenariats OPALE" in email.body_text
        assert "Soumise" in emails.get(template=notices.DIGEST_CENTRAL).body_text  # the stage, in French

    def test_no_digest_on_a_public_holiday(self, company, central_user, entity, entity_contact):
        routed(company, central_user, [entity], on=2)
        assert notices.daily_digests(dt.date(2026, 12, 25)) == 0  # Christmas, a Friday
        assert not Notification.objects.filter(template__startswith="digest_").exists()

    def test_running_twice_the_same_day_sends_once(self, company, central_user, entity, entity_contact):
        routed(company, central_user, [entity], on=2)
        submitted(company, on=2)
        assert notices.daily_digests(TODAY) == 2
        assert notices.daily_digests(TODAY) == 0
        assert Notification.objects.filter(template__startswith="digest_").count() == 2

    def test_the_beat_runs_it_on_working_mornings_paris_time(self, settings):
        entry = settings.CELERY_BEAT_SCHEDULE["send-daily-digests"]
        assert entry["task"] == send_daily_digests.name == "partners.tasks.send_daily_digests"
        schedule = entry["schedule"]
        assert (schedule.hour, schedule.minute, schedule.day_of_week) == ({7}, {30}, {1, 2, 3, 4, 5})
        assert settings.CELERY_TIMEZONE == "Europe/Paris"


@pytest.mark.usefixtures("staff_read_english")
def test_the_digest_costs_the_same_few_queries_however_many_enquiries_wait(
    company, central_user, entity, entity_contact, other_entity, django_assert_max_num_queries
):
    lyon = UserFactory(username="hugo.lyon", is_staff=True, groups=[ENTITY_CONTACT])
    other_entity.scientific_contacts.add(lyon)
    screening = UserFactory(username="ines.screening", is_staff=True, groups=[ENTITY_CONTACT])
    entities = [entity, other_entity, EntityFactory(lead_body=GoverningBodyFactory(), contacts=[screening])]
    for n in range(12):
        routed(company, central_user, [entities[n % 3]], on=2 + n % 5)
        submitted(company, on=2)  # overdue: nobody answered
    Notification.objects.all().delete()

    # Reads: today's digests already queued, pending routings with enquiry, company and entity, the entities'
    # contacts, the central team, the overdue enquiries (5), plus one savepoint pair (2); writes: one outbox
    # row per e-mail (3 entity contacts and 1 central team member: 4).
    with django_assert_max_num_queries(11):
        assert notices.daily_digests(TODAY) == 4

    assert len(digests(notices.DIGEST_ENTITY)) == 3
    [central] = digests(notices.DIGEST_CENTRAL).values()
    assert "[OPALE] 12 overdue enquiries" == central.subject
