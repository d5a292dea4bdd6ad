"""Changes to a contract that are not stage changes (those live in agreements/workflow.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import approvals, rules
from .choices import ContractStage
from .models import Agreement
from .terms import KINDS
from .workflow import WorkflowError

C = ContractStage

# While the text is still being written: once sent to the company, agreed or later, the terms the company saw
# are the terms (changes come back through a request for changes, which reopens drafting).
TERMS_OPEN_STAGES = frozenset(
    {C.REQUESTED, C.SCOPING, C.DRAFTING, C.CHANGES_REQUESTED, C.INTERNAL_REVIEW, C.IN_NEGOTIATION}
)


def terms_editable(agreement: Agreement, user) -> bool:
    """Whether ``user`` may change the terms now (the admin offers the page on this)."""
    return agreement.kind in KINDS and agreement.stage in TERMS_OPEN_STAGES and rules.can_draft(agreement, user)


def agreement_save_terms(
    *, agreement: Agreement, actor, data: Mapping[str, Any], at: dt.datetime | None = None
) -> Agreement:
    """Check ``data`` (the kind's form input) with the kind's form and save it as the agreement's terms, with the
    effective and end dates they give. Raises ValidationError with the form's errors by field."""
    spec = KINDS.get(agreement.kind)
    if spec is None:
        raise WorkflowError(_("The terms for this kind of contract are not available yet."))
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if not rules.can_draft(locked, actor):
            raise PermissionDenied(_("You may not change the terms of contract %(ref)s.") % {"ref": locked.reference})
        if locked.stage not in TERMS_OPEN_STAGES:
            raise WorkflowError(
                _("Contract %(ref)s is “%(stage)s”: its terms can no longer change.")
                % {"ref": locked.reference, "stage": locked.get_stage_display()}
            )
        form = spec.form(data, agreement=locked, today=timezone.localdate(at) if at else None)
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        locked.terms = form.to_terms()
        locked.starts_on, locked.ends_on = form.period(form.cleaned_data)
        # an amendment is signed on its own calendar: its contract's deadline (thesis or project start) is past
        deadline = (
            spec.signature_deadline(form.cleaned_data) if spec.signature_deadline and not locked.amends_id else None
        )
        if deadline != locked.signature_deadline:
            locked.signature_deadline, locked.deadline_warned_at = deadline, None  # a new date is warned about anew
        locked.save(update_fields=["terms", "starts_on", "ends_on", "signature_deadline", "deadline_warned_at"])
        approvals.sync(locked)  # a term may call for a step before signature (a clinician: declarations)
    return locked
