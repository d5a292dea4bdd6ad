"""The enquiry's stage machine as its users live it: who may move it, what gets recorded, which clocks start."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from agreements.models import StageChange
from partners import workflow
from partners.choices import EnquiryStage as S
from partners.choices import PartnershipKind, RoutingStatus
from partners.models import Enquiry, ReferenceCounter, Routing
from partners.roles import CENTRAL_TEAM
from partners.workflow import WorkflowError

from ..factories import CompanyMemberFactory, EnquiryFactory, UserFactory, routed_enquiry, submitted_enquiry

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, 0, tzinfo=PARIS)


def reload(enquiry: Enquiry) -> Enquiry:
    return Enquiry.objects.get(pk=enquiry.pk)


def timeline(enquiry: Enquiry) -> list[tuple[str, str, str]]:
    return list(enquiry.stage_changes.order_by("pk").values_list("transition", "from_stage", "to_stage"))


class TestSubmit:
    def test_submitting_allocates_a_reference_and_records_who_did_it(self, company, company_member):
        draft = EnquiryFactory(company=company)
        assert draft.reference is None

        enquiry = workflow.enquiry_submit(enquiry=draft, actor=company_member, at=at(2))

        assert re.fullmatch(r"OPA-2026-\d{5}", enquiry.reference)
        assert enquiry.stage == S.SUBMITTED
        assert reload(enquiry).reference == enquiry.reference
        [change] = enquiry.stage_changes.all()
        assert (change.actor, change.transition, change.from_stage, change.to_stage, change.at) == (
            company_member,
            "submit",
            S.DRAFT,
            S.SUBMITTED,
            at(2),
        )
        assert enquiry.submitted_at == at(2)
        assert enquiry.ball_holder == "central_team"

    def test_the_enquiry_remembers_who_submitted_it(self, company, company_member):
        enquiry = workflow.enquiry_submit(enquiry=EnquiryFactory(company=company), actor=company_member)
        assert reload(enquiry).submitted_by == company_member

    def test_an_invalid_draft_is_not_submitted_and_uses_no_number(self, company, company_member):
        draft = EnquiryFactory(company=company, kind=PartnershipKind.COLLABORATIVE_CALL, funding_programme="")

        with pytest.raises(ValidationError) as caught:
            workflow.enquiry_submit(enquiry=draft, actor=company_member)

        assert caught.value.messages == ["Name the funding programme and the call's deadline."]
        draft = reload(draft)
        assert (draft.stage, draft.reference) == (S.DRAFT, None)
        assert not StageChange.objects.exists()
        assert not ReferenceCounter.objects.filter(last__gt=0).exists()

    def test_a_member_of_another_company_cannot_submit(self, company, other_company_member):
        draft = EnquiryFactory(company=company)
        with pytest.raises(PermissionDenied):
            workflow.enquiry_submit(enquiry=draft, actor=other_company_member)
        assert reload(draft).stage == S.DRAFT


class TestReferences:
    def test_references_are_sequential_within_a_year(self, company, company_member):
        refs = [
            workflow.enquiry_submit(enquiry=EnquiryFactory(company=company), actor=company_member, at=at(2)).reference
            for _ in range(3)
        ]
        assert refs == ["OPA-2026-00001", "OPA-2026-00002", "OPA-2026-00003"]

    def test_each_year_starts_again_at_one_in_paris_time(self, company, company_member):
        late_2025 = dt.datetime(2025, 12, 31, 22, 30, tzinfo=dt.UTC)  # 23:30 in Paris: still 2025
        new_year = dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC)  # 00:30 in Paris: already 2026
        first = workflow.enquiry_submit(enquiry=EnquiryFactory(company=company), actor=company_member, at=late_2025)
        second = workflow.enquiry_submit(enquiry=EnquiryFactory(company=company), actor=company_member, at=new_year)
        third = workflow.enquiry_submit(enquiry=EnquiryFactory(company=company), actor=company_member, at=at(2))

        assert [first.reference, second.reference, third.reference] == [
            "OPA-2025-00001",
            "OPA-2026-00001",
            "OPA-2026-00002",
        ]

    def test_a_closed_enquiry_keeps_its_number_and_the_next_one_moves_on(self, company, company_member):
        first = workflow.enquiry_submit(enquiry=EnquiryFactory(company=company), actor=company_member, at=at(2))
        workflow.enquiry_withdraw(enquiry=first, actor=company_member, reason="Project stopped.", at=at(3))

        with pytest.raises(ProtectedError):
            reload(first).delete()  # its stage changes protect it, so its reference can never be freed
        second = workflow.enquiry_submit(enquiry=EnquiryFactory(company=company), actor=company_member, at=at(4))

        assert reload(first).reference == "OPA-2026-00001"
        assert second.reference == "OPA-2026-00002"

    def test_a_reference_is_unique_in_the_database(self, company):
        first = submitted_enquiry(company=company)
        second = submitted_enquiry(company=company)
        with pytest.raises(IntegrityError), transaction.atomic():
            Enquiry.objects.filter(pk=second.pk).update(reference=first.reference)


class TestRoles:
    def test_a_company_member_cannot_route(self, company, company_member, entity):
        enquiry = submitted_enquiry(company=company)
        with pytest.raises(PermissionDenied) as caught:
            workflow.enquiry_route(enquiry=enquiry, actor=company_member, entities=[entity])
        assert enquiry.reference in str(caught.value)
        assert reload(enquiry).stage == S.SUBMITTED
        assert not Routing.objects.exists()

    def test_entity_and_legal_staff_cannot_triage(self, company, entity_contact, legal_officer):
        enquiry = submitted_enquiry(company=company)
        for user in (entity_contact, legal_officer):
            with pytest.raises(PermissionDenied):
                workflow.enquiry_take_into_triage(enquiry=enquiry, actor=user)
        assert timeline(enquiry) == [("submit", S.DRAFT, S.SUBMITTED)]

    def test_the_contact_of_another_entity_cannot_answer(self, central_user, entity_contact, other_entity):
        enquiry = routed_enquiry(entities=[other_entity], actor=central_user)
        routing = enquiry.routings.get()

        for accept in (True, False):
            with pytest.raises(PermissionDenied) as caught:
                workflow.enquiry_answer_routing(routing=routing, actor=entity_contact, accept=accept, reason="No.")
            assert str(other_entity) in str(caught.value)
        routing.refresh_from_db()
        assert routing.status == RoutingStatus.PENDING
        assert reload(enquiry).stage == S.ROUTED

    def test_a_company_member_cannot_withdraw_another_companys_enquiry(self, company, other_company_member):
        enquiry = submitted_enquiry(company=company)
        with pytest.raises(PermissionDenied):
            workflow.enquiry_withdraw(enquiry=enquiry, actor=other_company_member, reason="Not mine.")
        assert reload(enquiry).stage == S.SUBMITTED


class TestStaleTransitions:
    def test_a_step_taken_on_a_stale_page_says_what_happened(self, company, central_user, entity):
        enquiry = submitted_enquiry(company=company)
        colleague = UserFactory(is_staff=True, groups=[CENTRAL_TEAM])
        stale_copy = reload(enquiry)
        workflow.enquiry_route(enquiry=enquiry, actor=colleague, entities=[entity])

        with pytest.raises(WorkflowError) as caught:
            workflow.enquiry_take_into_triage(enquiry=stale_copy, actor=central_user)

        message = str(caught.value)
        assert enquiry.reference in message
        assert "Routed to entities" in message
        assert "no longer possible" in message
        assert reload(enquiry).stage == S.ROUTED

    def test_submitting_twice_keeps_the_first_reference(self, company, company_member):
        enquiry = submitted_enquiry(company=company)
        with pytest.raises(WorkflowError):
            workflow.enquiry_submit(enquiry=enquiry, actor=company_member)
        assert reload(enquiry).reference == enquiry.reference
        assert ReferenceCounter.objects.get().last == 1

    def test_an_entity_answers_once(self, central_user, entity, entity_contact, other_entity):
        enquiry = routed_enquiry(entities=[entity, other_entity], actor=central_user)
        routing = enquiry.routings.get(entity=entity)
        workflow.enquiry_answer_routing(routing=routing, actor=entity_contact, accept=False, reason="No capacity.")

        with pytest.raises(WorkflowError) as caught:
            workflow.enquiry_answer_routing(routing=routing, actor=entity_contact, accept=True)
        assert str(caught.value) == "This entity has already answered."
        routing.refresh_from_db()
        assert (routing.status, routing.answer_reason) == (RoutingStatus.DECLINED, "No capacity.")

    def test_an_answer_on_a_closed_enquiry_is_refused(
        self, central_user, company, company_member, entity, entity_contact
    ):
        enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user)
        workflow.enquiry_withdraw(enquiry=enquiry, actor=company_member, reason="Project stopped.")

        with pytest.raises(WorkflowError) as caught:
            workflow.enquiry_answer_routing(routing=enquiry.routings.get(), actor=entity_contact, accept=True)
        assert str(caught.value) == "This enquiry is no longer waiting for the entity's answer."
        assert enquiry.routings.get().status == RoutingStatus.PENDING


class TestRouting:
    def test_routing_needs_an_entity(self, company, central_user):
        enquiry = submitted_enquiry(company=company)
        with pytest.raises(ValidationError) as caught:
            workflow.enquiry_route(enquiry=enquiry, actor=central_user, entities=[])
        assert caught.value.messages == ["Choose at least one entity to route the enquiry to."]

    def test_an_acceptance_moves_the_enquiry_on(self, central_user, entity, entity_contact):
        enquiry = routed_enquiry(entities=[entity], actor=central_user)
        routing = enquiry.routings.get()

        enquiry = workflow.enquiry_answer_routing(routing=routing, actor=entity_contact, accept=True, at=at(9))

        assert enquiry.stage == S.ACCEPTED
        assert enquiry.answered_at == at(9)
        routing.refresh_from_db()
        assert (routing.status, routing.answered_by, routing.answered_at) == (
            RoutingStatus.ACCEPTED,
            entity_contact,
            at(9),
        )
        assert timeline(enquiry)[-1] == ("accept_by_entity", S.ROUTED, S.ACCEPTED)

    def test_entities_routed_alongside_may_still_answer_after_one_accepted(
        self, central_user, entity, entity_contact, other_entity
    ):
        """A consortium: the first acceptance moves the enquiry on, the others still give their answer."""
        enquiry = routed_enquiry(entities=[entity, other_entity], actor=central_user)
        workflow.enquiry_answer_routing(
            routing=enquiry.routings.get(entity=other_entity), actor=central_user, accept=True
        )

        after = workflow.enquiry_answer_routing(
            routing=enquiry.routings.get(entity=entity), actor=entity_contact, accept=False, reason="No capacity."
        )

        assert after.stage == S.ACCEPTED
        assert dict(enquiry.routings.values_list("entity", "status")) == {
            other_entity.pk: RoutingStatus.ACCEPTED,
            entity.pk: RoutingStatus.DECLINED,
        }
        assert [t for t, _, _ in timeline(enquiry)] == ["submit", "route", "accept_by_entity"]

    def test_when_every_entity_declines_the_enquiry_returns_to_triage(
        self, central_user, entity, entity_contact, other_entity
    ):
        other_contact = UserFactory(is_staff=True, groups=["Entity contact"])
        other_entity.scientific_contacts.add(other_contact)
        enquiry = routed_enquiry(entities=[entity, other_entity], actor=central_user)

        after_first = workflow.enquiry_answer_routing(
            routing=enquiry.routings.get(entity=entity), actor=entity_contact, accept=False, reason="No capacity."
        )
        assert after_first.stage == S.ROUTED  # the other entity may still say yes

        after_both = workflow.enquiry_answer_routing(
            routing=enquiry.routings.get(entity=other_entity),
            actor=other_contact,
            accept=False,
            reason="Outside our field.",
        )

        assert after_both.stage == S.IN_TRIAGE
        assert after_both.ball_holder == "central_team"
        last = after_both.stage_changes.order_by("-pk").first()
        assert (last.transition, last.from_stage, last.to_stage, last.actor) == (
            "return_to_triage",
            S.ROUTED,
            S.IN_TRIAGE,
            None,
        )
        assert last.comment == f"Declined by {other_entity}: Outside our field."

    def test_a_decline_needs_a_reason(self, central_user, entity, entity_contact):
        enquiry = routed_enquiry(entities=[entity], actor=central_user)
        with pytest.raises(ValidationError) as caught:
            workflow.enquiry_answer_routing(
                routing=enquiry.routings.get(), actor=entity_contact, accept=False, reason="   "
            )
        assert caught.value.messages == ["Say why the entity declines, so the central team can route elsewhere."]
        assert enquiry.routings.get().status == RoutingStatus.PENDING

    def test_routing_again_after_declines_reopens_the_answers(self, central_user, entity, entity_contact):
        enquiry = routed_enquiry(entities=[entity], actor=central_user)
        workflow.enquiry_answer_routing(
            routing=enquiry.routings.get(), actor=entity_contact, accept=False, reason="Not now."
        )
        enquiry = workflow.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity])

        routing = enquiry.routings.get()
        assert enquiry.stage == S.ROUTED
        assert (routing.status, routing.answer_reason, routing.answered_at) == (RoutingStatus.PENDING, "", None)


class TestClocksAndReasons:
    def test_each_sla_clock_is_set_once_when_its_event_first_happens(
        self, company, company_member, central_user, entity, entity_contact
    ):
        enquiry = submitted_enquiry(company=company, submitted__at=at(2))
        workflow.enquiry_take_into_triage(enquiry=enquiry, actor=central_user, at=at(3))
        workflow.enquiry_request_information(enquiry=enquiry, actor=central_user, question="Budget?", at=at(4))
        workflow.enquiry_provide_information(enquiry=enquiry, actor=company_member, answer="200 k€", at=at(5))
        workflow.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity], at=at(6))
        workflow.enquiry_answer_routing(
            routing=enquiry.routings.get(), actor=entity_contact, accept=False, reason="Busy.", at=at(7)
        )
        workflow.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity], at=at(8))
        workflow.enquiry_answer_routing(routing=enquiry.routings.get(), actor=entity_contact, accept=True, at=at(9))

        enquiry = reload(enquiry)
        assert (enquiry.submitted_at, enquiry.first_response_at, enquiry.routed_at, enquiry.answered_at) == (
            at(2),
            at(3),
            at(6),
            at(9),
        )
        assert enquiry.closed_at is None
        assert enquiry.stage_changed_at == at(9)
        assert [to for _, _, to in timeline(enquiry)] == [
            S.SUBMITTED,
            S.IN_TRIAGE,
            S.AWAITING_COMPANY,
            S.IN_TRIAGE,
            S.ROUTED,
            S.IN_TRIAGE,
            S.IN_TRIAGE,  # the record of the entity's earlier "no", written as it is asked again
            S.ROUTED,
            S.ACCEPTED,
        ]
        assert enquiry.stage_changes.filter(transition="ask_again").get().comment.endswith("declined. Busy.")

    def test_withdrawing_needs_a_reason(self, company, company_member):
        enquiry = submitted_enquiry(company=company)
        with pytest.raises(ValidationError) as caught:
            workflow.enquiry_withdraw(enquiry=enquiry, actor=company_member, reason=" ")
        assert caught.value.messages == ["Say why you withdraw the enquiry."]
        assert reload(enquiry).stage == S.SUBMITTED

        enquiry = workflow.enquiry_withdraw(enquiry=enquiry, actor=company_member, reason="Budget cut.", at=at(10))
        assert (enquiry.stage, enquiry.closed_at, enquiry.is_closed) == (S.WITHDRAWN, at(10), True)
        last = enquiry.stage_changes.order_by("-pk").first()
        assert (last.actor, last.comment) == (company_member, "Budget cut.")

    @pytest.mark.parametrize(
        ("step", "kwargs", "message"),
        [
            (
                workflow.enquiry_decline,
                {"reason": ""},
                "Say why no entity can take the enquiry on; the company will read it.",
            ),
            (workflow.enquiry_close_no_go, {"reason": ""}, "Say why the enquiry is closed as a no-go."),
            (workflow.enquiry_request_information, {"question": ""}, "Write the question the company should answer."),
        ],
    )
    def test_central_team_steps_that_need_words(self, company, central_user, step, kwargs, message):
        enquiry = submitted_enquiry(company=company)
        with pytest.raises(ValidationError) as caught:
            step(enquiry=enquiry, actor=central_user, **kwargs)
        assert caught.value.messages == [message]
        assert reload(enquiry).stage == S.SUBMITTED

    def test_a_decline_closes_the_enquiry_and_starts_the_first_response_clock(self, company, central_user):
        enquiry = submitted_enquiry(company=company, submitted__at=at(2))
        enquiry = workflow.enquiry_decline(enquiry=enquiry, actor=central_user, reason="Out of scope.", at=at(3))
        assert (enquiry.stage, enquiry.first_response_at, enquiry.closed_at) == (S.DECLINED, at(3), at(3))
        assert enquiry.ball_holder == "nobody"

    def test_the_whole_road_to_a_signed_partnership(self, company, central_user, entity, entity_contact, legal_officer):
        enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user)
        workflow.enquiry_answer_routing(routing=enquiry.routings.get(), actor=entity_contact, accept=True)
        workflow.enquiry_start_contracting(enquiry=enquiry, actor=central_user)
        enquiry = workflow.enquiry_mark_signed(enquiry=enquiry, actor=legal_officer, at=at(20))

        assert (enquiry.stage, enquiry.closed_at) == (S.SIGNED, at(20))
        assert timeline(enquiry)[-1] == ("mark_signed", S.CONTRACTING, S.SIGNED)
        assert enquiry.stage_changes.order_by("-pk").first().actor == legal_officer

    def test_a_legal_officer_of_an_uninvolved_body_cannot_mark_signed(
        self, company, central_user, other_entity, legal_officer
    ):
        enquiry = routed_enquiry(company=company, entities=[other_entity], actor=central_user)
        workflow.enquiry_answer_routing(routing=enquiry.routings.get(), actor=central_user, accept=True)
        workflow.enquiry_start_contracting(enquiry=enquiry, actor=central_user)
        with pytest.raises(PermissionDenied):
            workflow.enquiry_mark_signed(enquiry=enquiry, actor=legal_officer)
        assert reload(enquiry).stage == S.CONTRACTING

    def test_the_stage_cannot_be_assigned_directly(self, company):
        enquiry = submitted_enquiry(company=company)
        with pytest.raises(AttributeError):
            enquiry.stage = S.SIGNED


def test_company_members_of_the_same_company_share_their_enquiries(company, company_member):
    colleague = CompanyMemberFactory(company=company).user
    enquiry = EnquiryFactory(company=company, submitted=company_member)
    enquiry = workflow.enquiry_withdraw(enquiry=enquiry, actor=colleague, reason="Colleague decided.")
    assert enquiry.stage == S.WITHDRAWN
