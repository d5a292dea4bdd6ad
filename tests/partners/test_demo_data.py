"""The demo loader: a complete, believable consortium, loaded through the workflow, and safe to run twice."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from agreements import approvals, signatures
from agreements.choices import AgreementKind, ContractStage, PartyRole
from agreements.models import Agreement, ApprovalDecision, DraftVersion, Signature, StageChange
from agreements.terms import KINDS
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


C = ContractStage
# The demo's contracts beyond the four first examples, one of each kind at least, each where its story leaves it:
# (enquiry title, kind, contract stage, enquiry stage).
STORIES = [
    ("Industrial chair on immune escape in lymphoid malignancies", "industrial_chair", C.IN_FORCE, "signed"),
    ("Thèse CIFRE : biomarqueurs de réponse aux inhibiteurs de ménine", "cifre", C.IN_FORCE, "signed"),
    (
        "Criblage haut débit d'une chimiothèque de dégradeurs de FLT3 sur cellules primaires",
        "service",
        C.IN_FORCE,
        "signed",
    ),
    (
        "Accès à des échantillons de LLC pour le développement d'un test de MRD",
        "material_transfer",
        C.IN_FORCE,
        "signed",
    ),
    ("Laboratoire commun : IA de cytomorphologie sur frottis médullaires", "joint_lab", C.DRAFTING, "contracting"),
    ("Efficacy of the menin inhibitor HMV-201 in NPM1-mutated AML PDX models", "service", C.DRAFTING, "contracting"),
    (
        "Expert advice on treatment sequencing after BTK and BCL-2 inhibitors in CLL",
        "consultancy",
        C.IN_FORCE,
        "signed",
    ),
    ("Option on a patent family covering a leukemia stem-cell surface marker", "option", C.IN_FORCE, "signed"),
    (
        "Option on a patent family covering a leukemia stem-cell surface marker",
        "patent_licence",
        C.IN_NEGOTIATION,
        "signed",
    ),
    (
        "Extraction de données de vie réelle pour un modèle prédictif de rechute de LAM",
        "data_access",
        C.INTERNAL_REVIEW,
        "contracting",
    ),
    (
        "Appel Bpifrance i-Démo : analyses fédérées de données de vie réelle en hématologie",
        "consortium",
        C.SENT_TO_COMPANY,
        "contracting",
    ),
    ("Advice on the design of a phase I/II trial of HMV-201 in relapsed AML", "framework", C.AGREED, "contracting"),
]
# Stages at which every step before signature (agreements.approvals) must be recorded.
SIGNING_OR_SIGNED = [C.IN_SIGNATURE, C.IN_FORCE, C.COMPLETED, C.EXPIRED, C.TERMINATED]


def story(kind: str, company: str = "") -> Agreement:
    """The contract of ``kind`` among the stories, of the company whose name starts with ``company``."""
    return Agreement.objects.select_related("enquiry").get(
        kind=kind, enquiry__title__in=[s[0] for s in STORIES], enquiry__company__legal_name__startswith=company
    )


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.mark.django_db
def test_loading_again_creates_only_what_is_missing():
    first = demo_data.load(contracts=False)  # the contracts' PDFs take long; TestTheLoadedConsortium loads them
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


def admin_url(agreement: Agreement) -> str:
    return reverse("admin:agreements_agreement_change", args=[agreement.pk])


def company_url(agreement: Agreement) -> str:
    return reverse("agreements:contract_detail", args=[agreement.enquiry_id, agreement.pk])


def lead_legal(agreement: Agreement):
    return agreement.parties.get(role="lead_negotiator").body.legal_staff.order_by("pk").first()


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
            changes = [change for change in enquiry.stage_changes.all() if change.agreement_id is None]
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
        # Its signature for Inserm on an agreement put it in force, and so signed the partnership.
        signed = Signature.objects.filter(
            signed_by=legal, agreement__stage=ContractStage.IN_FORCE, agreement__enquiry__stage=EnquiryStage.SIGNED
        ).exclude(agreement__kind=AgreementKind.NDA)
        assert signed.filter(party__body__short_name="Inserm").exists()
        assert enquiries_visible_to(legal).exists()

    def test_hemavias_nda_is_in_force_signed_by_every_party_and_opens_confidential_uploads(self):
        agreement = Agreement.objects.get(enquiry__title=demo_data.ENQUIRIES[0]["title"], kind=AgreementKind.NDA)
        assert agreement.stage == ContractStage.IN_FORCE and agreement.language == "en"
        assert not signatures.awaited(agreement)
        signers = set(agreement.signatures.values_list("party__role", flat=True))
        assert signers == {PartyRole.COMPANY, PartyRole.LEAD_NEGOTIATOR, PartyRole.CO_OWNER}
        final = agreement.versions.get(is_final=True)
        assert final.status == DraftVersion.Status.READY and final.pdf and final.pages >= 2
        assert agreement.enquiry.has_nda_in_force()
        assert agreement.enquiry.stage == EnquiryStage.CONTRACTING

    def test_cellforges_nda_waits_for_the_academic_signatures(self):
        agreement = Agreement.objects.get(enquiry__company__legal_name__startswith="Cellforge", kind=AgreementKind.NDA)
        assert agreement.stage == ContractStage.SIGNED_BY_COMPANY
        assert [p.body.short_name for p in signatures.awaited(agreement)] == ["AP-HP", "Inserm"]
        assert not agreement.enquiry.has_nda_in_force()

    def test_a_collaboration_is_in_negotiation_after_the_companys_request_for_changes(self):
        agreement = Agreement.objects.get(
            enquiry__company__legal_name__startswith="Lymphocyte", kind="research_collaboration"
        )
        assert agreement.stage == ContractStage.IN_NEGOTIATION and agreement.language == "fr"
        change = agreement.stage_changes.get(transition="request_changes")
        assert "option de licence exclusive" in change.comment
        assert change.actor.company_membership.company == agreement.enquiry.company

    def test_a_collaboration_came_into_force_and_the_partnership_is_signed(self):
        agreement = Agreement.objects.get(
            enquiry__company__legal_name__startswith="Hematica", kind="research_collaboration"
        )
        assert agreement.stage == ContractStage.IN_FORCE
        assert agreement.enquiry.stage == EnquiryStage.SIGNED
        assert agreement.starts_on and agreement.ends_on and agreement.ends_on > agreement.starts_on
        assert agreement.versions.filter(is_final=True, status=DraftVersion.Status.READY).exists()

    def test_every_demo_contract_happened_in_the_past_with_ready_pdfs(self):
        now = timezone.now()
        assert Agreement.objects.count() >= 4
        assert not DraftVersion.objects.exclude(status=DraftVersion.Status.READY).exists()
        assert not DraftVersion.objects.filter(created_at__gte=now - dt.timedelta(days=1)).exists()
        assert not Signature.objects.filter(signed_at__gte=now - dt.timedelta(days=1)).exists()
        assert not StageChange.objects.filter(agreement__isnull=False, at__gte=now - dt.timedelta(days=1)).exists()

    def test_every_kind_of_contract_has_a_demo_contract(self):
        assert set(Agreement.objects.values_list("kind", flat=True)) == set(AgreementKind.values)

    @pytest.mark.parametrize(("title", "kind", "stage", "enquiry_stage"), STORIES, ids=[s[1] for s in STORIES])
    def test_each_demo_contract_is_where_its_story_leaves_it(self, title, kind, stage, enquiry_stage):
        agreement = Agreement.objects.select_related("enquiry").get(enquiry__title=title, kind=kind)
        assert (agreement.stage, agreement.enquiry.stage) == (stage, enquiry_stage)
        assert agreement.language == agreement.enquiry.language
        assert KINDS[kind].missing(agreement) == []  # its terms are all entered, as the drafter would
        # One draft made by the legal staff (the demo renders every PDF: more would slow its loading down).
        assert agreement.versions.filter(is_final=False).count() == 1

    def test_every_contract_in_force_is_signed_by_all_with_its_final_pdf(self):
        in_force = Agreement.objects.filter(stage=ContractStage.IN_FORCE)
        assert in_force.exclude(kind=AgreementKind.NDA).count() >= 7
        for agreement in in_force:
            assert not signatures.awaited(agreement), agreement.reference
            final = agreement.versions.get(is_final=True)
            assert final.status == DraftVersion.Status.READY and final.pdf and final.pages >= 2, agreement.reference
            assert agreement.starts_on <= timezone.localdate() < agreement.ends_on, agreement.reference

    def test_every_step_before_signature_is_recorded_once_the_contract_is_signed(self):
        signing = Agreement.objects.filter(stage__in=SIGNING_OR_SIGNED)
        assert signing.filter(approvals__isnull=False).exists()  # some of them needed steps
        for agreement in signing:
            assert approvals.blocking(agreement) == [], agreement.reference
        # A clinician advised Sanagen: both declarations were made before anyone signed.
        advice = story("consultancy")
        assert advice.terms["hospital_clinician"] is True
        steps = {a.kind: a for a in approvals.of(advice)}
        assert set(steps) == {"transparency", "anti_gift"}
        first_signature = advice.signatures.order_by("signed_at").first().signed_at
        assert all(a.decision == ApprovalDecision.APPROVED and a.recorded_at < first_signature for a in steps.values())
        # The data access licence waits for the DPO's sign-off in internal review.
        data = story("data_access")
        assert [(a.kind, a.decision) for a in approvals.blocking(data)] == [("dpo_sign_off", ApprovalDecision.PENDING)]

    def test_the_contracts_terms_tell_their_stories(self):
        cifre = story("cifre")
        thesis_start = dt.date.fromisoformat(cifre.terms["thesis_start"])
        assert thesis_start < timezone.localdate(cifre.in_force_at) <= cifre.signature_deadline
        assert story("service", "Myelis").terms["inventive_work_expected"] is False
        assert story("material_transfer").terms["collection_number"] == "DC-2019-3581"
        joint_lab = story("joint_lab")
        last = joint_lab.stage_changes.order_by("at").last()
        assert last.transition == "return_to_drafting" and "modèles entraînés" in last.comment
        option, licence = story("option"), story("patent_licence")
        assert 6 <= option.terms["option_months"] <= 12 and option.ends_on > timezone.localdate()
        changes = licence.stage_changes.get(transition="request_changes")
        assert changes.at > option.in_force_at and "option fee" in changes.comment
        assert story("consortium").terms["programme"] == "bpifrance"

    def test_the_central_team_opens_every_contract_with_its_versions(self, client, django_user_model):
        client.force_login(django_user_model.objects.get(username="central"))
        for agreement in Agreement.objects.all():
            page = client.get(admin_url(agreement))
            assert page.status_code == 200, agreement.reference
            body = page.content.decode()
            assert agreement.reference in body
            for version in agreement.versions.all():
                download = reverse("admin:agreements_agreement_draft_download", args=[agreement.pk, version.number])
                assert download in body, (agreement.reference, version.number)

    def test_the_portal_is_named_as_the_maker_of_a_final_pdf(self, client, django_user_model):
        client.force_login(django_user_model.objects.get(username="central"))
        final = DraftVersion.objects.filter(is_final=True).select_related("agreement").first()
        assert final.requested_by is None
        assert "The portal, after the last signature" in client.get(admin_url(final.agreement)).content.decode()

    def test_lead_legal_staff_download_every_version_of_their_contracts(self, client):
        for agreement in Agreement.objects.exclude(parties__role="lead_negotiator", parties__body__legal_staff=None):
            client.force_login(lead_legal(agreement))
            for version in agreement.versions.all():
                url = reverse("admin:agreements_agreement_draft_download", args=[agreement.pk, version.number])
                response = client.get(url)
                assert response.status_code == 200, (agreement.reference, version.number)
                assert (
                    b"".join(response.streaming_content if response.streaming else [response.content])[:5] == b"%PDF-"
                )

    def test_each_company_reads_its_own_contracts_and_no_other(self, client):
        agreements = list(Agreement.objects.select_related("enquiry__company"))
        for agreement in agreements:
            member = CompanyMember.objects.filter(company=agreement.enquiry.company).select_related("user").first()
            client.force_login(member.user)
            assert client.get(company_url(agreement)).status_code == 200, agreement.reference
            for other in agreements:
                if other.enquiry.company_id != agreement.enquiry.company_id:
                    assert client.get(company_url(other)).status_code == 404, (member.user, other.reference)

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
