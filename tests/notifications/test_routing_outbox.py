"""Routing with the broker down: the routing is saved, its e-mails wait in the outbox, and they leave once the
broker is back, through the periodic re-send. Once with a simulated return, once with a real Redis and worker."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time

import pytest
from celery._state import _set_task_join_will_block
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from notifications.tasks import resend_pending
from opale_portal.celery import app
from partners.choices import EnquiryStage
from partners.models import Routing

from ..factories import submitted_enquiry

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every connection is refused at once


KEYS = ["task_always_eager", "broker_url", "broker_write_url", "task_publish_retry", "broker_transport_options"]


@contextlib.contextmanager
def broker(url: str | None):
    """Send tasks to ``url`` for real (``None``: run them in-process, as the test settings do)."""
    # raw values: reading broker_write_url as a property would give broker_url in its place
    saved = {key: app.conf.get(key) for key in KEYS}

    def use(values):
        app.conf.update(values)
        app._pool = None  # forget connections to the previous broker
        app.amqp._producer_pool = None

    use(
        {
            "task_always_eager": url is None,
            "broker_url": url or saved["broker_url"],
            "broker_write_url": url or saved["broker_write_url"],
            "task_publish_retry": False,
            "broker_transport_options": {"max_retries": 0},  # refused at once, no reconnection attempts
        }
    )
    try:
        yield
    finally:
        use(saved)


@pytest.fixture
def enquiry(company, company_member):
    enquiry = submitted_enquiry(company=company, submitted=company_member, language="en")
    Notification.objects.all().delete()  # its submission's confirmation is not what these tests follow
    mail.outbox.clear()
    return enquiry


def route_in_the_admin(client, central_user, enquiry, entity, captured):
    client.force_login(central_user)
    url = reverse("admin:partners_enquiry_transition", args=[enquiry.pk, "route"])
    with captured(execute=True):
        response = client.post(url, {"entities": [entity.pk], "note": "Could your team look at this?"})
    assert response.status_code == 302, response.content[:500]
    return response


def later(minutes: int) -> None:
    Notification.objects.update(created_at=timezone.now() - dt.timedelta(minutes=minutes))


@pytest.mark.django_db
def test_a_routing_with_the_broker_down_is_saved_and_its_emails_go_out_when_it_is_back(
    client, central_user, entity, entity_contact, legal_officer, enquiry, django_capture_on_commit_callbacks
):
    with broker(DEAD_BROKER):
        response = route_in_the_admin(client, central_user, enquiry, entity, django_capture_on_commit_callbacks)

    assert "Route to entities" in client.get(response["Location"]).text  # the page opens, no error page
    enquiry.refresh_from_db()
    assert enquiry.stage == EnquiryStage.ROUTED
    assert Routing.objects.filter(enquiry=enquiry, entity=entity).exists()
    waiting = Notification.objects.filter(status=Notification.Status.PENDING)
    recipients = set(waiting.values_list("recipient", flat=True))
    assert entity_contact.email in recipients  # the scientific contact
    assert enquiry.contact_email in recipients  # the company
    assert mail.outbox == []

    later(minutes=1)  # the broker is back (tasks run again): the periodic task sends what waited
    assert resend_pending() == len(recipients)
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SENT}
    assert {m.to[0] for m in mail.outbox} == recipients


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_a_real_redis_and_worker_the_waiting_emails_leave_once_the_broker_is_back(
    client, central_user, entity, entity_contact, legal_officer, enquiry, django_capture_on_commit_callbacks
):
    with broker(DEAD_BROKER):
        route_in_the_admin(client, central_user, enquiry, entity, django_capture_on_commit_callbacks)
    pending = Notification.objects.filter(status=Notification.Status.PENDING)
    count = pending.count()
    assert count >= 2

    later(minutes=1)
    redis_url = os.environ["CELERY_BROKER_URL"]
    saved_logger = app.conf.worker_hijack_root_logger
    app.conf.worker_hijack_root_logger = False
    try:
        with broker(redis_url), start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            assert resend_pending() == count  # queued on Redis, sent by the worker
            deadline = time.monotonic() + 30
            while pending.exists() and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        app.conf.worker_hijack_root_logger = saved_logger
        _set_task_join_will_block(False)
    assert not pending.exists()
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == count
    assert len(mail.outbox) == count
