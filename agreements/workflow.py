"""Every change of a contract's stage, one function per use case (DESIGN.md section 9).

Each locks the contract row, runs the transition of its machine (``Nda`` or ``Contract``: source stage and the
actor's permission), saves, and writes the StageChange against both the contract and its enquiry, in one
transaction. Views, the admin, tasks and tests call these; nothing else assigns a contract's stage.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from partners.choices import EnquiryStage, RoutingStatus
from partners.models import Enquiry, Entity
from partners.rules import is_central_team

from . import approvals, notices
from .choices import CONTRACT_CLOSED_STAGES, AgreementKind, ContractStage, PartyRole
from .models import Agreement, AgreementParty, Contract, Nda, StageChange
from .terms import KINDS

C = ContractStage


class WorkflowError(Exception):
    """A step that cannot happen now; its message is shown to the user as it is."""


def _machine(agreement: Agreement) -> type[Agreement]:
    return Nda if agreement.kind == AgreementKind.NDA else Contract


def _record(agreement: Agreement, *, actor, transition: str, from_stage: str, comment: str, at) -> None:
    StageChange.objects.create(
        enquiry_id=agreement.enquiry_id,
        agreement=agreement,
        actor=actor,
        transition=transition,
        from_stage=from_stage,
        to_stage=agreement.stage,
        comment=comment,
        at=at,
    )


def _require(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message)
    return text


# ---- a new contract ---------------------------------------------------------------------------------------------
def agreement_request(
    *, enquiry: Enquiry, entity: Entity, kind: str, actor, language: str = "fr", at: dt.datetime | None = None
) -> Agreement:
    """A contract between the enquiry's company and the governing bodies of ``entity``, parties resolved from the
    entity's governance: the company, the lead negotiator (negotiates and signs for all), the co-owning bodies
    (each signs, unless a mandate on its governance row lets the lead sign for it)."""
    at = at or timezone.now()
    if kind not in AgreementKind.values:
        raise ValidationError(_("Unknown kind of contract."))
    with transaction.atomic():
        locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        _check_may_request(locked, entity, kind, actor)
        number = (locked.agreements.aggregate(last=Max("number"))["last"] or 0) + 1
        agreement = Agreement.objects.create(
            enquiry=locked,
            entity=entity,
            kind=kind,
            number=number,
            language=language,
            stage=C.REQUESTED if kind == AgreementKind.NDA else C.SCOPING,  # the protected stage, set once
            requested_by=actor,
            stage_changed_at=at,
            created_at=at,
        )
        _add_parties(agreement, locked, entity)
        approvals.sync(agreement)
        _record(agreement, actor=actor, transition="request", from_stage="", comment="", at=at)
        notices.contract_changed(agreement, "request")
    return agreement


def _check_may_request(enquiry: Enquiry, entity: Entity, kind: str, actor) -> None:
    if enquiry.stage == EnquiryStage.DRAFT:
        raise WorkflowError(_("This enquiry has not been sent to OPALE yet: no contract can start on it."))
    if enquiry.is_closed:
        raise WorkflowError(_("Enquiry %(ref)s is closed: no contract can start on it.") % {"ref": enquiry.reference})
    if actor is None or not actor.is_active:
        raise PermissionDenied(_("You may not start a contract on enquiry %(ref)s.") % {"ref": enquiry.reference})
    if not enquiry.routings.filter(entity=entity).exclude(status=RoutingStatus.DECLINED).exists():
        raise WorkflowError(
            _("%(entity)s is not working on enquiry %(ref)s: route it there first.")
            % {"entity": entity, "ref": enquiry.reference}
        )
    if kind == AgreementKind.NDA:
        under_way = enquiry.agreements.filter(entity=entity, kind=AgreementKind.NDA).exclude(
            stage__in=CONTRACT_CLOSED_STAGES
        )
        existing = under_way.order_by("number").first()
        if existing is not None:
            raise WorkflowError(
                _("An NDA with %(entity)s is already under way on this enquiry: %(ref)s (%(stage)s).")
                % {"entity": entity, "ref": existing.reference, "stage": existing.get_stage_display()}
            )
    spec = KINDS.get(kind)
    refusal = spec.refuses_request(enquiry) if spec and spec.refuses_request else None
    if refusal:
        raise WorkflowError(refusal)
    if kind != AgreementKind.NDA and enquiry.stage != EnquiryStage.CONTRACTING:
        raise WorkflowError(
            _("Agreements start once the central team has confirmed contracting on enquiry %(ref)s.")
            % {"ref": enquiry.reference}
        )
    company_asks = kind == AgreementKind.NDA and getattr(getattr(actor, "company_membership", None), "company_id", 0)
    lead_legal = entity.governances.filter(is_lead_negotiator=True, body__legal_staff=actor).exists()
    if not (is_central_team(actor) or lead_legal or company_asks == enquiry.company_id):
        raise PermissionDenied(_("You may not start a contract on enquiry %(ref)s.") % {"ref": enquiry.reference})
    if not entity.governances.filter(is_lead_negotiator=True).exists():
        raise WorkflowError(
            _("%(entity)s has no lead negotiator among its governing bodies: the central team must name one first.")
            % {"entity": entity}
        )


def _add_parties(agreement: Agreement, enquiry: Enquiry, entity: Entity) -> None:
    """The company, the lead negotiator, then the co-owners. A co-owner signs unless its governance row records a
    mandate for the lead; for a licence or an option, the IP agent ("mandataire unique") signs for every academic
    party and the others sign through it."""
    AgreementParty.objects.create(agreement=agreement, role=PartyRole.COMPANY, company_id=enquiry.company_id)
    governances = list(entity.governances.select_related("body").order_by("-is_lead_negotiator", "body__short_name"))
    spec = KINDS.get(agreement.kind)
    agent = next((g for g in governances if g.is_ip_agent), None) if spec and spec.ip_agent_signs else None
    lead_governance, co_owners = governances[0], governances[1:]
    lead = AgreementParty.objects.create(
        agreement=agreement,
        role=PartyRole.LEAD_NEGOTIATOR,
        body=lead_governance.body,
        must_sign=agent is None or agent is lead_governance,
    )
    signer = lead
    if agent is not None and agent is not lead_governance:  # the agent first, so the others can sign through it
        co_owners = [agent, *(g for g in co_owners if g is not agent)]
    for governance in co_owners:
        if agent is not None:
            must_sign = governance is agent
        else:
            must_sign = not governance.lead_signs_for_it
        party = AgreementParty.objects.create(
            agreement=agreement,
            role=PartyRole.CO_OWNER,
            body=governance.body,
            must_sign=must_sign,
            signs_through=None if must_sign else signer,
        )
        if governance is agent:
            signer = party
    if agent is not None and agent is not lead_governance:
        lead.signs_through = signer
        lead.save(update_fields=["signs_through"])


# ---- stage changes ---------------------------------------------------------------------------------------------
def _transition(
    *, agreement: Agreement, actor, name: str, comment: str = "", at: dt.datetime | None = None, check=None
):
    """Lock, check, change, record. Two people clicking the same step: the second waits for the lock, then finds
    the stage moved on and gets a clear message. ``check(locked, at)`` adds the step's own condition, read on the
    locked row as of the step's moment."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = _machine(agreement).objects.select_for_update().select_related("enquiry").get(pk=agreement.pk)
        method = getattr(locked, name, None)
        if method is None or not hasattr(method, "_django_fsm"):
            raise WorkflowError(_("There is no such step for this contract."))
        if not can_proceed(method):
            raise WorkflowError(
                _("Contract %(ref)s is now “%(stage)s”: this step is no longer possible. Reload the page.")
                % {"ref": locked.reference, "stage": locked.get_stage_display()}
            )
        if actor is not None and not has_transition_perm(method, actor):
            raise PermissionDenied(_("You are not allowed to do this on contract %(ref)s.") % {"ref": locked.reference})
        if check is not None:
            check(locked, at)
        from_stage = locked.stage
        method()
        locked.stage_changed_at = at
        fields = ["stage", "stage_changed_at"]
        if locked.stage == C.IN_FORCE and locked.in_force_at is None:
            locked.in_force_at = at
            fields.append("in_force_at")
        locked.save(update_fields=fields)
        _record(locked, actor=actor, transition=name, from_stage=from_stage, comment=comment, at=at)
        notices.contract_changed(locked, name, comment=comment)
    return locked


def agreement_start_drafting(*, agreement: Agreement, actor, at=None) -> Agreement:
    return _transition(agreement=agreement, actor=actor, name="start_drafting", at=at)


def agreement_send_to_company(*, agreement: Agreement, actor, at=None) -> Agreement:
    """The draft goes to the company: the NDA's "send for review", the agreement's "send to company"."""
    name = "send_for_review" if agreement.kind == AgreementKind.NDA else "send_to_company"
    return _transition(agreement=agreement, actor=actor, name=name, at=at, check=_check_terms_complete)


def _check_terms_complete(agreement: Agreement, at: dt.datetime) -> None:
    """Nothing goes to the company without its text: every required term of its kind entered."""
    spec = KINDS.get(agreement.kind)
    if spec is None:
        raise ValidationError(_("The terms for this kind of contract are not available yet: it cannot be sent."))
    missing = spec.missing(agreement, today=timezone.localdate(at))
    if missing:
        raise ValidationError(
            _("Contract %(ref)s cannot go to the company: enter its terms first. Missing: %(missing)s.")
            % {"ref": agreement.reference, "missing": "; ".join(missing)}
        )
    if agreement.amends_id is not None:
        from .amendments import check_changes_something  # the amendments module builds on this one

        check_changes_something(agreement)


def agreement_submit_for_internal_review(*, agreement: Agreement, actor, at=None) -> Agreement:
    return _transition(agreement=agreement, actor=actor, name="submit_for_internal_review", at=at)


def agreement_return_to_drafting(*, agreement: Agreement, actor, comment: str, at=None) -> Agreement:
    comment = _require(comment, _("Say what the internal review asks to change."))
    return _transition(agreement=agreement, actor=actor, name="return_to_drafting", comment=comment, at=at)


def agreement_request_changes(*, agreement: Agreement, actor, comment: str, at=None) -> Agreement:
    comment = _require(comment, _("Say which changes you ask for, so the legal staff can redraft."))
    return _transition(agreement=agreement, actor=actor, name="request_changes", comment=comment, at=at)


def agreement_agree(*, agreement: Agreement, actor, at=None) -> Agreement:
    return _transition(agreement=agreement, actor=actor, name="agree", at=at)


def agreement_open_signature(*, agreement: Agreement, actor, at=None) -> Agreement:
    """The circuit opens once every step the contract needs before signature is recorded (agreements.approvals)."""
    return _transition(
        agreement=agreement,
        actor=actor,
        name="open_signature",
        at=at,
        check=lambda locked, _at: approvals.check_before_signature(locked),
    )


def agreement_enter_into_force(*, agreement: Agreement, actor, at=None) -> Agreement:
    """Every party that must sign has signed (the signature circuit calls this). An agreement in force is the
    partnership signed: the enquiry follows. An amendment in force changes the contract it amends instead (the
    partnership was signed already)."""
    from partners import workflow as enquiry_workflow
    from quality.models import SurveyEvent
    from quality.services import survey_after_commit

    from .amendments import apply_to_parent

    with transaction.atomic():
        agreement = _transition(agreement=agreement, actor=actor, name="enter_into_force", at=at)
        enquiry = agreement.enquiry
        if agreement.amends_id is not None:
            apply_to_parent(agreement, actor=actor, at=agreement.stage_changed_at)
        elif agreement.kind != AgreementKind.NDA and enquiry.stage == EnquiryStage.CONTRACTING:
            enquiry_workflow.enquiry_mark_signed(enquiry=enquiry, actor=None, at=at)
        if agreement.amends_id is None:  # an amendment changes a partnership already rated when it was signed
            event = SurveyEvent.NDA_IN_FORCE if agreement.kind == AgreementKind.NDA else SurveyEvent.AGREEMENT_SIGNED
            survey_after_commit(event=event, enquiry_id=enquiry.pk, contract_id=agreement.pk)
    return agreement


def agreement_complete(*, agreement: Agreement, actor, at=None) -> Agreement:
    return _transition(agreement=agreement, actor=actor, name="complete", at=at)


def agreement_terminate(*, agreement: Agreement, actor, reason: str, at=None) -> Agreement:
    reason = _require(reason, _("Say why the contract ends early."))
    return _transition(agreement=agreement, actor=actor, name="terminate", comment=reason, at=at)


def agreement_cancel(*, agreement: Agreement, actor, reason: str, at=None) -> Agreement:
    reason = _require(reason, _("Say why the contract is abandoned."))
    return _transition(agreement=agreement, actor=actor, name="cancel", comment=reason, at=at)


def agreement_expire(*, agreement: Agreement, at=None) -> Agreement:
    """The periodic task: the end date passed."""
    return _transition(agreement=agreement, actor=None, name="expire", at=at)
