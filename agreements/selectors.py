"""Reads of contracts that respect scope (must agree with agreements.rules and partners.selectors)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from partners.rules import is_central_team, is_entity_contact, is_legal_staff

from .models import Agreement, AgreementParty


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
