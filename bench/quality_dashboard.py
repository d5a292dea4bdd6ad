"""The KPI dashboard (issue 7) against a bare Django admin list, at 100,000 enquiries, in one run.

    .venv/bin/python bench/quality_dashboard.py [--rows 100000] [--rounds 12] [--fresh] [--drop]
    # or: make bench-quality

1. Builds a PostgreSQL database (``opale_bench_quality``), or reuses it when an earlier run built it complete with
   the same ``--rows`` and ``--seed``: the demo data (staff, 13 governing bodies, 15 entities), then ``--rows``
   enquiries submitted over twelve months, each with its timeline of stage changes (submitted, in triage, awaiting
   the company and back, routed, accepted, contracting, signed; or declined, withdrawn, closed no-go on the way),
   its routings, and for those that reached contracting (and some routed ones, an NDA) contracts with their own
   stage changes and parties; survey invitations and answers. Everything by ``bulk_create``. Then the clocks are
   computed by the real code, ``quality.clocks.refresh`` (timed: the catch-up cost), and VACUUM ANALYZE.
2. In this one process, with ``django.test.Client`` signed in as a central-team superuser, DEBUG off and collected
   static files, times in alternating rounds: a bare ``ModelAdmin`` changelist of the enquiries (on an admin site
   of its own), the dashboard ``/staff/quality/`` with its default filters, the dashboard cut to one entity, and
   the figures' CSV export.
3. Prints the medians and p90s, the ratios bare / dashboard, the SQL queries per request (also for a one-week
   period: bounded means the same number), each dashboard query's time, and EXPLAIN ANALYZE of the slowest.
   Keeps the database for the next run unless ``--drop``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import types
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.triage_queue import (  # noqa: E402 - the sibling bench's loaders and helpers, not copied
    KINDS,
    BenchError,
    Plan,
    QueryTimer,
    analyse,
    build_enquiry,
    configure_environment,
    database_exists,
    drop_database,
    load,
    load_companies,
    one_line,
    recreate_database,
    texts,
    weighted,
)

URLCONF = "bench_quality_urls"  # built at run time: the portal's URLs plus the bare admin site
BARE_URL = "/bench-bare/partners/enquiry/"
DASHBOARD_URL = "/staff/quality/"
EXPORT_URL = "/staff/quality/export/figures.csv"
BATCH = 5_000
DAYS = 365
MARKER = "opale-bench-quality"

# How each enquiry ends up (share of all): a year of a real flow, open ones in every stage.
OUTCOMES = {
    "draft": 0.02,
    "submitted": 0.03,
    "in_triage": 0.04,
    "awaiting_company": 0.02,
    "routed": 0.06,
    "accepted": 0.03,
    "contracting": 0.04,
    "signed": 0.12,
    "declined": 0.30,
    "withdrawn": 0.12,
    "no_go": 0.22,
}
MAIN_LINE = ["submitted", "in_triage", "routed", "accepted", "contracting", "signed"]
CLOSING = {"declined", "withdrawn", "no_go"}
# The furthest stage of the main line a closed enquiry reached before it closed.
CLOSED_AFTER = {
    "declined": {"in_triage": 0.70, "routed": 0.30},
    "withdrawn": {"submitted": 0.30, "in_triage": 0.40, "routed": 0.25, "contracting": 0.05},
    "no_go": {"in_triage": 0.60, "routed": 0.30, "accepted": 0.05, "contracting": 0.05},
}
# Calendar days spent in each enquiry stage before the next change.
STAY = {
    "submitted": (0.1, 5),
    "in_triage": (1, 12),
    "awaiting_company": (2, 25),
    "routed": (3, 30),
    "accepted": (2, 15),
    "contracting": (30, 160),
}
AWAITING_SHARE = 0.2  # each time in triage: asks the company for more (up to twice)
RETURNED_SHARE = 0.06  # an entity sends it back to triage, then it is routed again
NDA_SHARE = 0.12  # of the enquiries routed: an NDA
ENQUIRY_TRANSITIONS = {
    ("draft", "submitted"): "submit",
    ("submitted", "in_triage"): "take_into_triage",
    ("in_triage", "awaiting_company"): "request_information",
    ("awaiting_company", "in_triage"): "provide_information",
    ("in_triage", "routed"): "route",
    ("routed", "in_triage"): "return_to_triage",
    ("routed", "accepted"): "accept_by_entity",
    ("accepted", "contracting"): "start_contracting",
    ("contracting", "signed"): "mark_signed",
}
CLOSING_TRANSITIONS = {"declined": "decline", "withdrawn": "withdraw", "no_go": "close_no_go"}
# The SLA timestamps each stage sets the first time (partners.workflow._stamp_clocks).
STAMPS = {
    "in_triage": ["first_response_at"],
    "awaiting_company": ["first_response_at"],
    "routed": ["first_response_at", "routed_at"],
    "accepted": ["answered_at"],
    "declined": ["first_response_at", "closed_at"],
    "no_go": ["first_response_at", "closed_at"],
    "withdrawn": ["closed_at"],
    "signed": ["closed_at"],
}
CONTRACT_KINDS = {
    "bilateral_rd": {"research_collaboration": 0.8, "framework": 0.2},
    "consultancy": {"consultancy": 1.0},
    "platform_use": {"service": 0.9, "material_transfer": 0.1},
    "collaborative_call": {"consortium": 1.0},
    "joint_lab": {"joint_lab": 0.6, "cifre": 0.3, "industrial_chair": 0.1},
    "licence": {"patent_licence": 0.4, "option": 0.2, "data_access": 0.2, "material_transfer": 0.2},
    "other": {"framework": 0.5, "service": 0.5},
}
# Each machine's main line, (transition, stage entered), and its detours: (after stage, [steps], share).
NDA_LINE = [
    ("request", "requested"),
    ("start_drafting", "drafting"),
    ("send_for_review", "sent_for_review"),
    ("agree", "agreed"),
    ("sign_by_company", "signed_by_company"),
    ("enter_into_force", "in_force"),
]
NDA_DETOURS = [("sent_for_review", [("request_changes", "changes_requested"), ("send_for_review", "sent_for_review")])]
CONTRACT_LINE = [
    ("request", "scoping"),
    ("start_drafting", "drafting"),
    ("submit_for_internal_review", "internal_review"),
    ("send_to_company", "sent_to_company"),
    ("agree", "agreed"),
    ("open_signature", "in_signature"),
    ("enter_into_force", "in_force"),
]
CONTRACT_DETOURS = [
    ("internal_review", [("return_to_drafting", "drafting"), ("submit_for_internal_review", "internal_review")]),
    ("sent_to_company", [("request_changes", "in_negotiation"), ("send_to_company", "sent_to_company")]),
]
DETOUR_SHARE = 0.35
# Relative time a contract spends in each stage (negotiation and signature are the long ones).
CONTRACT_WEIGHT = {
    "scoping": 1.5,
    "drafting": 2.0,
    "internal_review": 1.0,
    "sent_for_review": 2.0,
    "changes_requested": 1.0,
    "sent_to_company": 2.5,
    "in_negotiation": 3.0,
    "agreed": 1.0,
    "signed_by_company": 1.0,
    "in_signature": 3.0,
}
SURVEY_SHARE = 0.35  # of the events: an invitation
ANSWER_SHARE = 0.45  # of the invitations: an answer


# ----------------------------------------------------------------------------------------------------------
# Planning: every timeline is decided before any row is written, so references follow submission order.


@dataclass
class ContractPlan:
    kind: str
    entity: object
    steps: list[tuple[str, str, dt.datetime]]  # (transition, stage entered, at)

    @property
    def stage(self) -> str:
        return self.steps[-1][1]


@dataclass
class Timeline:
    outcome: str
    plan: Plan  # triage_queue's: stage, kind, dates, SLA timestamps, reference
    steps: list[tuple[str, str, dt.datetime]] = field(default_factory=list)  # (transition, stage entered, at)
    entities: list = field(default_factory=list)  # routed to, the chosen one first
    contracts: list[ContractPlan] = field(default_factory=list)

    def entered(self, stage: str) -> dt.datetime | None:
        return next((at for _t, to_stage, at in self.steps if to_stage == stage), None)


def enquiry_path(rng: random.Random, outcome: str) -> list[str]:
    """The stages an enquiry goes through after its draft, in order."""
    reach = weighted(rng, CLOSED_AFTER[outcome]) if outcome in CLOSING else outcome
    if outcome == "awaiting_company":
        reach = "in_triage"
    path = []
    for stage in MAIN_LINE:
        path.append(stage)
        if stage == "in_triage":
            for _ in range(2):
                if rng.random() >= AWAITING_SHARE:
                    break
                path += ["awaiting_company", "in_triage"]
        if stage == "routed" and reach != "routed" and rng.random() < RETURNED_SHARE:
            path += ["in_triage", "routed"]
        if stage == reach:
            break
    if outcome == "awaiting_company" or outcome in CLOSING:
        path.append(outcome)
    return path


def plan_timeline(rng: random.Random, now: dt.datetime, outcome: str, kind: str, entities, weights) -> Timeline:
    if outcome == "draft":
        created = now - dt.timedelta(days=rng.uniform(0, 120))
        return Timeline(outcome, Plan("draft", kind, created, None))
    path = enquiry_path(rng, outcome)
    is_open = outcome not in CLOSING and outcome != "signed"
    gaps = [dt.timedelta(days=rng.uniform(*STAY[stage])) for stage in path[:-1]]
    span = sum(gaps, dt.timedelta())
    if is_open:  # the last stage was entered some time ago and is still the current one
        lag = dt.timedelta(days=rng.uniform(0, 1.2 * STAY[path[-1]][1]))
        submitted = now - span - lag
    else:
        room = max(0.0, DAYS - span.total_seconds() / 86400)
        submitted = now - span - dt.timedelta(days=rng.uniform(0.5, max(1.0, room)))
    moments = [submitted]
    for gap in gaps:
        moments.append(moments[-1] + gap)
    steps, previous = [], "draft"
    for stage, at in zip(path, moments, strict=True):
        name = CLOSING_TRANSITIONS.get(stage) or ENQUIRY_TRANSITIONS[(previous, stage)]
        steps.append((name, stage, at))
        previous = stage
    stamps: dict[str, dt.datetime] = {}
    for _name, stage, at in steps:
        for stamp in STAMPS.get(stage, []):
            stamps.setdefault(stamp, at)
    plan = Plan(path[-1], kind, submitted - dt.timedelta(hours=rng.uniform(0.5, 72)), submitted, stamps)
    plan.routed = "routed_at" in stamps
    timeline = Timeline(outcome, plan, steps)
    if plan.routed:
        count = rng.choices([1, 2, 3], weights=[14, 5, 1])[0]
        chosen: list = []
        while len(chosen) < count:
            entity = rng.choices(entities, weights=weights)[0]
            if entity not in chosen:
                chosen.append(entity)
        timeline.entities = chosen
        plan_contracts(rng, now, timeline)
    return timeline


def contract_steps(rng: random.Random, line, detours, start, end, outcome: str) -> list:
    """One contract's steps between ``start`` and ``end``: the whole line (in force), cut short (still open), or cut
    short and cancelled."""
    steps = []
    for transition, stage in line:
        steps.append((transition, stage))
        for after, detour in detours:
            if stage == after:
                for _ in range(3):
                    if rng.random() >= DETOUR_SHARE:
                        break
                    steps += detour
    if outcome != "in_force":
        steps = steps[: rng.randint(1, len(steps) - 1)]
    if outcome == "cancelled":
        steps.append(("cancel", "cancelled"))
    gaps = [rng.uniform(0.3, 1.0) * CONTRACT_WEIGHT.get(stage, 1.0) for _t, stage in steps[:-1]]
    if outcome == "open":
        gaps.append(rng.uniform(0.3, 1.0) * CONTRACT_WEIGHT.get(steps[-1][1], 1.0))  # still in its last stage
    scale = (end - start) / (sum(gaps) or 1.0)
    at, timed = start, []
    for index, (transition, stage) in enumerate(steps):
        if index:
            at = at + gaps[index - 1] * scale
        timed.append((transition, stage, at))
    return timed


def plan_contracts(rng: random.Random, now: dt.datetime, timeline: Timeline) -> None:
    """An NDA for some routed enquiries; the main contract of those that reached contracting."""
    entity = timeline.entities[0]
    routed = timeline.entered("routed")
    last = timeline.steps[-1][2]
    closed = timeline.outcome in CLOSING or timeline.outcome == "signed"
    if rng.random() < NDA_SHARE:
        start = routed + dt.timedelta(days=rng.uniform(0.5, 5))
        end = min(now if not closed else last, start + dt.timedelta(days=rng.uniform(15, 70)))
        went_on = timeline.entered("contracting") is not None
        if went_on or end < (last if closed else now):
            outcome = "in_force" if went_on or rng.random() < 0.7 else "cancelled"
        else:
            outcome = "open" if rng.random() < 0.6 else "in_force"
        if end > start:
            steps = contract_steps(rng, NDA_LINE, NDA_DETOURS, start, end, outcome)
            timeline.contracts.append(ContractPlan("nda", entity, steps))
    contracting = timeline.entered("contracting")
    if contracting is not None:
        start = contracting + dt.timedelta(days=rng.uniform(0, 3))
        if timeline.outcome == "signed":
            end, outcome = last - dt.timedelta(hours=rng.uniform(1, 48)), "in_force"
        elif closed:
            end, outcome = last, "cancelled"
        else:
            end, outcome = now, "open"
        if end > start:
            kind = weighted(rng, CONTRACT_KINDS[timeline.plan.kind])
            steps = contract_steps(rng, CONTRACT_LINE, CONTRACT_DETOURS, start, end, outcome)
            timeline.contracts.append(ContractPlan(kind, entity, steps))


def plan_all(rows: int, rng: random.Random, now: dt.datetime, entities) -> list[Timeline]:
    from partners.models import ReferenceCounter

    # A few big entities and a long tail, as in a real network (the largest gets about a sixth of the routings).
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(entities))]
    timelines = [
        plan_timeline(rng, now, weighted(rng, OUTCOMES), weighted(rng, KINDS), entities, weights) for _ in range(rows)
    ]
    timelines.sort(key=lambda t: t.plan.submitted_at or t.plan.created_at)
    numbers = dict(ReferenceCounter.objects.values_list("year", "last"))
    for timeline in timelines:
        if timeline.plan.submitted_at is not None:
            year = timeline.plan.submitted_at.year
            numbers[year] = numbers.get(year, 0) + 1
            timeline.plan.reference = f"OPA-{year}-{numbers[year]:05d}"
    for year, last in numbers.items():
        ReferenceCounter.objects.update_or_create(year=year, defaults={"last": last})
    return timelines


# ----------------------------------------------------------------------------------------------------------
# Loading


def build_routings(timeline: Timeline, enquiry, rng: random.Random, central_users) -> list:
    from partners.models import Routing

    routed = timeline.entered("routed")
    accepted = timeline.entered("accepted")
    routings = []
    for index, entity in enumerate(timeline.entities):
        answer: dict = {"status": "pending"}
        if accepted is not None:
            if index == 0:
                answer = {"status": "accepted", "answered_at": accepted}
            else:
                when = routed + (accepted - routed) * rng.uniform(0.2, 1.0)
                answer = {"status": "declined", "answered_at": when, "answer_reason": "No capacity this year."}
        elif timeline.outcome == "declined":
            answer = {"status": "declined", "answered_at": timeline.steps[-1][2], "answer_reason": "Outside our field."}
        routings.append(
            Routing(
                enquiry=enquiry,
                entity=entity,
                routed_by=rng.choice(central_users),
                routed_at=routed,
                reason=f"{entity.name} works on this disease area.",
                **answer,
            )
        )
    return routings


def build_surveys(rng: random.Random, now: dt.datetime, timeline: Timeline, enquiry, agreements, number: int):
    """Invitations for the enquiry's closing and its contracts coming into force; some answered."""
    from quality.models import SurveyAnswer, SurveyEvent, SurveyInvitation, token_digest

    events = []
    if timeline.outcome in CLOSING or timeline.outcome == "signed":
        events.append((SurveyEvent.ENQUIRY_CLOSED, None, timeline.steps[-1][2]))
    for agreement, contract in zip(agreements, timeline.contracts, strict=True):
        if contract.stage == "in_force":
            event = SurveyEvent.NDA_IN_FORCE if contract.kind == "nda" else SurveyEvent.AGREEMENT_SIGNED
            events.append((event, agreement, contract.steps[-1][2]))
    invitations, answers = [], []
    for event, agreement, at in events:
        if rng.random() >= SURVEY_SHARE:
            continue
        answered = at + dt.timedelta(days=rng.uniform(0.2, 20))
        answered = answered if answered < now and rng.random() < ANSWER_SHARE else None
        invitation = SurveyInvitation(
            enquiry=enquiry,
            contract=agreement,
            event=event,
            email=enquiry.contact_email,
            language=enquiry.language,
            token_sha256=token_digest(f"bench-{number}-{len(invitations)}-{event}"),
            created_at=at,
            expires_at=at + dt.timedelta(days=60),
            answered_at=answered,
        )
        invitations.append(invitation)
        if answered is not None:
            answers.append(
                SurveyAnswer(
                    invitation=invitation,
                    recommendation=rng.choices(range(11), weights=[1, 1, 1, 1, 2, 3, 5, 9, 12, 10, 8])[0],
                    responsiveness=rng.choices(range(1, 6), weights=[1, 2, 4, 6, 4])[0],
                    clarity=rng.choices(range(1, 6), weights=[1, 2, 5, 6, 3])[0],
                    expertise_fit=rng.choices(range(1, 6), weights=[1, 1, 3, 6, 5])[0],
                    comment="" if rng.random() < 0.7 else "Clear process, the contract took long.",
                    answered_at=answered,
                )
            )
    return invitations, answers


def load_everything(rows: int, seed: int) -> dict[str, int]:
    """The demo data, then ``rows`` enquiries with their stage changes, routings, contracts and surveys."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from agreements.models import Agreement, AgreementParty, StageChange
    from partners import demo_data
    from partners.models import Enquiry, Entity, Governance, Routing
    from partners.roles import CENTRAL_TEAM
    from quality import clocks
    from quality.models import SurveyAnswer, SurveyInvitation

    rng = random.Random(seed)
    now = timezone.now()
    counts = dict.fromkeys(
        ["enquiries", "stage changes", "routings", "contracts", "parties", "invitations", "answers"], 0
    )
    with transaction.atomic():
        with clocks.deferred():  # the demo enquiries' clocks once each, not once a change
            demo_data.load(contracts=False)
        central_users = list(get_user_model().objects.filter(groups__name=CENTRAL_TEAM))
        entities = list(Entity.objects.order_by("pk"))
        leads = dict(Governance.objects.filter(is_lead_negotiator=True).values_list("entity_id", "body_id"))
        companies = load_companies(max(50, rows // 50), rng, make_password(None))
        t0 = time.monotonic()
        timelines = plan_all(rows, rng, now, entities)
        print(f"  planned {rows:,} timelines in {time.monotonic() - t0:.0f} s")
        for start in range(0, len(timelines), BATCH):
            batch = timelines[start : start + BATCH]
            enquiries = []
            for timeline in batch:
                company, member = rng.choice(companies)
                title, summary = texts(rng, timeline.plan.kind, [rng.choice(["aml", "all", "cll", "myeloma"])])
                enquiry = build_enquiry(timeline.plan, rng, company, member, central_users, title, summary)
                enquiry.overdue_from = enquiry.compute_overdue_from()  # save() keeps it; bulk_create does not
                enquiries.append(enquiry)
            Enquiry.objects.bulk_create(enquiries, batch_size=1000)
            routings, agreements, placed = [], [], []
            for timeline, enquiry in zip(batch, enquiries, strict=True):
                routings += build_routings(timeline, enquiry, rng, central_users) if timeline.entities else []
                for number, contract in enumerate(timeline.contracts, start=1):
                    first, last = contract.steps[0][2], contract.steps[-1][2]
                    in_force = next((at for _t, stage, at in contract.steps if stage == "in_force"), None)
                    agreements.append(
                        Agreement(
                            enquiry=enquiry,
                            entity=contract.entity,
                            kind=contract.kind,
                            number=number,
                            language=enquiry.language,
                            stage=contract.stage,  # a new instance may be given its first (protected) value
                            in_force_at=in_force,
                            starts_on=timezone.localdate(in_force) if in_force else None,
                            requested_by=rng.choice(central_users),
                            created_at=first,
                            stage_changed_at=last,
                        )
                    )
                    placed.append((timeline, enquiry, contract))
            Routing.objects.bulk_create(routings, batch_size=BATCH)
            Agreement.objects.bulk_create(agreements, batch_size=1000)
            parties = []
            for agreement, (_timeline, enquiry, _contract) in zip(agreements, placed, strict=True):
                parties.append(AgreementParty(agreement=agreement, role="company", company_id=enquiry.company_id))
                parties.append(
                    AgreementParty(agreement=agreement, role="lead_negotiator", body_id=leads[agreement.entity_id])
                )
            AgreementParty.objects.bulk_create(parties, batch_size=BATCH)
            changes = []
            by_enquiry: dict[int, list] = {}
            for agreement, (_timeline, enquiry, _contract) in zip(agreements, placed, strict=True):
                by_enquiry.setdefault(enquiry.pk, []).append(agreement)
            invitations, answers = [], []
            for timeline, enquiry in zip(batch, enquiries, strict=True):
                previous = "draft"
                for transition, stage, at in timeline.steps:
                    changes.append(
                        StageChange(
                            enquiry=enquiry,
                            actor=enquiry.submitted_by if transition == "submit" else rng.choice(central_users),
                            transition=transition,
                            from_stage=previous,
                            to_stage=stage,
                            at=at,
                        )
                    )
                    previous = stage
                own = by_enquiry.get(enquiry.pk, [])
                for agreement, contract in zip(own, timeline.contracts, strict=True):
                    previous = ""
                    for transition, stage, at in contract.steps:
                        changes.append(
                            StageChange(
                                enquiry=enquiry,
                                agreement=agreement,
                                actor=rng.choice(central_users),
                                transition=transition,
                                from_stage=previous,
                                to_stage=stage,
                                at=at,
                            )
                        )
                        previous = stage
                more, answered = build_surveys(rng, now, timeline, enquiry, own, enquiry.pk)
                invitations += more
                answers += answered
            StageChange.objects.bulk_create(changes, batch_size=BATCH)
            SurveyInvitation.objects.bulk_create(invitations, batch_size=BATCH)
            SurveyAnswer.objects.bulk_create(answers, batch_size=BATCH)
            counts["enquiries"] += len(enquiries)
            counts["stage changes"] += len(changes)
            counts["routings"] += len(routings)
            counts["contracts"] += len(agreements)
            counts["parties"] += len(parties)
            counts["invitations"] += len(invitations)
            counts["answers"] += len(answers)
        with connection.cursor() as cursor:
            # bulk_create stamps auto_now fields with the load's time; the last activity is the last change
            cursor.execute("UPDATE partners_enquiry SET updated_at = stage_changed_at")
    return counts


def refresh_clocks() -> dict:
    """The real code over every enquiry, as ``manage.py refresh_clocks`` would after a bulk import."""
    from partners.models import Enquiry
    from quality import clocks
    from quality.models import ContractClock, EnquiryClock, StageSpell

    ids = list(Enquiry.objects.values_list("pk", flat=True))
    t0 = time.monotonic()
    clocks.refresh(ids)
    seconds = time.monotonic() - t0
    result = {
        "seconds": seconds,
        "enquiries": len(ids),
        "enquiry clocks": EnquiryClock.objects.count(),
        "contract clocks": ContractClock.objects.count(),
        "spells": StageSpell.objects.count(),
    }
    print(
        f"Clocks: quality.clocks.refresh of {len(ids):,} enquiries (batches of {clocks.BATCH}) in {seconds:.1f} s, "
        f"{len(ids) / seconds:,.0f} enquiries/s: {result['enquiry clocks']:,} enquiry clocks, "
        f"{result['contract clocks']:,} contract clocks, {result['spells']:,} spells"
    )
    return result


def marker(args: argparse.Namespace) -> str:
    return f"{MARKER} rows={args.rows} seed={args.seed}"


def read_marker(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        row = connection.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    return (row[0] or "") if row else ""


def write_marker(name: str, text: str) -> None:
    from django.db import connection
    from psycopg import sql

    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(text)))


def prepare(args: argparse.Namespace, admin_url: str) -> None:
    """Reuse the database if a complete earlier build had the same size and seed; else build it."""
    import django

    found = read_marker(admin_url, args.database) if database_exists(admin_url, args.database) else ""
    reuse = not args.fresh and found.startswith(marker(args) + " ")
    if not reuse:
        if found:
            print(f"Database {args.database} was built as {found!r}: rebuilding it")
        recreate_database(admin_url, args.database)
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    t0 = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"Migrated, static files collected ({time.monotonic() - t0:.0f} s)")
    if reuse:
        print(f"Reusing database {args.database} ({found})")
        if args.refresh_clocks:
            refresh_clocks()
        analyse(connection)
        return
    t0 = time.monotonic()
    counts = load_everything(args.rows, args.seed)
    print(
        f"Loaded in {time.monotonic() - t0:.0f} s: "
        + ", ".join(f"{value:,} {label}" for label, value in counts.items())
    )
    caught_up = refresh_clocks()
    analyse(connection)
    write_marker(args.database, f"{marker(args)} complete; clocks caught up in {caught_up['seconds']:.1f} s")


# ----------------------------------------------------------------------------------------------------------
# Measuring


@dataclass
class Page:
    label: str
    url: str
    seconds: list[float] = field(default_factory=list)
    queries: list[dict] = field(default_factory=list)
    size: int = 0
    cold: bool = False  # the cache emptied first: the figures are aggregated again, as after a stage change
    primed: bool = False  # one untimed GET first: the figures are in the cache (the aggregated pages empty it)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p90(self) -> float:
        if len(self.seconds) < 2:
            return self.seconds[0]
        return statistics.quantiles(self.seconds, n=10, method="inclusive")[8]

    @property
    def sql_seconds(self) -> float:
        return sum(q["seconds"] for q in self.queries)


def get(client, page: Page, *, prime: bool = True) -> float:
    if page.cold:
        from django.core.cache import cache

        cache.clear()
    elif page.primed and prime:
        client.get(page.url).getvalue()
    started = time.perf_counter()
    response = client.get(page.url)
    body = response.getvalue()  # a streamed export is only done when read to the end
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        location = response.get("Location", "")
        raise BenchError(f"GET {page.url} answered {response.status_code} {location}".rstrip())
    page.size = len(body)
    return elapsed


def capture(client, page: Page) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timer = QueryTimer()
    if page.primed:
        client.get(page.url).getvalue()
    with connection.execute_wrapper(timer), CaptureQueriesContext(connection) as captured:
        get(client, page, prime=False)
    return [
        {"sql": query["sql"], "seconds": seconds}
        for query, seconds in zip(captured.captured_queries, timer.durations, strict=True)
    ]


def bench_user():
    """A central-team superuser: every page and every figure, as the issue's reader."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from partners.roles import CENTRAL_TEAM

    user, _created = get_user_model().objects.update_or_create(
        username="bench-central",
        defaults={"email": "bench-central@opale.example", "is_staff": True, "is_superuser": True, "is_active": True},
    )
    user.groups.add(Group.objects.get(name=CENTRAL_TEAM))
    return user


def install_bare_admin() -> None:
    """A plain ModelAdmin of the enquiries on an admin site of its own, served beside the portal's URLs."""
    from django.contrib import admin
    from django.test.utils import override_settings
    from django.urls import path

    from partners.models import Enquiry

    class BareEnquiryAdmin(admin.ModelAdmin):
        """What a first Django admin list gives: the model's own columns, one filter, a search, 100 a page."""

        list_display = ["reference", "title", "kind", "stage", "submitted_at"]
        list_filter = ["stage"]
        search_fields = ["reference", "title"]
        change_list_template = "admin/change_list.html"  # Django's own, not the triage queue's (same app/model)

    site = admin.AdminSite(name="bench_bare")
    site.register(Enquiry, BareEnquiryAdmin)
    from bench.floor_urls import urlpatterns

    module = types.ModuleType(URLCONF)
    module.urlpatterns = [path("bench-bare/", site.urls), *urlpatterns]
    sys.modules[URLCONF] = module
    override_settings(ROOT_URLCONF=URLCONF).enable()  # sends setting_changed: the URL caches are cleared


def measure(pages: list[Page], extra: list[Page], rounds: int, warmup: int):
    from django.test import Client

    client = Client()
    client.force_login(bench_user())
    for _ in range(warmup):
        for page in [*pages, *extra]:
            get(client, page)
    for page in [*pages, *extra]:  # outside the timed rounds: capturing makes every query a little slower
        page.queries = capture(client, page)
    for number in range(rounds):
        for page in pages if number % 2 == 0 else reversed(pages):
            page.seconds.append(get(client, page))
    return client


# ----------------------------------------------------------------------------------------------------------
# Report


def describe(filters) -> dict[str, int]:
    """How many rows the default period holds, so the reader knows what the dashboard aggregated."""
    from quality.models import ContractClock, EnquiryClock, StageSpell, SurveyAnswer

    period = {"submitted_on__range": (filters.start, filters.end)}
    return {
        "enquiry clocks": EnquiryClock.objects.filter(**period).count(),
        "contract clocks": ContractClock.objects.filter(requested_on__range=(filters.start, filters.end)).count(),
        "spells": StageSpell.objects.filter(entered_at__date__range=(filters.start, filters.end)).count(),
        "answers": SurveyAnswer.objects.filter(answered_at__date__range=(filters.start, filters.end)).count(),
    }


def report(bare: Page, pages: list[Page], small: Page, totals: dict[str, int]) -> None:
    ms = 1000
    print()
    print(
        f"KPI dashboard against a bare admin list: {totals['enquiries']:,} enquiries, "
        f"{totals['stage changes']:,} stage changes; {len(bare.seconds)} alternating rounds, median (p90) in ms; "
        f"load average {load()}"
    )
    head = f"{'':34} {'median (p90) ms':>17} {'queries':>7} {'SQL ms':>7} {'bytes':>9} {'bare/this':>10}"
    print(head)
    print("-" * len(head))
    for page in [bare, *pages]:
        ratio = "" if page is bare else f"{bare.median / page.median:9.2f}x"
        print(
            f"{page.label:34} {page.median * ms:7.1f} ({page.p90 * ms:7.1f}) {len(page.queries):7d}"
            f" {page.sql_seconds * ms:7.1f} {page.size:9,d} {ratio:>10}"
        )
    print()
    print("median (p90): wall time of a GET in this process (middleware, view, SQL, template; the export read whole).")
    print("aggregated: the cache emptied before each GET (as after any stage change); cached: the figures kept.")
    print("queries, SQL ms: one capture after the warm-up. bare/this above 1: the page is faster than the bare list.")
    default = pages[0]
    bounded = len(small.queries) == len(default.queries)
    print(
        f"Queries per dashboard request: {len(default.queries)} on the default period, {len(small.queries)} on "
        f"{small.label.split(': ', 1)[-1]}: {'bounded (the same)' if bounded else 'NOT the same'}."
    )


def print_queries(page: Page, top: int = 3) -> None:
    ms = 1000
    slowest = sorted(range(len(page.queries)), key=lambda i: page.queries[i]["seconds"], reverse=True)[:top]
    print()
    print(f"Queries of {page.label} ({page.url}): {len(page.queries)}, {page.sql_seconds * ms:.1f} ms of SQL")
    for index, query in enumerate(page.queries):
        mark = "*" if index in slowest else " "
        print(f"{mark}{index + 1:3d} {query['seconds'] * ms:8.2f} ms {one_line(query['sql'])}")


def explain_slowest(page: Page, count: int) -> None:
    from django.db import connection

    for query in sorted(page.queries, key=lambda q: q["seconds"], reverse=True)[:count]:
        print()
        print(f"EXPLAIN (ANALYZE, BUFFERS) of a slow query of {page.label} ({query['seconds'] * 1000:.1f} ms):")
        print(f"  {one_line(query['sql'], 3000)}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            for (line,) in cursor.fetchall():
                print(f"  {line}")


# ----------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="enquiries (default 100000)")
    parser.add_argument("--rounds", type=int, default=12, help="timed rounds, each page once a round (default 12)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured requests per page first (default 2)")
    parser.add_argument("--explain", type=int, default=2, metavar="N", help="EXPLAIN the N slowest dashboard queries")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the generated data (default 7)")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default="opale_bench_quality")
    parser.add_argument("--fresh", action="store_true", help="rebuild the database even if it could be reused")
    parser.add_argument(
        "--refresh-clocks", action="store_true", help="on a reused database, recompute (and time) every clock first"
    )
    parser.add_argument("--drop", action="store_true", help="drop the database afterwards (default: keep it)")
    args = parser.parse_args(argv)
    if args.rows < 100 or args.rounds < 1:
        parser.error("--rows must be at least 100 and --rounds at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    admin_url = f"{args.postgres.rstrip('/')}/postgres"
    static_root = Path(tempfile.mkdtemp(prefix="opale-bench-quality-"))
    configure_environment(args, static_root)
    exit_code = 0
    t0 = time.monotonic()
    try:
        print(f"Database {args.database}, {args.rows:,} enquiries; load average {load()}")
        prepare(args, admin_url)
        from django.db.models import Count

        from agreements.models import StageChange
        from partners.models import Enquiry
        from quality.dashboard import Filters
        from quality.models import EnquiryClock

        install_bare_admin()
        totals = {"enquiries": Enquiry.objects.count(), "stage changes": StageChange.objects.count()}
        default = Filters.default()
        entity_id, entity_rows = (
            EnquiryClock.objects.filter(submitted_on__range=(default.start, default.end))
            .exclude(entity=None)
            .values_list("entity_id")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        period = {"start": default.start.isoformat(), "end": default.end.isoformat()}
        week = {"start": (default.end - dt.timedelta(days=6)).isoformat(), "end": default.end.isoformat()}
        in_period = describe(default)
        print(
            f"Default period {default.start} to {default.end}: "
            + ", ".join(f"{value:,} {label}" for label, value in in_period.items())
            + f"; the entity filter: entity {entity_id} ({entity_rows:,} enquiries in the period)"
        )
        bare = Page("bare admin list (ModelAdmin)", BARE_URL)
        one_entity = f"{DASHBOARD_URL}?{urlencode({**period, 'entity': entity_id})}"
        pages = [
            Page("dashboard, default, aggregated", DASHBOARD_URL, cold=True),
            Page("dashboard, one entity, aggregated", one_entity, cold=True),
            Page("figures CSV export, aggregated", EXPORT_URL, cold=True),
            Page("dashboard, default, cached", DASHBOARD_URL, primed=True),
            Page("dashboard, one entity, cached", one_entity, primed=True),
        ]
        small = Page("dashboard: a one-week period", f"{DASHBOARD_URL}?{urlencode(week)}", cold=True)
        print(f"Ready ({time.monotonic() - t0:.0f} s); measuring {args.rounds} rounds")
        measure([bare, *pages], [small], args.rounds, args.warmup)
        report(bare, pages, small, totals)
        for page in pages[:2]:
            print_queries(page)
        print_queries(bare)
        explain_slowest(pages[0], args.explain)
    except BenchError as error:
        print(f"Benchmark failed: {error}", file=sys.stderr)
        exit_code = 2
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        shutil.rmtree(static_root, ignore_errors=True)
        if args.drop:
            drop_database(admin_url, args.database)
            print(f"Database {args.database} dropped.")
        else:
            print(f"Kept database {args.database} (reused by the next run of the same size; --drop drops it).")
        print(f"Done in {time.monotonic() - t0:.0f} s.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
