"""Celery entry points of the quality app."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def refresh_clocks(enquiry_id: int) -> None:
    """Recompute one enquiry's clocks after a stage change (quality.clocks.stage_changed); safe to run twice."""
    from . import clocks

    clocks.refresh([enquiry_id])


@shared_task(ignore_result=True)
def refresh_entity_clocks(entity_id: int) -> None:
    """Recompute the clocks of every enquiry routed to an entity whose governing bodies changed."""
    from . import clocks

    clocks.refresh(clocks.entity_enquiries(entity_id))
