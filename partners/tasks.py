"""Celery entry points of the partners app; each calls a service and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import notices


@shared_task(ignore_result=True)
def send_daily_digests() -> int:
    """Celery beat, working mornings: what awaits each entity contact, what is overdue for the central team."""
    return notices.daily_digests()
