"""Celery entry points of the outbox: send one e-mail (safe to run twice), re-send what is still pending."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=None, ignore_result=True)
def send_notification(self, notification_id: int) -> str:
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .first()
        )
        if notification is None:
            return "skipped"  # already sent, given up, or being sent by another worker right now
        notification.attempts += 1
        try:
            message = EmailMultiAlternatives(
                subject=notification.subject,
                body=notification.body_text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[notification.recipient],
            )
            if notification.body_html:
                message.attach_alternative(notification.body_html, "text/html")
            message.send()
        except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
            notification.last_error = f"{type(error).__name__}: {error}"[:2000]
            if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                notification.status = Notification.Status.FAILED
            notification.save(update_fields=["attempts", "last_error", "status"])
            logger.warning("Notification %s not sent (attempt %s): %s", notification.pk, notification.attempts, error)
            return "failed"
        notification.status = Notification.Status.SENT
        notification.sent_at = timezone.now()
        notification.last_error = ""
        notification.save(update_fields=["attempts", "last_error", "status", "sent_at"])
    return "sent"


@shared_task(ignore_result=True)
def resend_pending(older_than_seconds: int = 30, batch: int = 200) -> int:
    """Periodic (Celery beat): queue again what is pending, with a back-off that grows with the attempts."""
    now = timezone.now()
    pending = Notification.objects.filter(
        status=Notification.Status.PENDING, created_at__lte=now - dt.timedelta(seconds=older_than_seconds)
    ).order_by("created_at")[:batch]
    queued = 0
    for notification_id, attempts, created_at in pending.values_list("pk", "attempts", "created_at"):
        # attempt n waits about 2^n minutes after the e-mail was caused before the next try
        if attempts and now < created_at + dt.timedelta(minutes=2 ** min(attempts, 10)):
            continue
        send_notification.delay(notification_id)
        queued += 1
    return queued
