"""Issue 7, "Done when", in a real browser on the demo data (with its year of history): a company answers a
survey from its e-mail link; the central team opens the dashboard from the admin, reads how long contracting takes
and where it stalls (every chart drawn, its numbers beside it), filters by entity and downloads the enquiries.

Screenshots go to SHOTS (the whole page, and its first screen as ``*-top.png``).
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from notifications.models import Notification
from partners import demo_data
from partners import workflow as enquiries
from partners.choices import EnquiryStage
from partners.models import Enquiry, Entity
from quality.dashboard import Filters, figures
from quality.models import EnquiryClock, SurveyAnswer

from .test_triage_journey import admin_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(tempfile.gettempdir()) / "opale-screenshots" / "quality-dashboard"
CHARTS = 12  # funnel, five clocks by quarter, ball holders, waits, contracts by kind, entities, bodies, satisfaction


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.screenshot(path=str(SHOTS / f"{name}-top.png"))


def number(text: str) -> float:
    return float(text.strip().replace("\u202f", "").replace(",", "."))


def test_a_company_answers_its_survey_and_the_central_team_reads_the_dashboard(live_server, open_browser_page):
    demo_data.load()  # with its contracts: where they wait is half of what the dashboard is for
    central = get_user_model().objects.get(username="central")

    # The central team closes an enquiry: its contact is e-mailed a survey link (the outbox).
    enquiry = Enquiry.objects.filter(stage=EnquiryStage.IN_TRIAGE).order_by("pk").first()
    enquiries.enquiry_decline(enquiry=enquiry, actor=central, reason="Outside the consortium's expertise.")
    body = Notification.objects.get(template="survey_invitation", subject__contains=enquiry.reference).body_text
    link = re.search(r"https?://[^/\s]+(/survey/[^/\s]+/)", body).group(1)

    company = open_browser_page(locale="fr-FR")
    company.goto(live_server.url + link)  # no sign-in
    expect(company.get_by_role("heading", level=1)).to_be_visible()
    for name, value in (("recommendation", "8"), ("responsiveness", "5"), ("clarity", "4"), ("expertise_fit", "3")):
        company.locator(f"input[name={name}][value='{value}']").check()
    company.locator("textarea[name=comment]").fill("Réponse rapide, même négative : merci.")
    shot(company, "01-survey")
    company.get_by_role(
        "button", name=re.compile("Send my answer|Envoyer ma réponse")
    ).click()  # the enquiry's language
    expect(company.get_by_role("heading", level=1)).to_have_text(re.compile("Thank you|Merci"))
    answer = SurveyAnswer.objects.get(invitation__enquiry=enquiry)
    assert (answer.recommendation, answer.responsiveness, answer.clarity, answer.expertise_fit) == (8, 5, 4, 3)
    company.goto(live_server.url + link)  # the link works once
    expect(company.get_by_role("heading", level=1)).to_have_text(re.compile("cannot be answered|ne peut pas"))

    # The central team reaches the dashboard from the admin's header.
    page = open_browser_page(locale="en-GB", width=1400)
    admin_sign_in(page, live_server, "central")
    page.get_by_role("link", name="Quality dashboard").click()
    page.wait_for_url(re.compile(r"/staff/quality/"))
    expected = figures(central, Filters.default())

    charts = page.locator("svg.kpi-chart")
    expect(charts).to_have_count(CHARTS)
    for index in range(CHARTS):
        box = charts.nth(index).bounding_box()
        assert box and box["width"] > 250 and box["height"] > 40, f"chart {index} is not drawn: {box}"
    assert page.locator("svg.kpi-chart rect.bar").count() > 20  # bars, not "no data" everywhere

    # The headline reads the figures of the last four quarters; the funnel's table has the same counts.
    headline = page.locator(".kpi-stat .kpi-number")
    assert int(headline.nth(0).inner_text()) == expected.overall["count"] > 100
    assert number(headline.nth(3).inner_text()) == pytest.approx(expected.overall["signed_days_p50"], abs=0.05)
    funnel_rows = page.locator("#funnel table tbody tr")
    for index, (label, count) in enumerate(expected.funnel):
        expect(funnel_rows.nth(index).locator("th")).to_have_text(label)
        expect(funnel_rows.nth(index).locator("td").first).to_have_text(str(count))
    # Where contracts stall: the longest total first, in words.
    first_wait = expected.waits[0]
    expect(page.locator("#waits table tbody tr").first.locator("th")).to_have_text(first_wait["stage_label"])
    # This quarter's satisfaction counts the answer just given.
    expect(page.locator("#satisfaction table tbody tr").last).to_be_visible()
    assert expected.satisfaction[-1]["count"] >= 1
    shot(page, "02-dashboard")

    # One entity: the page and the enquiries' download say the same.
    entity = Entity.objects.get(pk=expected.by_entity[0]["entity_id"])
    page.locator("select[name=entity]").select_option(str(entity.pk))
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(rf"entity={entity.pk}"))
    expect(page.locator(".kpi-lead")).to_contain_text(entity.name)
    shown = int(page.locator(".kpi-stat .kpi-number").first.inner_text())
    filters = Filters.default()
    in_scope = EnquiryClock.objects.filter(
        entity=entity, submitted_on__gte=filters.start, submitted_on__lte=filters.end
    )
    assert shown == in_scope.count() > 0
    with page.expect_download() as download:
        page.locator(".kpi-export").filter(has_text="the enquiries").get_by_role("link", name="CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:2] == ["Reference", "Company"]
    assert sorted(row[0] for row in rows[1:]) == sorted(in_scope.values_list("enquiry__reference", flat=True))
    shot(page, "03-dashboard-entity")
