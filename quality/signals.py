"""What makes the clocks move: a stage change, an entity's answer, the company's signature (quality.clocks)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from agreements.models import Signature, StageChange
from partners.models import Entity, Governance, GoverningBody, Routing

from . import clocks
from .models import FiguresVersion


@receiver(post_save, sender=StageChange, dispatch_uid="quality_clock_stage_change")
def _stage_change(sender, instance: StageChange, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        clocks.stage_changed(instance.enquiry_id)


@receiver(post_save, sender=Routing, dispatch_uid="quality_clock_routing")
def _routing(sender, instance: Routing, raw: bool = False, **kwargs) -> None:
    if not raw:
        clocks.stage_changed(instance.enquiry_id)


@receiver(post_save, sender=Signature, dispatch_uid="quality_clock_signature")
def _signature(sender, instance: Signature, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        clocks.stage_changed(instance.agreement.enquiry_id)


@receiver(post_save, sender=Governance, dispatch_uid="quality_clock_governance_saved")
@receiver(post_delete, sender=Governance, dispatch_uid="quality_clock_governance_deleted")
def _governance(sender, instance: Governance, raw: bool = False, **kwargs) -> None:
    """A new lead negotiator: the entity's enquiries are counted under it from now on (by a worker)."""
    if not raw:
        entity_id = instance.entity_id
        transaction.on_commit(lambda: clocks.entity_changed(entity_id))


@receiver(post_save, sender=Entity, dispatch_uid="quality_figures_entity")
@receiver(post_save, sender=GoverningBody, dispatch_uid="quality_figures_body")
def _renamed(sender, instance, raw: bool = False, **kwargs) -> None:
    """The dashboard's cached figures carry names: a renamed entity or body is read again."""
    if not raw:
        FiguresVersion.bump()
