"""Queue e-mails through the outbox.

``notify`` renders the e-mail in the recipient's language now (so it says what was true when it was caused),
writes the row in the caller's transaction, and asks a worker to send it once that transaction commits. If
the broker is down, the row stays pending and the periodic task sends it later: mail is delayed, never lost.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import Notification

logger = logging.getLogger(__name__)


def notify(*, to: str, template: str, context: dict, language: str | None = None, user=None) -> Notification:
    """Render ``emails/<template>_subject.txt``, ``.txt`` and ``.html`` and queue the e-mail."""
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    return queue(
        to=to,
        template=template,
        language=language,
        subject=subject,
        text=text,
        html=html,
        context=_plain(context),
        user=user,
    )


def queue(*, to: str, template: str, language: str, subject: str, text: str, html: str = "", context=None, user=None):
    """Write an already rendered e-mail to the outbox and send it after commit."""
    notification = Notification.objects.create(
        recipient=to,
        user=user,
        language=language,
        template=template,
        context=context or {},
        subject=" ".join(subject.split())[:255],
        body_text=text,
        body_html=html,
    )
    transaction.on_commit(lambda: dispatch(notification.pk))
    return notification


def dispatch(notification_id: int) -> None:
    """Hand one notification to the task queue; a dead broker only delays it (the periodic task re-sends)."""
    from .tasks import send_notification

    try:
        send_notification.delay(notification_id)
    except Exception:  # noqa: BLE001 - the broker or an eager send failed: the row stays pending
        logger.warning("Notification %s stays pending: could not queue it now", notification_id, exc_info=True)


def _plain(context: dict) -> dict:
    """The JSON-friendly part of a context, kept with the row to say what the e-mail was about."""
    return {k: v for k, v in context.items() if isinstance(v, str | int | float | bool) or v is None}
