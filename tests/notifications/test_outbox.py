"""The notification outbox (DESIGN.md section 6): an e-mail is a row written in the transaction of its cause, sent
by a task once that transaction commits, in the recipient's language, as text and HTML; a broken mail server or a
dead broker delays it and loses nothing; a task run twice sends once; after enough failures it gives up."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from agreements.models import StageChange
from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import resend_pending, send_notification
from partners import workflow
from partners.choices import EnquiryStage

from ..factories import EnquiryFactory

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
BROKEN = "tests.notifications.test_outbox.BrokenSMTPBackend"


class BrokenSMTPBackend(BaseEmailBackend):
    """A mail server that hangs up on every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def draft(company, company_member):
    """A complete draft; its contact is not the member, so submitting it e-mails two people."""
    return EnquiryFactory(company=company, language="en", contact_email="claire.martin@example.com")


def submit(enquiry, actor):
    return workflow.enquiry_submit(enquiry=enquiry, actor=actor)


def later(minutes: int) -> None:
    """Move the clock: every pending e-mail was caused ``minutes`` ago (the re-send waits 2^attempts minutes)."""
    Notification.objects.update(created_at=timezone.now() - dt.timedelta(minutes=minutes))


# Written with its cause


def test_a_submission_refused_as_incomplete_writes_no_email(company, company_member):
    incomplete = EnquiryFactory(company=company, summary="")
    with pytest.raises(ValidationError):
        submit(incomplete, company_member)
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_if_the_email_cannot_be_written_the_submission_is_undone_too(draft, company_member, monkeypatch):
    calls = []

    def notify_then_fail(**kwargs):
        calls.append(kwargs["to"])
        if len(calls) == 2:
            raise RuntimeError("disk full while writing the second e-mail")
        return notify(**kwargs)

    monkeypatch.setattr(workflow, "notify", notify_then_fail)
    with pytest.raises(RuntimeError):
        submit(draft, company_member)
    draft.refresh_from_db()
    assert (draft.stage, draft.reference) == (EnquiryStage.DRAFT, None)
    assert not StageChange.objects.filter(enquiry=draft).exists()
    assert not Notification.objects.exists()  # the first e-mail's row went with the transaction


def test_the_email_is_sent_only_after_the_submission_commits(draft, company_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(draft, company_member)
    rows = Notification.objects.filter(template="enquiry_submitted")
    assert {n.recipient for n in rows} == {company_member.email, "claire.martin@example.com"}
    assert {(n.status, n.attempts) for n in rows} == {(Notification.Status.PENDING, 0)}
    assert mail.outbox == []

    for callback in callbacks:
        callback()
    for notification in rows.all():
        assert (notification.status, notification.attempts, notification.last_error) == ("sent", 1, "")
        assert notification.sent_at is not None
    assert len(mail.outbox) == 2


def test_the_confirmation_has_a_subject_a_text_and_an_html_body(
    draft, company_member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enquiry = submit(draft, company_member)
    message = next(m for m in mail.outbox if m.to == [company_member.email])
    assert message.subject == f"[OPALE] Enquiry {enquiry.reference} received"
    assert enquiry.reference in message.body
    assert f"/enquiries/{enquiry.pk}/" in message.body
    html = [content for content, mime in message.alternatives if mime == "text/html"]
    assert len(html) == 1
    assert enquiry.reference in html[0]
    assert "<" in html[0]
    notification = Notification.objects.get(recipient=company_member.email)
    assert notification.user == company_member
    assert notification.context["reference"] == enquiry.reference


def test_the_email_is_in_the_language_of_the_enquiry(company, company_member, django_capture_on_commit_callbacks):
    french = EnquiryFactory(company=company, language="fr", contact_email=company_member.email)
    with django_capture_on_commit_callbacks(execute=True):
        enquiry = submit(french, company_member)
    notification = Notification.objects.get()
    assert notification.language == "fr"
    assert notification.subject == f"[OPALE] Demande {enquiry.reference} reçue"
    assert "Thank you" not in notification.body_text
    assert mail.outbox[0].subject == notification.subject


def test_the_language_of_the_email_is_not_the_language_of_the_page(
    client, company, company_member, django_capture_on_commit_callbacks
):
    english = EnquiryFactory(company=company, language="en", contact_email=company_member.email)
    client.force_login(company_member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("partners:enquiry_edit", args=[english.pk, "review"]),
            {"consent": "on", "website": ""},
            headers={"Accept-Language": "fr"},
        )
    notification = Notification.objects.get()
    assert notification.language == "en"
    assert notification.subject.endswith("received")


# A broken mail server delays the e-mail; the periodic task sends it later, or gives up


def test_a_broken_mail_server_leaves_the_email_pending_with_the_error(
    draft, company_member, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = BROKEN
    with django_capture_on_commit_callbacks(execute=True):
        enquiry = submit(draft, company_member)
    assert enquiry.stage == EnquiryStage.SUBMITTED  # the company's enquiry is in, whatever the mail server does
    for notification in Notification.objects.all():
        assert (notification.status, notification.attempts) == (Notification.Status.PENDING, 1)
        assert notification.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
        assert notification.sent_at is None


def test_the_periodic_task_sends_it_once_the_server_works_again(
    draft, company_member, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = BROKEN
    with django_capture_on_commit_callbacks(execute=True):
        submit(draft, company_member)
    settings.EMAIL_BACKEND = LOCMEM
    assert resend_pending() == 0  # too early: the first retry waits a couple of minutes
    later(minutes=5)
    assert resend_pending() == 2
    for notification in Notification.objects.all():
        assert (notification.status, notification.attempts, notification.last_error) == ("sent", 2, "")
    assert len(mail.outbox) == 2
    later(minutes=60)
    assert resend_pending() == 0  # sent e-mails are never sent again
    assert len(mail.outbox) == 2


def test_it_gives_up_after_the_last_attempt(draft, company_member, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = BROKEN
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        submit(draft, company_member)  # attempt 1
    for _retry in range(2):  # attempts 2 and 3, each once its back-off has passed
        later(minutes=24 * 60)
        assert resend_pending() == 2
    for notification in Notification.objects.all():
        assert (notification.status, notification.attempts) == (Notification.Status.FAILED, 3)
        assert "SMTPServerDisconnected" in notification.last_error
    settings.EMAIL_BACKEND = LOCMEM
    later(minutes=24 * 60)
    assert resend_pending() == 0
    assert send_notification(Notification.objects.first().pk) == "skipped"
    assert mail.outbox == []


# A dead broker loses nothing


def test_a_dead_broker_never_loses_the_enquiry_nor_its_email(
    client, draft, company_member, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(send_notification, "delay", broker_down)
    client.force_login(company_member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partners:enquiry_edit", args=[draft.pk, "review"]), {"consent": "on", "website": ""}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:enquiry_submitted", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.stage == EnquiryStage.SUBMITTED
    assert draft.reference in client.get(response["Location"]).text
    rows = Notification.objects.all()
    assert rows.count() == 2
    assert {(n.status, n.attempts) for n in rows} == {(Notification.Status.PENDING, 0)}
    assert mail.outbox == []

    monkeypatch.undo()  # the broker is back: the periodic task sends what waited
    later(minutes=1)
    assert resend_pending() == 2
    assert {n.status for n in Notification.objects.all()} == {Notification.Status.SENT}
    assert len(mail.outbox) == 2


# Safe to run twice


def test_running_the_send_task_twice_sends_once(draft, company_member):
    submit(draft, company_member)  # no commit in this test: nothing is sent yet
    notification = Notification.objects.get(recipient=company_member.email)
    assert send_notification(notification.pk) == "sent"
    assert send_notification(notification.pk) == "skipped"
    send_notification.delay(notification.pk)
    assert len([m for m in mail.outbox if m.to == [company_member.email]]) == 1
    notification.refresh_from_db()
    assert notification.attempts == 1


def test_the_task_skips_an_email_that_no_longer_exists(db):
    assert send_notification(123456) == "skipped"
