"""The central team's triage in a real browser, on the demo data (issue 4, "Done when").

Signed in as the central team, a person takes a submitted enquiry into triage, follows the first suggestion and
routes it, well within a minute; that entity's scientific contact sees only what was routed to their entity and
accepts; another entity contact declines another enquiry with a reason; each company reads the new status in
plain words, never that reason; every e-mail is an outbox row, sent. The admin pages stay usable 900 px wide.

Enquiries are found by title, not by reference: the demo numbers them in the order of a timeline counted back
from today, which changes with the day of the week. Screenshots go to SHOTS (the whole page, and its first
screen as ``*-top.png``).
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from notifications.models import Notification
from partners import demo_data
from partners.choices import EnquiryStage, RoutingStatus
from partners.models import Enquiry, Entity
from partners.roles import CENTRAL_TEAM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(tempfile.gettempdir()) / "opale-screenshots" / "triage-journey"
QUEUE = "/admin/partners/enquiry/"
NOTE = "Biolumen needs a biobank in its regional consortium: could you join and provide AML and ALL samples?"
ACCEPT_COMMENT = "Happy to join: Caroline Lemaire will follow it."
DECLINE_REASON = "Our team is fully booked on two other industrial projects until next autumn."


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.screenshot(path=str(SHOTS / f"{name}-top.png"))


def admin_sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def portal_sign_in(page, live_server, email: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(demo_data.DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_url(re.compile(r"/enquiries/$"))


def change_page(enquiry: Enquiry) -> re.Pattern:
    # with the queue's filters after it when opened from a filtered queue (Django keeps them for the way back)
    return re.compile(rf"/admin/partners/enquiry/{enquiry.pk}/change/(\?.*)?$")


def queue_references(page) -> set[str]:
    """The references the queue page lists (one page: the demo has fewer rows than a page holds)."""
    return {text.strip() for text in page.locator("#result_list tbody th a").all_inner_texts()}


def sideways(element) -> tuple[int, int]:
    """(content width, visible width): the first larger means scrolling sideways to see everything."""
    return tuple(element.evaluate("e => [e.scrollWidth, e.clientWidth]"))


def recipients(template: str) -> set[str]:
    return set(Notification.objects.filter(template=template).values_list("recipient", flat=True))


def test_the_central_team_routes_an_enquiry_and_the_entities_answer(live_server, open_browser_page):
    demo_data.load(contracts=False)
    assert not Notification.objects.exists()  # the demo's past e-mails nobody
    enquiry = Enquiry.objects.get(title__startswith="Hauts-de-France regional call")
    assert enquiry.stage == EnquiryStage.SUBMITTED
    # A regional consortium in Hauts-de-France asking for "a hospital and a biobank": the biobank in Lille is
    # the entity a person would route it to.
    biobank = Entity.objects.get(code="CRB-HEMATO")
    contact = biobank.scientific_contacts.get()
    company_user = enquiry.submitted_by

    # 1. The central team: the queue, the enquiry, triage, the first suggestion, a note, routed.
    page = open_browser_page(locale="en-GB")
    admin_sign_in(page, live_server, "central")
    started = time.monotonic()
    page.locator("#content-main").get_by_role("link", name="Enquiries", exact=True).click()
    page.wait_for_url(re.compile(rf"{QUEUE}$"))
    shot(page, "01-central-queue")
    page.locator("#changelist-filter").get_by_role("link", name="Submitted", exact=True).click()
    row = page.locator("#result_list tbody tr", has=page.get_by_role("link", name=enquiry.reference))
    expect(row).to_contain_text(enquiry.title)
    expect(row).to_contain_text("Submitted")
    row.get_by_role("link", name=enquiry.reference).click()
    page.wait_for_url(change_page(enquiry))
    shot(page, "02-central-enquiry-submitted")
    page.get_by_role("button", name="Take into triage").click()
    page.wait_for_url(change_page(enquiry))
    expect(page.locator(".messagelist")).to_contain_text("is now “In triage”")
    suggestions = page.locator(".opale-suggestions > ol > li")
    expect(suggestions.first.locator("strong").first).to_have_text(str(biobank))
    shot(page, "03-central-enquiry-in-triage")
    suggestions.first.get_by_role("link", name="Route to this entity…").click()
    expect(page.get_by_role("checkbox", name=re.compile(re.escape(biobank.name)))).to_be_checked()
    expect(page.locator(".opale-route-choices input:checked")).to_have_count(1)
    page.get_by_label("Note to the entity").fill(NOTE)
    shot(page, "04-central-route-form")
    page.get_by_role("button", name="Route to entities").click()
    page.wait_for_url(change_page(enquiry))
    expect(page.locator(".messagelist")).to_contain_text(f"Enquiry {enquiry.reference} is now “Routed to entities”")
    expect(page.locator(".opale-panel .opale-status")).to_contain_text("Routed to entities")
    elapsed = time.monotonic() - started
    shot(page, "05-central-routed")
    assert elapsed < 20, f"the central team's part took {elapsed:.1f} s of browser time"
    enquiry.refresh_from_db()
    assert enquiry.stage == EnquiryStage.ROUTED
    assert [(r.entity, r.note_to_entity) for r in enquiry.routings.all()] == [(biobank, NOTE)]

    # The enquiry page and the route form, 900 px wide: nothing to scroll sideways, every action in view.
    page.set_viewport_size({"width": 900, "height": 900})
    for name, path in (
        ("06-central-enquiry-900px", f"/admin/partners/enquiry/{enquiry.pk}/change/"),
        ("07-central-route-form-900px", f"/admin/partners/enquiry/{enquiry.pk}/transition/route/"),
    ):
        page.goto(live_server.url + path)
        shot(page, name)
        assert sideways(page.locator("html")) == (900, 900), path
        for action in page.locator(".opale-action, .opale-route-one, .submit-row input").all():
            box = action.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 900, (path, action.inner_text())

    # 2. The biobank's scientific contact sees only what was routed to the biobank, and accepts.
    page = open_browser_page(locale="en-GB")
    admin_sign_in(page, live_server, contact.username)
    page.goto(live_server.url + QUEUE + "?stage=all")  # every stage: the new enquiry and a signed one
    routed_here = set(Enquiry.objects.filter(routings__entity=biobank).values_list("reference", flat=True))
    assert len(routed_here) == 2
    assert queue_references(page) == routed_here
    page.goto(live_server.url + QUEUE)  # the queue of open enquiries
    elsewhere = Enquiry.objects.get(title__startswith="Efficacité de dégradeurs de FLT3")
    assert not elsewhere.is_closed and [r.entity.code for r in elsewhere.routings.all()] == ["PF-PDX"]
    assert queue_references(page) == {enquiry.reference}
    shot(page, "08-entity-queue")
    page.get_by_role("link", name=enquiry.reference).click()
    page.wait_for_url(change_page(enquiry))
    expect(page.locator(".opale-status")).to_contain_text("Routed to entities")
    expect(page.locator(".opale-suggestions")).to_have_count(0)  # routing is the central team's
    shot(page, "09-entity-enquiry")
    page.get_by_role("link", name="Accept for the entity…").click()
    page.get_by_label("Comment for the central team").fill(ACCEPT_COMMENT)
    page.get_by_role("button", name="Accept for the entity").click()
    page.wait_for_url(change_page(enquiry))
    expect(page.locator(".opale-status")).to_contain_text("Accepted by an entity")
    shot(page, "10-entity-accepted")

    # … and the demo's entity contact declines another enquiry, the last entity routed there to say no.
    declined = Enquiry.objects.get(title="Mechanisms of acquired resistance to menin inhibitors")
    assert [r.status for r in declined.routings.order_by("status")] == [RoutingStatus.DECLINED, RoutingStatus.PENDING]
    page = open_browser_page(locale="en-GB")
    admin_sign_in(page, live_server, "entity")
    page.goto(live_server.url + QUEUE)
    page.get_by_role("link", name=declined.reference).click()
    page.get_by_role("link", name="Decline for the entity…").click()
    page.get_by_label("Why the entity declines").fill(DECLINE_REASON)
    shot(page, "11-entity-decline-form")
    page.get_by_role("button", name="Decline for the entity").click()
    page.wait_for_url(change_page(declined))
    expect(page.locator(".opale-status")).to_contain_text("In triage")  # back with the central team
    shot(page, "12-entity-declined")

    # 3. Each company reads where its enquiry stands, in plain words; never the entity's reason, nor the note.
    page = open_browser_page(locale="en-GB")
    portal_sign_in(page, live_server, company_user.email)
    page.locator("main").get_by_role("link", name=re.compile(re.escape(enquiry.title))).click()
    main = page.locator("main")
    expect(main.locator(".opale-stage")).to_have_text("Accepted by an entity")
    expect(main.locator(".opale-timeline li").last).to_contain_text(f"{biobank.name}")
    expect(main.locator(".opale-timeline li").last).to_contain_text("can take your project on.")
    expect(main.locator(".opale-ball")).to_contain_text("The OPALE central team")
    expect(main).not_to_contain_text(NOTE)
    expect(main).not_to_contain_text(ACCEPT_COMMENT)
    shot(page, "13-company-accepted")

    page = open_browser_page(locale="en-GB")
    portal_sign_in(page, live_server, declined.submitted_by.email)
    page.locator("main").get_by_role("link", name=re.compile(re.escape(declined.title))).click()
    main = page.locator("main")
    expect(main.locator(".opale-timeline li").last).to_contain_text(
        "The entities contacted could not take it on; the OPALE team is looking for another one."
    )
    expect(main).not_to_contain_text(DECLINE_REASON)
    shot(page, "14-company-rerouted")

    # 4. Every e-mail is an outbox row, sent: to the entity's contact (with the note and the link), the lead
    # body's contracting office, the companies, and the central team on each answer.
    central_team = set(
        get_user_model().objects.filter(groups__name=CENTRAL_TEAM, is_active=True).values_list("email", flat=True)
    )
    assert len(central_team) == 3
    assert recipients("enquiry_routed_entity") == {contact.email}
    assert recipients("enquiry_routed_legal") == {"drci.chu-lille@demo.opale.example"}  # CHU Lille leads it
    assert recipients("enquiry_routed_company") == {company_user.email}
    assert recipients("routing_accepted_company") == {company_user.email}
    assert recipients("enquiry_rerouting_company") == {declined.submitted_by.email}
    answers = Notification.objects.filter(template="routing_answered")
    assert sorted((n.recipient, enquiry.reference in n.subject) for n in answers) == sorted(
        [(email, True) for email in central_team] + [(email, False) for email in central_team]
    )
    sent = {(message.subject, address) for message in mail.outbox for address in message.to}
    for notification in Notification.objects.all():
        assert notification.status == Notification.Status.SENT, (notification, notification.last_error)
        assert (notification.subject, notification.recipient) in sent
    assert len(mail.outbox) == Notification.objects.count()

    to_entity = Notification.objects.get(template="enquiry_routed_entity")
    assert NOTE in to_entity.body_text
    assert f"/admin/partners/enquiry/{enquiry.pk}/change/" in to_entity.body_text
    to_company = Notification.objects.get(template="enquiry_routed_company")
    assert biobank.name in to_company.body_text and NOTE not in to_company.body_text
    for answer in answers:
        assert (ACCEPT_COMMENT if enquiry.reference in answer.subject else DECLINE_REASON) in answer.body_text
    rerouting = Notification.objects.get(template="enquiry_rerouting_company")
    assert DECLINE_REASON not in rerouting.body_text + rerouting.body_html


def test_the_queue_shows_every_column_900_px_wide(live_server, open_browser_page):
    demo_data.load(contracts=False)
    page = open_browser_page(locale="en-GB", width=900, height=900)
    admin_sign_in(page, live_server, "central")
    page.goto(live_server.url + QUEUE)
    shot(page, "20-central-queue-900px")
    assert sideways(page.locator("html")) == (900, 900)
    content, visible = sideways(page.locator("#changelist .results"))
    assert content <= visible, f"the queue's table is {content} px wide in a {visible} px box"
