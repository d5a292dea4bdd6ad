"""Following an enquiry: "My enquiries", and the enquiry's page with its timeline in plain words, who holds the
ball, the thread with the OPALE team (never its internal notes), documents, messages, and withdrawal."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from partners import workflow
from partners.choices import EnquiryStage
from partners.models import Message

from ..factories import AttachmentFactory, EnquiryFactory, MessageFactory, routed_enquiry, submitted_enquiry
from .files import PDF, upload

pytestmark = pytest.mark.django_db


def detail(enquiry):
    return reverse("partners:enquiry_detail", args=[enquiry.pk])


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# My enquiries


def test_my_enquiries_lists_the_companys_enquiries_newest_first(member, company, other_company, company_member):
    now = timezone.now()
    oldest = submitted_enquiry(
        company=company, title="Oldest: consultancy", created_at=now - dt.timedelta(days=30), submitted=company_member
    )
    middle = EnquiryFactory(company=company, title="Middle: a draft", created_at=now - dt.timedelta(days=3))
    newest = submitted_enquiry(company=company, title="Newest: CAR-T", created_at=now, submitted=company_member)
    EnquiryFactory(company=other_company, title="Not ours", submitted=True)

    page = member.get(reverse("partners:enquiry_list")).text
    titles = re.findall(r"(Oldest: consultancy|Middle: a draft|Newest: CAR-T|Not ours)", page)
    assert titles == ["Newest: CAR-T", "Middle: a draft", "Oldest: consultancy"]
    for enquiry in (oldest, newest):
        assert enquiry.reference in page
        assert reverse("partners:enquiry_detail", args=[enquiry.pk]) in page
    assert reverse("partners:enquiry_edit", args=[middle.pk, "needs"]) in page  # a draft opens on its form
    assert page.count(">Submitted</span>") == 2 and page.count(">Draft</span>") == 1
    assert "Draft – not sent yet" in page
    assert page.count(f"Last activity: {date_filter(timezone.localtime(newest.updated_at), 'j F Y')}") >= 1
    assert "Who holds the ball: The OPALE central team" in page


def test_my_enquiries_shows_the_last_activity_and_the_stage_after_a_change(member, company, central_user):
    enquiry = submitted_enquiry(company=company)
    workflow.enquiry_request_information(enquiry=enquiry, actor=central_user, question="Which CD123 clone?")
    page = member.get(reverse("partners:enquiry_list")).text
    assert "Awaiting information from the company" in page
    assert "Who holds the ball: The company" in page


def test_my_enquiries_for_a_new_member_invites_a_first_enquiry(member):
    page = member.get(reverse("partners:enquiry_list")).text
    assert "No enquiry yet" in page
    assert reverse("partners:enquiry_new") in page


def test_my_enquiries_reads_a_bounded_number_of_queries(member, company, company_member, django_assert_max_num_queries):
    for n in range(20):
        enquiry = EnquiryFactory(
            company=company, title=f"Enquiry number {n}", submitted=company_member if n % 2 else None
        )
        MessageFactory(enquiry=enquiry, author=company_member)
        AttachmentFactory(enquiry=enquiry)
    # 1 session, 2 user, 3 the user's company membership, 4 the company named in the header, 5 the enquiries
    # with their last message and file count (one annotated query): never one per row
    with django_assert_max_num_queries(5):
        page = member.get(reverse("partners:enquiry_list"))
    assert page.text.count("Enquiry number") == 20


def test_staff_are_sent_to_the_admin_from_my_enquiries(client, central_user):
    client.force_login(central_user)
    assert client.get(reverse("partners:enquiry_list"))["Location"] == reverse("admin:index")


# The enquiry's page


@pytest.fixture
def accepted(company, company_member, central_user, entity, entity_contact):
    """Submitted by the member, routed by the central team to the entity, accepted by its contact."""
    enquiry = routed_enquiry(
        entities=[entity], actor=central_user, company=company, title="CD123 in AML", submitted=company_member
    )
    routing = enquiry.routings.get()
    return workflow.enquiry_answer_routing(routing=routing, actor=entity_contact, accept=True)


def test_the_timeline_tells_each_step_in_plain_words(member, accepted):
    page = member.get(detail(accepted)).text
    steps = [
        "You submitted the enquiry.",
        "Routed to Institut de recherche Saint-Louis (U944), which will say whether they can take it on.",
        "Institut de recherche Saint-Louis (U944) can take your project on.",
    ]
    positions = [page.find(escape(step)) for step in steps]
    assert -1 not in positions, positions
    assert positions == sorted(positions)  # oldest first
    assert "accept_by_entity" not in page  # never the machine's names


def test_the_page_says_who_holds_the_ball_and_since_when(member, accepted):
    page = member.get(detail(accepted)).text
    since = date_filter(timezone.localtime(accepted.stage_changed_at), "j F Y")
    assert re.search(r"Who holds the ball</div>\s*<div[^>]*>The OPALE central team</div>", page)
    assert f"since {since}" in page
    assert "Accepted by an entity" in page  # the stage


def test_the_company_is_told_when_the_ball_is_theirs(member, company, central_user):
    enquiry = submitted_enquiry(company=company)
    workflow.enquiry_request_information(enquiry=enquiry, actor=central_user, question="Which CD123 clone is it?")
    page = member.get(detail(enquiry)).text
    assert re.search(r"Who holds the ball</div>\s*<div[^>]*>The company</div>", page)
    assert "The OPALE team asked you for more information." in page
    assert "Which CD123 clone is it?" in page


def test_an_entitys_reason_for_declining_stays_with_opale(member, company, company_member, central_user, entity):
    enquiry = routed_enquiry(entities=[entity], actor=central_user, company=company, submitted=company_member)
    contact = entity.scientific_contacts.first() or central_user
    workflow.enquiry_answer_routing(
        routing=enquiry.routings.get(), actor=contact, accept=False, reason="Their antibody is weak, frankly."
    )
    page = member.get(detail(enquiry)).text
    assert "The entities contacted could not take it on" in page
    assert "frankly" not in page


def test_the_thread_never_shows_internal_notes(member, accepted, central_user, company_member):
    MessageFactory(enquiry=accepted, author=central_user, body="Could you send the clone's datasheet?")
    MessageFactory(enquiry=accepted, author=company_member, body="Here is what we know so far.")
    MessageFactory(enquiry=accepted, author=central_user, is_internal=True, body="Internal: their cash runs out soon")
    page = member.get(detail(accepted)).text
    assert "Could you send the clone&#x27;s datasheet?" in page
    assert "Here is what we know so far." in page
    assert "their cash runs out" not in page


def test_the_documents_of_the_enquiry_are_listed_with_links(member, accepted):
    attachment = AttachmentFactory(enquiry=accepted, original_name="Pitch deck.pdf")
    page = member.get(detail(accepted)).text
    assert "Pitch deck.pdf" in page
    assert reverse("partners:attachment_download", args=[accepted.pk, attachment.pk]) in page


def test_a_member_posts_a_message_with_a_file(member, accepted, company_member):
    before = type(accepted).objects.get(pk=accepted.pk).updated_at
    response = member.post(
        reverse("partners:message_create", args=[accepted.pk]),
        {"body": "Our datasheet is attached.", "files": [upload("datasheet.pdf", PDF)]},
    )
    assert response["Location"] == detail(accepted) + "#thread"
    message = Message.objects.get(body="Our datasheet is attached.")
    assert (message.author, message.is_internal) == (company_member, False)
    assert [a.original_name for a in message.attachments.all()] == ["datasheet.pdf"]
    page = member.get(detail(accepted))
    assert "Message sent to the OPALE team." in page_messages(page)
    assert "Our datasheet is attached." in page.text
    assert page.text.count("datasheet.pdf") >= 2  # under the message and among the documents
    accepted.refresh_from_db()
    assert accepted.updated_at > before  # the last activity of "My enquiries"


def test_a_message_with_a_refused_file_is_sent_and_the_file_refusal_explained(member, accepted):
    response = member.post(
        reverse("partners:message_create", args=[accepted.pk]),
        {"body": "See the notes.", "files": [upload("notes.pdf", b"plain text")]},
        follow=True,
    )
    assert Message.objects.filter(body="See the notes.").exists()
    assert not accepted.attachments.exists()
    assert any("is not a file type we accept" in m for m in page_messages(response))


def test_an_empty_message_is_refused(member, accepted):
    response = member.post(reverse("partners:message_create", args=[accepted.pk]), {"body": "  "}, follow=True)
    assert "This field is required." in response.text  # beside the field
    assert not Message.objects.exists()


def test_a_refused_confidential_file_keeps_the_typed_message(member, accepted):
    text = "Here is the structure of HMV-201 and its formulation, as promised."
    upload = SimpleUploadedFile("structure.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = member.post(
        reverse("partners:message_create", args=[accepted.pk]),
        {"body": text, "files": [upload], "confidential": "on"},
    )
    assert response.status_code == 200
    assert text in response.text  # still in the box, nothing lost
    assert "Confidential files are accepted only once an NDA is in force" in response.text
    assert "choose the files again" in " ".join(page_messages(response))
    assert not Message.objects.exists() and not accepted.attachments.exists()


def test_withdrawing_needs_a_reason(member, accepted):
    response = member.post(reverse("partners:enquiry_withdraw", args=[accepted.pk]), {"reason": ""}, follow=True)
    assert page_messages(response) == ["Say why you withdraw the enquiry."]
    accepted.refresh_from_db()
    assert accepted.stage == EnquiryStage.ACCEPTED


def test_a_withdrawn_enquiry_says_so_with_the_reason(member, accepted):
    response = member.post(
        reverse("partners:enquiry_withdraw", args=[accepted.pk]),
        {"reason": "Our board stopped the programme."},
        follow=True,
    )
    accepted.refresh_from_db()
    assert accepted.stage == EnquiryStage.WITHDRAWN
    assert accepted.closed_at is not None
    assert page_messages(response) == [f"Enquiry {accepted.reference} withdrawn."]
    page = response.text
    assert "You withdrew the enquiry." in page
    assert "Our board stopped the programme." in page
    assert "Withdrawn by the company" in page
    assert "Nobody (closed)" in page
    assert reverse("partners:enquiry_withdraw", args=[accepted.pk]) not in page  # no second withdrawal
    assert reverse("partners:message_create", args=[accepted.pk]) not in page  # no message form


def test_a_closed_enquiry_refuses_new_messages(member, accepted, company_member):
    workflow.enquiry_withdraw(enquiry=accepted, actor=company_member, reason="Stopped.")
    response = member.post(
        reverse("partners:message_create", args=[accepted.pk]), {"body": "One more thing"}, follow=True
    )
    assert page_messages(response) == ["This enquiry is closed: start a new one to write to OPALE again."]
    assert not Message.objects.filter(body="One more thing").exists()


def test_a_closed_enquiry_cannot_be_withdrawn_again(member, accepted, company_member):
    workflow.enquiry_withdraw(enquiry=accepted, actor=company_member, reason="Stopped.")
    response = member.post(reverse("partners:enquiry_withdraw", args=[accepted.pk]), {"reason": "Again"}, follow=True)
    assert response.status_code == 200
    assert "no longer possible" in page_messages(response)[0]
    assert accepted.stage_changes.filter(transition="withdraw").count() == 1
