"""Service-level clocks, kept when a stage changes: per enquiry and per contract, the working days to each
milestone and the stretches ("spells") spent in each stage with the party holding the ball.

Why stored: the dashboard aggregates them in the database (medians, 90th percentiles by quarter, entity, body);
recomputing every timeline on each page view would walk hundreds of thousands of stage changes. One enquiry's
rows are recomputed whole from its StageChange records, after the change commits, so a reopened stage, a late
entity answer or a company signature are all read the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from agreements.choices import CONTRACT_CLOSED_STAGES, AgreementKind, ContractStage, PartyRole
from agreements.models import Agreement, AgreementParty, Signature, StageChange
from agreements.selectors import waits_for_the_company
from partners.choices import ENQUIRY_BALL_HOLDER, EnquiryStage, Party, RoutingStatus
from partners.models import Enquiry, Governance, Routing
from partners.workdays import working_days_between

from .models import ContractClock, EnquiryClock, FiguresVersion, FunnelStep, StageSpell

logger = logging.getLogger(__name__)

S = EnquiryStage
C = ContractStage
BATCH = 500
LOCK_NAMESPACE = 7_100_401  # pg_advisory_xact_lock(namespace, enquiry id): the clocks' own

RESPONSES = {S.IN_TRIAGE, S.AWAITING_COMPANY, S.ROUTED, S.DECLINED, S.NO_GO}
FURTHEST = [  # the stage that proves each funnel step was reached
    (FunnelStep.SIGNED, {S.SIGNED}),
    (FunnelStep.CONTRACTING, {S.CONTRACTING}),
    (FunnelStep.ACCEPTED, {S.ACCEPTED}),
    (FunnelStep.ROUTED, {S.ROUTED}),
    (FunnelStep.RESPONDED, RESPONSES),
]
FINISHED = {C.IN_FORCE, *CONTRACT_CLOSED_STAGES}
BALL_FIELDS = {
    Party.COMPANY: "company_days",
    Party.CENTRAL_TEAM: "central_team_days",
    Party.ENTITY: "entity_days",
    Party.GOVERNING_BODY: "governing_body_days",
}


# ---- when to recompute ------------------------------------------------------------------------------------------
_deferred: ContextVar[set[int] | None] = ContextVar("quality_clocks_deferred", default=None)


def stage_changed(enquiry_id: int) -> None:
    """Recompute one enquiry's clocks once the current transaction commits (or at the end of ``deferred()``)."""
    pending = _deferred.get()
    if pending is not None:
        pending.add(enquiry_id)
        return
    transaction.on_commit(lambda: _queue(enquiry_id))


def entity_changed(entity_id: int) -> None:
    """Recompute the clocks of an entity's enquiries (its lead negotiator changed), by a worker if there is one."""
    from .tasks import refresh_entity_clocks

    _by_worker(refresh_entity_clocks, entity_id, lambda: entity_enquiries(entity_id), f"entity {entity_id}")


def entity_enquiries(entity_id: int):
    return Routing.objects.filter(entity_id=entity_id).values_list("enquiry_id", flat=True)


@contextmanager
def deferred() -> Iterator[None]:
    """Replaying months of history (the demo loader, the benchmark): recompute each enquiry once, at the end."""
    pending: set[int] = set()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    refresh(pending)


def _queue(enquiry_id: int) -> None:
    from .tasks import refresh_clocks

    _by_worker(refresh_clocks, enquiry_id, lambda: [enquiry_id], f"enquiry {enquiry_id}")


def _by_worker(task, argument: int, enquiry_ids, what: str) -> None:
    """A worker recomputes the clocks (the request does not wait); without a broker, or with a dead one, this
    process does it now. The change itself has committed: a clock that still fails to update is logged and caught
    up by the next change (or ``manage.py refresh_clocks``), never an error page for the person who acted."""
    try:
        task.delay(argument)
        return
    except Exception:  # noqa: BLE001 - the broker is down, or the eager run failed: try once more here
        logger.warning("Clocks of %s: could not queue the task, recomputing here", what, exc_info=True)
    try:
        refresh(enquiry_ids())
    except Exception:
        logger.exception("Could not recompute the clocks of %s", what)


# ---- recompute --------------------------------------------------------------------------------------------------
def refresh(enquiry_ids: Iterable[int]) -> None:
    """Recompute the clocks and spells of these enquiries and of their contracts, a batch at a time."""
    ids = sorted(set(enquiry_ids))
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            _refresh_batch(ids[start : start + BATCH])


@dataclass
class _Timeline:
    """What one batch read about one enquiry."""

    stage: str
    changes: list  # (agreement_id, to_stage, at), in order
    routings: list  # (entity_id, routed_at, answered_at, status), in order


def _refresh_batch(ids: list[int]) -> None:
    _serialise(ids)
    enquiries = dict(Enquiry.objects.filter(pk__in=ids).values_list("pk", "stage"))
    timelines = {pk: _Timeline(stage, [], []) for pk, stage in enquiries.items()}
    changes = StageChange.objects.filter(enquiry_id__in=ids).order_by("enquiry_id", "at", "pk")
    for enquiry_id, agreement_id, to_stage, at in changes.values_list("enquiry_id", "agreement_id", "to_stage", "at"):
        timelines[enquiry_id].changes.append((agreement_id, to_stage, at))
    routings = Routing.objects.filter(enquiry_id__in=ids).order_by("enquiry_id", "routed_at", "pk")
    for enquiry_id, *row in routings.values_list("enquiry_id", "entity_id", "routed_at", "answered_at", "status"):
        timelines[enquiry_id].routings.append(row)
    contracts = list(
        Agreement.objects.filter(enquiry_id__in=ids).values_list(
            "pk", "enquiry_id", "entity_id", "kind", "stage", "amends_id"
        )
    )
    agreement_ids = [row[0] for row in contracts]  # most enquiries have none yet: no query then
    leads = dict(
        AgreementParty.objects.filter(agreement_id__in=agreement_ids, role=PartyRole.LEAD_NEGOTIATOR).values_list(
            "agreement_id", "body_id"
        )
    )
    company_signed = dict(
        Signature.objects.filter(agreement_id__in=agreement_ids, party__role=PartyRole.COMPANY).values_list(
            "agreement_id", "signed_at"
        )
    )
    entities = {row[0] for timeline in timelines.values() for row in timeline.routings}
    entity_leads = dict(
        Governance.objects.filter(entity_id__in=entities, is_lead_negotiator=True).values_list("entity_id", "body_id")
    )

    spells: list[StageSpell] = []
    enquiry_clocks: list[EnquiryClock] = []
    contract_clocks: list[ContractClock] = []
    contracts_by_enquiry = defaultdict(list)
    for row in contracts:
        contracts_by_enquiry[row[1]].append(row)
    for enquiry_id, timeline in timelines.items():
        clock, enquiry_spells = _enquiry_clock(enquiry_id, timeline, entity_leads)
        if clock is None:
            continue  # a draft: no clock until it is submitted
        enquiry_clocks.append(clock)
        contract_spells: list[StageSpell] = []
        for pk, _enquiry, entity_id, kind, stage, amends_id in contracts_by_enquiry[enquiry_id]:
            steps = [(to_stage, at) for agreement_id, to_stage, at in timeline.changes if agreement_id == pk]
            if not steps:
                continue
            contract_clock, spells_of_one = _contract_clock(
                pk, enquiry_id, entity_id, kind, stage, amends_id, steps, leads.get(pk), company_signed.get(pk)
            )
            contract_clocks.append(contract_clock)
            contract_spells += spells_of_one
        spells += _split_contracting(clock, enquiry_spells, contract_spells) + contract_spells
        _contract_milestones(clock, contracts_by_enquiry[enquiry_id], timeline)

    StageSpell.objects.filter(enquiry_id__in=ids).delete()
    StageSpell.objects.bulk_create(spells, batch_size=1000)
    _upsert(EnquiryClock, enquiry_clocks, "enquiry")
    _upsert(ContractClock, contract_clocks, "agreement")
    FiguresVersion.bump()


def _serialise(ids: list[int]) -> None:
    """Two changes of one enquiry committing together recompute one after the other, each from all its rows.

    An advisory lock per enquiry, not the enquiry's row: the workflows lock a contract, then its enquiry, and
    writing a contract's clock waits for that contract's lock; holding the enquiry's row here would deadlock.
    SQLite writes one transaction at a time anyway."""
    if connection.vendor != "postgresql" or not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, id) FROM unnest(%s::int[]) AS id ORDER BY id", [LOCK_NAMESPACE, ids]
        )


def _upsert(model, rows: list, key: str) -> None:
    if not rows:
        return
    fields = [f.name for f in model._meta.concrete_fields if f.name != key]
    model.objects.bulk_create(rows, update_conflicts=True, unique_fields=[key], update_fields=fields, batch_size=1000)


def _day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def _between(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return working_days_between(_day(start), _day(end))


def quarter_of(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _enquiry_clock(enquiry_id: int, timeline: _Timeline, entity_leads: dict) -> tuple[EnquiryClock | None, list]:
    own = [(to_stage, at) for agreement_id, to_stage, at in timeline.changes if agreement_id is None]
    submitted = next((at for to_stage, at in own if to_stage == S.SUBMITTED), None)
    if submitted is None:
        return None, []

    def first(stages) -> dt.datetime | None:
        return next((at for to_stage, at in own if to_stage in stages and at >= submitted), None)

    reached = {to_stage for to_stage, _at in own}
    furthest = next((step for step, stages in FURTHEST if reached & stages), FunnelStep.SUBMITTED)
    accepted = [r for r in timeline.routings if r[3] == RoutingStatus.ACCEPTED]
    chosen = min(accepted, key=lambda r: r[2]) if accepted else (timeline.routings[0] if timeline.routings else None)
    entity_id = chosen[0] if chosen else None
    clock = EnquiryClock(
        enquiry_id=enquiry_id,
        submitted_on=_day(submitted),
        quarter=quarter_of(_day(submitted)),
        stage=timeline.stage,
        furthest=furthest,
        entity_id=entity_id,
        body_id=entity_leads.get(entity_id),
        first_response_days=_between(submitted, first(RESPONSES)),
        routing_days=_between(submitted, first({S.ROUTED})),
        entity_answer_days=_between(chosen[1], chosen[2]) if chosen else None,
    )
    spells = []
    for index, (stage, entered) in enumerate(own):
        if stage == S.DRAFT or (index and own[index - 1][0] == stage):
            continue  # not yet the company's enquiry; or a note in the same stage (an entity asked again)
        left = next((at for later, at in own[index + 1 :] if later != stage), None)
        ball = ENQUIRY_BALL_HOLDER.get(S(stage), Party.NOBODY)
        if ball == Party.NOBODY:
            continue  # closed
        spells.append(_spell(clock, enquiry_id, None, entity_id, stage, ball, entered, left))
    return clock, spells


def _split_contracting(clock: EnquiryClock, spells: list[StageSpell], contract_spells: list[StageSpell]) -> list:
    """While one of its contracts waits for the company, an enquiry in contracting is the company's (as its pages
    and the triage queue say, Enquiry.ball_holder); the rest of the time the governing bodies'."""
    waits = sorted((spell.entered_at, spell.left_at) for spell in contract_spells if spell.ball == Party.COMPANY)
    if not waits:
        return spells
    merged: list[list] = []
    for start, end in waits:  # overlapping waits (an NDA and an agreement at once) count once
        if merged and (merged[-1][1] is None or start <= merged[-1][1]):
            merged[-1][1] = None if merged[-1][1] is None or end is None else max(merged[-1][1], end)
        else:
            merged.append([start, end])
    result = []
    for spell in spells:
        if spell.stage != S.CONTRACTING:
            result.append(spell)
            continue
        clock.governing_body_days -= spell.working_days or 0
        cursor, end = spell.entered_at, spell.left_at
        for wait_start, wait_end in merged:
            if (end is not None and wait_start >= end) or (wait_end is not None and wait_end <= cursor):
                continue
            piece_start = max(wait_start, cursor)
            piece_end = end if wait_end is None else (wait_end if end is None else min(wait_end, end))
            if piece_start > cursor:
                result.append(
                    _spell(
                        clock,
                        spell.enquiry_id,
                        None,
                        spell.entity_id,
                        spell.stage,
                        Party.GOVERNING_BODY,
                        cursor,
                        piece_start,
                    )
                )
            result.append(
                _spell(
                    clock, spell.enquiry_id, None, spell.entity_id, spell.stage, Party.COMPANY, piece_start, piece_end
                )
            )
            cursor = piece_end
            if cursor is None:
                break
        if cursor is not None and (end is None or cursor < end):
            result.append(
                _spell(clock, spell.enquiry_id, None, spell.entity_id, spell.stage, Party.GOVERNING_BODY, cursor, end)
            )
    return result


def _contract_milestones(clock: EnquiryClock, contracts: list, timeline: _Timeline) -> None:
    """Working days from submission to the first NDA in force and to the first other contract in force."""
    in_force = {agreement_id: at for agreement_id, to_stage, at in reversed(timeline.changes) if to_stage == C.IN_FORCE}
    submitted = next(at for agreement_id, to_stage, at in timeline.changes if to_stage == S.SUBMITTED)
    ndas, others = [], []
    for pk, _enquiry, _entity, kind, _stage, amends_id in contracts:
        if pk in in_force and amends_id is None:
            (ndas if kind == AgreementKind.NDA else others).append(in_force[pk])
    clock.nda_days = _between(submitted, min(ndas)) if ndas else None
    clock.signed_days = _between(submitted, min(others)) if others else None


def _contract_clock(pk, enquiry_id, entity_id, kind, stage, amends_id, steps, body_id, company_signed_at):
    requested = steps[0][1]
    in_force = next((at for to_stage, at in steps if to_stage == C.IN_FORCE), None)
    clock = ContractClock(
        agreement_id=pk,
        enquiry_id=enquiry_id,
        kind=kind,
        is_amendment=amends_id is not None,
        stage=stage,
        entity_id=entity_id,
        body_id=body_id,
        requested_on=_day(requested),
        quarter=quarter_of(_day(requested)),
        in_force_days=_between(requested, in_force),
    )
    spells = []
    for index, (step_stage, entered) in enumerate(steps):
        if index and steps[index - 1][0] == step_stage:
            continue
        left = next((at for later, at in steps[index + 1 :] if later != step_stage), None)
        if step_stage in FINISHED:
            continue  # nobody holds the ball any more
        signed = company_signed_at
        if step_stage == C.IN_SIGNATURE and signed and entered < signed and (left is None or signed < left):
            # the circuit waits for the company until it signs, then for the bodies
            spells.append(_spell(clock, enquiry_id, pk, entity_id, step_stage, Party.COMPANY, entered, signed))
            entered = signed
        was_signed = signed is not None and signed <= entered
        ball = Party.COMPANY if waits_for_the_company(kind, step_stage, was_signed) else Party.GOVERNING_BODY
        spells.append(_spell(clock, enquiry_id, pk, entity_id, step_stage, ball, entered, left))
    return clock, spells


def _spell(clock, enquiry_id, agreement_id, entity_id, stage, ball, entered, left) -> StageSpell:
    days = _between(entered, left)
    field = BALL_FIELDS.get(ball)
    if field and days is not None:
        setattr(clock, field, getattr(clock, field) + days)
    return StageSpell(
        enquiry_id=enquiry_id,
        agreement_id=agreement_id,
        entity_id=entity_id,
        stage=stage,
        ball=ball,
        entered_at=entered,
        left_at=left,
        working_days=days,
    )
