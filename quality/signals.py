"""What makes the clocks move: a stage change, an entity's answer, the company's signature (quality.clocks)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from agreements.models import Signature, StageChange
from partners.models import Routing

from . import clocks


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
