"""The demo loader: a complete, believable consortium, loaded through the workflow, and safe to run twice."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from agreements.models import StageChange
from partners import demo_data
from partners.choices import CompanySize, EnquiryStage, EntityKind, PartnershipKind, RoutingStatus, Sector
from partners.models import (
    Company,
    CompanyMember,
    Enquiry,
    Entity,
    Governance,
    GoverningBody,
    Message,
    Routing,
    RoutingRule,
)
from partners.roles import CENTRAL_TEAM, ENTITY_CONTACT, LEGAL_STAFF
from partners.selectors import enquiries_visible_to

User = get_user_model()

MODELS = [
    Company,
    CompanyMember,
    GoverningBody,
    Entity,
    Governance,
    Enquiry,
    Routing,
    RoutingRule,
    Message,
    StageChange,
    User,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db
def test_loading_again_creates_only_what_is_missing():
    first = demo_data.load()
    after_first = counts()
    assert after_first["Enquiry"] >= 30 and after_first["StageChange"] > after_first["Enquiry"]

    second = demo_data.load()
    assert second["created"] == {}
    assert counts() == after_first and second["totals"] == first["totals"]

    # A deleted rule comes back; an enquiry that exists is not replayed, even when it lost its messages.
    Message.objects.filter(enquiry__title=demo_data.ENQUIRIES[0]["title"]).delete()
    RoutingRule.objects.filter(name="Biological samples").delete()
    before = counts()
    third = demo_data.load()
    assert third["created"] == {"routing rules": 1}
    assert counts() == {**before, "RoutingRule": before["RoutingRule"] + 1}


def test_every_enquiry_timeline_stays_in_the_past_whatever_the_weekday():
    for offset in range(7):
        today = dt.date(2026, 3, 2) + dt.timedelta(days=offset)
        for spec in demo_data.ENQUIRIES:
            moments = demo_data.timeline(spec, today)
            assert moments == sorted(moments) and len(set(moments)) == len(moments), spec["title"]
            assert timezone.localtime(moments[-1]).date() < today, spec["title"]
            assert all(timezone.localtime(m).weekday() < 5 for m in moments), spec["title"]


def test_the_first_enquiries_go_back_about_ten_months():
    oldest = max(spec["start"] for spec in demo_data.ENQUIRIES)
    assert 270 <= oldest <= 330


@pytest.fixture(scope="class")
def loaded_once(django_db_setup, django_db_blocker):
    """The demo data, loaded once for the read-only tests of a class, and rolled back after them.

    Each test still runs in its own savepoint (the ``db`` fixture), so a test that writes cannot leak."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_data.load()
        transaction.set_rollback(True)


@pytest.mark.usefixtures("loaded_once", "db")
class TestTheLoadedConsortium:
    def test_the_consortium_covers_every_kind_of_entity_and_body(self):
        assert Entity.objects.count() >= 10
        assert set(Entity.objects.values_list("kind", flat=True)) == set(EntityKind.values)
        assert GoverningBody.objects.count() >= 6
        for entity in Entity.objects.prefetch_related("disease_areas", "capabilities"):
            assert entity.profile and entity.city and entity.contact_email, entity
            assert entity.disease_areas.all() and entity.capabilities.all() and entity.partnership_kinds, entity
            assert entity.scientific_contacts.exists(), entity
        for body in GoverningBody.objects.all():
            assert body.contracting_office and body.address and body.signatory_name and body.signatory_title, body

    def test_every_entity_has_exactly_one_lead_negotiator_and_one_ip_agent(self):
        roles = Entity.objects.annotate(
            leads=Count("governances", filter=Q(governances__is_lead_negotiator=True)),
            agents=Count("governances", filter=Q(governances__is_ip_agent=True)),
            bodies_count=Count("governances"),
        )
        assert all(entity.leads == 1 and entity.agents == 1 for entity in roles)
        assert max(entity.bodies_count for entity in roles) >= 3
        # The IP agent is not always the lead negotiator (DOMAIN.md section 1).
        assert Governance.objects.filter(is_ip_agent=True, is_lead_negotiator=False).exists()
        research_units = roles.filter(kind=EntityKind.RESEARCH_UNIT)
        assert all(2 <= unit.bodies_count <= 4 for unit in research_units)
        groups = Governance.objects.filter(entity__kind=EntityKind.COOPERATIVE_GROUP)
        assert groups.exists() and all(row.body.kind == "association" for row in groups)

    def test_companies_cover_every_size_and_sector_with_valid_numbers(self):
        assert set(Company.objects.values_list("size", flat=True)) == set(CompanySize.values)
        assert set(Company.objects.values_list("sector", flat=True)) == set(Sector.values)
        for company in Company.objects.all():
            company.full_clean()  # the registration number is checked with python-stdnum
            assert company.website.endswith(".example")
            assert company.members.exists()
        assert Company.objects.exclude(country="FR").exists()

    def test_enquiries_cover_every_stage_and_kind(self):
        assert set(Enquiry.objects.values_list("stage", flat=True)) == set(EnquiryStage.values)
        assert set(Enquiry.objects.values_list("kind", flat=True)) == set(PartnershipKind.values)
        calls = Enquiry.objects.filter(kind=PartnershipKind.COLLABORATIVE_CALL)
        assert calls.exists() and not calls.filter(Q(funding_programme="") | Q(funding_deadline=None)).exists()
        assert Message.objects.filter(is_internal=True).exists() and Message.objects.filter(is_internal=False).exists()
        assert set(Enquiry.objects.values_list("language", flat=True)) == {"fr", "en"}
        assert not Enquiry.objects.filter(consent_at=None).exists()

    def test_every_stage_was_reached_through_the_workflow_with_past_timestamps(self):
        now = timezone.now()
        for enquiry in Enquiry.objects.prefetch_related("stage_changes"):
            changes = list(enquiry.stage_changes.all())
            if enquiry.stage == EnquiryStage.DRAFT:
                assert not changes and enquiry.reference is None
                continue
            assert changes[0].from_stage == EnquiryStage.DRAFT, enquiry
            for before, after in zip(changes, changes[1:], strict=False):
                assert before.to_stage == after.from_stage and before.at < after.at, enquiry
            assert changes[-1].to_stage == enquiry.stage and changes[-1].at == enquiry.stage_changed_at
            assert enquiry.created_at <= enquiry.submitted_at <= changes[-1].at < now
            assert enquiry.created_at > now - dt.timedelta(days=340)
        assert not Routing.objects.filter(status=RoutingStatus.DECLINED, answer_reason="").exists()

    @pytest.mark.parametrize(
        ("username", "group"),
        [("central", CENTRAL_TEAM), ("entity", ENTITY_CONTACT), ("legal", LEGAL_STAFF)],
    )
    def test_staff_logins_have_their_role_and_the_documented_password(self, username, group):
        user = User.objects.get(username=username)
        assert user.check_password(demo_data.DEMO_PASSWORD)
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [group]

    def test_admin_and_company_logins(self):
        admin = User.objects.get(username="admin")
        assert admin.is_superuser and admin.check_password(demo_data.DEMO_PASSWORD)
        company, company2 = (User.objects.get(username=name) for name in ("company", "company2"))
        for user in (company, company2):
            assert user.check_password(demo_data.DEMO_PASSWORD) and not user.is_staff
        assert company.company_membership.company != company2.company_membership.company

    def test_the_entity_login_answers_for_entities_that_have_routed_enquiries(self):
        entity_user = User.objects.get(username="entity")
        routed_entities = Entity.objects.filter(scientific_contacts=entity_user, routings__isnull=False).distinct()
        assert routed_entities.count() >= 2
        pending = Routing.objects.filter(entity__scientific_contacts=entity_user, status=RoutingStatus.PENDING)
        assert pending.exists()  # something to accept or decline when trying the portal
        # Several enquiries of the "company" login, at several stages, reach the entity login's entities.
        company = User.objects.get(username="company").company_membership.company
        shared = enquiries_visible_to(entity_user).filter(company=company)
        assert shared.values("stage").distinct().count() >= 3

    def test_the_legal_login_is_staff_of_inserm_and_signed_a_partnership(self):
        legal = User.objects.get(username="legal")
        assert list(legal.governing_bodies.values_list("short_name", flat=True)) == ["Inserm"]
        assert StageChange.objects.filter(actor=legal, to_stage=EnquiryStage.SIGNED).exists()
        assert enquiries_visible_to(legal).exists()

    def test_the_company_login_sees_only_its_own_company(self):
        company_user = User.objects.get(username="company")
        visible = enquiries_visible_to(company_user)
        assert visible.count() >= 5
        assert set(visible.values_list("company__legal_name", flat=True)) == {"Hemavia Therapeutics SAS"}

    def test_the_command_prints_a_banner_and_the_logins(self):
        out = StringIO()
        call_command("load_demo", stdout=out)
        output = out.getvalue()
        assert "DEMO DATA" in output
        User = get_user_model()
        for login in demo_data.DEMO_LOGINS:
            # staff sign in to the admin with their username, companies on the portal with their e-mail
            user = User.objects.get(username=login["username"])
            expected = user.email if login["url"].endswith("/accounts/login/") else user.username
            assert expected in output and login["url"] in output
        assert demo_data.DEMO_PASSWORD in output
        assert "http://127.0.0.1:8000/accounts/login/" in output and "http://127.0.0.1:8000/admin/" in output

        again = StringIO()
        call_command("load_demo", stdout=again)
        assert "nothing to create" in again.getvalue()
