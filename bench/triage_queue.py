"""The central team's triage queue against a bare Django admin list, at 100,000 enquiries, in one run.

    .venv/bin/python bench/triage_queue.py [--rows 100000] [--rounds 30] [--keep-db]   # or: make bench-triage

1. Creates a PostgreSQL database (``opale_bench_triage``), migrates it with ``bench.floor_settings`` (the
   portal plus the bench-only ``bench.floor_app``), loads the demo data (staff, governing bodies, entities), then
   ``--rows`` enquiries of ~2,000 companies (stages weighted like a real queue: a few thousand open, the rest
   closed over four years; disease areas, capabilities, routings for ~40 %, call deadlines) and as many
   ``BareRecord`` rows, each mirroring one enquiry's title, summary, kind, stage and date; then VACUUM ANALYZE.
2. In this one process, with ``django.test.Client`` signed in as the demo central-team user, DEBUG off and
   collected static files, times in alternating rounds (bare, portal, portal, bare, ...) so drift falls on both:
   the triage queue's default page against the bare model's admin list, and the triage queue filtered by stage
   and searched for a word against the bare list filtered by status and searched for the same word.
3. Prints the medians and p90s, the SQL queries per page, whether a COUNT(*) ran over the whole table, the
   ratios (bare time / portal time: above 1 the portal is faster) against the developers' guide targets, the
   triage pages' queries, and EXPLAIN ANALYZE of their slowest query. Drops the database unless ``--keep-db``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SETTINGS_MODULE = "bench.floor_settings"
PORTAL_URL = "/admin/partners/enquiry/"
BARE_URL = "/admin/floor_app/barerecord/"
PORTAL_TABLE = "partners_enquiry"
BARE_TABLE = "floor_app_barerecord"
DEFAULT_TARGET = 1.5  # developers' guide: triage queue at 100,000 enquiries >= 1.5x a bare admin list
FILTERED_TARGET = 2.0  # and >= 2x with a filter and a search
BATCH = 5_000
YEARS = 4

# Share of enquiries in each stage, and how many days before now each was submitted (drafts: created).
# A real queue: a few thousand open, recent; the rest closed over the years.
STAGE_PROFILE = {
    "draft": (0.020, 0, 120),
    "submitted": (0.007, 0, 15),
    "in_triage": (0.008, 2, 45),
    "awaiting_company": (0.004, 5, 90),
    "routed": (0.011, 7, 120),
    "accepted": (0.003, 15, 150),
    "contracting": (0.009, 30, 400),
    "signed": (0.270, 90, 365 * YEARS),
    "declined": (0.240, 10, 365 * YEARS),
    "withdrawn": (0.140, 5, 365 * YEARS),
    "no_go": (0.288, 20, 365 * YEARS),
}
CLOSED_DURATION = {"signed": (90, 400), "declined": (5, 60), "withdrawn": (5, 200), "no_go": (10, 200)}
ROUTED_SHARE = {"declined": 0.20, "no_go": 0.15, "withdrawn": 0.10}  # closed after routing; signed always was
# The SLA clocks each stage has set (partners/workflow.py), in the order they happen.
CLOCKS = {
    "draft": [],
    "submitted": [],
    "in_triage": ["first_response_at"],
    "awaiting_company": ["first_response_at"],
    "routed": ["first_response_at", "routed_at"],
    "accepted": ["first_response_at", "routed_at", "answered_at"],
    "contracting": ["first_response_at", "routed_at", "answered_at"],
    "signed": ["first_response_at", "routed_at", "answered_at", "closed_at"],
    "declined": ["first_response_at", "closed_at"],
    "withdrawn": ["closed_at"],
    "no_go": ["first_response_at", "closed_at"],
}
KINDS = {
    "bilateral_rd": 0.25,
    "consultancy": 0.12,
    "platform_use": 0.25,
    "collaborative_call": 0.10,
    "joint_lab": 0.06,
    "licence": 0.14,
    "other": 0.08,
}

# Vocabulary of the generated texts: the search word (default "menin") names one target of twenty, so it
# matches about one enquiry in fifteen, in its title, its summary or both.
TARGETS = [
    "FLT3", "NPM1", "IDH1", "IDH2", "menin", "BCL-2", "CD19", "CD33", "CD123", "CD38",
    "BCR-ABL1", "JAK2", "TP53", "KMT2A", "BTK", "CD20", "CLL-1", "BCMA", "GPRC5D", "SF3B1",
]  # fmt: skip
DISEASES = {
    "aml": "acute myeloid leukemia",
    "all": "acute lymphoblastic leukemia",
    "cml": "chronic myeloid leukemia",
    "cll": "chronic lymphocytic leukemia",
    "mds": "myelodysplastic syndromes",
    "mpn": "myeloproliferative neoplasms",
    "lymphoma": "diffuse large B-cell lymphoma",
    "myeloma": "multiple myeloma",
    "paediatric": "paediatric leukemia",
}
MODALITIES = [
    "small-molecule inhibitor", "bispecific T-cell engager", "antibody-drug conjugate", "autologous CAR-T product",
    "allogeneic CAR-NK product", "targeted protein degrader", "minimal residual disease assay",
    "NGS diagnostic panel", "digital pathology algorithm", "oral hypomethylating combination",
]  # fmt: skip
GOALS = {
    "bilateral_rd": ["Joint development of", "Mechanism of action study of", "Resistance mechanisms to"],
    "consultancy": ["Expert advice on", "Clinical development plan for", "Scientific advisory board for"],
    "platform_use": ["PDX efficacy study of", "Screening campaign for", "Biomarker validation for"],
    "collaborative_call": ["Consortium proposal on", "EU Cancer Mission project on", "ANR PRCE project on"],
    "joint_lab": ["Joint laboratory on", "CIFRE PhD on", "Industrial chair on"],
    "licence": ["Licence of samples for", "Data access for", "Patent option on"],
    "other": ["Exploratory discussion on", "Training programme on", "Framework agreement on"],
}
OPENINGS = [
    "We are a {size} {sector} company based in {city}.",
    "Our team of {staff} people develops therapies and diagnostics for haematological malignancies.",
    "Founded in {year}, we run a pipeline of {n} programmes in haematology.",
]
PROGRAMMES = [
    "Our lead asset is {a_modality} against {target}, with nanomolar activity in cell lines and a clean "
    "safety profile in rodents.",
    "We have built {a_modality} targeting {target}; early data on primary {disease} blasts are encouraging.",
    "Our {modality} addresses patients with {target}-altered {disease}, who relapse after standard therapy.",
]
ASKS = [
    "We would like to confirm its activity on primary patient samples and in patient-derived xenograft models.",
    "We are looking for clinicians of a cooperative group to design a first-in-human study.",
    "We need retrospective data from a national cohort to estimate the size of the eligible population.",
    "We seek a platform able to screen our compound library on a panel of {disease} models.",
    "We wish to identify predictive biomarkers of response, including {other}, before a phase I trial.",
]
CLOSINGS = [
    "Timeline: results expected within {months} months; budget to be discussed.",
    "This summary is non-confidential; details can follow under an NDA.",
    "A joint publication is welcome once patents are filed.",
    "We are open to a research collaboration or a service agreement, whichever fits best.",
]
COMPANY_STEMS = [
    "Hema", "Myelo", "Lympho", "Onco", "Cyto", "Immu", "Gen", "Thera", "Blast", "Medu", "Plasma", "Leuko",
    "Erythro", "Granu", "Mega", "Stem", "Vita", "Cell", "Bio", "Nova",
]  # fmt: skip
COMPANY_ENDS = ["via", "gen", "tix", "nova", "cure", "logic", "sys", "med", "bio", "thera", "path", "ics"]
COMPANY_FORMS = {"FR": "SAS", "DE": "GmbH", "NL": "B.V.", "BE": "SA", "IT": "S.r.l.", "ES": "S.L.", "CH": "AG"}
CITIES = ["Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Strasbourg", "Bordeaux", "Montpellier"]


class BenchError(Exception):
    """The benchmark could not run (setup, or a page that did not answer 200): printed, exits non-zero."""


# ----------------------------------------------------------------------------------------------------------
# Loading


def recreate_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def database_exists(admin_url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def siren(number: int) -> str:
    """A well-formed SIREN (Luhn key), starting with 0 like the demo data's: no real company's."""
    from stdnum import luhn

    base = f"0{10_000_000 + number:08d}"[-8:]
    return base + luhn.calc_check_digit(base)


@dataclass
class Plan:
    """One enquiry to create, decided before any row is written so references follow submission order."""

    stage: str
    kind: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    clocks: dict[str, dt.datetime] = field(default_factory=dict)
    routed: bool = False
    reference: str | None = None


def weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def plan_enquiries(rows: int, rng: random.Random, now: dt.datetime) -> list[Plan]:
    from partners.models import ReferenceCounter

    stages = {stage: share for stage, (share, _low, _high) in STAGE_PROFILE.items()}
    plans = []
    for _ in range(rows):
        stage = weighted(rng, stages)
        _share, low, high = STAGE_PROFILE[stage]
        moment = now - dt.timedelta(days=rng.uniform(low, high), minutes=rng.randint(0, 600))
        if stage == "draft":
            plans.append(Plan(stage, weighted(rng, KINDS), moment, None))
            continue
        created = moment - dt.timedelta(hours=rng.uniform(0.5, 72))
        plan = Plan(stage, weighted(rng, KINDS), created, moment)
        clocks = CLOCKS[stage]
        if stage in CLOSED_DURATION:
            end = min(now, moment + dt.timedelta(days=rng.uniform(*CLOSED_DURATION[stage])))
            if stage != "signed" and rng.random() < ROUTED_SHARE[stage]:
                clocks = ["first_response_at", "routed_at", *[c for c in clocks if c != "first_response_at"]]
        else:
            end = now
        span = (end - moment).total_seconds()
        points = sorted(rng.uniform(0.05, 1.0) for _ in clocks)
        plan.clocks = {c: moment + dt.timedelta(seconds=span * p) for c, p in zip(clocks, points, strict=True)}
        if "closed_at" in plan.clocks:
            plan.clocks["closed_at"] = end
        plan.routed = "routed_at" in plan.clocks
        plans.append(plan)
    plans.sort(key=lambda p: p.submitted_at or p.created_at)
    # Numbered after the demo enquiries' references, in submission order within each year.
    numbers = dict(ReferenceCounter.objects.values_list("year", "last"))
    for plan in plans:
        if plan.submitted_at is not None:
            year = plan.submitted_at.year
            numbers[year] = numbers.get(year, 0) + 1
            plan.reference = f"OPA-{year}-{numbers[year]:05d}"
    for year, last in numbers.items():
        ReferenceCounter.objects.update_or_create(year=year, defaults={"last": last})
    return plans


def texts(rng: random.Random, kind: str, areas: list[str]) -> tuple[str, str]:
    target, other = rng.sample(TARGETS, 2)
    disease = DISEASES[areas[0]]
    modality = rng.choice(MODALITIES)
    title = f"{rng.choice(GOALS[kind])} our {target} {modality} in {disease}"
    values = {
        "size": rng.choice(["young", "growing", "clinical-stage", "listed"]),
        "sector": rng.choice(["biotech", "diagnostics", "medtech", "digital health"]),
        "city": rng.choice(CITIES),
        "staff": rng.randint(5, 400),
        "year": rng.randint(2005, 2024),
        "n": rng.randint(1, 6),
        "modality": modality,
        "a_modality": f"{'an' if modality[0] in 'aeiou' else 'a'} {modality}",
        "target": target,
        "other": other,
        "disease": disease,
        "months": rng.choice([6, 9, 12, 18, 24]),
    }
    parts = [
        rng.choice(OPENINGS),
        rng.choice(PROGRAMMES),
        *rng.sample(ASKS, rng.randint(1, 2)),
        *rng.sample(CLOSINGS, rng.randint(1, 2)),
    ]
    return title[:200], " ".join(part.format(**values) for part in parts)


def load_companies(count: int, rng: random.Random, password: str):
    from django.contrib.auth import get_user_model

    from partners.models import Company, CompanyMember

    user_model = get_user_model()
    companies, users = [], []
    for number in range(count):
        country = "FR" if rng.random() < 0.75 else rng.choice(["DE", "NL", "BE", "IT", "ES", "CH"])
        name = f"{rng.choice(COMPANY_STEMS)}{rng.choice(COMPANY_ENDS)} {number:04d} {COMPANY_FORMS[country]}"
        registration = siren(number) if country == "FR" else f"{country}{900_000_000 + number}"
        companies.append(
            Company(
                legal_name=name,
                country=country,
                registration_number=registration,
                size=weighted(rng, {"micro": 0.2, "sme": 0.5, "midcap": 0.15, "large": 0.15}),
                sector=weighted(rng, {"biopharma": 0.6, "ivd": 0.15, "medtech": 0.1, "digital": 0.1, "other": 0.05}),
                is_startup=rng.random() < 0.4,
                is_spinoff=rng.random() < 0.15,
            )
        )
        users.append(
            user_model(
                username=f"bench-member-{number}",
                email=f"member{number}@company{number}.example",
                first_name=rng.choice(["Julie", "Thomas", "Katrin", "Pieter", "Giulia", "Marta", "Hugo", "Lea"]),
                last_name=f"Member{number}",
                password=password,
            )
        )
    Company.objects.bulk_create(companies, batch_size=BATCH)
    user_model.objects.bulk_create(users, batch_size=BATCH)
    CompanyMember.objects.bulk_create(
        [
            CompanyMember(company=company, user=user, job_title="Business developer", is_signatory=True)
            for company, user in zip(companies, users, strict=True)
        ],
        batch_size=BATCH,
    )
    return list(zip(companies, users, strict=True))


def load_enquiries(rows: int, seed: int) -> dict[str, int]:
    """The demo data, then ``rows`` enquiries and as many bare rows, in batches of bulk inserts."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, Permission
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.floor_app.models import BareRecord
    from partners import demo_data
    from partners.models import Capability, DiseaseArea, Enquiry, Entity, Routing
    from partners.roles import CENTRAL_TEAM

    rng = random.Random(seed)
    now = timezone.now()
    counts = {"enquiries": 0, "routings": 0, "disease areas": 0, "capabilities": 0, "bare rows": 0}
    with transaction.atomic():
        demo_data.load()
        central_team = Group.objects.get(name=CENTRAL_TEAM)
        central_team.permissions.add(*Permission.objects.filter(content_type__app_label="floor_app"))
        central_users = list(get_user_model().objects.filter(groups=central_team))
        entities = list(Entity.objects.prefetch_related("scientific_contacts"))
        areas = {area.code: area.pk for area in DiseaseArea.objects.all()}
        capabilities = [capability.pk for capability in Capability.objects.all()]
        companies = load_companies(max(50, rows // 50), rng, make_password(None))
        plans = plan_enquiries(rows, rng, now)
        area_link = Enquiry.disease_areas.through
        capability_link = Enquiry.capabilities.through
        for start in range(0, len(plans), BATCH):
            batch = plans[start : start + BATCH]
            enquiries, bare, chosen = [], [], []
            for plan in batch:
                company, member = rng.choice(companies)
                codes = rng.sample(list(areas), rng.choices([1, 2, 3], weights=[6, 3, 1])[0])
                title, summary = texts(rng, plan.kind, codes)
                enquiry = build_enquiry(plan, rng, company, member, central_users, title, summary)
                enquiry.overdue_from = enquiry.compute_overdue_from()  # save() keeps it; bulk_create does not
                enquiries.append(enquiry)
                chosen.append((codes, rng.sample(capabilities, rng.randint(1, 2))))
                bare.append(
                    BareRecord(
                        reference=plan.reference or "",
                        title=title,
                        summary=summary,
                        kind=plan.kind,
                        status=plan.stage,
                        received_on=timezone.localdate(plan.submitted_at or plan.created_at),
                    )
                )
            Enquiry.objects.bulk_create(enquiries, batch_size=1000)
            links, needs = [], []
            for enquiry, (codes, sought) in zip(enquiries, chosen, strict=True):
                links += [area_link(enquiry_id=enquiry.pk, diseasearea_id=areas[code]) for code in codes]
                needs += [capability_link(enquiry_id=enquiry.pk, capability_id=pk) for pk in sought]
            area_link.objects.bulk_create(links, batch_size=BATCH)
            capability_link.objects.bulk_create(needs, batch_size=BATCH)
            routings = [
                routing
                for plan, enquiry in zip(batch, enquiries, strict=True)
                if plan.routed
                for routing in build_routings(plan, enquiry, rng, entities, central_users)
            ]
            Routing.objects.bulk_create(routings, batch_size=BATCH)
            BareRecord.objects.bulk_create(bare, batch_size=1000)
            counts["enquiries"] += len(enquiries)
            counts["disease areas"] += len(links)
            counts["capabilities"] += len(needs)
            counts["routings"] += len(routings)
            counts["bare rows"] += len(bare)
        with connection.cursor() as cursor:
            # bulk_create stamps auto_now fields with the load's time; the last activity is the last change
            cursor.execute(f"UPDATE {PORTAL_TABLE} SET updated_at = stage_changed_at")  # noqa: S608
    return counts


def build_enquiry(plan: Plan, rng: random.Random, company, member, central_users, title: str, summary: str):
    from partners.models import Enquiry

    clocks = plan.clocks
    last = max([plan.submitted_at or plan.created_at, *clocks.values()])
    is_open = plan.stage not in CLOSED_DURATION and plan.stage != "draft"
    funding = {}
    if plan.kind == "collaborative_call" and plan.submitted_at is not None:
        funding = {
            "funding_programme": rng.choice(["horizon_europe", "eu_cancer_mission", "anr", "bpifrance", "regional"]),
            "funding_call": f"Call {plan.submitted_at.year}-{rng.randint(1, 9)}",
            "funding_deadline": (plan.submitted_at + dt.timedelta(days=rng.randint(20, 150))).date(),
        }
    licence_subject = rng.choice(["patent", "data", "samples"]) if plan.kind == "licence" else ""
    # The stage is protected (only transitions assign it) but a new instance may be given its first value: the
    # bench loads closed enquiries in bulk instead of replaying their workflow, as no page listed here reads it.
    return Enquiry(
        reference=plan.reference,
        stage=plan.stage,
        company=company,
        submitted_by=member,
        kind=plan.kind,
        licence_subject=licence_subject,
        title=title,
        summary=summary,
        objectives="Confirm the activity, select a biomarker panel, and decide on a joint project.",
        budget_band=rng.choice(["lt50k", "50k_200k", "200k_500k", "500k_1m", "gt1m", "unknown"]),
        duration_months=rng.choice([None, 6, 12, 18, 24, 36]),
        scientific_project="A scientific project on the samples." if licence_subject == "samples" else "",
        nda_required=rng.random() < 0.4,
        language="fr" if rng.random() < 0.65 else "en",
        contact_name=f"{member.first_name} {member.last_name}",
        contact_email=member.email,
        signatory_name=f"{member.first_name} {member.last_name}",
        consent_at=plan.submitted_at,
        created_at=plan.created_at,
        stage_changed_at=last,
        submitted_at=plan.submitted_at,
        assigned_to=rng.choice(central_users) if central_users and rng.random() < (0.7 if is_open else 0.5) else None,
        **clocks,
        **funding,
    )


def build_routings(plan: Plan, enquiry, rng: random.Random, entities, central_users):
    from partners.models import Routing

    targets = rng.sample(entities, min(len(entities), rng.choices([1, 2, 3], weights=[14, 5, 1])[0]))
    routed_at = plan.clocks["routed_at"]
    answered_at = plan.clocks.get("answered_at") or routed_at + dt.timedelta(days=rng.uniform(2, 20))
    routings = []
    for index, entity in enumerate(targets):
        contacts = list(entity.scientific_contacts.all())
        answer = {"status": "pending"}
        if plan.stage in {"accepted", "contracting", "signed"}:
            answer = {"status": "accepted"} if index == 0 else {"status": "declined", "answer_reason": "No capacity."}
        elif plan.stage == "declined":
            answer = {"status": "declined", "answer_reason": "Outside our field."}
        if answer["status"] != "pending":
            answer.update(answered_at=answered_at, answered_by=contacts[0] if contacts else None)
        routings.append(
            Routing(
                enquiry=enquiry,
                entity=entity,
                routed_by=rng.choice(central_users) if central_users else None,
                routed_at=routed_at,
                reason=f"{entity.name} works on this disease area.",
                **answer,
            )
        )
    return routings


def prepare(args: argparse.Namespace, admin_url: str) -> None:
    """Create, migrate and load the database, or reuse a kept one that holds ``--rows`` rows."""
    import django

    reuse = args.keep_db and database_exists(admin_url, args.database)
    if not reuse:
        recreate_database(admin_url, args.database)
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.floor_app.models import BareRecord
    from partners.models import Enquiry

    t0 = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"Migrated, static files collected ({time.monotonic() - t0:.0f} s)")
    if reuse:
        bare, enquiries = BareRecord.objects.count(), Enquiry.objects.count()
        if bare == args.rows and enquiries >= args.rows:
            print(f"Reusing database {args.database}: {enquiries:,} enquiries, {bare:,} bare rows")
            analyse(connection)
            return
        print(f"Database {args.database} holds {bare:,} bare rows, not {args.rows:,}: recreating it")
        connection.close()
        recreate_database(admin_url, args.database)
        call_command("migrate", interactive=False, verbosity=0)
    t0 = time.monotonic()
    counts = load_enquiries(args.rows, args.seed)
    loaded = time.monotonic() - t0
    print(f"Loaded in {loaded:.0f} s: " + ", ".join(f"{value:,} {label}" for label, value in counts.items()))
    analyse(connection)


def analyse(connection) -> None:
    """VACUUM sets the visibility map (index-only scans) and ANALYZE the statistics, as autovacuum would have
    done on a database that grew over years; run now, it cannot start mid-measurement on one table only."""
    t0 = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"VACUUM (ANALYZE) in {time.monotonic() - t0:.0f} s")


# ----------------------------------------------------------------------------------------------------------
# Measuring


@dataclass
class Page:
    label: str
    url: str
    table: str
    seconds: list[float] = field(default_factory=list)
    queries: list[dict] = field(default_factory=list)
    rows_shown: int = 0

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

    def counts(self) -> list[dict]:
        return [q for q in self.queries if is_count(q["sql"], self.table)]

    def count_verdict(self) -> str:
        """How the page counted its rows: over the whole table, over the filtered rows, capped, or not at all."""
        counts = self.counts()
        if any(not is_capped(q["sql"]) and not is_filtered(q["sql"]) for q in counts):
            return "whole table"
        if any(not is_capped(q["sql"]) for q in counts):
            return "filtered rows"
        return "capped" if counts else "none"


@dataclass
class Case:
    label: str
    portal: Page
    bare: Page
    target: float

    @property
    def ratio(self) -> float:
        return self.bare.median / self.portal.median


def is_count(sql: str, table: str) -> bool:
    return re.search(r"\bCOUNT\(", sql, re.IGNORECASE) is not None and f'"{table}"' in sql


def is_capped(sql: str) -> bool:
    return re.search(r"\bLIMIT\b", sql, re.IGNORECASE) is not None


def is_filtered(sql: str) -> bool:
    return re.search(r"\bWHERE\b", sql, re.IGNORECASE) is not None


def get(client, page: Page) -> float:
    started = time.perf_counter()
    response = client.get(page.url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        location = response.get("Location", "")
        raise BenchError(f"GET {page.url} answered {response.status_code} {location}".rstrip())
    page.rows_shown = response.content.count(b'name="_selected_action"')  # one checkbox a listed row
    return elapsed


class QueryTimer:
    """An execute wrapper that times each query to the microsecond, in the order they run."""

    def __init__(self):
        self.durations: list[float] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.durations.append(time.perf_counter() - started)


def measure(cases: list[Case], rounds: int, warmup: int):
    """Times every page, alternating the order each round; returns the signed-in client."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from partners.roles import CENTRAL_TEAM

    user = get_user_model().objects.filter(groups__name=CENTRAL_TEAM, is_active=True, is_superuser=False).first()
    if user is None:
        raise BenchError(f"no active user in the group {CENTRAL_TEAM!r} (the demo data's 'central')")
    print(f"Signed in as {user.username!r} (group {CENTRAL_TEAM!r})")
    client = Client()
    client.force_login(user)
    pages = [page for case in cases for page in (case.portal, case.bare)]
    for _ in range(warmup):
        for page in pages:
            get(client, page)
    for page in pages:  # outside the timed rounds: capturing makes every query a little slower
        timer = QueryTimer()
        with connection.execute_wrapper(timer), CaptureQueriesContext(connection) as captured:
            get(client, page)
        # The captured SQL has its parameters inlined (EXPLAIN can run it); its time is rounded to the ms.
        page.queries = [
            {"sql": query["sql"], "seconds": seconds}
            for query, seconds in zip(captured.captured_queries, timer.durations, strict=True)
        ]
    for number in range(rounds):
        for case in cases:
            order = (case.bare, case.portal) if number % 2 == 0 else (case.portal, case.bare)
            for page in order:
                page.seconds.append(get(client, page))
    return client


# ----------------------------------------------------------------------------------------------------------
# Report


def one_line(sql: str, width: int = 150) -> str:
    sql = re.sub(r"\s+", " ", sql)
    sql = re.sub(r'SELECT (?:"[a-z_]+"\."[a-z_]+"(?: AS "?\w+"?)?, ){4,}', "SELECT <columns>, ", sql)
    return sql if len(sql) <= width else sql[: width - 3] + "..."


def report(cases: list[Case], args: argparse.Namespace, rows: dict[str, int]) -> None:
    ms = 1000
    print()
    print(
        f"Triage queue against a bare admin list: {rows['enquiries']:,} enquiries, {rows['bare']:,} bare rows; "
        f"{args.rounds} alternating rounds, medians (p90) in ms; load average {load()}"
    )
    head = (
        f"{'':16} {'portal':>15} {'bare':>15} {'rows':>7} {'queries':>7} {'SQL ms':>11} {'COUNT(*) over':>25}"
        f" {'bare/portal':>11} {'target':>11}"
    )
    print(head)
    print("-" * len(head))
    for case in cases:
        p, b = case.portal, case.bare
        verdict = "PASS" if case.ratio >= case.target else "MISS"
        print(
            f"{case.label:16} {p.median * ms:6.1f} ({p.p90 * ms:6.1f}) {b.median * ms:6.1f} ({b.p90 * ms:6.1f})"
            f" {p.rows_shown:3d}/{b.rows_shown:<3d} {len(p.queries):3d}/{len(b.queries):<3d}"
            f" {p.sql_seconds * ms:5.1f}/{b.sql_seconds * ms:<5.1f}"
            f" {p.count_verdict():>12}/{b.count_verdict():<12} {case.ratio:10.2f}x {case.target:5.1f}x {verdict}"
        )
    print()
    print("portal, bare: median (p90) wall time of a GET in this process: middleware, admin, SQL, template.")
    print("rows, queries, SQL ms (portal/bare): rows listed, and one capture after the warm-up.")
    print("COUNT(*) over: the whole table, the filtered rows, capped (a COUNT over a LIMITed subquery), or none.")
    for case in cases:
        whole = case.portal.count_verdict() == "whole table"
        met = "MET" if case.ratio >= case.target else "NOT MET"
        print(
            f'Target "{case.label} >= {case.target}x a bare admin list": {met}'
            f" ({case.ratio:.2f}x); no COUNT(*) over the whole table: {'NOT MET' if whole else 'MET'}"
            f" (portal counted: {case.portal.count_verdict()})."
        )


def print_queries(page: Page) -> None:
    ms = 1000
    slowest = sorted(range(len(page.queries)), key=lambda i: page.queries[i]["seconds"], reverse=True)[:3]
    print()
    print(f"Queries of {page.label} ({page.url}): {len(page.queries)}, {page.sql_seconds * ms:.1f} ms of SQL")
    for index, query in enumerate(page.queries):
        mark = "*" if index in slowest else " "
        count = " COUNT" if is_count(query["sql"], page.table) else ""
        print(f"{mark}{index + 1:3d} {query['seconds'] * ms:8.2f} ms{count:6} {one_line(query['sql'])}")


def profile(client, pages: list[Page], requests: int, limit: int = 25) -> None:
    """Where the Python time of a page goes: cProfile over a few requests, hottest functions first."""
    import cProfile
    import io
    import pstats

    for page in pages:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            get(client, page)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(limit)
        stats.sort_stats("cumulative").print_stats(r"partners|agreements|admin_|templatetags", limit)
        print()
        print(f"Profile of {page.label}, {requests} requests (own time, then cumulative time of portal code):")
        for line in out.getvalue().splitlines():
            if line.strip() and not line.startswith(("   Ordered by", "   List reduced")):
                print(f"  {line}")


def explain_slowest(page: Page) -> None:
    from django.db import connection

    if not page.queries:
        return
    query = max(page.queries, key=lambda q: q["seconds"])
    print()
    print(f"EXPLAIN (ANALYZE, BUFFERS) of the slowest query of {page.label} ({query['seconds'] * 1000:.1f} ms):")
    print(f"  {one_line(query['sql'], 2000)}")
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
        for (line,) in cursor.fetchall():
            print(f"  {line}")


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# ----------------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="enquiries, and bare rows (default 100000)")
    parser.add_argument("--rounds", type=int, default=30, help="timed rounds, each page once a round (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured requests per page first (default 3)")
    parser.add_argument("--search", default="menin", help="the word searched on both lists (default menin)")
    parser.add_argument(
        "--portal-filter",
        default="stage=submitted",
        help="the triage queue's filter, as URL parameters (default stage=submitted)",
    )
    parser.add_argument(
        "--bare-filter",
        default="status__exact=submitted",
        help="the bare list's filter, as URL parameters (default status__exact=submitted)",
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="then profile N requests of each triage page (cProfile)"
    )
    parser.add_argument("--seed", type=int, default=4, help="random seed of the generated data (default 4)")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default="opale_bench_triage", help="created, then dropped")
    parser.add_argument(
        "--keep-db",
        action="store_true",
        help="keep the database afterwards, and reuse it if it already holds --rows rows (migrations still run)",
    )
    args = parser.parse_args(argv)
    if args.rows < 100 or args.rounds < 1:
        parser.error("--rows must be at least 100 and --rounds at least 1")
    return args


def configure_environment(args: argparse.Namespace, static_root: Path) -> None:
    """Production settings (DEBUG off: cached templates, no query log), the one host the test client uses."""
    for key in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "DJANGO_SETTINGS_MODULE"):
        os.environ.pop(key, None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",  # the test client speaks plain HTTP; no TLS proxy in front
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": f"{args.postgres.rstrip('/')}/{args.database}",
            "CONN_MAX_AGE": "3600",  # one connection for the whole run, as a busy production worker keeps one
            "CACHE_URL": "locmemcache://opale-bench-triage",
            "EMAIL_URL": "dummymail://",  # the demo data's workflow queues e-mails; they go nowhere
            "BENCH_STATIC_ROOT": str(static_root),
            "LOG_LEVEL": "WARNING",
        }
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    admin_url = f"{args.postgres.rstrip('/')}/postgres"
    static_root = Path(tempfile.mkdtemp(prefix="opale-bench-triage-"))
    configure_environment(args, static_root)
    query = urlencode({"q": args.search})
    cases = [
        Case(
            "default page",
            Page("the triage queue's default page", PORTAL_URL, PORTAL_TABLE),
            Page("the bare list's default page", BARE_URL, BARE_TABLE),
            DEFAULT_TARGET,
        ),
        Case(
            "filter + search",
            Page(
                f"the triage queue, {args.portal_filter} + {args.search!r}",
                f"{PORTAL_URL}?{args.portal_filter}&{query}",
                PORTAL_TABLE,
            ),
            Page(
                f"the bare list, {args.bare_filter} + {args.search!r}",
                f"{BARE_URL}?{args.bare_filter}&{query}",
                BARE_TABLE,
            ),
            FILTERED_TARGET,
        ),
    ]
    exit_code = 0
    t0 = time.monotonic()
    try:
        print(f"Database {args.database}, {args.rows:,} rows; load average {load()}")
        prepare(args, admin_url)
        from bench.floor_app.models import BareRecord
        from partners.models import Enquiry

        rows = {"enquiries": Enquiry.objects.count(), "bare": BareRecord.objects.count()}
        print(f"Ready ({time.monotonic() - t0:.0f} s); measuring {args.rounds} rounds")
        client = measure(cases, args.rounds, args.warmup)
        report(cases, args, rows)
        for case in cases:
            print_queries(case.portal)
        for case in cases:
            print_queries(case.bare)
        for case in cases:
            explain_slowest(case.portal)
        if args.profile:
            profile(client, [case.portal for case in cases], args.profile)
    except BenchError as error:
        print(f"Benchmark failed: {error}", file=sys.stderr)
        exit_code = 2
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        shutil.rmtree(static_root, ignore_errors=True)
        if args.keep_db:
            print(f"Kept database {args.database}.")
        else:
            drop_database(admin_url, args.database)
            print(f"Database {args.database} dropped.")
        print(f"Done in {time.monotonic() - t0:.0f} s.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
