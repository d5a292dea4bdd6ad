"""Steps a contract needs recorded before it is signed (DOMAIN.md section 3, issue 6): the data protection
officer's sign-off on a data access licence; the transparency and anti-gift declarations when a hospital clinician
takes part in a consultancy; and, for clinical work with a cooperative group, the group's gates (scientific
council, data access committee, publication charter, patient committee, ethics committee, regulatory approval).

Which steps a contract needs follows from its kind, its terms and its entity (``needed``); ``sync`` keeps its
``Approval`` rows in line whenever that may change. The signature circuit does not open, and nobody signs, while
one is awaited or refused (``blocking``). Some steps apply only to some projects: those may be marked "not
applicable", with the reason.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.choices import EntityKind

from . import rules
from .choices import AgreementKind
from .models import Agreement, Approval, ApprovalDecision, ApprovalKind

A = ApprovalKind
D = ApprovalDecision
# The contracts that are clinical work with a cooperative group, and so pass its gates: not an NDA, nor advice
# (consultancy), nor the licence of rights (patent licence, option).
CLINICAL_WORK = frozenset(AgreementKind) - {
    AgreementKind.NDA,
    AgreementKind.CONSULTANCY,
    AgreementKind.PATENT_LICENCE,
    AgreementKind.OPTION,
}


def needed(agreement: Agreement) -> dict[str, bool]:
    """The steps ``agreement`` needs before signature, each with whether it may be marked not applicable."""
    terms = agreement.terms or {}
    steps: dict[str, bool] = {}
    if agreement.kind == AgreementKind.DATA_ACCESS:
        steps[A.DPO_SIGN_OFF] = False
    if agreement.kind == AgreementKind.CONSULTANCY and terms.get("hospital_clinician") is True:
        steps[A.TRANSPARENCY] = False
        steps[A.ANTI_GIFT] = False
    if agreement.entity.kind == EntityKind.COOPERATIVE_GROUP and agreement.kind in CLINICAL_WORK:
        steps[A.SCIENTIFIC_COUNCIL] = False
        steps[A.PUBLICATION_CHARTER] = False
        # a data access licence always goes to the data access committee; other work only when it uses data
        steps[A.DATA_ACCESS_COMMITTEE] = agreement.kind != AgreementKind.DATA_ACCESS
        steps[A.PATIENT_COMMITTEE] = True  # only for research that informs patients
        steps[A.ETHICS] = True  # only for research involving people
        steps[A.REGULATORY] = True
    return steps


def sync(agreement: Agreement) -> None:
    """Add the steps the contract now needs; drop those it no longer needs that nobody has recorded yet (a step
    already decided stays, as a record)."""
    wanted = needed(agreement)
    existing = {a.kind: a for a in agreement.approvals.all()}
    for kind, waivable in wanted.items():
        approval = existing.get(kind)
        if approval is None:
            Approval.objects.create(agreement=agreement, kind=kind, may_be_waived=waivable)
        elif approval.may_be_waived != waivable:
            approval.may_be_waived = waivable
            approval.save(update_fields=["may_be_waived"])
    agreement.approvals.filter(decision=D.PENDING).exclude(kind__in=list(wanted)).delete()


def of(agreement: Agreement) -> list[Approval]:
    """The steps the contract needs, in the order they are listed."""
    wanted = needed(agreement)
    order = list(A.values)
    rows = [a for a in agreement.approvals.select_related("recorded_by") if a.kind in wanted]
    return sorted(rows, key=lambda a: order.index(a.kind))


def blocking(agreement: Agreement) -> list[Approval]:
    """The steps that still hold the signature back: awaited, or refused. A step the contract needs but has no
    row for yet (its entity became a cooperative group since) is awaited too."""
    held = [a for a in of(agreement) if not a.clears]
    recorded = {a.kind for a in agreement.approvals.all()}
    missing = [Approval(agreement=agreement, kind=kind, may_be_waived=w) for kind, w in needed(agreement).items()]
    return held + [a for a in missing if a.kind not in recorded]


def check_before_signature(agreement: Agreement) -> None:
    """Refuse the signature while a step is awaited or refused, naming each."""
    held = blocking(agreement)
    refused = [str(a.get_kind_display()) for a in held if a.decision == D.REFUSED]
    awaited = [str(a.get_kind_display()) for a in held if a.decision != D.REFUSED]
    if refused:
        raise ValidationError(
            _("Contract %(ref)s cannot be signed: refused: %(steps)s.")
            % {"ref": agreement.reference, "steps": "; ".join(refused)}
        )
    if awaited:
        raise ValidationError(
            _("Contract %(ref)s cannot be signed yet: record first %(steps)s.")
            % {"ref": agreement.reference, "steps": "; ".join(awaited)}
        )


def approval_record(
    *,
    approval: Approval,
    actor,
    decision: str,
    decided_on: dt.date | None,
    reference: str = "",
    note: str = "",
) -> Approval:
    """Record a step's decision. The central team and the lead body's legal staff do, until the first signature;
    a decision needs its date (not in the future); "not applicable" only where the step may be waived, with why."""
    with transaction.atomic():
        # the contract's lock first, as a signature takes it: a step cannot change while someone signs
        agreement = Agreement.objects.select_for_update().select_related("enquiry").get(pk=approval.agreement_id)
        locked = Approval.objects.select_for_update().get(pk=approval.pk)
        if not rules.can_draft(agreement, actor):
            raise PermissionDenied(
                _("You may not record the steps of contract %(ref)s.") % {"ref": agreement.reference}
            )
        if agreement.signatures.exists() or agreement.is_closed:
            raise ValidationError(
                _("Contract %(ref)s is being signed or is closed: its steps before signature are settled.")
                % {"ref": agreement.reference}
            )
        errors = _problems(locked, decision, decided_on, note)
        if errors:
            raise ValidationError(errors)
        locked.decision = decision
        locked.decided_on = decided_on if decision != D.PENDING else None
        locked.reference = reference.strip()
        locked.note = note.strip()
        locked.recorded_by = actor
        locked.recorded_at = timezone.now()
        locked.save()
    return locked


def _problems(approval: Approval, decision: str, decided_on: dt.date | None, note: str) -> dict[str, str]:
    errors = {}
    if decision not in D.values:
        errors["decision"] = _("Choose a decision.")
    elif decision == D.NOT_APPLICABLE and not approval.may_be_waived:
        errors["decision"] = _("“%(step)s” is required for this contract: it cannot be marked not applicable.") % {
            "step": approval.get_kind_display()
        }
    elif decision == D.NOT_APPLICABLE and not note.strip():
        errors["note"] = _("Say why this step does not apply to this project.")
    if decision in (D.APPROVED, D.REFUSED):
        if decided_on is None:
            errors["decided_on"] = _("Enter the date of the decision.")
        elif decided_on > timezone.localdate():
            errors["decided_on"] = _("The decision cannot be dated in the future.")
    return errors
