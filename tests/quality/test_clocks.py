"""Service-level clocks (issue 7, "Clocks"): hand-built timelines through the workflows, with explicit times in
Paris, and what the stored clocks and stage spells say about them: weekends and French public holidays left out,
a stage entered twice, an entity that declines, an NDA and an agreement signed, a signature circuit split at the
company's signature; then the invariants any timeline keeps, and the database's percentile."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from agreements import drafts, signatures
from agreements import workflow as contracts
from agreements.choices import ContractStage as C
from agreements.choices import PartyRole
from agreements.models import Agreement, DraftVersion
from agreements.workflow import _transition as contract_step
from partners import workflow as enquiries
from partners.choices import ENQUIRY_CLOSED_STAGES, Party, RoutingStatus
from partners.choices import EnquiryStage as S
from partners.models import Enquiry, ReferenceCounter
from partners.workdays import working_days_between
from quality import clocks
from quality.aggregates import Percentile
from quality.models import ContractClock, EnquiryClock, FunnelStep, StageSpell

from ..factories import EnquiryFactory, contract, fill_terms, nda, submitted_enquiry

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
CENTRAL, COMPANY, ENTITY, BODIES = Party.CENTRAL_TEAM, Party.COMPANY, Party.ENTITY, Party.GOVERNING_BODY
CLOSED = set(ENQUIRY_CLOSED_STAGES)


def paris(day: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=PARIS)


def clock_of(enquiry) -> EnquiryClock:
    return EnquiryClock.objects.get(enquiry_id=enquiry.pk)


def spells(enquiry, agreement=None) -> list[tuple[str, str, int | None]]:
    """(stage, ball, working days) of the enquiry's own spells, or of one contract's, in order."""
    rows = StageSpell.objects.filter(enquiry_id=enquiry.pk)
    rows = rows.filter(agreement=agreement) if agreement is not None else rows.filter(agreement__isnull=True)
    return [(s.stage, s.ball, s.working_days) for s in rows.order_by("entered_at", "pk")]


def refreshed(enquiry) -> EnquiryClock:
    clocks.refresh([enquiry.pk])
    return clock_of(enquiry)


@pytest.fixture
def submit(company, company_member):
    """``submit(day, time)``: an enquiry the company's member sends to OPALE at that moment (Paris time)."""

    def make(day: str, time: str = "10:00") -> Enquiry:
        return submitted_enquiry(company=company, submitted=company_member, submitted__at=paris(day, time))

    return make


# ---- first response: weekends, public holidays, the local day --------------------------------------------------
@pytest.mark.parametrize(
    ("submitted", "answered", "days"),
    [
        (("2026-03-06", "16:00"), ("2026-03-09", "09:00"), 1),  # Friday to Monday: the weekend does not count
        (("2026-03-10", "09:00"), ("2026-03-10", "17:30"), 0),  # the same day
        (("2026-04-03", "10:00"), ("2026-04-07", "10:00"), 1),  # Easter Monday 6 April
        (("2026-04-30", "10:00"), ("2026-05-04", "10:00"), 1),  # 1 May, a Friday
        (("2026-05-13", "10:00"), ("2026-05-15", "10:00"), 1),  # Ascension Thursday 14 May
        (("2026-05-22", "10:00"), ("2026-05-26", "10:00"), 1),  # Whit Monday 25 May
        (("2026-07-13", "10:00"), ("2026-07-15", "10:00"), 1),  # 14 July, a Tuesday
        (("2026-03-02", "10:00"), ("2026-03-13", "10:00"), 9),  # two weeks less a day
        (("2026-03-09", "23:30"), ("2026-03-10", "00:30"), 1),  # the next day in Paris, the same day in UTC
    ],
)
def test_the_first_response_counts_working_days_in_paris(submit, central_user, submitted, answered, days):
    enquiry = submit(*submitted)
    enquiries.enquiry_take_into_triage(enquiry=enquiry, actor=central_user, at=paris(*answered))

    clock = refreshed(enquiry)

    assert clock.first_response_days == days
    assert clock.submitted_on == dt.date.fromisoformat(submitted[0])
    assert clock.quarter == dt.date(2026, 3 * ((clock.submitted_on.month - 1) // 3) + 1, 1)
    assert (clock.stage, clock.furthest) == (S.IN_TRIAGE, FunnelStep.RESPONDED)
    assert spells(enquiry) == [(S.SUBMITTED, CENTRAL, days), (S.IN_TRIAGE, CENTRAL, None)]
    assert clock.central_team_days == days  # the stage still open counts once it is left
    assert clock.routing_days is clock.entity_answer_days is clock.nda_days is clock.signed_days is None


def test_a_submitted_enquiry_nobody_answered_has_a_clock_without_a_response(submit):
    enquiry = submit("2026-03-02")

    clock = refreshed(enquiry)

    assert (clock.stage, clock.furthest, clock.first_response_days) == (S.SUBMITTED, FunnelStep.SUBMITTED, None)
    assert spells(enquiry) == [(S.SUBMITTED, CENTRAL, None)]
    assert clock.entity is None and clock.body is None


def test_a_draft_has_no_clock(company):
    draft = EnquiryFactory(company=company)

    clocks.refresh([draft.pk])

    assert not EnquiryClock.objects.filter(enquiry_id=draft.pk).exists()
    assert not StageSpell.objects.filter(enquiry_id=draft.pk).exists()


def test_a_draft_withdrawn_before_it_was_sent_has_no_clock(company, company_member):
    draft = EnquiryFactory(company=company)
    enquiries.enquiry_withdraw(enquiry=draft, actor=company_member, reason="Wrong form.", at=paris("2026-03-02"))

    clocks.refresh([draft.pk])

    assert not EnquiryClock.objects.filter(enquiry_id=draft.pk).exists()
    assert not StageSpell.objects.filter(enquiry_id=draft.pk).exists()


# ---- a stage entered twice -----------------------------------------------------------------------------------------
def test_a_reopened_stage_gives_two_spells_and_the_company_its_days(
    submit, central_user, company_member, entity, governing_body
):
    enquiry = submit("2026-03-02")  # a Monday
    enquiries.enquiry_take_into_triage(enquiry=enquiry, actor=central_user, at=paris("2026-03-03"))
    enquiries.enquiry_request_information(
        enquiry=enquiry, actor=central_user, question="Which cell lines?", at=paris("2026-03-04")
    )
    enquiries.enquiry_provide_information(
        enquiry=enquiry, actor=company_member, answer="MOLM-13 and primary blasts.", at=paris("2026-03-09")
    )
    enquiries.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity], at=paris("2026-03-11"))
    enquiries.enquiry_answer_routing(
        routing=enquiry.routings.get(), actor=central_user, accept=True, at=paris("2026-03-13")
    )
    enquiries.enquiry_start_contracting(enquiry=enquiry, actor=central_user, at=paris("2026-03-16"))

    clock = refreshed(enquiry)

    assert spells(enquiry) == [
        (S.SUBMITTED, CENTRAL, 1),
        (S.IN_TRIAGE, CENTRAL, 1),
        (S.AWAITING_COMPANY, COMPANY, 3),  # Thursday, Friday, Monday
        (S.IN_TRIAGE, CENTRAL, 2),  # in triage again
        (S.ROUTED, ENTITY, 2),
        (S.ACCEPTED, CENTRAL, 1),
        (S.CONTRACTING, BODIES, None),
    ]
    assert (clock.company_days, clock.central_team_days, clock.entity_days, clock.governing_body_days) == (3, 5, 2, 0)
    assert clock.first_response_days == 1  # the first time it was taken into triage, not the second
    assert clock.routing_days == 7
    assert clock.entity_answer_days == 2
    assert (clock.entity, clock.body) == (entity, governing_body)
    assert (clock.stage, clock.furthest) == (S.CONTRACTING, FunnelStep.CONTRACTING)


def test_information_asked_straight_after_submission_is_the_first_response(submit, central_user, company_member):
    enquiry = submit("2026-03-05")  # a Thursday
    enquiries.enquiry_request_information(
        enquiry=enquiry, actor=central_user, question="Budget?", at=paris("2026-03-06", "18:00")
    )
    enquiries.enquiry_withdraw(enquiry=enquiry, actor=company_member, reason="No budget.", at=paris("2026-03-12"))

    clock = refreshed(enquiry)

    assert clock.first_response_days == 1
    assert spells(enquiry) == [(S.SUBMITTED, CENTRAL, 1), (S.AWAITING_COMPANY, COMPANY, 4)]  # closed: no spell
    assert (clock.company_days, clock.central_team_days) == (4, 1)
    assert (clock.stage, clock.furthest) == (S.WITHDRAWN, FunnelStep.RESPONDED)


# ---- entities: a decline, a re-routing, an entity asked again -----------------------------------------------------
def test_an_entity_declines_and_the_enquiry_is_routed_elsewhere(
    submit, central_user, entity, other_entity, governing_body
):
    enquiry = submit("2026-03-02")
    enquiries.enquiry_route(enquiry=enquiry, actor=central_user, entities=[other_entity], at=paris("2026-03-03"))
    enquiries.enquiry_answer_routing(
        routing=enquiry.routings.get(entity=other_entity),
        actor=central_user,
        accept=False,
        reason="No AML models here.",
        at=paris("2026-03-05"),
    )
    assert Enquiry.objects.get(pk=enquiry.pk).stage == S.IN_TRIAGE  # every entity said no
    enquiries.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity], at=paris("2026-03-09"))
    enquiries.enquiry_answer_routing(
        routing=enquiry.routings.get(entity=entity), actor=central_user, accept=True, at=paris("2026-03-12")
    )

    clock = refreshed(enquiry)

    assert spells(enquiry) == [
        (S.SUBMITTED, CENTRAL, 1),
        (S.ROUTED, ENTITY, 2),
        (S.IN_TRIAGE, CENTRAL, 2),
        (S.ROUTED, ENTITY, 3),
        (S.ACCEPTED, CENTRAL, None),
    ]
    assert clock.first_response_days == clock.routing_days == 1  # the first routing
    # the entity that took it on, measured from its own routing to its own answer
    assert (clock.entity, clock.body, clock.entity_answer_days) == (entity, governing_body, 3)
    assert (clock.entity_days, clock.central_team_days) == (5, 3)
    assert clock.furthest == FunnelStep.ACCEPTED
    assert set(StageSpell.objects.filter(enquiry_id=enquiry.pk).values_list("entity", flat=True)) == {entity.pk}


def test_an_entity_asked_again_is_measured_from_its_second_routing(submit, central_user, other_entity):
    enquiry = submit("2026-03-02")
    enquiries.enquiry_route(enquiry=enquiry, actor=central_user, entities=[other_entity], at=paris("2026-03-03"))
    routing = enquiry.routings.get()
    enquiries.enquiry_answer_routing(
        routing=routing, actor=central_user, accept=False, reason="Too busy.", at=paris("2026-03-04")
    )
    enquiries.enquiry_route(enquiry=enquiry, actor=central_user, entities=[other_entity], at=paris("2026-03-10"))
    enquiries.enquiry_answer_routing(
        routing=enquiry.routings.get(), actor=central_user, accept=True, at=paris("2026-03-16")
    )

    clock = refreshed(enquiry)

    # the record of the earlier "no" is not a stage: the spell in triage ends when it is routed again
    assert spells(enquiry) == [
        (S.SUBMITTED, CENTRAL, 1),
        (S.ROUTED, ENTITY, 1),
        (S.IN_TRIAGE, CENTRAL, 4),
        (S.ROUTED, ENTITY, 4),
        (S.ACCEPTED, CENTRAL, None),
    ]
    assert (clock.entity, clock.entity_answer_days, clock.routing_days) == (other_entity, 4, 1)


def test_the_entity_that_accepted_is_the_enquiry_s_entity_even_if_another_was_routed_first(
    submit, central_user, entity, other_entity
):
    enquiry = submit("2026-03-02")
    enquiries.enquiry_route(enquiry=enquiry, actor=central_user, entities=[other_entity], at=paris("2026-03-03"))
    enquiries.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity], at=paris("2026-03-04"))
    enquiries.enquiry_answer_routing(
        routing=enquiry.routings.get(entity=entity), actor=central_user, accept=True, at=paris("2026-03-06")
    )

    clock = refreshed(enquiry)

    assert (clock.entity, clock.entity_answer_days, clock.routing_days) == (entity, 2, 1)
    # routed again to a second entity while routed: one spell, from the first routing to the acceptance
    assert spells(enquiry) == [(S.SUBMITTED, CENTRAL, 1), (S.ROUTED, ENTITY, 3), (S.ACCEPTED, CENTRAL, None)]


def test_while_no_entity_accepted_the_first_routed_one_is_the_enquiry_s(submit, central_user, entity, other_entity):
    enquiry = submit("2026-03-02")
    enquiries.enquiry_route(
        enquiry=enquiry, actor=central_user, entities=[other_entity, entity], at=paris("2026-03-03")
    )

    clock = refreshed(enquiry)

    assert clock.entity in (entity, other_entity)
    assert clock.entity_answer_days is None
    assert (clock.furthest, clock.routing_days) == (FunnelStep.ROUTED, 1)


# ---- contracts -----------------------------------------------------------------------------------------------------
@pytest.fixture
def ready_draft(django_capture_on_commit_callbacks):
    """A PDF of the contract made by the legal staff (rendered after the commit), ready to be signed."""

    def make(agreement, actor) -> DraftVersion:
        with django_capture_on_commit_callbacks(execute=True):
            version = drafts.draft_request(agreement=agreement, actor=actor)
        version.refresh_from_db()
        assert version.status == DraftVersion.Status.READY, version.error
        return version

    return make


def sign(agreement, role_or_body, actor, version, at):
    party = (
        agreement.parties.get(role=PartyRole.COMPANY)
        if role_or_body == PartyRole.COMPANY
        else agreement.parties.get(body=role_or_body)
    )
    return signatures.agreement_sign(
        agreement=agreement,
        party=party,
        actor=actor,
        signer_name=actor.get_full_name() or actor.username,
        signer_title="Chief Executive",
        consent=True,
        ip_address="203.0.113.7",
        version=version,
        at=at,
    )


def test_an_nda_in_force_is_measured_from_its_request_and_from_the_submission(
    submit, central_user, legal_officer, company_member, entity
):
    enquiry = submit("2026-06-01")  # a Monday
    enquiries.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity], at=paris("2026-06-02"))
    agreement = nda(enquiry=enquiry, entity=entity, actor=central_user, at=paris("2026-06-03"))
    fill_terms(agreement, actor=legal_officer)
    contracts.agreement_start_drafting(agreement=agreement, actor=legal_officer, at=paris("2026-06-04"))
    contracts.agreement_send_to_company(agreement=agreement, actor=legal_officer, at=paris("2026-06-08"))
    contracts.agreement_agree(agreement=agreement, actor=company_member, at=paris("2026-06-10"))
    # the signature steps themselves (the circuit is tested in tests/agreements/test_signatures.py)
    contract_step(agreement=agreement, actor=None, name="sign_by_company", at=paris("2026-06-11"))
    contracts.agreement_enter_into_force(
        agreement=Agreement.objects.get(pk=agreement.pk), actor=None, at=paris("2026-06-16")
    )

    clock = refreshed(enquiry)
    contract_clock = ContractClock.objects.get(agreement=agreement)

    assert clock.nda_days == 11  # from the submission
    assert clock.signed_days is None  # an NDA is not the partnership
    assert clock.furthest == FunnelStep.ROUTED
    assert (contract_clock.requested_on, contract_clock.quarter) == (dt.date(2026, 6, 3), dt.date(2026, 4, 1))
    assert (contract_clock.kind, contract_clock.is_amendment, contract_clock.stage) == ("nda", False, C.IN_FORCE)
    assert (contract_clock.entity, contract_clock.body) == (entity, entity.governances.get().body)
    assert contract_clock.in_force_days == 9  # from its request
    assert spells(enquiry, agreement) == [
        (C.REQUESTED, BODIES, 1),
        (C.DRAFTING, BODIES, 2),
        (C.SENT_FOR_REVIEW, COMPANY, 2),
        (C.AGREED, COMPANY, 1),  # an NDA the company accepted waits for its signature
        (C.SIGNED_BY_COMPANY, BODIES, 3),
    ]
    assert (contract_clock.company_days, contract_clock.governing_body_days) == (3, 6)
    assert contract_clock.company_days + contract_clock.governing_body_days == contract_clock.in_force_days
    assert contract_clock.central_team_days == contract_clock.entity_days == 0
    # the contract's spells do not count in the enquiry's own ball days
    assert (clock.entity_days, clock.central_team_days, clock.company_days) == (0, 1, 0)


def test_the_signature_circuit_is_the_company_s_until_it_signs_then_the_bodies(
    submit, central_user, legal_officer, company_member, entity, governing_body, ready_draft
):
    enquiry = submit("2026-09-01")  # a Tuesday
    enquiries.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity], at=paris("2026-09-02"))
    enquiries.enquiry_answer_routing(
        routing=enquiry.routings.get(), actor=central_user, accept=True, at=paris("2026-09-03")
    )
    enquiries.enquiry_start_contracting(enquiry=enquiry, actor=central_user, at=paris("2026-09-04"))
    agreement = contract(enquiry=enquiry, entity=entity, actor=central_user, at=paris("2026-09-07"))
    fill_terms(agreement, actor=legal_officer)
    contracts.agreement_start_drafting(agreement=agreement, actor=legal_officer, at=paris("2026-09-08"))
    contracts.agreement_submit_for_internal_review(agreement=agreement, actor=legal_officer, at=paris("2026-09-09"))
    version = ready_draft(agreement, legal_officer)
    contracts.agreement_send_to_company(agreement=agreement, actor=legal_officer, at=paris("2026-09-10"))
    contracts.agreement_agree(agreement=agreement, actor=company_member, at=paris("2026-09-14"))
    contracts.agreement_open_signature(agreement=agreement, actor=legal_officer, at=paris("2026-09-15"))
    sign(agreement, PartyRole.COMPANY, company_member, version, paris("2026-09-17"))
    sign(agreement, governing_body, legal_officer, version, paris("2026-09-21"))
    assert Agreement.objects.get(pk=agreement.pk).stage == C.IN_FORCE

    clock = refreshed(enquiry)
    contract_clock = ContractClock.objects.get(agreement=agreement)

    assert spells(enquiry, agreement) == [
        (C.SCOPING, BODIES, 1),
        (C.DRAFTING, BODIES, 1),
        (C.INTERNAL_REVIEW, BODIES, 1),
        (C.SENT_TO_COMPANY, COMPANY, 2),
        (C.AGREED, BODIES, 1),
        (C.IN_SIGNATURE, COMPANY, 2),  # until the company signed, on the 17th
        (C.IN_SIGNATURE, BODIES, 2),  # then the bodies, until the last signature
    ]
    split = StageSpell.objects.filter(agreement=agreement, stage=C.IN_SIGNATURE).order_by("entered_at")
    assert split[0].left_at == split[1].entered_at == paris("2026-09-17")
    assert contract_clock.in_force_days == 10
    assert (contract_clock.company_days, contract_clock.governing_body_days) == (4, 6)
    assert clock.signed_days == 14  # the partnership signed, from the submission
    assert clock.nda_days is None
    assert (clock.stage, clock.furthest) == (S.SIGNED, FunnelStep.SIGNED)
    # the enquiry in contracting: the company's while the contract waited for it, the bodies' otherwise (11 days)
    assert spells(enquiry)[-5:] == [
        (S.CONTRACTING, BODIES, 4),
        (S.CONTRACTING, COMPANY, 2),
        (S.CONTRACTING, BODIES, 1),
        (S.CONTRACTING, COMPANY, 2),
        (S.CONTRACTING, BODIES, 2),
    ]


def test_a_company_signing_last_held_the_ball_for_the_whole_circuit(
    submit, central_user, legal_officer, company_member, entity, governing_body, ready_draft
):
    enquiry = submit("2026-09-01")
    enquiries.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity], at=paris("2026-09-01"))
    enquiries.enquiry_answer_routing(
        routing=enquiry.routings.get(), actor=central_user, accept=True, at=paris("2026-09-01")
    )
    enquiries.enquiry_start_contracting(enquiry=enquiry, actor=central_user, at=paris("2026-09-01"))
    agreement = contract(enquiry=enquiry, entity=entity, actor=central_user, at=paris("2026-09-01"))
    fill_terms(agreement, actor=legal_officer)
    for step in ("start_drafting", "submit_for_internal_review"):
        contract_step(agreement=agreement, actor=None, name=step, at=paris("2026-09-02"))
    version = ready_draft(agreement, legal_officer)
    for step in ("send_to_company", "agree", "open_signature"):
        contract_step(agreement=agreement, actor=None, name=step, at=paris("2026-09-02"))
    sign(agreement, governing_body, legal_officer, version, paris("2026-09-04"))
    sign(agreement, PartyRole.COMPANY, company_member, version, paris("2026-09-08"))

    refreshed(enquiry)

    assert spells(enquiry, agreement)[-1] == (C.IN_SIGNATURE, COMPANY, 4)


def test_a_contract_under_way_has_an_open_spell_and_no_time_to_in_force(submit, central_user, legal_officer, entity):
    enquiry = submit("2026-06-01")
    enquiries.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity], at=paris("2026-06-02"))
    agreement = nda(enquiry=enquiry, entity=entity, actor=central_user, at=paris("2026-06-03"))

    refreshed(enquiry)

    contract_clock = ContractClock.objects.get(agreement=agreement)
    assert (contract_clock.stage, contract_clock.in_force_days, contract_clock.is_amendment) == (
        C.REQUESTED,
        None,
        False,
    )
    assert spells(enquiry, agreement) == [(C.REQUESTED, BODIES, None)]
    assert (contract_clock.company_days, contract_clock.governing_body_days) == (0, 0)


def test_an_enquiry_in_contracting_is_the_company_s_while_a_contract_waits_for_it(
    submit, central_user, company_member, legal_officer, entity
):
    enquiry = submit("2026-09-01")
    enquiries.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity], at=paris("2026-09-02"))
    enquiries.enquiry_answer_routing(
        routing=enquiry.routings.get(), actor=central_user, accept=True, at=paris("2026-09-03")
    )
    enquiries.enquiry_start_contracting(enquiry=enquiry, actor=central_user, at=paris("2026-09-04"))
    agreement = fill_terms(
        nda(enquiry=enquiry, entity=entity, actor=central_user, at=paris("2026-09-07")), actor=legal_officer
    )
    contracts.agreement_start_drafting(agreement=agreement, actor=legal_officer, at=paris("2026-09-08"))
    contracts.agreement_send_to_company(agreement=agreement, actor=legal_officer, at=paris("2026-09-09"))
    # the company holds the ball (Enquiry.ball_holder) from here...
    assert Enquiry.objects.get(pk=enquiry.pk).ball_holder == COMPANY
    contracts.agreement_agree(agreement=agreement, actor=company_member, at=paris("2026-09-14"))
    contract_step(agreement=agreement, actor=None, name="sign_by_company", at=paris("2026-09-15"))
    # ... to here
    assert Enquiry.objects.get(pk=enquiry.pk).ball_holder == BODIES
    enquiries.enquiry_withdraw(enquiry=enquiry, actor=company_member, reason="Changed plans.", at=paris("2026-09-18"))

    clock = refreshed(enquiry)

    assert sum(days for stage, _ball, days in spells(enquiry) if stage == S.CONTRACTING) == 10
    # contracting: 4 working days waiting for the company (review, then its signature), 6 for the bodies
    assert (clock.company_days, clock.governing_body_days) == (4, 6)


# ---- when the clocks move ------------------------------------------------------------------------------------------
def test_the_clocks_follow_each_step_once_it_commits(submit, central_user, entity, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enquiry = submit("2026-03-02")
    assert clock_of(enquiry).stage == S.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        enquiries.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity], at=paris("2026-03-04"))
    assert (clock_of(enquiry).stage, clock_of(enquiry).routing_days) == (S.ROUTED, 2)

    # an entity's answer moves the clock too, even when it does not change the stage (a consortium's second "yes")
    with django_capture_on_commit_callbacks(execute=True):
        enquiries.enquiry_answer_routing(
            routing=enquiry.routings.get(), actor=central_user, accept=True, at=paris("2026-03-05")
        )
    assert (clock_of(enquiry).entity_answer_days, clock_of(enquiry).furthest) == (1, FunnelStep.ACCEPTED)


def test_nothing_is_computed_before_the_commit(submit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enquiry = submit("2026-03-02")
    assert not EnquiryClock.objects.filter(enquiry_id=enquiry.pk).exists()
    for callback in callbacks:
        callback()
    assert clock_of(enquiry).stage == S.SUBMITTED


def test_a_replay_recomputes_each_enquiry_once_at_the_end(
    submit, central_user, entity, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    real = clocks._refresh_batch
    monkeypatch.setattr(clocks, "_refresh_batch", lambda ids: calls.append(list(ids)) or real(ids))
    with django_capture_on_commit_callbacks(execute=True), clocks.deferred():
        first, second = submit("2026-03-02"), submit("2026-03-03")
        enquiries.enquiry_route(enquiry=first, actor=central_user, entities=[entity], at=paris("2026-03-04"))
        assert not EnquiryClock.objects.exists()

    assert calls == [sorted([first.pk, second.pk])]
    assert (clock_of(first).stage, clock_of(second).stage) == (S.ROUTED, S.SUBMITTED)


def test_a_clock_that_cannot_be_computed_never_fails_the_step(
    submit, central_user, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    enquiry = submit("2026-03-02")

    def broken(ids):
        raise RuntimeError("boom")

    monkeypatch.setattr(clocks, "_refresh_batch", broken)
    with django_capture_on_commit_callbacks(execute=True):
        enquiries.enquiry_take_into_triage(enquiry=enquiry, actor=central_user, at=paris("2026-03-03"))

    assert Enquiry.objects.get(pk=enquiry.pk).stage == S.IN_TRIAGE
    assert f"Could not recompute the clocks of enquiry {enquiry.pk}" in caplog.text


def rows_of(enquiry) -> tuple:
    clock = EnquiryClock.objects.filter(enquiry_id=enquiry.pk).values().get()
    contract_clocks = list(ContractClock.objects.filter(enquiry_id=enquiry.pk).order_by("pk").values())
    spell_rows = [
        {k: v for k, v in row.items() if k != "id"}
        for row in StageSpell.objects.filter(enquiry_id=enquiry.pk).order_by("entered_at", "pk").values()
    ]
    return clock, contract_clocks, spell_rows


def test_recomputing_gives_the_same_rows_and_no_duplicate_spell(
    submit, central_user, company_member, entity, legal_officer
):
    enquiry = submit("2026-03-02")
    enquiries.enquiry_request_information(enquiry=enquiry, actor=central_user, question="?", at=paris("2026-03-03"))
    enquiries.enquiry_provide_information(enquiry=enquiry, actor=company_member, answer="!", at=paris("2026-03-05"))
    enquiries.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity], at=paris("2026-03-06"))
    nda(enquiry=enquiry, entity=entity, actor=central_user, at=paris("2026-03-09"))

    clocks.refresh([enquiry.pk])
    once = rows_of(enquiry)
    clocks.refresh([enquiry.pk, enquiry.pk])
    clocks.refresh([enquiry.pk])

    assert rows_of(enquiry) == once
    assert StageSpell.objects.filter(enquiry_id=enquiry.pk).count() == len(once[2]) == 5
    assert EnquiryClock.objects.count() == ContractClock.objects.count() == 1


# ---- any timeline --------------------------------------------------------------------------------------------------
def _moves(stage: str, routings: dict, entities: list) -> list[str]:
    """The moves open to the enquiry's people in this stage (contracts aside)."""
    moves = {
        S.SUBMITTED: ["triage", "ask", "route", "decline", "withdraw"],
        S.IN_TRIAGE: ["ask", "route", "decline", "no_go"],
        S.AWAITING_COMPANY: ["answer_question", "withdraw"],
        S.ROUTED: ["accept", "refuse", "route", "no_go"],
        S.ACCEPTED: ["contracting", "withdraw"],
        S.CONTRACTING: ["no_go", "withdraw"],
    }.get(stage, [])
    if RoutingStatus.PENDING not in routings.values():
        moves = [m for m in moves if m not in ("accept", "refuse")]
    if not _free(routings, entities):
        moves = [m for m in moves if m != "route"]
    return moves


def _free(routings: dict, entities: list) -> list:
    """The entities the enquiry may be routed to: never asked, or asked and declined."""
    return [e for e in entities if routings.get(e.pk, RoutingStatus.DECLINED) == RoutingStatus.DECLINED]


def _play(enquiry, move: str, at: dt.datetime, people, entities) -> None:
    routings = list(enquiry.routings.all())
    central = people["central"]
    if move == "triage":
        enquiries.enquiry_take_into_triage(enquiry=enquiry, actor=central, at=at)
    elif move == "ask":
        enquiries.enquiry_request_information(enquiry=enquiry, actor=central, question="More?", at=at)
    elif move == "answer_question":
        enquiries.enquiry_provide_information(enquiry=enquiry, actor=people["company"], answer="Here.", at=at)
    elif move == "route":
        free = _free({r.entity_id: r.status for r in routings}, entities)
        enquiries.enquiry_route(enquiry=enquiry, actor=central, entities=free[:1], at=at)
    elif move in ("accept", "refuse"):
        routing = next(r for r in routings if r.status == RoutingStatus.PENDING)
        enquiries.enquiry_answer_routing(
            routing=routing, actor=central, accept=move == "accept", reason="Not for us.", at=at
        )
    elif move == "contracting":
        enquiries.enquiry_start_contracting(enquiry=enquiry, actor=central, at=at)
    elif move == "decline":
        enquiries.enquiry_decline(enquiry=enquiry, actor=central, reason="Out of scope.", at=at)
    elif move == "no_go":
        enquiries.enquiry_close_no_go(enquiry=enquiry, actor=central, reason="No go.", at=at)
    elif move == "withdraw":
        enquiries.enquiry_withdraw(enquiry=enquiry, actor=people["company"], reason="Changed plans.", at=at)


timelines = st.tuples(
    st.integers(min_value=0, max_value=250),  # day of 2026 it was submitted
    st.integers(min_value=0, max_value=23 * 60 + 59),  # minute of that day
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=99), st.integers(min_value=0, max_value=9 * 24 * 60)),
        max_size=8,
    ),  # (which move, minutes later)
)


@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(timeline=timelines)
@example(timeline=(0, 0, [(2, 0), (2, 1440)]))  # routed at once, routed again to a second entity the next day
@example(timeline=(0, 0, [(2, 0), (1, 60), (2, 6000), (1, 10)]))  # declined, asked again
def test_any_timeline_keeps_the_clock_s_invariants(
    timeline, company, company_member, central_user, entity, other_entity
):
    start_day, minute, steps = timeline
    at = dt.datetime(2026, 1, 1, tzinfo=PARIS) + dt.timedelta(days=start_day, minutes=minute)
    enquiry = submitted_enquiry(company=company, submitted=company_member, submitted__at=at)
    people = {"central": central_user, "company": company_member}
    for choice, gap in steps:
        enquiry = Enquiry.objects.get(pk=enquiry.pk)
        moves = _moves(enquiry.stage, {r.entity_id: r.status for r in enquiry.routings.all()}, [entity, other_entity])
        if not moves:
            break
        at += dt.timedelta(minutes=gap)
        _play(enquiry, moves[choice % len(moves)], at, people, [entity, other_entity])

    clocks.refresh([enquiry.pk])
    clocks.refresh([enquiry.pk])  # idempotent whatever the timeline

    clock = clock_of(enquiry)
    rows = list(StageSpell.objects.filter(enquiry_id=enquiry.pk).order_by("entered_at", "pk"))
    changes = list(enquiry.stage_changes.filter(agreement=None).order_by("at", "pk"))
    local = lambda moment: moment.astimezone(PARIS).date()  # noqa: E731
    # each spell counts the working days between the local days it was entered and left
    for spell in rows:
        if spell.left_at is None:
            assert spell.working_days is None
        else:
            assert spell.working_days == working_days_between(local(spell.entered_at), local(spell.left_at))
    # one after the other, from the submission, with no gap and no overlap; only the last may be open
    assert rows[0].entered_at == changes[0].at and rows[0].stage == S.SUBMITTED
    for before, after in zip(rows, rows[1:], strict=False):
        assert before.left_at == after.entered_at and before.stage != after.stage
    assert all(spell.left_at is not None for spell in rows[:-1])
    # the ball days add up to the working days from the submission to the last change of stage (nothing after
    # closure; routed again while routed, or an entity asked again, is no change of stage)
    moved = [
        c
        for before, c in zip([None, *changes], changes, strict=False)
        if before is None or c.to_stage != before.to_stage
    ]
    assert [s.entered_at for s in rows] == [c.at for c in moved if c.to_stage not in CLOSED]
    ball_days = clock.company_days + clock.central_team_days + clock.entity_days + clock.governing_body_days
    assert ball_days == working_days_between(local(changes[0].at), local(moved[-1].at))
    for ball, field in clocks.BALL_FIELDS.items():
        assert getattr(clock, field) == sum(s.working_days or 0 for s in rows if s.ball == ball)
    closed = Enquiry.objects.get(pk=enquiry.pk).is_closed
    assert (rows[-1].left_at is not None) == closed
    assert clock.stage == Enquiry.objects.get(pk=enquiry.pk).stage
    if clock.first_response_days is not None:
        assert clock.first_response_days <= ball_days
        assert clock.furthest >= FunnelStep.RESPONDED
    if clock.routing_days is not None:
        assert clock.first_response_days <= clock.routing_days
        assert clock.furthest >= FunnelStep.ROUTED


NDA_MOVES = {
    C.REQUESTED: ["start_drafting", "cancel"],
    C.DRAFTING: ["send_for_review", "cancel"],
    C.SENT_FOR_REVIEW: ["agree", "request_changes", "cancel"],
    C.CHANGES_REQUESTED: ["send_for_review", "cancel"],
    C.AGREED: ["sign_by_company", "cancel"],
    C.SIGNED_BY_COMPANY: ["enter_into_force", "cancel"],
    C.IN_FORCE: ["terminate", "expire"],
}


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(timeline=timelines)
def test_any_nda_timeline_adds_up_to_its_time_to_in_force(timeline, company, company_member, central_user, entity):
    start_day, minute, steps = timeline
    at = dt.datetime(2026, 1, 1, tzinfo=PARIS) + dt.timedelta(days=start_day, minutes=minute)
    enquiry = submitted_enquiry(company=company, submitted=company_member, submitted__at=at)
    enquiries.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity], at=at)
    agreement = nda(enquiry=enquiry, entity=entity, actor=central_user, at=at)
    for choice, gap in steps:
        moves = NDA_MOVES.get(Agreement.objects.get(pk=agreement.pk).stage)
        if not moves:
            break
        at += dt.timedelta(minutes=gap)
        contract_step(agreement=agreement, actor=None, name=moves[choice % len(moves)], comment="Why not.", at=at)

    clocks.refresh([enquiry.pk])

    agreement = Agreement.objects.get(pk=agreement.pk)
    clock = ContractClock.objects.get(agreement=agreement)
    changes = list(agreement.stage_changes.order_by("at", "pk"))
    rows = list(StageSpell.objects.filter(agreement=agreement).order_by("entered_at", "pk"))
    local = lambda moment: moment.astimezone(PARIS).date()  # noqa: E731
    requested = local(changes[0].at)
    assert clock.stage == agreement.stage
    assert rows[0].entered_at == changes[0].at
    for before, after in zip(rows, rows[1:], strict=False):
        assert before.left_at == after.entered_at
    for spell in rows:
        expected_ball = COMPANY if spell.stage in (C.SENT_FOR_REVIEW, C.AGREED) else BODIES
        assert spell.ball == expected_ball
        if spell.left_at is not None:
            assert spell.working_days == working_days_between(local(spell.entered_at), local(spell.left_at))
    ball_days = clock.company_days + clock.governing_body_days
    assert clock.central_team_days == clock.entity_days == 0
    in_force = next((c.at for c in changes if c.to_stage == C.IN_FORCE), None)
    if in_force is not None:
        assert clock.in_force_days == ball_days == working_days_between(requested, local(in_force))
        assert clock_of(enquiry).nda_days == working_days_between(local(enquiry.submitted_at), local(in_force))
    else:
        assert clock.in_force_days is None and clock_of(enquiry).nda_days is None
        finished = next((c.at for c in changes if c.to_stage == C.CANCELLED), None)
        if finished is not None:
            assert ball_days == working_days_between(requested, local(finished))
            assert rows[-1].left_at == finished
        else:
            assert rows[-1].left_at is None


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 12, 31)),
    length=st.integers(min_value=-3, max_value=800),
)
def test_working_days_are_the_weekdays_after_the_start_that_are_not_public_holidays(start, length):
    """What every clock counts with (partners.workdays): its week-at-a-time shortcut agrees with a day-by-day walk,
    across years and their holidays."""
    from partners.workdays import is_working_day

    end = start + dt.timedelta(days=length)
    walked = sum(is_working_day(start + dt.timedelta(days=n)) for n in range(1, length + 1))
    assert working_days_between(start, end) == walked


# ---- the database's percentile -------------------------------------------------------------------------------------
def reference_percentile(values: list[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont: linear interpolation between the two closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def percentile_of(values: list[int], fraction: float):
    ReferenceCounter.objects.all().delete()
    ReferenceCounter.objects.bulk_create([ReferenceCounter(year=1000 + i, last=v) for i, v in enumerate(values)])
    return ReferenceCounter.objects.aggregate(value=Percentile("last", fraction))["value"]


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([1, 2, 3, 4], 0.5, 2.5),
        ([3, 1, 2], 0.5, 2.0),
        (list(range(1, 11)), 0.9, 9.1),
        ([0, 10], 0.9, 9.0),
        ([1, 2, 3, 4, 5, 6, 7], 0.9, 6.4),
        ([1, 2, 3, 4, 5], 0.25, 2.0),
        ([7], 0.9, 7.0),
        ([5, 1, 9], 0.0, 1.0),
        ([5, 1, 9], 1.0, 9.0),
        ([2, 2, 2, 40], 0.5, 2.0),
        ([], 0.5, None),
    ],
)
def test_the_percentile_interpolates_like_postgresql(values, fraction, expected):
    value = percentile_of(values, fraction)
    if expected is None:
        assert value is None
    else:
        assert value == pytest.approx(expected)


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=30),
    fraction=st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0]),
)
def test_the_percentile_matches_the_interpolation_on_any_list(values, fraction):
    assert percentile_of(values, fraction) == pytest.approx(reference_percentile(values, fraction))


def test_percentiles_per_group_and_nulls_left_out(submit):
    a, b, c, d = (submit(day) for day in ("2026-01-05", "2026-01-06", "2026-04-06", "2026-04-07"))
    clocks.refresh([a.pk, b.pk, c.pk, d.pk])
    EnquiryClock.objects.filter(enquiry_id=a.pk).update(first_response_days=2)
    EnquiryClock.objects.filter(enquiry_id=b.pk).update(first_response_days=6)
    EnquiryClock.objects.filter(enquiry_id=c.pk).update(first_response_days=3)  # d: no response yet

    rows = EnquiryClock.objects.values("quarter").annotate(
        p50=Percentile("first_response_days", 0.5), p90=Percentile("first_response_days", 0.9)
    )

    assert {row["quarter"]: (row["p50"], row["p90"]) for row in rows} == {
        dt.date(2026, 1, 1): (pytest.approx(4.0), pytest.approx(5.6)),
        dt.date(2026, 4, 1): (3.0, 3.0),
    }


def test_a_percentile_outside_0_and_1_is_refused():
    with pytest.raises(ValueError, match="between 0 and 1"):
        Percentile("last", 1.5)
