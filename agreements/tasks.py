"""Celery entry points of the agreements app; each calls a service and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import drafts


@shared_task(ignore_result=True, soft_time_limit=drafts.SOFT_TIME_LIMIT, time_limit=drafts.HARD_TIME_LIMIT)
def render_draft(version_id: int) -> str:
    """Make the PDF of a draft version asked for in a request (agreements.drafts.draft_request)."""
    return drafts.draft_render(version_id)


@shared_task(ignore_result=True, soft_time_limit=drafts.SOFT_TIME_LIMIT, time_limit=drafts.HARD_TIME_LIMIT)
def render_template_preview(template_id: int, source_hash: str) -> str:
    """Make the specimen PDF of a governing body's template version (agreements.body_templates.template_preview)."""
    from . import body_templates

    return body_templates.template_preview_render(template_id, source_hash)


@shared_task(ignore_result=True)
def expire_contracts() -> str:
    """Daily (Celery beat): warn the parties of contracts ending soon, then expire those past their end date; warn
    about signature deadlines coming near."""
    from . import expiry

    warned, expired = expiry.warn_expiring(), expiry.expire_due()
    deadlines = expiry.warn_signature_deadlines()
    return f"{warned} warned, {expired} expired, {deadlines} signature deadlines near"
