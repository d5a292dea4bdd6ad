"""The central team's triage queue (issue 4): what each row shows, the filters, the search, the order, the
bulk actions, and a page that costs the same few queries with 30 enquiries or 300.

Dates that matter (age, overdue) are computed on a fixed day, ``TODAY``, with French public holidays in the
span: the clock is the portal's, read through ``django.utils.timezone.now``, which ``frozen_now`` pins.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from html import unescape
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import StageChange
from notifications.models import Notification
from partners import services, workflow
from partners.choices import CompanySize, EnquiryStage, FundingProgramme, PartnershipKind, RoutingStatus, Sector
from partners.models import Company, DiseaseArea, Enquiry, Entity, Routing
from partners.roles import CENTRAL_TEAM

from ..factories import (
    CompanyFactory,
    EnquiryFactory,
    EntityFactory,
    GoverningBodyFactory,
    UserFactory,
    routed_enquiry,
    siren,
    submitted_enquiry,
)

pytestmark = pytest.mark.django_db

S = EnquiryStage
QUEUE = reverse("admin:partners_enquiry_changelist")
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# A Tuesday. Friday 1 May (Labour Day) and Friday 8 May (Victory in Europe Day) are French public holidays,
# and Thursday 14 May 2026 is Ascension Day.
TODAY = dt.date(2026, 5, 12)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), PARIS)


@pytest.fixture
def frozen_now():
    """The portal's clock stands at 10:00 (Paris) on ``TODAY``."""
    now = at(TODAY).astimezone(dt.UTC)
    with mock.patch("django.utils.timezone.now", return_value=now):
        yield now


@pytest.fixture
def central(client, central_user):
    client.force_login(central_user)
    return client


def area(code: str):
    return DiseaseArea.objects.get(code=code)


def listed(response) -> list[str]:
    """References of the rows on the page, in the order shown."""
    assert response.status_code == 200
    return [enquiry.reference for enquiry in response.context["cl"].result_list]


def rows(response) -> dict[str, dict]:
    """What each row of the queue shows, as a person reads it, whatever the columns: reference -> ``text`` (the
    whole row), ``html``, ``age`` (the number of the age column) and ``overdue`` (the warning, or "")."""
    table = re.search(r'<table id="result_list">(.*?)</table>', response.text, re.S)
    assert table, "the queue shows no table of results"
    shown = {}
    for html in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S):
        cells = dict(re.findall(r'<t[hd] class="field-(\w+)[^"]*">(.*?)</t[hd]>', html, re.S))
        if not cells:
            continue
        age = re.match(r"\s*(\d+)", cells["age"])
        marks = re.findall(r'<span class="opale-overdue">(.*?)</span>', html, re.S)
        shown[text_of(cells["reference"])] = {
            "text": text_of(html),
            "html": html,
            "age": int(age.group(1)) if age else None,
            "overdue": "; ".join(text_of(mark) for mark in marks),
        }
    return shown


def says(row: dict, label: str, value: str) -> bool:
    """Whether the row reads "<label> <value>" (with or without a colon after the label)."""
    return re.search(rf"{re.escape(label)}:? {re.escape(value)}", row["text"]) is not None


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def company(name: str, *, size=CompanySize.SME, sector=Sector.BIOPHARMA) -> Company:
    return CompanyFactory(legal_name=name, size=size, sector=sector)


# ---- what a row shows ------------------------------------------------------------------------------------


def test_a_row_shows_stage_company_kind_areas_age_overdue_ball_and_follower(central, central_user, frozen_now, entity):
    late = submitted_enquiry(
        company=company("Leukos Therapeutics SAS", size=CompanySize.SME),
        title="Anti-CD123 antibody on primary blasts",
        disease_areas=[area("aml"), area("mds")],
        submitted__at=at(dt.date(2026, 4, 30)),  # the Thursday before 1 May
    )
    call = submitted_enquiry(
        company=company("Hemato Diagnostics SA", size=CompanySize.LARGE),
        title="Consortium for an EU Cancer Mission call",
        kind=PartnershipKind.COLLABORATIVE_CALL,
        funding_programme=FundingProgramme.CANCER_MISSION,
        funding_deadline=TODAY + dt.timedelta(days=10),
        disease_areas=[area("cll")],
        submitted__at=at(TODAY, 9),
    )
    workflow.enquiry_take_into_triage(enquiry=call, actor=central_user)
    services.enquiry_assign(enquiry=call, actor=central_user, assignee=central_user)
    routed = routed_enquiry(
        entities=[entity],
        actor=central_user,
        company=company("Micro Cells SAS", size=CompanySize.MICRO),
        title="CAR-T batches",
        submitted__at=at(dt.date(2026, 5, 11)),
    )

    shown = rows(central.get(QUEUE))

    row = shown[late.reference]
    assert 'opale-badge-primary">Submitted<' in row["html"]
    for words in (
        "Leukos Therapeutics SAS",
        "SME (< 250 staff)",
        "Anti-CD123 antibody on primary blasts",
        "Bilateral R&D project",
        "Acute myeloid leukemia (AML), Myelodysplastic syndromes (MDS)",
    ):
        assert words in row["text"]
    assert says(row, "Ball with", "The OPALE central team")
    assert "Followed by" not in row["text"]
    # 30 April to 12 May: eight weekdays after the 30th, less 1 May and 8 May.
    assert row["age"] == 6
    # Five working days from 30 April end on 11 May (the holidays do not count): late on the 12th.
    assert row["overdue"] == "⚠ first response late"

    row = shown[call.reference]
    assert 'opale-badge-info">In triage<' in row["html"]
    for words in (
        "Hemato Diagnostics SA",
        "Large group",
        "Collaborative R&D answering a call for projects",
        "Chronic lymphocytic leukemia (CLL)",
    ):
        assert words in row["text"]
    assert says(row, "Ball with", "The OPALE central team")
    assert says(row, "Followed by", central_user.get_full_name())
    assert row["age"] == 0
    assert row["overdue"] == "⚠ call deadline in 10 days"

    row = shown[routed.reference]
    assert 'opale-badge-info">Routed to entities<' in row["html"]
    assert "Micro-enterprise (< 10 staff)" in row["text"]
    assert says(row, "Ball with", "The entity")
    assert row["age"] == 1
    assert row["overdue"] == ""  # answered in time: no mark


def test_the_first_response_is_late_after_five_working_days_not_counting_public_holidays(central, frozen_now):
    due_today = submitted_enquiry(title="Due today", submitted__at=at(dt.date(2026, 5, 4)))  # 5, 6, 7, 11, 12
    late = submitted_enquiry(title="Late", submitted__at=at(dt.date(2026, 4, 30)))  # 4, 5, 6, 7, 11

    shown = rows(central.get(QUEUE))

    assert shown[due_today.reference]["overdue"] == ""
    assert shown[late.reference]["overdue"] == "⚠ first response late"
    assert listed(central.get(QUEUE, {"overdue": "yes"})) == [late.reference]


def test_a_first_response_stops_the_clock(central, central_user, frozen_now):
    answered = submitted_enquiry(title="Answered", submitted__at=at(dt.date(2026, 4, 1)))
    workflow.enquiry_take_into_triage(enquiry=answered, actor=central_user, at=at(dt.date(2026, 4, 2)))

    assert rows(central.get(QUEUE))[answered.reference]["overdue"] == ""
    assert listed(central.get(QUEUE, {"overdue": "yes"})) == []


def test_the_first_response_delay_is_a_setting(central, frozen_now, settings):
    settings.ENQUIRY_FIRST_RESPONSE_WORKING_DAYS = 10
    # ten working days from 30 April, without 1, 8 and 14 May (Ascension): due on 19 May
    enquiry = submitted_enquiry(title="Ten days to answer", submitted__at=at(dt.date(2026, 4, 30)))

    assert rows(central.get(QUEUE))[enquiry.reference]["overdue"] == ""
    assert listed(central.get(QUEUE, {"overdue": "no"})) == [enquiry.reference]


@pytest.mark.parametrize(
    ("days_left", "mark"),
    [(21, "⚠ call deadline in 21 days"), (22, ""), (3, "⚠ call deadline in 3 days"), (-1, "⚠ call deadline passed")],
)
def test_a_near_funding_call_deadline_makes_the_enquiry_overdue(central, central_user, frozen_now, days_left, mark):
    enquiry = submitted_enquiry(
        title="Answering a call",
        kind=PartnershipKind.COLLABORATIVE_CALL,
        funding_programme=FundingProgramme.ANR,
        funding_deadline=TODAY + dt.timedelta(days=days_left),
        submitted__at=at(TODAY - dt.timedelta(days=2)),
    )
    workflow.enquiry_take_into_triage(enquiry=enquiry, actor=central_user)  # the first response is on time

    shown = rows(central.get(QUEUE))[enquiry.reference]["overdue"]

    assert shown == mark
    assert (enquiry.reference in listed(central.get(QUEUE, {"overdue": "yes"}))) is bool(mark)


# ---- what the queue holds --------------------------------------------------------------------------------


def test_drafts_never_appear(central, company):
    draft = EnquiryFactory(company=company, title="Half-written draft about FLT3")
    sent = submitted_enquiry(company=company, title="Sent enquiry about FLT3")

    for query in ({}, {"stage": "all"}, {"stage": "draft"}, {"q": "FLT3"}, {"q": "draft"}):
        response = central.get(QUEUE, query)
        assert response.status_code == 200
        assert "Half-written draft" not in response.text, query
    assert listed(central.get(QUEUE, {"q": "FLT3"})) == [sent.reference]
    assert central.get(reverse("admin:partners_enquiry_change", args=[draft.pk])).status_code == 404


def test_the_queue_holds_open_enquiries_and_closed_ones_are_one_filter_away(central, central_user):
    submitted = submitted_enquiry(title="Open: submitted")
    triaged = submitted_enquiry(title="Open: in triage")
    workflow.enquiry_take_into_triage(enquiry=triaged, actor=central_user)
    no_go = submitted_enquiry(title="Closed: no-go")
    workflow.enquiry_close_no_go(enquiry=no_go, actor=central_user, reason="Out of OPALE's scope.")
    declined = submitted_enquiry(title="Closed: declined")
    workflow.enquiry_decline(enquiry=declined, actor=central_user, reason="No entity works on this.")

    assert set(listed(central.get(QUEUE))) == {submitted.reference, triaged.reference}
    assert set(listed(central.get(QUEUE, {"stage": "open"}))) == {submitted.reference, triaged.reference}
    assert set(listed(central.get(QUEUE, {"stage": "closed"}))) == {no_go.reference, declined.reference}
    assert len(listed(central.get(QUEUE, {"stage": "all"}))) == 4
    assert listed(central.get(QUEUE, {"stage": "no_go"})) == [no_go.reference]
    assert listed(central.get(QUEUE, {"stage": "nonsense"})) == []


@pytest.fixture
def assorted(central_user, entity, other_entity, frozen_now):
    """Four enquiries that differ on every filter of the queue."""
    colleague = UserFactory(username="paul.central", is_staff=True, groups=[CENTRAL_TEAM])
    aml_rd = routed_enquiry(
        entities=[entity],
        actor=central_user,
        title="AML bilateral",
        company=company("Leukos Therapeutics SAS", size=CompanySize.SME, sector=Sector.BIOPHARMA),
        disease_areas=[area("aml")],
        submitted__at=at(TODAY - dt.timedelta(days=1)),
    )
    services.enquiry_assign(enquiry=aml_rd, actor=central_user, assignee=central_user)
    cll_consult = routed_enquiry(
        entities=[other_entity],
        actor=central_user,
        title="CLL consultancy",
        kind=PartnershipKind.CONSULTANCY,
        company=company("Hemato Diagnostics SA", size=CompanySize.LARGE, sector=Sector.DIAGNOSTICS),
        disease_areas=[area("cll")],
        submitted__at=at(TODAY - dt.timedelta(days=1)),
    )
    overdue = submitted_enquiry(
        title="Platform use, late",
        kind=PartnershipKind.PLATFORM_USE,
        company=company("Micro Devices SAS", size=CompanySize.MICRO, sector=Sector.MEDTECH),
        disease_areas=[area("aml"), area("mds")],
        submitted__at=at(TODAY - dt.timedelta(days=30)),
    )
    services.enquiry_assign(enquiry=overdue, actor=colleague, assignee=colleague)
    closed = submitted_enquiry(
        title="Closed AML",
        company=company("Gone Pharma SAS", size=CompanySize.SME, sector=Sector.BIOPHARMA),
        disease_areas=[area("aml")],
    )
    workflow.enquiry_close_no_go(enquiry=closed, actor=central_user, reason="The company stopped the project.")
    return {"aml_rd": aml_rd, "cll_consult": cll_consult, "overdue": overdue, "closed": closed}


def test_each_filter_keeps_exactly_the_right_enquiries(central, assorted, entity, other_entity, governing_body):
    other_body = other_entity.lead_body
    cases = {
        "stage=submitted": {"overdue"},
        "stage=routed": {"aml_rd", "cll_consult"},
        "stage=closed": {"closed"},
        "kind__exact=consultancy": {"cll_consult"},
        "kind__exact=platform_use": {"overdue"},
        f"area={area('cll').pk}": {"cll_consult"},
        f"area={area('aml').pk}": {"aml_rd", "overdue"},
        f"area={area('aml').pk}&stage=all": {"aml_rd", "overdue", "closed"},
        f"area={area('mds').pk}": {"overdue"},
        f"entity={entity.pk}": {"aml_rd"},
        f"entity={other_entity.pk}": {"cll_consult"},
        f"body={governing_body.pk}": {"aml_rd"},
        f"body={other_body.pk}": {"cll_consult"},
        "company__size__exact=large": {"cll_consult"},
        "company__size__exact=micro": {"overdue"},
        "company__sector__exact=ivd": {"cll_consult"},
        "company__sector__exact=biopharma": {"aml_rd"},
        "overdue=yes": {"overdue"},
        "overdue=no": {"aml_rd", "cll_consult"},
        "assigned=me": {"aml_rd"},
        "assigned=nobody": {"cll_consult"},
        f"kind__exact=bilateral_rd&area={area('aml').pk}&assigned=me": {"aml_rd"},
        "area=not-a-number": set(),
    }
    name_of = {enquiry.reference: name for name, enquiry in assorted.items()}

    found = {query: {name_of[ref] for ref in listed(central.get(f"{QUEUE}?{query}"))} for query in cases}

    assert found == cases


def test_a_governing_body_finds_the_enquiries_of_every_entity_it_governs(central, central_user, governing_body):
    hosted = EntityFactory(name="Plateforme de criblage", lead_body=GoverningBodyFactory(short_name="Inserm"))
    hosted.governances.create(body=governing_body, is_host_body=True)
    enquiry = routed_enquiry(entities=[hosted], actor=central_user, title="Screening on a hosted platform")

    assert listed(central.get(QUEUE, {"body": governing_body.pk})) == [enquiry.reference]


def test_search_finds_by_reference_company_title_and_summary(central, assorted):
    aml_rd, cll = assorted["aml_rd"], assorted["cll_consult"]
    number = aml_rd.reference.rsplit("-", 1)[1]
    searches = {
        aml_rd.reference: {aml_rd.reference},
        number: {aml_rd.reference},
        "leukos": {aml_rd.reference},  # company name, any case
        "Hemato Diagnostics": {cll.reference},  # every word must match
        "consultancy": {cll.reference},  # a word of the title
        "anti-CD123": {aml_rd.reference, cll.reference, assorted["overdue"].reference},  # of the summary
        "CLL anti-CD123": {cll.reference},
        "Leukos consultancy": set(),
        "nothing-like-this": set(),
    }

    found = {term: set(listed(central.get(QUEUE, {"q": term}))) for term in searches}

    assert found == searches


def test_a_word_only_in_the_summary_is_found(central):
    enquiry = submitted_enquiry(title="Untitled idea", summary="We engineer bispecific engagers against CD33.")
    submitted_enquiry(title="Another idea")

    assert listed(central.get(QUEUE, {"q": "engagers"})) == [enquiry.reference]


def test_the_default_order_puts_what_is_overdue_first(central, central_user, frozen_now):
    fresh = submitted_enquiry(title="Fresh", submitted__at=at(TODAY, 8))
    answered_long_ago = submitted_enquiry(title="Answered", submitted__at=at(TODAY - dt.timedelta(days=40)))
    workflow.enquiry_take_into_triage(enquiry=answered_long_ago, actor=central_user)
    late = submitted_enquiry(title="Late", submitted__at=at(TODAY - dt.timedelta(days=20)))
    later = submitted_enquiry(title="Later still", submitted__at=at(TODAY - dt.timedelta(days=60)))
    deadline = submitted_enquiry(
        title="Call closes soon",
        kind=PartnershipKind.COLLABORATIVE_CALL,
        funding_programme=FundingProgramme.ANR,
        funding_deadline=TODAY + dt.timedelta(days=5),
        submitted__at=at(TODAY, 9),
    )

    order = listed(central.get(QUEUE))

    overdue = {late.reference, later.reference, deadline.reference}
    assert set(order[:3]) == overdue
    assert order[0] == later.reference  # overdue the longest
    assert set(order[3:]) == {fresh.reference, answered_long_ago.reference}


# ---- a page that stays fast --------------------------------------------------------------------------------


def bulk_enquiries(count: int, *, first: int, central_user) -> None:
    """``count`` open enquiries (with a few closed ones) across 20 companies and three entities, written in a
    handful of INSERTs: the queue's cost must not depend on how they were made."""
    companies = list(Company.objects.filter(legal_name__startswith="Bulk "))
    if not companies:
        Company.objects.bulk_create(
            Company(
                legal_name=f"Bulk {n} SAS",
                registration_number=siren(50_000_000 + n),
                size=list(CompanySize)[n % 4],
                sector=list(Sector)[n % 5],
            )
            for n in range(20)
        )
        companies = list(Company.objects.filter(legal_name__startswith="Bulk "))
        for n in range(3):
            EntityFactory(name=f"Bulk entity {n}", lead_body=GoverningBodyFactory())
    entities = list(Entity.objects.filter(name__startswith="Bulk entity"))
    areas = list(DiseaseArea.objects.all())
    stages = [S.SUBMITTED, S.IN_TRIAGE, S.AWAITING_COMPANY, S.ROUTED, S.ROUTED, S.ACCEPTED, S.CONTRACTING, S.NO_GO]
    now = dt.datetime.now(dt.UTC)
    rows = []
    for n in range(first, first + count):
        stage = stages[n % len(stages)]
        submitted_at = now - dt.timedelta(days=n % 45, hours=n % 7)
        enquiry = Enquiry(
            company=companies[n % len(companies)],
            reference=f"OPA-2025-{n:05d}",
            kind=list(PartnershipKind)[n % 7],
            title=f"Bulk enquiry {n}",
            summary="Screening of compounds on primary AML samples.",
            objectives="A partner.",
            stage=stage,
            submitted_at=submitted_at,
            first_response_at=None if stage == S.SUBMITTED else submitted_at + dt.timedelta(days=1),
            closed_at=submitted_at + dt.timedelta(days=2) if stage == S.NO_GO else None,
            assigned_to=central_user if n % 3 == 0 else None,
        )
        enquiry.overdue_from = enquiry.compute_overdue_from()
        rows.append(enquiry)
    Enquiry.objects.bulk_create(rows)
    made = Enquiry.objects.filter(reference__in=[e.reference for e in rows]).values_list("pk", "reference", "stage")
    through = Enquiry.disease_areas.through
    through.objects.bulk_create(
        through(enquiry_id=pk, diseasearea_id=areas[(pk + k) % len(areas)].pk) for pk, _ref, _s in made for k in (0, 1)
    )
    Routing.objects.bulk_create(
        Routing(enquiry_id=pk, entity=entities[pk % len(entities)], status=RoutingStatus.PENDING)
        for pk, _ref, stage in made
        if stage in (S.ROUTED, S.ACCEPTED, S.CONTRACTING)
    )


# The queue page: the five queries of every admin page (session, user, groups, user and group permissions),
# then the queue's own: the bounded count, the page of rows with their company and follower, the page's
# disease areas, the open contracts of the page's enquiries in contracting (who holds the ball, signature
# deadlines), and the choices of three filters (disease areas, entities, governing bodies).
QUEUE_QUERIES = 5 + 4 + 3


def queue_pages() -> list[tuple[dict, int]]:
    """Pages of the queue, each with rows on it, and the queries each adds: a search looks up the companies
    matching each of its words first. The filtered page combines every filter around one routed enquiry."""
    sample = Enquiry.objects.filter(stage=S.ROUTED, assigned_to__isnull=False).select_related("company").first()
    routing = sample.routings.select_related("entity").get()
    return [
        ({}, 0),
        ({"p": "3"}, 0),
        ({"stage": "all", "o": "3"}, 0),
        # one submitted 24 days ago, unanswered: late whatever the holidays in between
        ({"overdue": "yes", "kind__exact": "collaborative_call"}, 0),
        ({"q": "Bulk AML"}, 2),
        (
            {
                "area": sample.disease_areas.first().pk,
                "entity": routing.entity.pk,
                "body": routing.entity.lead_body.pk,
                "assigned": "me",
                "company__size__exact": sample.company.size,
            },
            0,
        ),
    ]


def queue_costs(client, django_assert_max_num_queries) -> list[list[str]]:
    costs = []
    for query, extra in queue_pages():
        with django_assert_max_num_queries(QUEUE_QUERIES + extra, info=f"queue {query}"):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(QUEUE, query)
        assert listed(response), f"no rows on {query}: the page would not show its cost"
        costs.append([q["sql"] for q in captured.captured_queries])
    return costs


def test_the_queue_costs_the_same_few_queries_with_30_or_300_enquiries(
    central, central_user, django_assert_max_num_queries
):
    bulk_enquiries(30, first=1, central_user=central_user)
    with_30 = queue_costs(central, django_assert_max_num_queries)
    assert len(listed(central.get(QUEUE, {"stage": "all"}))) == 30

    bulk_enquiries(270, first=31, central_user=central_user)
    with_300 = queue_costs(central, django_assert_max_num_queries)

    assert [len(sqls) for sqls in with_300] == [len(sqls) for sqls in with_30]
    assert len(listed(central.get(QUEUE, {"stage": "all"}))) == 50  # a page


def test_no_query_counts_every_enquiry(central, central_user, django_assert_max_num_queries):
    bulk_enquiries(120, first=1, central_user=central_user)

    for sqls in queue_costs(central, django_assert_max_num_queries):
        counts = [sql for sql in sqls if "COUNT(" in sql.upper() and "partners_enquiry" in sql]
        assert counts, "the page says how many enquiries it holds"
        for sql in counts:
            assert "LIMIT" in sql.upper(), f"a COUNT over every enquiry: {sql}"


@pytest.fixture
def five_per_page(monkeypatch):
    monkeypatch.setattr(admin.site._registry[Enquiry], "list_per_page", 5)


def test_the_paginator_says_more_than_n_when_it_stopped_counting(central, central_user, five_per_page):
    bulk_enquiries(48, first=1, central_user=central_user)  # 42 open, 6 closed (no-go)

    first = central.get(QUEUE)  # counts at most (1 + 5) pages of 5
    assert "More than 30 enquiries" in first.text
    assert "and more" in first.text

    third = central.get(QUEUE, {"p": "3"})  # counts up to (3 + 5) pages of 5: 40, and there are more
    assert "More than 40 enquiries" in third.text

    fourth = central.get(QUEUE, {"p": "4"})  # counts up to (4 + 5) pages of 5: all 42
    assert "42 enquiries" in fourth.text
    assert "More than" not in fourth.text
    assert "and more" not in fourth.text

    few = central.get(QUEUE, {"stage": "no_go"})
    assert "6 enquiries" in few.text
    assert "More than" not in few.text


# ---- bulk actions ------------------------------------------------------------------------------------------


def run_action(client, action: str, enquiries, **data):
    return client.post(QUEUE, {"action": action, "_selected_action": [e.pk for e in enquiries], "index": "0", **data})


def test_take_into_triage_in_bulk_says_which_could_not(central, central_user, entity):
    first, second = submitted_enquiry(title="First"), submitted_enquiry(title="Second")
    routed = routed_enquiry(entities=[entity], actor=central_user, title="Already routed")

    response = run_action(central, "take_into_triage", [first, second, routed])

    assert response.status_code == 302
    for enquiry in (first, second):
        enquiry.refresh_from_db()
        assert enquiry.stage == S.IN_TRIAGE
        change = enquiry.stage_changes.get(transition="take_into_triage")
        assert (change.actor, change.from_stage, change.to_stage) == (central_user, S.SUBMITTED, S.IN_TRIAGE)
    routed.refresh_from_db()
    assert routed.stage == S.ROUTED
    said = messages_of(response)
    assert "2 enquiries taken into triage." in said
    [refused] = [m for m in said if routed.reference in m]
    assert "not possible from this stage" in refused


def test_assign_to_me_in_bulk(central, central_user):
    mine, also_mine, not_chosen = (submitted_enquiry(title=t) for t in ("Mine", "Also mine", "Not chosen"))

    response = run_action(central, "assign_to_me", [mine, also_mine])

    assert "2 enquiries are now followed by you." in messages_of(response)
    assert set(Enquiry.objects.filter(assigned_to=central_user)) == {mine, also_mine}
    assert set(listed(central.get(QUEUE, {"assigned": "me"}))) == {mine.reference, also_mine.reference}
    not_chosen.refresh_from_db()
    assert not_chosen.assigned_to is None


def test_close_as_no_go_asks_for_a_reason_first(central, central_user):
    first, second = submitted_enquiry(title="Out of scope one"), submitted_enquiry(title="Out of scope two")

    page = run_action(central, "close_as_no_go", [first, second])

    assert page.status_code == 200
    assert first.reference in page.text and second.reference in page.text
    assert 'name="reason"' in page.text and 'name="apply"' in page.text
    assert Enquiry.objects.filter(stage=S.NO_GO).count() == 0


def test_close_as_no_go_closes_each_with_the_reason(central, central_user):
    first, second = submitted_enquiry(title="Out of scope one"), submitted_enquiry(title="Out of scope two")
    reason = "OPALE works on leukemia; this is a solid-tumour project."

    response = central.post(
        QUEUE,
        {"action": "close_as_no_go", "_selected_action": [first.pk, second.pk], "apply": "1", "reason": reason},
    )

    assert response.status_code == 302
    assert "2 enquiries closed as no-go." in messages_of(response)
    for enquiry in (first, second):
        enquiry.refresh_from_db()
        assert enquiry.stage == S.NO_GO
        change = enquiry.stage_changes.get(transition="close_no_go")
        assert (change.actor, change.comment) == (central_user, reason)
        # the company is told, with the reason
        assert Notification.objects.filter(template="enquiry_closed", recipient=enquiry.contact_email).exists()


def test_close_as_no_go_without_a_reason_shows_the_form_again_and_closes_nothing(central):
    enquiry = submitted_enquiry(title="Not closed")

    response = central.post(
        QUEUE, {"action": "close_as_no_go", "_selected_action": [enquiry.pk], "apply": "1", "reason": "  "}
    )

    assert response.status_code == 200
    assert "This field is required." in response.text
    assert enquiry.reference in response.text
    enquiry.refresh_from_db()
    assert enquiry.stage == S.SUBMITTED
    assert not StageChange.objects.filter(enquiry=enquiry, transition="close_no_go").exists()


@pytest.mark.parametrize("role", ["entity_contact", "legal_officer"])
def test_scoped_staff_get_no_bulk_actions(client, request, role, central_user, entity, governing_body):
    enquiry = routed_enquiry(entities=[entity], actor=central_user, title="Routed to the entity")
    client.force_login(request.getfixturevalue(role))

    page = client.get(QUEUE)
    assert listed(page) == [enquiry.reference]
    assert 'name="action"' not in page.text
    assert 'name="_selected_action"' not in page.text

    for action, extra in [
        ("take_into_triage", {}),
        ("assign_to_me", {}),
        ("close_as_no_go", {"apply": "1", "reason": "Trying anyway."}),
    ]:
        response = run_action(client, action, [enquiry], **extra)
        assert response.status_code in (200, 302, 403)
    enquiry.refresh_from_db()
    assert (enquiry.stage, enquiry.assigned_to) == (S.ROUTED, None)
