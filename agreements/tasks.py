"""Celery entry points of the agreements app; each calls a service and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import drafts


@shared_task(ignore_result=True, soft_time_limit=drafts.SOFT_TIME_LIMIT, time_limit=drafts.HARD_TIME_LIMIT)
def render_draft(version_id: int) -> str:
    """Make the PDF of a draft version asked for in a request (agreements.drafts.draft_request)."""
    return drafts.draft_render(version_id)


@shared_task(ignore_result=True)
def expire_contracts() -> str:
    """Daily (Celery beat): warn the parties of contracts ending soon, then expire those past their end date."""
    from . import expiry

    warned, expired = expiry.warn_expiring(), expiry.expire_due()
    return f"{warned} warned, {expired} expired"
