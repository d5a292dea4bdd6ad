"""The triage admin after its review (issue 4): each test proves one fix as the user meets it.

An entity's decline reason stays with the central team; only the lead body of an entity that took the enquiry on
marks it signed; an entity that declined no longer writes to the company; staff download files through the
admin, within their scope; a second entity can still accept; a wild page number costs nothing; a call deadline
stops pressing once an entity accepted; saving the form never writes an old stage back; a refused bulk step says
why.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements.models import StageChange
from notifications.models import Notification
from partners import workflow
from partners.admin_queue import MAX_PAGE, CappedCountPaginator
from partners.choices import Confidentiality, EnquiryStage, FundingProgramme, PartnershipKind, RoutingStatus
from partners.models import Enquiry, Message, Routing
from partners.roles import ENTITY_CONTACT, LEGAL_STAFF

from ..factories import (
    AttachmentFactory,
    EntityFactory,
    GoverningBodyFactory,
    UserFactory,
    routed_enquiry,
    submitted_enquiry,
)
from .pages import form_values

pytestmark = pytest.mark.django_db

S = EnquiryStage
QUEUE = reverse("admin:partners_enquiry_changelist")
MESSAGES = reverse("admin:partners_message_changelist")
# A reason an entity gives the central team only: its word "Novexia" must be found nowhere else.
DECLINE_REASON = "Our team is bound by an exclusivity with Novexia on CD123 until 2027."
SECRET_WORD = "Novexia"


# ---- helpers ---------------------------------------------------------------------------------------------


def change_url(enquiry: Enquiry) -> str:
    return reverse("admin:partners_enquiry_change", args=[enquiry.pk])


def action_url(enquiry: Enquiry, name: str) -> str:
    return reverse("admin:partners_enquiry_transition", args=[enquiry.pk, name])


def download_url(attachment) -> str:
    return reverse("admin:partners_attachment_download", args=[attachment.pk])


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def panel(response) -> str:
    """The part of the enquiry page offering the next steps."""
    assert response.status_code == 200
    found = re.search(r'<section class="opale-panel".*?</section>', response.text, re.S)
    assert found, "the enquiry page has no action panel"
    return found.group(0)


def offered(response) -> set[str]:
    """The steps whose buttons the page shows (each a link or a form to its transition URL)."""
    return set(re.findall(r"/transition/(\w+)/", panel(response)))


def routings_section(response) -> str:
    """The "routings" inline of the enquiry page, as text."""
    found = re.search(r'id="routings-group"(.*?)id="messages-group"', response.text, re.S)
    assert found, "the enquiry page shows no routings"
    return text_of(found.group(1))


def staff(role: str, *, entity=None, body=None):
    """A staff user of ``role``: scientific contact of ``entity``, or legal staff of ``body``."""
    user = UserFactory(is_staff=True, groups=[role])
    if entity is not None:
        entity.scientific_contacts.add(user)
    if body is not None:
        body.legal_staff.add(user)
    return user


def routing_of(enquiry: Enquiry, entity) -> Routing:
    return enquiry.routings.select_related("entity").get(entity=entity)


@pytest.fixture
def two_routed(central_user, entity, other_entity):
    """An enquiry routed to ``entity`` and ``other_entity`` at once (a consortium could form)."""
    return routed_enquiry(entities=[entity, other_entity], actor=central_user, title="Anti-CD123 on AML blasts")


@pytest.fixture
def other_contact(other_entity):
    return staff(ENTITY_CONTACT, entity=other_entity)


@pytest.fixture
def other_legal(other_entity):
    """Legal staff of ``other_entity``'s lead negotiator."""
    return staff(LEGAL_STAFF, body=other_entity.lead_body)


def decline(enquiry, entity, actor, reason=DECLINE_REASON):
    return workflow.enquiry_answer_routing(
        routing=routing_of(enquiry, entity), actor=actor, accept=False, reason=reason
    )


def accept(enquiry, entity, actor):
    return workflow.enquiry_answer_routing(routing=routing_of(enquiry, entity), actor=actor, accept=True)


# ---- 1. an entity's decline reason stays with the central team ---------------------------------------------


def test_asking_a_declining_entity_again_writes_a_note_without_its_reason(
    two_routed, central_user, entity, entity_contact
):
    decline(two_routed, entity, entity_contact)

    workflow.enquiry_route(enquiry=two_routed, actor=central_user, entities=[entity], note="Please look again.")

    [note] = Message.objects.filter(enquiry=two_routed, is_internal=True)
    assert str(entity) in note.body and "asked again" in note.body
    assert SECRET_WORD not in note.body
    routing = routing_of(two_routed, entity)
    assert routing.status == RoutingStatus.PENDING  # asked again: it answers anew


@pytest.fixture(params=["after the decline", "after asking again"])
def declined_once(request, two_routed, central_user, entity, entity_contact):
    """``entity`` declined with DECLINE_REASON (``other_entity`` still to answer); then, in the second case, the
    central team asks it again."""
    decline(two_routed, entity, entity_contact)
    if request.param == "after asking again":
        workflow.enquiry_route(enquiry=two_routed, actor=central_user, entities=[entity])
    return two_routed


@pytest.mark.parametrize("reader", ["other_contact", "legal_officer", "other_legal"])
def test_no_other_entity_or_legal_staff_reads_the_decline_reason(client, request, declined_once, entity, reader):
    user = request.getfixturevalue(reader)
    client.force_login(user)

    page = client.get(change_url(declined_once))
    assert page.status_code == 200
    assert SECRET_WORD not in page.text

    # the thread's search finds their readable notes, but nothing by the reason's words
    found = client.get(MESSAGES, {"q": SECRET_WORD})
    assert found.status_code == 200
    assert list(found.context["cl"].result_list) == []

    routing = reverse("admin:partners_routing_change", args=[routing_of(declined_once, entity).pk])
    shown = client.get(routing)
    assert shown.status_code in (200, 404)
    assert SECRET_WORD not in shown.content.decode()


def test_the_thread_search_finds_the_asked_again_note_for_other_staff(
    client, two_routed, central_user, entity, entity_contact, other_contact
):
    """The search in the test above does search the notes: the note itself is found, by its own words."""
    decline(two_routed, entity, entity_contact)
    workflow.enquiry_route(enquiry=two_routed, actor=central_user, entities=[entity])
    client.force_login(other_contact)

    found = client.get(MESSAGES, {"q": "asked again"})

    assert [m.enquiry_id for m in found.context["cl"].result_list] == [two_routed.pk]


@pytest.mark.parametrize(
    "moment",
    [
        "after the decline",
        "after asking again",  # then in the timeline, which only the central team reads in full
    ],
)
def test_the_central_team_reads_the_decline_reason_on_the_page(
    client, two_routed, central_user, entity, entity_contact, moment
):
    decline(two_routed, entity, entity_contact)
    if moment == "after asking again":
        workflow.enquiry_route(enquiry=two_routed, actor=central_user, entities=[entity])
    client.force_login(central_user)
    page = client.get(change_url(two_routed))

    if moment == "after the decline":
        assert DECLINE_REASON in routings_section(page)
    else:  # the routing waits for its new answer; the earlier one is in the timeline
        assert DECLINE_REASON not in routings_section(page)
        assert DECLINE_REASON in page.text


# ---- 2. only the lead body of an entity that accepted marks the partnership signed -------------------------


@pytest.fixture
def contracting_after_one_declined(two_routed, central_user, entity, other_entity, entity_contact):
    """``entity`` (lead body: ``governing_body``) declined, ``other_entity`` accepted; contracting started."""
    decline(two_routed, entity, entity_contact)
    accept(two_routed, other_entity, central_user)
    return workflow.enquiry_start_contracting(enquiry=two_routed, actor=central_user)


def test_legal_staff_of_a_declining_entity_cannot_mark_the_partnership_signed(
    client, contracting_after_one_declined, legal_officer
):
    enquiry = contracting_after_one_declined
    client.force_login(legal_officer)

    page = client.get(change_url(enquiry))
    assert "mark_signed" not in offered(page)
    assert "Mark the partnership signed" not in panel(page)

    response = client.post(action_url(enquiry, "mark_signed"))

    assert response.status_code == 302
    assert any("not possible" in line for line in messages_of(response))
    enquiry.refresh_from_db()
    assert enquiry.stage == S.CONTRACTING
    assert enquiry.closed_at is None
    assert not StageChange.objects.filter(enquiry=enquiry, transition="mark_signed").exists()


def test_legal_staff_of_the_accepting_entity_marks_the_partnership_signed(
    client, contracting_after_one_declined, other_legal
):
    enquiry = contracting_after_one_declined
    client.force_login(other_legal)

    page = client.get(change_url(enquiry))
    assert "mark_signed" in offered(page)

    response = client.post(action_url(enquiry, "mark_signed"))

    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.stage == S.SIGNED
    change = StageChange.objects.get(enquiry=enquiry, transition="mark_signed")
    assert (change.actor, change.from_stage, change.to_stage) == (other_legal, S.CONTRACTING, S.SIGNED)


# ---- 3. an entity that declined writes internal notes, not to the company ----------------------------------


def post_message(client, enquiry, to, body):
    return client.post(reverse("admin:partners_enquiry_message", args=[enquiry.pk]), {"to": to, "body": body})


def test_a_contact_of_a_declining_entity_cannot_write_to_the_company(
    client, two_routed, entity, entity_contact, django_capture_on_commit_callbacks, mailoutbox
):
    decline(two_routed, entity, entity_contact)
    client.force_login(entity_contact)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_message(client, two_routed, "company", "We could still help with the samples.")

    assert response.status_code == 302
    assert any("no longer working on this enquiry" in line for line in messages_of(response))
    assert not Message.objects.filter(enquiry=two_routed, author=entity_contact).exists()
    assert not Notification.objects.filter(template="message_from_opale").exists()
    assert mailoutbox == []


def test_a_contact_of_a_declining_entity_still_writes_an_internal_note(
    client, two_routed, entity, entity_contact, django_capture_on_commit_callbacks, mailoutbox
):
    decline(two_routed, entity, entity_contact)
    client.force_login(entity_contact)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_message(client, two_routed, "internal", "Ask the Lyon team, they have the cohort.")

    assert "Internal note saved." in messages_of(response)
    note = Message.objects.get(enquiry=two_routed, author=entity_contact)
    assert note.is_internal
    assert not any(two_routed.contact_email in mail.to for mail in mailoutbox)


@pytest.mark.parametrize("answer", ["pending", "accepted"])
def test_a_contact_of_an_entity_still_on_the_enquiry_writes_to_the_company(
    client,
    two_routed,
    central_user,
    entity,
    entity_contact,
    other_entity,
    other_contact,
    answer,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    decline(two_routed, entity, entity_contact)  # another entity's decline does not silence this one
    if answer == "accepted":
        accept(two_routed, other_entity, other_contact)
    client.force_login(other_contact)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_message(client, two_routed, "company", "Could you send us the antibody's datasheet?")

    assert "Message sent to the company." in messages_of(response)
    message = Message.objects.get(enquiry=two_routed, author=other_contact)
    assert not message.is_internal
    assert any(two_routed.contact_email in mail.to for mail in mailoutbox)


# ---- 4. files downloaded through the admin, within scope ---------------------------------------------------


@pytest.fixture
def files(central_user, entity):
    """A non-confidential and a confidential file on an enquiry routed to ``entity``."""
    enquiry = routed_enquiry(entities=[entity], actor=central_user)
    public = AttachmentFactory(
        enquiry=enquiry, original_name="AML summary (public).pdf", content=b"%PDF-1.4 public summary"
    )
    secret = AttachmentFactory(
        enquiry=enquiry,
        original_name="CD123 assay protocol.pdf",
        content=b"%PDF-1.4 confidential protocol",
        confidentiality=Confidentiality.CONFIDENTIAL,
    )
    return enquiry, public, secret


def downloaded(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_central_team_downloads_each_file_under_its_original_name(client, central_user, files):
    enquiry, public, secret = files
    client.force_login(central_user)

    for attachment, content in ((public, b"%PDF-1.4 public summary"), (secret, b"%PDF-1.4 confidential protocol")):
        response = client.get(download_url(attachment))
        assert downloaded(response) == content
        assert response["Content-Disposition"] == f'attachment; filename="{attachment.original_name}"'

    page = client.get(change_url(enquiry)).text
    for attachment in (public, secret):
        assert f'<a href="{download_url(attachment)}">{attachment.original_name}</a>' in page


def test_an_entity_contact_downloads_the_non_confidential_file_only(client, entity_contact, files):
    enquiry, public, secret = files
    client.force_login(entity_contact)

    assert downloaded(client.get(download_url(public))) == b"%PDF-1.4 public summary"
    assert client.get(download_url(secret)).status_code == 404

    page = client.get(change_url(enquiry)).text
    assert f'<a href="{download_url(public)}">{public.original_name}</a>' in page
    assert download_url(secret) not in page and secret.original_name not in page


@pytest.mark.parametrize("outsider", ["contact of an entity not routed", "legal staff of another body"])
def test_staff_outside_the_enquiry_get_404_for_its_files(client, files, outsider):
    if outsider == "contact of an entity not routed":
        user = staff(ENTITY_CONTACT, entity=EntityFactory())
    else:
        user = staff(LEGAL_STAFF, body=GoverningBodyFactory())
    client.force_login(user)
    _enquiry, public, secret = files

    for attachment in (public, secret):
        assert client.get(download_url(attachment)).status_code == 404


# ---- 5. a second entity accepts after another one --------------------------------------------------------


def test_a_second_entity_accepts_after_another_one_did(
    client, two_routed, entity, entity_contact, other_entity, other_contact
):
    accept(two_routed, other_entity, other_contact)
    client.force_login(entity_contact)

    page = client.get(change_url(two_routed))
    assert "accept_routing" in offered(page)
    assert "Accept for the entity…" in panel(page)
    assert "accept_by_entity" not in offered(page)  # that step moved the enquiry on already
    assert client.get(action_url(two_routed, "accept_routing")).status_code == 200
    changes_before = StageChange.objects.filter(enquiry=two_routed).count()

    response = client.post(
        action_url(two_routed, "accept_routing"),
        {"routing": routing_of(two_routed, entity).pk, "reason": "Dr Martin will follow it."},
    )

    assert response.status_code == 302
    routing = routing_of(two_routed, entity)
    assert (routing.status, routing.answered_by) == (RoutingStatus.ACCEPTED, entity_contact)
    two_routed.refresh_from_db()
    assert two_routed.stage == S.ACCEPTED
    assert StageChange.objects.filter(enquiry=two_routed).count() == changes_before
    said = " ".join(messages_of(response))
    assert f"The answer of {entity} is recorded." in said
    assert "Accepted by an entity" in said


def test_an_entity_that_answered_is_not_offered_to_accept_again(client, two_routed, other_entity, other_contact):
    accept(two_routed, other_entity, other_contact)
    client.force_login(other_contact)

    page = client.get(change_url(two_routed))

    assert not offered(page) & {"accept_routing", "accept_by_entity", "decline_routing"}


# ---- 6. a wild page number on the queue --------------------------------------------------------------------


@pytest.fixture
def seven_on_pages_of_five(monkeypatch):
    """Seven open enquiries on pages of five: the page number reaches the paginator."""
    monkeypatch.setattr(admin.site._registry[Enquiry], "list_per_page", 5)
    for n in range(7):
        submitted_enquiry(title=f"Queue row {n}")


@pytest.mark.parametrize("page", ["99999999999999999999999", "1000000"])
def test_a_wild_page_number_answers_without_counting_every_enquiry(client, central_user, seven_on_pages_of_five, page):
    client.force_login(central_user)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(QUEUE, {"p": page})
        if response.status_code == 302:  # Django's "invalid page": back to the queue, with ?e=1
            response = client.get(response["Location"])

    assert response.status_code == 200
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    counts = [sql for sql in counts if "partners_enquiry" in sql]
    assert counts, "the queue says how many enquiries it holds"
    most = (MAX_PAGE + CappedCountPaginator.lookahead) * 5 + 1
    for sql in counts:
        limit = re.search(r"LIMIT (\d+)", sql, re.I)
        assert limit, f"a COUNT over every enquiry: {sql}"
        assert int(limit.group(1)) <= most, f"a COUNT bounded only by the page asked for: {sql}"


# ---- 7. a call deadline presses until an entity accepts ----------------------------------------------------


@pytest.mark.parametrize(
    ("submitted_days_ago", "deadline_in_days", "mark"),
    [(2, 10, "call deadline in 10 days"), (40, -5, "call deadline passed")],
    ids=["near", "passed"],
)
def test_a_call_deadline_stops_marking_the_enquiry_overdue_once_an_entity_accepted(
    client, central_user, entity, entity_contact, submitted_days_ago, deadline_in_days, mark
):
    now = timezone.now()
    today = timezone.localdate()
    enquiry = routed_enquiry(
        entities=[entity],
        actor=central_user,
        kind=PartnershipKind.COLLABORATIVE_CALL,
        funding_programme=FundingProgramme.CANCER_MISSION,
        funding_deadline=today + dt.timedelta(days=deadline_in_days),
        submitted__at=now - dt.timedelta(days=submitted_days_ago),
    )
    client.force_login(central_user)

    # routed: nobody took it on, the call presses
    assert enquiry.overdue_from is not None and enquiry.overdue_from <= today
    assert enquiry in Enquiry.objects.overdue()
    assert mark in text_of(panel(client.get(change_url(enquiry))))
    assert [e.pk for e in client.get(QUEUE, {"overdue": "yes"}).context["cl"].result_list] == [enquiry.pk]

    accept(enquiry, entity, entity_contact)

    enquiry.refresh_from_db()
    assert enquiry.stage == S.ACCEPTED
    assert enquiry.overdue_from is None  # recomputed by the transition's save, not on some later edit
    assert enquiry not in Enquiry.objects.overdue()
    assert "call deadline" not in text_of(panel(client.get(change_url(enquiry))))
    assert list(client.get(QUEUE, {"overdue": "yes"}).context["cl"].result_list) == []


# ---- 8. saving the form never writes an old stage back ----------------------------------------------------


def change_form_data(page) -> dict[str, list[str]]:
    """What the change form on ``page`` would send as it stands (its inlines' management forms included)."""
    found = re.search(r'<form[^>]*id="enquiry_form".*?</form>', page.text, re.S)
    assert found, "no change form on the page"
    return {**form_values(found.group(0)), "_save": ["Save"]}


def test_saving_a_form_loaded_before_a_step_keeps_the_new_stage(client, central_user, entity):
    enquiry = submitted_enquiry(title="Old title")
    client.force_login(central_user)
    data = change_form_data(client.get(change_url(enquiry)))
    assert data["title"] == ["Old title"]

    # meanwhile a colleague routes it
    workflow.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity])
    data["title"] = ["Anti-CD123 antibody on primary AML blasts"]
    response = client.post(change_url(enquiry), data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    enquiry.refresh_from_db()
    assert enquiry.title == "Anti-CD123 antibody on primary AML blasts"
    assert enquiry.stage == S.ROUTED
    assert enquiry.routed_at is not None and enquiry.first_response_at is not None


def test_a_step_taken_while_the_form_is_saved_is_not_undone(client, central_user, entity, monkeypatch):
    """The race itself: the step lands after the admin read the enquiry for the POST, before it saves it."""
    enquiry = submitted_enquiry(title="Old title")
    client.force_login(central_user)
    data = change_form_data(client.get(change_url(enquiry)))
    data["title"] = ["Anti-CD123 antibody on primary AML blasts"]
    model_admin = admin.site._registry[Enquiry]
    save_form = model_admin.save_form

    def save_form_while_a_colleague_routes(request, form, change):
        obj = save_form(request, form, change)
        workflow.enquiry_route(enquiry=enquiry, actor=central_user, entities=[entity])
        return obj

    monkeypatch.setattr(model_admin, "save_form", save_form_while_a_colleague_routes)

    response = client.post(change_url(enquiry), data)

    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.title == "Anti-CD123 antibody on primary AML blasts"
    assert enquiry.stage == S.ROUTED
    assert enquiry.routed_at is not None and enquiry.first_response_at is not None


# ---- 9. a refused bulk step says why ----------------------------------------------------------------------


def test_taking_a_routed_enquiry_into_triage_in_bulk_says_it_is_not_possible_from_its_stage(
    client, central_user, two_routed
):
    client.force_login(central_user)

    response = client.post(QUEUE, {"action": "take_into_triage", "_selected_action": [two_routed.pk], "index": "0"})

    assert response.status_code == 302
    assert f"{two_routed.reference} (Routed to entities): not possible from this stage." in messages_of(response)
    two_routed.refresh_from_db()
    assert two_routed.stage == S.ROUTED
