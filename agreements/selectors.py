"""Reads of contracts that respect scope (must agree with agreements.rules and partners.selectors)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from partners.rules import is_central_team, is_entity_contact, is_legal_staff

from .choices import CONTRACT_CLOSED_STAGES, CONTRACT_OPEN_STAGES, AgreementKind, ContractStage, PartyRole
from .models import Agreement, AgreementParty, Signature


def agreements_visible_to(user) -> QuerySet[Agreement]:
    """All for the central team; for legal staff the contracts their bodies are party to; for an entity contact
    those of their entities; for a company member their company's; none for anyone else."""
    qs = Agreement.objects.all()
    if not user or not user.is_authenticated or not user.is_active:
        return qs.none()
    if is_central_team(user):
        return qs
    scopes = []
    membership = getattr(user, "company_membership", None)
    if membership is not None:
        scopes.append(qs.filter(enquiry__company_id=membership.company_id))
    if is_legal_staff(user):
        party = AgreementParty.objects.filter(agreement=OuterRef("pk"), body__legal_staff=user)
        scopes.append(qs.filter(Exists(party)))
    if is_entity_contact(user):
        scopes.append(qs.filter(entity__scientific_contacts=user))
    if not scopes:
        return qs.none()
    scope = scopes[0]
    for other in scopes[1:]:
        scope = scope | other
    return scope.distinct()


# Stages in which the company reviews a draft (accepts it or asks for changes).
COMPANY_REVIEWS = frozenset({ContractStage.SENT_FOR_REVIEW, ContractStage.SENT_TO_COMPANY})


def waits_for_the_company(kind: str, stage: str, company_signed: bool) -> bool:
    """Whether a contract's next move is the company's: a draft to review, an NDA it accepted and must sign, or a
    signature circuit it has not signed yet."""
    if stage in COMPANY_REVIEWS:
        return True
    if kind == AgreementKind.NDA and stage == ContractStage.AGREED:
        return True
    return stage == ContractStage.IN_SIGNATURE and not company_signed


def _open_contracts_of(enquiries) -> QuerySet:
    """(enquiry, kind, stage, signature deadline, whether the company signed) of each contract not yet in force."""
    company_signed = Signature.objects.filter(agreement=OuterRef("pk"), party__role=PartyRole.COMPANY)
    return (
        Agreement.objects.filter(enquiry__in=enquiries, stage__in=CONTRACT_OPEN_STAGES)
        .annotate(company_signed=Exists(company_signed))
        .values_list("enquiry_id", "kind", "stage", "signature_deadline", "company_signed")
    )


def a_contract_waits_for_the_company(enquiry) -> bool:
    return any(
        waits_for_the_company(kind, stage, signed) for _e, kind, stage, _d, signed in _open_contracts_of([enquiry])
    )


def mark_contracts_waiting_for_the_company(enquiries: Iterable, *, deadlines: bool = False) -> None:
    """Tell each enquiry in contracting whether one of its contracts waits for the company (its ball is then the
    company's), and with ``deadlines`` the nearest signature deadline of its contracts not yet signed
    (``contract_deadline``: the date, the kind's name, and whether it is near). One query for all of them, so a
    list page does not ask once per row."""
    rows = list(enquiries)
    contracting = [e for e in rows if e.stage == "contracting"]
    # The queue (``deadlines``) asks for its whole page, so that a page costs the same queries whatever its stages.
    asked = rows if deadlines else contracting
    if not asked:
        return
    waiting: set[int] = set()
    nearest: dict[int, tuple] = {}
    for enquiry_id, kind, stage, deadline, signed in _open_contracts_of(asked):
        if waits_for_the_company(kind, stage, signed):
            waiting.add(enquiry_id)
        if deadline and (enquiry_id not in nearest or deadline < nearest[enquiry_id][0]):
            nearest[enquiry_id] = (deadline, AgreementKind(kind).label)
    warn_from = None
    if deadlines and nearest:
        from .models import ContractSettings

        warn_from = timezone.localdate() + dt.timedelta(days=ContractSettings.current().deadline_warning_days)
    for enquiry in contracting:
        enquiry.contract_waits_for_company = enquiry.pk in waiting
        if deadlines:
            found = nearest.get(enquiry.pk)
            enquiry.contract_deadline = (*found, found[0] <= warn_from) if found else None


def entities_for_a_new_nda(enquiry):
    """The entities the company may ask an NDA with on ``enquiry``: routed there and not declined, with a lead
    negotiator to draft it, and no NDA with them already under way or in force."""
    from partners.choices import RoutingStatus
    from partners.models import Entity, Governance, Routing

    if enquiry.is_closed or enquiry.stage == "draft":
        return Entity.objects.none()
    under_way = Agreement.objects.filter(enquiry=enquiry, entity=OuterRef("pk"), kind=AgreementKind.NDA).exclude(
        stage__in=CONTRACT_CLOSED_STAGES
    )
    working = Routing.objects.filter(enquiry=enquiry, entity=OuterRef("pk")).exclude(status=RoutingStatus.DECLINED)
    lead = Governance.objects.filter(entity=OuterRef("pk"), is_lead_negotiator=True)
    return Entity.objects.filter(Exists(working), Exists(lead)).exclude(Exists(under_way)).order_by("name")
