"""The KPI dashboard (issue 7, "Dashboard"): its numbers on a small known dataset, what each reader may see on the
page and in the exports, a bounded number of queries, and the exports' formats."""

from __future__ import annotations

import csv
import datetime as dt
import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agreements.choices import ContractStage as C
from partners import workflow as enquiries
from partners.choices import EnquiryStage as S
from partners.choices import Party
from partners.roles import ENTITY_CONTACT, LEGAL_STAFF
from partners.workdays import working_days_between
from quality import clocks
from quality.dashboard import CLOCKS, Filters, figures
from quality.models import (
    ContractClock,
    EnquiryClock,
    StageSpell,
    SurveyAnswer,
    SurveyEvent,
    SurveyInvitation,
    token_digest,
)
from quality.tables import tables

from ..factories import (
    CompanyFactory,
    EnquiryFactory,
    EntityFactory,
    GovernanceFactory,
    GoverningBodyFactory,
    UserFactory,
    contract,
    contracting_enquiry,
    nda,
    routed_enquiry,
    submitted_enquiry,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
H1 = Filters(start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30))
DASHBOARD = reverse("quality:dashboard")
EVIL = '=HYPERLINK("http://evil.example/","Click me")'


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def paris(text: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{text}T{time}").replace(tzinfo=PARIS)


def quarter(text: str) -> dt.date:
    return clocks.quarter_of(day(text))


@pytest.fixture
def body_b(db):
    return GoverningBodyFactory(name="Institut national de la santé", short_name="Inserm")


@pytest.fixture
def entity_y(body_b):
    """An entity governed by body B only: nothing of it is for body A's legal staff."""
    return EntityFactory(name="Centre de recherche de Lyon", code="U1052", lead_body=body_b)


@pytest.fixture
def entity_z(body_b, governing_body):
    """Led by body B, with body A among its co-owners: body A's legal staff read it."""
    entity = EntityFactory(name="Laboratoire Z", code="U777", lead_body=body_b)
    GovernanceFactory(entity=entity, body=governing_body)
    return entity


@pytest.fixture
def y_contact(entity_y):
    user = UserFactory(username="yann.entity", is_staff=True, groups=[ENTITY_CONTACT])
    entity_y.scientific_contacts.add(user)
    return user


@pytest.fixture
def b_legal(body_b):
    user = UserFactory(username="berenice.legal", is_staff=True, groups=[LEGAL_STAFF])
    body_b.legal_staff.add(user)
    return user


@pytest.fixture
def staff_without_role(db):
    return UserFactory(username="sam.staff", is_staff=True)


# ---- a small known dataset, clocks written directly ---------------------------------------------------------------
# name, entity ("x", "y" or None), submitted on, furthest step, first response, routing, entity's answer, NDA,
# signed, (company, central team, entity, governing bodies) days
ENQUIRIES = [
    ("E1", "x", "2026-01-10", 6, 1, 2, 3, 10, 30, (5, 4, 3, 18)),
    ("E2", "x", "2026-02-15", 5, 3, 4, 5, 20, None, (2, 6, 5, 7)),
    ("E3", "x", "2026-04-20", 4, 0, 1, 2, None, None, (0, 1, 2, 0)),
    ("E4", "y", "2026-03-01", 3, 5, 8, None, None, None, (0, 3, 4, 0)),
    ("E5", None, "2026-05-05", 2, 2, None, None, None, None, (1, 2, 0, 0)),
    ("E6", None, "2026-06-30", 1, None, None, None, None, None, (0, 0, 0, 0)),
    ("E7", "x", "2025-12-31", 6, 100, 100, 100, 100, 100, (50, 50, 50, 50)),  # before the period
]
STAGES = {1: S.SUBMITTED, 2: S.IN_TRIAGE, 3: S.ROUTED, 4: S.ACCEPTED, 5: S.CONTRACTING, 6: S.SIGNED}
# name, entity, kind, amendment, asked for on, days to in force, company days, bodies' days
CONTRACTS = [
    ("C1", "x", "nda", False, "2026-01-12", 10, 3, 7),
    ("C2", "x", "nda", False, "2026-02-02", 20, 5, 15),
    ("C3", "y", "nda", False, "2026-03-03", None, 1, 2),
    ("C4", "x", "research_collaboration", False, "2026-04-01", 40, 10, 30),
    ("C5", "x", "nda", True, "2026-05-01", None, 0, 0),  # an amendment: not among the contracts by kind
    ("C6", "x", "nda", False, "2025-11-01", 99, 50, 49),  # before the period
]
# contract, stage, ball, entered, left (None: still there), working days
SPELLS = [
    ("C1", C.DRAFTING, Party.GOVERNING_BODY, "2026-01-13", "2026-01-16", 3),
    ("C2", C.DRAFTING, Party.GOVERNING_BODY, "2026-02-03", "2026-02-10", 5),
    ("C1", C.SENT_FOR_REVIEW, Party.COMPANY, "2026-01-16", "2026-01-22", 4),
    ("C4", C.IN_SIGNATURE, Party.COMPANY, "2026-04-10", "2026-04-14", 2),
    ("C4", C.IN_SIGNATURE, Party.GOVERNING_BODY, "2026-04-14", "2026-04-27", 9),
    ("C3", C.DRAFTING, Party.GOVERNING_BODY, "2026-03-05", None, None),
    ("C5", C.REQUESTED, Party.GOVERNING_BODY, "2026-05-01", None, None),
    ("C6", C.DRAFTING, Party.GOVERNING_BODY, "2025-11-03", "2025-11-20", 13),  # before the period
]
# enquiry, recommendation, responsiveness, answered at (Paris)
ANSWERS = [
    ("E1", 10, 5, paris("2026-02-01")),
    ("E1", 9, 4, paris("2026-02-02")),
    ("E4", 6, 3, paris("2026-03-10")),
    ("E5", 8, 4, paris("2026-03-31", "23:30")),  # still the first quarter in Paris
    ("E1", 3, 1, paris("2026-04-01", "00:30")),  # the second quarter in Paris, still the first in UTC
    ("E2", 10, 5, paris("2026-05-10")),
    ("E7", 0, 1, paris("2025-12-20")),  # before the period
]


@pytest.fixture
def known(central_user, entity, governing_body, entity_y, body_b):
    """The dataset above: enquiries and contracts made through the workflows (a contract needs them), their clocks,
    spells and survey answers written as the clocks would have stored them."""
    entities = {"x": entity, "y": entity_y, None: None}
    bodies = {"x": governing_body, "y": body_b, None: None}
    made = {}
    for name, key, submitted, furthest, first, routing, answer, nda_days, signed, balls in ENQUIRIES:
        enquiry = EnquiryFactory(company=CompanyFactory(legal_name=f"Company {name}"))
        made[name] = enquiry
        EnquiryClock.objects.create(
            enquiry=enquiry,
            submitted_on=day(submitted),
            quarter=quarter(submitted),
            stage=STAGES[furthest],
            furthest=furthest,
            entity=entities[key],
            body=bodies[key],
            first_response_days=first,
            routing_days=routing,
            entity_answer_days=answer,
            nda_days=nda_days,
            signed_days=signed,
            **dict(
                zip(["company_days", "central_team_days", "entity_days", "governing_body_days"], balls, strict=True)
            ),
        )
    for name, key, kind, amendment, asked, in_force, company_days, body_days in CONTRACTS:
        if kind == "nda":
            on = routed_enquiry(entities=[entities[key]], actor=central_user)
            agreement = nda(enquiry=on, entity=entities[key], actor=central_user)
        else:
            on = contracting_enquiry(entity=entities[key], actor=central_user)
            agreement = contract(enquiry=on, entity=entities[key], actor=central_user, kind=kind)
        made[name] = agreement
        ContractClock.objects.create(
            agreement=agreement,
            enquiry=on,
            kind=kind,
            is_amendment=amendment,
            stage=C.IN_FORCE if in_force else C.DRAFTING,
            entity=entities[key],
            body=bodies[key],
            requested_on=day(asked),
            quarter=quarter(asked),
            in_force_days=in_force,
            company_days=company_days,
            governing_body_days=body_days,
        )
    for name, stage, ball, entered, left, days in SPELLS:
        agreement = made[name]
        StageSpell.objects.create(
            enquiry=agreement.enquiry,
            agreement=agreement,
            entity=agreement.entity,
            stage=stage,
            ball=ball,
            entered_at=paris(entered),
            left_at=paris(left) if left else None,
            working_days=days,
        )
    # an enquiry's own spell is not a contract waiting
    StageSpell.objects.create(
        enquiry=made["E1"],
        entity=entity,
        stage=S.SUBMITTED,
        ball=Party.CENTRAL_TEAM,
        entered_at=paris("2026-01-10"),
        left_at=paris("2026-03-12"),
        working_days=44,
    )
    for n, (name, recommendation, responsiveness, answered) in enumerate(ANSWERS):
        invitation = SurveyInvitation.objects.create(
            enquiry=made[name],
            event=SurveyEvent.ENQUIRY_CLOSED,
            email=f"contact{n}@example.com",
            language="en",
            token_sha256=token_digest(f"token-{n}"),
            answered_at=answered,
        )
        SurveyAnswer.objects.create(
            invitation=invitation,
            recommendation=recommendation,
            responsiveness=responsiveness,
            clarity=4,
            expertise_fit=3,
            answered_at=answered,
        )
    # overdue: sent in June, nobody answered
    late = submitted_enquiry(company=CompanyFactory(legal_name="Late Company"), submitted__at=paris("2026-06-01"))
    return SimpleNamespace(made=made, x=entity, y=entity_y, a=governing_body, b=body_b, late=late)


def clock_columns(row: dict, name: str) -> tuple:
    return (row[f"{name}_p50"], row[f"{name}_p90"])


def approx(*values):
    return tuple(None if v is None else pytest.approx(v) for v in values)


def test_the_funnel_counts_the_enquiries_at_or_beyond_each_step(known, central_user):
    figs = figures(central_user, H1)

    assert [count for _label, count in figs.funnel] == [6, 5, 4, 3, 2, 1]
    assert [label for label, _count in figs.funnel] == [
        "Submitted",
        "First response",
        "Routed to an entity",
        "Accepted by an entity",
        "Contracting",
        "Partnership signed",
    ]
    assert tables(figs)["funnel"].rows[1] == ["First response", 5, 83]


def test_medians_and_90th_percentiles_overall_and_by_quarter(known, central_user):
    figs = figures(central_user, H1)

    overall = figs.overall
    assert overall["count"] == 6  # E7 is before the period
    assert clock_columns(overall, "first_response_days") == approx(2, 4.2)  # 0 1 2 3 5, E6 not answered yet
    assert clock_columns(overall, "routing_days") == approx(3, 6.8)
    assert clock_columns(overall, "entity_answer_days") == approx(3, 4.6)
    assert clock_columns(overall, "nda_days") == approx(15, 19)
    assert clock_columns(overall, "signed_days") == approx(30, 30)

    q1, q2 = figs.by_quarter
    assert (q1["quarter"], q1["count"], q2["quarter"], q2["count"]) == (dt.date(2026, 1, 1), 3, dt.date(2026, 4, 1), 3)
    assert clock_columns(q1, "first_response_days") == approx(3, 4.6)
    assert clock_columns(q2, "first_response_days") == approx(1, 1.8)
    assert clock_columns(q2, "signed_days") == (None, None)
    assert (q1["company_avg"], q1["central_team_avg"], q1["entity_avg"], q1["governing_body_avg"]) == approx(
        7 / 3, 13 / 3, 4, 25 / 3
    )
    table = tables(figs)
    assert table["by_quarter"].rows[0][:4] == ["2026 Q1", 3, 3.0, 4.6]
    assert table["ball"].rows[0] == ["2026 Q1", 2.3, 4.3, 4.0, 8.3]


def test_clocks_by_entity_and_by_governing_body(known, central_user):
    figs = figures(central_user, H1)

    assert [(row["entity__name"], row["count"]) for row in figs.by_entity] == [
        ("Centre de recherche de Lyon", 1),
        ("Institut de recherche Saint-Louis", 3),
    ]
    lyon, saint_louis = figs.by_entity
    assert clock_columns(saint_louis, "entity_answer_days") == approx(3, 4.6)
    assert clock_columns(saint_louis, "first_response_days") == approx(1, 2.6)
    assert clock_columns(lyon, "first_response_days") == approx(5, 5)
    assert clock_columns(lyon, "entity_answer_days") == (None, None)

    assert [(row["body__short_name"], row["count"]) for row in figs.by_body] == [("Inserm", 1), ("UPCité", 3)]
    assert clock_columns(figs.by_body[1], "signed_days") == approx(30, 30)


def test_contracts_by_kind_slowest_first_amendments_aside(known, central_user):
    rows = figures(central_user, H1).contracts_by_kind

    assert [(row["kind"], row["count"], row["in_force"]) for row in rows] == [
        ("research_collaboration", 1, 1),
        ("nda", 3, 2),  # C3 not yet in force; C5 is an amendment, C6 before the period
    ]
    collaboration, ndas = rows
    assert (ndas["in_force_days_p50"], ndas["in_force_days_p90"]) == approx(15, 19)
    # who held the ball, on average, for the contracts that came into force
    assert (ndas["company_avg"], ndas["governing_body_avg"]) == approx(4, 11)
    assert (collaboration["label"], collaboration["in_force_days_p50"]) == ("Research collaboration agreement", 40)


def test_where_contracts_wait_longest_in_total_first(known, central_user):
    figs = figures(central_user, H1)

    assert [(row["stage"], row["ball"], row["count"], row["total"]) for row in figs.waits] == [
        (C.IN_SIGNATURE, Party.GOVERNING_BODY, 1, 9),
        (C.DRAFTING, Party.GOVERNING_BODY, 2, 8),
        (C.SENT_FOR_REVIEW, Party.COMPANY, 1, 4),
        (C.IN_SIGNATURE, Party.COMPANY, 1, 2),
    ]
    assert (figs.waits[1]["days_p50"], figs.waits[1]["days_p90"]) == approx(4, 4.8)
    assert (figs.waits[0]["stage_label"], str(figs.waits[0]["ball_label"])) == ("In signature", "The governing bodies")
    # the contracts still waiting, the longest waiting first, whatever the period
    waiting = figs.waiting_now
    assert [row["agreement"] for row in waiting] == [known.made["C3"], known.made["C5"]]
    assert waiting[0]["days"] == working_days_between(day("2026-03-05"), timezone.localdate())
    assert waiting[0]["entity"] == known.y


def test_satisfaction_by_quarter_of_answer_in_paris(known, central_user):
    q1, q2 = figures(central_user, H1).satisfaction

    assert (q1["quarter"], q1["count"], q2["quarter"], q2["count"]) == (dt.date(2026, 1, 1), 4, dt.date(2026, 4, 1), 2)
    assert (q1["avg_recommendation"], q1["promoters"], q1["detractors"], q1["nps"]) == (pytest.approx(8.25), 2, 1, 25)
    assert (q2["avg_recommendation"], q2["nps"]) == (pytest.approx(6.5), 0)
    assert (q1["avg_responsiveness"], q1["avg_clarity"], q1["avg_expertise_fit"]) == approx(4, 4, 3)
    assert tables(figures(central_user, H1))["satisfaction"].rows[0] == ["2026 Q1", 4, 8.2, 25, 4.0, 4.0, 3.0]


def test_the_period_cuts_every_table(known, central_user):
    figs = figures(central_user, Filters(start=dt.date(2026, 4, 1), end=dt.date(2026, 6, 30)))

    assert [count for _label, count in figs.funnel] == [3, 2, 1, 1, 0, 0]
    assert [row["quarter"] for row in figs.by_quarter] == [dt.date(2026, 4, 1)]
    assert [row["kind"] for row in figs.contracts_by_kind] == ["research_collaboration"]
    assert [row["total"] for row in figs.waits] == [9, 2]
    assert [row["count"] for row in figs.satisfaction] == [2]
    # both ends are included
    assert figures(central_user, Filters(start=day("2026-06-30"), end=day("2026-06-30"))).overall["count"] == 1
    assert figures(central_user, Filters(start=day("2026-04-21"), end=day("2026-06-29"))).overall["count"] == 1
    earlier = figures(central_user, Filters(start=day("2025-10-01"), end=day("2025-12-31")))
    assert earlier.overall["count"] == 1 and earlier.satisfaction[0]["nps"] == -100
    assert [row["total"] for row in earlier.waits] == [13]


def test_the_entity_filter_cuts_every_table(known, central_user):
    figs = figures(central_user, Filters(start=H1.start, end=H1.end, entity=known.y))

    assert [count for _label, count in figs.funnel] == [1, 1, 1, 0, 0, 0]
    assert [row["entity__name"] for row in figs.by_entity] == ["Centre de recherche de Lyon"]
    assert [row["body__short_name"] for row in figs.by_body] == ["Inserm"]
    assert [(row["kind"], row["count"], row["in_force"]) for row in figs.contracts_by_kind] == [("nda", 1, 0)]
    assert figs.waits == []
    assert [row["agreement"] for row in figs.waiting_now] == [known.made["C3"]]
    assert [(row["count"], row["nps"]) for row in figs.satisfaction] == [(1, -100)]
    assert figs.overdue_count == 0  # the late enquiry was routed nowhere


def test_the_overdue_list_is_the_central_team_s_queue(known, central_user):
    figs = figures(central_user, H1)

    assert (figs.overdue, figs.overdue_count) == ([known.late], 1)


def test_legal_staff_read_the_figures_of_their_bodies_entities_only(known, legal_officer):
    figs = figures(legal_officer, H1)

    assert [count for _label, count in figs.funnel] == [3, 3, 3, 3, 2, 1]  # no E4 (Y), nor E5, E6 (no entity)
    assert [row["entity__name"] for row in figs.by_entity] == ["Institut de recherche Saint-Louis"]
    assert [row["body__short_name"] for row in figs.by_body] == ["UPCité"]
    assert [(row["kind"], row["count"]) for row in figs.contracts_by_kind] == [
        ("research_collaboration", 1),
        ("nda", 2),
    ]
    assert [row["agreement"] for row in figs.waiting_now] == [known.made["C5"]]
    assert [(row["count"], row["avg_recommendation"], row["nps"]) for row in figs.satisfaction] == [
        (2, pytest.approx(9.5), 100),
        (2, pytest.approx(6.5), 0),
    ]
    assert figs.overdue_count == 0


def test_an_entity_s_contact_reads_its_entity_s_figures_only(known, y_contact):
    figs = figures(y_contact, H1)

    assert [count for _label, count in figs.funnel] == [1, 1, 1, 0, 0, 0]
    assert [row["entity__name"] for row in figs.by_entity] == ["Centre de recherche de Lyon"]
    assert [row["agreement"] for row in figs.waiting_now] == [known.made["C3"]]
    assert [row["count"] for row in figs.satisfaction] == [1]


def test_nothing_in_the_period_gives_empty_tables_not_errors(known, central_user, client):
    figs = figures(central_user, Filters(start=day("2020-01-01"), end=day("2020-12-31")))

    assert [count for _label, count in figs.funnel] == [0] * 6
    assert figs.overall["count"] == 0 and figs.overall["first_response_days_p50"] is None
    assert figs.by_quarter == figs.by_entity == figs.contracts_by_kind == figs.waits == figs.satisfaction == []
    client.force_login(central_user)
    page = client.get(DASHBOARD, {"start": "2020-01-01", "end": "2020-12-31"})
    assert page.status_code == 200
    assert "No data for this period." in page.content.decode()


def test_the_page_shows_the_figures_of_the_chosen_period(known, central_user, client):
    client.force_login(central_user)

    page = client.get(DASHBOARD, {"start": "2026-01-01", "end": "2026-06-30"})

    assert page.status_code == 200
    assert page.context["filters"] == H1
    html = page.content.decode()
    assert "<svg" in html
    assert '<th scope="row">2026 Q1</th><td class="kpi-num">3</td><td class="kpi-num">3.0</td>' in html
    assert "Late Company" in html  # the overdue list
    assert known.made["C3"].reference in html  # waiting longest


# ---- who sees what ------------------------------------------------------------------------------------------------
@pytest.fixture
def scoped(central_user, company_member, entity, entity_y, entity_z, legal_officer):
    """Real enquiries and contracts, made now through the workflows, one per entity; their clocks computed."""
    made = {}
    for key, where, company_name in (
        ("x", entity, EVIL),
        ("y", entity_y, "Lyon Biotech SA"),
        ("z", entity_z, "Zeta Pharma SAS"),
    ):
        enquiry = routed_enquiry(entities=[where], actor=central_user, company=CompanyFactory(legal_name=company_name))
        enquiries.enquiry_answer_routing(routing=enquiry.routings.get(), actor=central_user, accept=True)
        made[key] = SimpleNamespace(
            enquiry=enquiry, contract=nda(enquiry=enquiry, entity=where, actor=central_user), entity=where
        )
    clocks.refresh([m.enquiry.pk for m in made.values()])
    return made


def user_named(request, name):
    return request.getfixturevalue(name)


def download(client, what: str, fmt: str, params=None):
    response = client.get(reverse("quality:export", args=[what, fmt]), params or {})
    assert response.status_code == 200, response.status_code
    return response, b"".join(response.streaming_content)


def csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_sheets(body: bytes) -> dict[str, list[list]]:
    workbook = load_workbook(io.BytesIO(body))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}


def exported_rows(client, what: str, fmt: str, params=None) -> list[dict]:
    _response, body = download(client, what, fmt, params)
    if fmt == "csv":
        headers, *rows = csv_rows(body)
    else:
        ((headers, *rows),) = xlsx_sheets(body).values()
    return [dict(zip(headers, row, strict=True)) for row in rows]


READERS = {
    # fixture: the entities whose rows it reads
    "central_user": {"x", "y", "z"},
    "legal_officer": {"x", "z"},  # body A leads X and co-owns Z; Y is body B's alone
    "entity_contact": {"x"},
    "b_legal": {"y", "z"},
    "y_contact": {"y"},
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("what", ["enquiries", "contracts"])
@pytest.mark.parametrize("reader", sorted(READERS))
def test_each_reader_exports_the_rows_of_their_scope_only(request, scoped, client, reader, what, fmt):
    client.force_login(user_named(request, reader))

    rows = exported_rows(client, what, fmt)

    entity_column = "Entity"
    assert {row[entity_column] for row in rows} == {scoped[key].entity.name for key in READERS[reader]}
    reference_column = "Reference" if what == "enquiries" else "Contract"
    expected = {
        scoped[key].enquiry.reference if what == "enquiries" else scoped[key].contract.reference
        for key in READERS[reader]
    }
    assert {row[reference_column] for row in rows} == expected


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_legal_staff_never_read_another_body_s_entity_in_the_figures(scoped, client, legal_officer, fmt):
    client.force_login(legal_officer)

    _response, body = download(client, "figures", fmt)

    text = body.decode("utf-8-sig") if fmt == "csv" else repr(xlsx_sheets(body))
    assert "Institut de recherche Saint-Louis" in text and "Laboratoire Z" in text
    assert "Centre de recherche de Lyon" not in text


@pytest.mark.parametrize("what", ["enquiries", "contracts", "figures"])
def test_an_entity_outside_the_reader_s_scope_is_refused(scoped, client, legal_officer, entity_y, what):
    client.force_login(legal_officer)
    params = {"start": "2020-01-01", "end": "2030-12-31", "entity": entity_y.pk}

    page = client.get(DASHBOARD, params)
    assert page.status_code == 200
    assert "entity" in page.context["form"].errors
    assert page.context["filters"].entity is None
    assert "Select a valid choice" in page.content.decode()
    assert "Centre de recherche de Lyon" not in page.content.decode()  # not even offered in the list

    for fmt in ("csv", "xlsx"):
        # no file: back to the page, which says what is wrong with the filter
        response = client.get(reverse("quality:export", args=[what, fmt]), params)
        assert response.status_code == 302
        assert response["Location"].startswith(DASHBOARD + "?")
        assert f"entity={entity_y.pk}" in response["Location"]


def test_an_entity_in_scope_narrows_the_export(scoped, client, legal_officer, entity_z):
    client.force_login(legal_officer)

    rows = exported_rows(
        client, "enquiries", "csv", {"start": "2020-01-01", "end": "2030-12-31", "entity": entity_z.pk}
    )

    assert [row["Reference"] for row in rows] == [scoped["z"].enquiry.reference]


@pytest.mark.parametrize(
    ("reader", "status"),
    [
        ("central_user", 200),
        ("legal_officer", 200),
        ("entity_contact", 200),
        ("staff_without_role", 403),
    ],
)
def test_who_may_open_the_dashboard_and_its_exports(request, client, reader, status, entity):
    client.force_login(user_named(request, reader))

    assert client.get(DASHBOARD).status_code == status
    for what in ("figures", "enquiries", "contracts"):
        for fmt in ("csv", "xlsx"):
            assert client.get(reverse("quality:export", args=[what, fmt])).status_code == status


@pytest.mark.parametrize("reader", ["anonymous", "company_member"])
def test_companies_and_strangers_are_sent_to_the_staff_sign_in(request, client, reader):
    if reader != "anonymous":
        client.force_login(user_named(request, reader))

    urls = [DASHBOARD] + [
        reverse("quality:export", args=[what, fmt])
        for what in ("figures", "enquiries", "contracts")
        for fmt in ("csv", "xlsx")
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
        assert "next=" in response.url


@pytest.mark.parametrize(
    ("reader", "shown"),
    [("central_user", True), ("legal_officer", True), ("entity_contact", True), ("staff_without_role", False)],
)
def test_the_admin_header_offers_the_dashboard_to_those_who_may_see_it(request, client, reader, shown):
    client.force_login(user_named(request, reader))

    page = client.get(reverse("admin:index"))

    assert page.status_code == 200
    html = page.content.decode()
    assert ("Quality dashboard" in html) is shown
    assert (f'href="{DASHBOARD}"' in html) is shown


def test_a_superuser_is_the_central_team(client, db):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(DASHBOARD).status_code == 200
    assert "Quality dashboard" in client.get(reverse("admin:index")).content.decode()


def test_a_deactivated_central_team_member_may_not(client, central_user):
    central_user.is_active = False
    central_user.save()
    client.force_login(central_user)
    assert client.get(DASHBOARD).status_code != 200


def test_the_form_refuses_a_period_that_ends_before_it_starts(client, central_user):
    client.force_login(central_user)

    page = client.get(DASHBOARD, {"start": "2026-06-30", "end": "2026-01-01"})

    assert page.status_code == 200
    assert "The period must start before it ends." in page.content.decode()
    assert page.context["filters"] == Filters.default()


# ---- a bounded number of queries ----------------------------------------------------------------------------------
def build(count: int, central_user, entity) -> None:
    """``count`` enquiries sent in the spring and never answered (all overdue), every third one routed with an NDA
    under way, each with a survey answer; clocks computed."""
    ids = []
    for n in range(count):
        at = paris("2026-04-01") + dt.timedelta(days=n)
        enquiry = submitted_enquiry(company=CompanyFactory(legal_name=f"Firm {count}-{n}"), submitted__at=at)
        if n % 3 == 0:
            enquiries.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity], at=at)
            nda(enquiry=enquiry, entity=entity, actor=central_user, at=at)
        invitation = SurveyInvitation.objects.create(
            enquiry=enquiry,
            event=SurveyEvent.ENQUIRY_CLOSED,
            email=f"c{count}-{n}@example.com",
            language="fr",
            token_sha256=token_digest(f"{count}-{n}"),
        )
        SurveyAnswer.objects.create(
            invitation=invitation, recommendation=n % 11, responsiveness=3, clarity=3, expertise_fit=3, answered_at=at
        )
        ids.append(enquiry.pk)
    clocks.refresh(ids)


PERIOD = {"start": "2026-01-01", "end": "2026-12-31"}


def queries_for(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("reader", ["central_user", "legal_officer"])
def test_the_page_asks_the_same_number_of_queries_for_3_or_30_enquiries(
    request, client, central_user, entity, reader, django_assert_max_num_queries
):
    client.force_login(user_named(request, reader))
    build(3, central_user, entity)
    with django_assert_max_num_queries(25):
        few = queries_for(client, DASHBOARD, PERIOD)

    build(30, central_user, entity)
    with django_assert_max_num_queries(25):
        many = queries_for(client, DASHBOARD, PERIOD)

    assert many == few, (few, many)
    assert StageSpell.objects.filter(agreement__isnull=False, left_at=None).count() == 11  # 1 + 10 NDAs waiting


@pytest.mark.parametrize("what", ["figures", "enquiries", "contracts"])
def test_the_exports_ask_a_bounded_number_of_queries(client, central_user, entity, what):
    client.force_login(central_user)
    build(3, central_user, entity)
    few = queries_for(client, reverse("quality:export", args=[what, "csv"]), PERIOD)
    build(30, central_user, entity)
    many = queries_for(client, reverse("quality:export", args=[what, "csv"]), PERIOD)
    assert many == few <= 25


# ---- the files ---------------------------------------------------------------------------------------------------
def test_the_enquiries_csv_is_excel_s_utf8_with_headers_and_no_formula(scoped, client, central_user):
    client.force_login(central_user)

    response, body = download(client, "enquiries", "csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="opale-enquiries-')
    assert response["Content-Disposition"].endswith('.csv"')
    headers, *rows = csv_rows(body)
    assert headers[:6] == ["Reference", "Company", "Submitted", "Stage", "Entity", "Governing body"]
    assert [str(label) for _name, label in CLOCKS] == headers[6:11]
    assert "Working days with: The company" in headers
    companies = [row[1] for row in rows]
    assert "'" + EVIL in companies  # text, never a formula
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    evil = next(row for row in rows if row[1] == "'" + EVIL)
    assert evil[2] == timezone.localdate().isoformat()
    assert evil[3] == "Accepted by an entity"


def test_the_contracts_csv_names_each_contract_as_on_its_pdf(scoped, client, central_user):
    client.force_login(central_user)

    rows = exported_rows(client, "contracts", "csv")

    x = next(row for row in rows if row["Entity"] == "Institut de recherche Saint-Louis")
    assert x["Contract"] == scoped["x"].contract.reference
    assert (x["Kind"], x["Amendment"], x["Stage"], x["Governing body"]) == (
        "Non-disclosure agreement (NDA)",
        "no",
        "Requested",
        "UPCité",
    )
    assert x["To in force"] == ""  # not in force yet: empty, not "None"


def test_the_enquiries_xlsx_keeps_a_formula_looking_name_as_text(scoped, client, central_user):
    client.force_login(central_user)

    response, body = download(client, "enquiries", "xlsx")

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(body))
    (sheet,) = workbook.worksheets
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert "'" + EVIL in cells and cells["'" + EVIL].data_type == "s"
    assert not any(cell.data_type == "f" for cell in cells.values())
    headers = [cell.value for cell in next(sheet.iter_rows())]
    assert headers[:2] == ["Reference", "Company"]
    submitted = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(value, dt.datetime | dt.date) for value in submitted)  # real dates, not text


def test_the_figures_xlsx_has_one_sheet_per_table_and_the_csv_all_of_them(known, client, central_user):
    client.force_login(central_user)
    params = {"start": "2026-01-01", "end": "2026-06-30"}
    expected = tables(figures(central_user, H1))

    _response, body = download(client, "figures", "xlsx", params)
    sheets = xlsx_sheets(body)
    assert len(sheets) == len(expected) == 8
    assert all(len(title) <= 31 for title in sheets)
    by_title = dict(zip([t.key for t in expected.values()], sheets.values(), strict=True))
    assert by_title["funnel"] == [["Step", "Enquiries", "% of submitted"], *expected["funnel"].rows]
    assert by_title["by_quarter"][1][:4] == ["2026 Q1", 3, 3, 4.6]
    assert by_title["satisfaction"][1][:4] == ["2026 Q1", 4, 8.2, 25]

    _response, body = download(client, "figures", "csv", params)
    text = body.decode("utf-8-sig")
    for table in expected.values():
        assert str(table.title) in text
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["From submission to signature"]
    assert lines[1] == ["Step", "Enquiries", "% of submitted"]
    assert lines[2] == ["Submitted", "6", "100"]
    assert ["2026 Q1", "3", "3", "4.6"] == next(line for line in lines if line[:1] == ["2026 Q1"])[:4]


def test_the_exports_follow_the_page_s_filters(known, client, central_user):
    client.force_login(central_user)

    rows = exported_rows(client, "enquiries", "csv", {"start": "2026-04-01", "end": "2026-06-30"})

    assert sorted(row["Company"] for row in rows) == ["Company E3", "Company E5", "Company E6"]
    rows = exported_rows(
        client, "contracts", "xlsx", {"start": "2026-01-01", "end": "2026-06-30", "entity": known.y.pk}
    )
    assert [row["Contract"] for row in rows] == [known.made["C3"].reference]
