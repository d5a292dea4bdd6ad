"""Amendments ("avenants", DOMAIN.md section 4: "Amendments while in force", issue 6).

An amendment is a contract of its own: same enquiry, entity, kind and parties as the contract in force it changes,
its own number, stages, drafts and signatures. It starts as a copy of that contract's terms, edited with the
kind's own form; what it changes is the difference between the two (``documents.amended_terms``), and its PDF
prints only that. When it comes into force the contract it amends takes its terms and dates: that contract's
expiry then follows the amended end date. One amendment is under way at a time per contract, and an amendment
is never amended itself: the contract is (its terms already include every amendment in force).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Enquiry

from . import approvals, documents, notices, rules
from .choices import CONTRACT_OPEN_STAGES, AgreementKind, ContractStage
from .models import Agreement, AgreementParty, ContractSettings
from .terms import KINDS
from .workflow import WorkflowError, _record

C = ContractStage


# ---- reading ----------------------------------------------------------------------------------------------------
def open_amendment(parent: Agreement) -> Agreement | None:
    """The amendment of ``parent`` still under way (neither in force nor closed), if any."""
    return parent.amendments.filter(stage__in=CONTRACT_OPEN_STAGES).order_by("number").first()


def in_force(parent: Agreement) -> list[Agreement]:
    """The amendments of ``parent`` that came into force, oldest first: each changed its terms."""
    return list(parent.amendments.filter(in_force_at__isnull=False).order_by("in_force_at", "pk"))


def may_amend(parent: Agreement, user) -> bool:
    """Whether ``user`` may start an amendment of ``parent`` now (the admin shows its button on this)."""
    return (
        parent.amends_id is None
        and parent.stage == C.IN_FORCE
        and rules.can_draft(parent, user)
        and open_amendment(parent) is None
    )


def title(agreement: Agreement) -> str:
    """What the contract is, in words: "Amendment No. 2 to OPA-2026-00042-1", or its kind for any other."""
    if agreement.amends_id is None:
        return str(agreement.get_kind_display())
    return _("Amendment No. %(number)s to %(reference)s") % {
        "number": agreement.amendment_number,
        "reference": f"{agreement.enquiry.reference}-{agreement.amends.number}",
    }


def terms_before(amendment: Agreement) -> dict:
    """The terms ``amendment`` changes, keyed by its own parties: those of the contract it amends while it is under
    way. Once it is in force that contract carries its values, so the terms it replaced are read from what came
    before it: the amendment in force just before it, else the contract's text as its parties signed it (the
    version signed, or its first final version)."""
    parent = amendment.amends
    if amendment.in_force_at is None:
        return documents._rekey_parties(parent, amendment, parent.terms or {})
    earlier = parent.amendments.filter(in_force_at__lt=amendment.in_force_at).order_by("-in_force_at").first()
    if earlier is not None:
        return documents._rekey_parties(earlier, amendment, earlier.terms or {})
    signed = parent.versions.filter(signatures__isnull=False).order_by("-number").first()
    signed = signed or parent.versions.filter(is_final=True).order_by("number").first()
    return documents._rekey_parties(parent, amendment, signed.terms if signed is not None else parent.terms or {})


# ---- starting one -----------------------------------------------------------------------------------------------
def amendment_request(
    *, parent: Agreement, actor, language: str | None = None, at: dt.datetime | None = None
) -> Agreement:
    """An amendment of ``parent`` (a contract in force), asked for by the central team or the legal staff of its
    lead body: the parent's parties and terms copied, in the parent's language unless ``language`` says, in the
    first stage of its machine. The enquiry may be closed ("partnership signed"): the contract is what counts."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().select_related("enquiry").get(pk=parent.pk)
        _check_may_amend(locked, actor)
        language = language or locked.language
        if language not in documents.LANGUAGES:
            raise ValidationError(_("A contract is written in French, or in French and English."))
        enquiry = Enquiry.objects.select_for_update().get(pk=locked.enquiry_id)
        amendment = Agreement.objects.create(
            enquiry=enquiry,
            entity_id=locked.entity_id,
            kind=locked.kind,
            number=(enquiry.agreements.aggregate(last=Max("number"))["last"] or 0) + 1,
            language=language,
            stage=C.REQUESTED if locked.kind == AgreementKind.NDA else C.SCOPING,  # the protected stage, set once
            amends=locked,
            starts_on=locked.starts_on,
            ends_on=locked.ends_on,
            requested_by=actor,
            stage_changed_at=at,
            created_at=at,
        )
        _copy_parties(locked, amendment)
        amendment.terms = documents._rekey_parties(locked, amendment, locked.terms or {})
        amendment.save(update_fields=["terms"])
        approvals.sync(amendment)
        _record(amendment, actor=actor, transition="request", from_stage="", comment="", at=at)
        notices.contract_changed(amendment, "request")
    return amendment


def _check_may_amend(parent: Agreement, actor) -> None:
    if actor is None or not actor.is_active or not rules.can_draft(parent, actor):
        raise PermissionDenied(_("You may not amend contract %(ref)s.") % {"ref": parent.reference})
    if parent.amends_id is not None:
        raise WorkflowError(
            _("%(ref)s is itself an amendment: amend the contract it amends, %(parent)s, instead.")
            % {"ref": parent.reference, "parent": parent.amends.reference}
        )
    if parent.stage != C.IN_FORCE:
        raise WorkflowError(
            _("Contract %(ref)s is “%(stage)s”: only a contract in force can be amended.")
            % {"ref": parent.reference, "stage": parent.get_stage_display()}
        )
    under_way = open_amendment(parent)
    if under_way is not None:
        raise WorkflowError(
            _(
                "Amendment %(ref)s to contract %(parent)s is still under way (“%(stage)s”): bring it into force or "
                "cancel it first."
            )
            % {"ref": under_way.reference, "parent": parent.reference, "stage": under_way.get_stage_display()}
        )


def _copy_parties(parent: Agreement, amendment: Agreement) -> None:
    """The parent's parties with the same roles and signatures; "signs through" points to the copy of the party
    the parent's row pointed to."""
    originals = list(parent.parties.order_by("pk"))
    copies = {
        party.pk: AgreementParty.objects.create(
            agreement=amendment,
            role=party.role,
            company_id=party.company_id,
            body_id=party.body_id,
            must_sign=party.must_sign,
        )
        for party in originals
    }
    for party in originals:
        if party.signs_through_id:
            copy = copies[party.pk]
            copy.signs_through = copies[party.signs_through_id]
            copy.save(update_fields=["signs_through"])


# ---- the checks and effects the workflow calls ------------------------------------------------------------------
def check_changes_something(amendment: Agreement) -> None:
    """An amendment that changes no term has nothing to sign: it does not go to the company."""
    if not documents.amended_terms(amendment, documents.parties_of(amendment)):
        raise ValidationError(
            _(
                "An amendment must change at least one term: the terms of %(ref)s are still those of contract "
                "%(parent)s. Edit them first."
            )
            % {"ref": amendment.reference, "parent": amendment.amends.reference}
        )


def apply_to_parent(amendment: Agreement, *, actor, at: dt.datetime) -> Agreement:
    """The amendment has come into force: the contract it amends takes its terms and the dates they give (its
    expiry warning is owed again if its end date moved), and its timeline says so. The amendment's own dates are
    cleared: from now on they are the contract's, and the expiry task follows the contract alone."""
    parent = Agreement.objects.select_for_update().select_related("enquiry").get(pk=amendment.amends_id)
    if parent.stage != C.IN_FORCE:
        raise WorkflowError(
            _("Contract %(parent)s is “%(stage)s”: amendment %(ref)s can no longer come into force. Cancel it.")
            % {"parent": parent.reference, "stage": parent.get_stage_display(), "ref": amendment.reference}
        )
    parent.terms = documents._rekey_parties(amendment, parent, amendment.terms or {})
    fields = ["terms", "starts_on", "ends_on"]
    spec = KINDS.get(parent.kind)
    if spec is not None:
        # the period as the kind's form computes it from the amended terms (read, not checked: they were when saved)
        form = spec.form(agreement=parent, settings=ContractSettings())
        ends_on = parent.ends_on
        parent.starts_on, parent.ends_on = form.period(form.initial)
        if parent.ends_on != ends_on:
            parent.expiry_warned_at = None
            fields.append("expiry_warned_at")
    parent.save(update_fields=fields)
    amendment.starts_on = amendment.ends_on = None
    amendment.save(update_fields=["starts_on", "ends_on"])
    _record(
        parent,
        actor=actor,
        transition="amend",
        from_stage=parent.stage,
        comment=_("Amendment %(ref)s is in force: the terms and dates are now as it sets them.")
        % {"ref": amendment.reference},
        at=at,
    )
    return parent
