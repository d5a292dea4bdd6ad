"""Contracts reach their end date: warned ahead (ContractSettings.expiry_warning_days, 30 by default), then
moved to "expired" by the workflow; contracts not yet signed whose rules set a signature deadline (CIFRE, ANR)
are warned ahead of it (ContractSettings.deadline_warning_days). Run daily by Celery beat
(agreements.tasks.expire_contracts)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from . import notices, workflow
from .choices import CONTRACT_OPEN_STAGES, ContractStage
from .models import Agreement, ContractSettings


def expire_due(today: dt.date | None = None) -> int:
    """Every contract in force whose end date has passed becomes expired (one transaction each)."""
    today = today or timezone.localdate()
    due = Agreement.objects.filter(stage=ContractStage.IN_FORCE, ends_on__lt=today).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        try:
            workflow.agreement_expire(agreement=Agreement.objects.get(pk=pk))
        except workflow.WorkflowError:
            continue  # moved on meanwhile (terminated by hand): nothing to expire
        expired += 1
    return expired


def warn_expiring(today: dt.date | None = None) -> int:
    """The parties of each contract in force ending within the warning period are told, once."""
    today = today or timezone.localdate()
    days = ContractSettings.current().expiry_warning_days
    soon = Agreement.objects.filter(
        stage=ContractStage.IN_FORCE,
        ends_on__gte=today,
        ends_on__lte=today + dt.timedelta(days=days),
        expiry_warned_at__isnull=True,
    ).select_related("enquiry", "enquiry__company", "entity")
    warned = 0
    for agreement in soon:
        with transaction.atomic():
            # the row lock makes a second run (or a second worker) skip what the first warned about
            locked = Agreement.objects.select_for_update().filter(pk=agreement.pk, expiry_warned_at__isnull=True)
            if not locked.update(expiry_warned_at=timezone.now()):
                continue
            left = (agreement.ends_on - today).days
            notices.contract_changed(agreement, "expiry_warning", date=agreement.ends_on, days=left)
        warned += 1
    return warned


def warn_signature_deadlines(today: dt.date | None = None) -> int:
    """The legal staff, the central team and the company are told, once, when a contract not yet in force must be
    signed within the warning period (or its deadline has passed unnoticed)."""
    today = today or timezone.localdate()
    days = ContractSettings.current().deadline_warning_days
    soon = Agreement.objects.filter(
        stage__in=CONTRACT_OPEN_STAGES,
        signature_deadline__lte=today + dt.timedelta(days=days),
        deadline_warned_at__isnull=True,
    ).select_related("enquiry", "enquiry__company", "entity")
    warned = 0
    for agreement in soon:
        with transaction.atomic():
            locked = Agreement.objects.select_for_update().filter(pk=agreement.pk, deadline_warned_at__isnull=True)
            if not locked.update(deadline_warned_at=timezone.now()):
                continue
            left = (agreement.signature_deadline - today).days
            notices.contract_changed(agreement, "deadline_warning", date=agreement.signature_deadline, days=left)
        warned += 1
    return warned
