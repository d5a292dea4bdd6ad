"""Where a contract stands, told to the company: its stage in a plain sentence and who holds the ball.

The enquiry page's contract card and the contract page read the same words from here. The circuit's awaited
parties come from agreements.signatures, so "who must still sign" is said once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import amendments
from .choices import AgreementKind, ContractStage, PartyRole
from .models import Agreement
from .selectors import COMPANY_REVIEWS
from .signatures import awaited, party_name

C = ContractStage


@dataclass(frozen=True)
class Progress:
    sentence: str  # the stage in plain words
    ball: str  # who acts next, or "" when nobody does (in force, closed)
    company_acts: bool  # the ball is the company's: the page highlights it
    title: str = ""  # what the contract is: its kind, or "Amendment No. 1 to <reference>"


def progress(agreement: Agreement) -> Progress:
    """The contract named as the company reads it, its stage in plain words, and who acts next."""
    return replace(_stage(agreement), title=amendments.title(agreement))


def _stage(agreement: Agreement) -> Progress:
    stage = agreement.stage
    lead = _lead_name(agreement)
    legal = _("The legal staff of %(body)s") % {"body": lead}
    you = _("Your company")
    if stage in (C.REQUESTED, C.SCOPING):
        return Progress(_("Asked for: the legal staff of %(body)s will draft it.") % {"body": lead}, legal, False)
    if stage == C.DRAFTING:
        return Progress(_("Being drafted by the legal staff of %(body)s.") % {"body": lead}, legal, False)
    if stage == C.INTERNAL_REVIEW:
        return Progress(_("The governing bodies are approving the draft internally."), legal, False)
    if stage in COMPANY_REVIEWS:
        return Progress(_("A draft is ready for your review: accept the text or ask for changes."), you, True)
    if stage in (C.CHANGES_REQUESTED, C.IN_NEGOTIATION):
        return Progress(_("You asked for changes: the legal staff are revising the text."), legal, False)
    if stage == C.AGREED and agreement.kind == AgreementKind.NDA:
        return Progress(_("Your company accepted the text: it awaits your company’s signature."), you, True)
    if stage == C.AGREED:
        return Progress(
            _("Your company accepted the text: the legal staff will open the signature circuit."), legal, False
        )
    if stage in (C.SIGNED_BY_COMPANY, C.IN_SIGNATURE):
        waiting = awaited(agreement)
        names = [you if p.role == PartyRole.COMPANY else party_name(p) for p in waiting]
        company_acts = any(p.role == PartyRole.COMPANY for p in waiting)
        return Progress(
            _("Being signed: awaiting %(names)s.") % {"names": ", ".join(names)}, ", ".join(names), company_acts
        )
    if stage == C.IN_FORCE:
        since = date_format(timezone.localtime(agreement.in_force_at), "j F Y") if agreement.in_force_at else ""
        sentence = _("Signed by every party: in force since %(date)s.") % {"date": since}
        if agreement.kind == AgreementKind.NDA:
            sentence += " " + _("You may now share confidential documents on this enquiry.")
        return Progress(sentence, "", False)
    return Progress(str(agreement.get_stage_display()), "", False)


def _lead_name(agreement: Agreement) -> str:
    for party in agreement.parties.all():  # prefetched by the pages that list several contracts
        if party.role == PartyRole.LEAD_NEGOTIATOR:
            return party.body.name
    return ""
