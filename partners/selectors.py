"""Reads that respect scope: every list of enquiries a user sees starts here."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Enquiry, Routing
from .rules import is_central_team, is_entity_contact, is_legal_staff


def enquiries_visible_to(user) -> QuerySet[Enquiry]:
    """Enquiries ``user`` may see: all for the central team, routed ones for entity and legal staff, own
    company's for a company member, none for anyone else. Must agree with ``rules.can_view_enquiry``."""
    qs = Enquiry.objects.all()
    if not user or not user.is_authenticated or not user.is_active:
        return qs.none()
    if is_central_team(user):
        return qs
    membership = getattr(user, "company_membership", None)
    scopes = []
    if membership is not None:
        scopes.append(qs.filter(company_id=membership.company_id))
    if is_entity_contact(user):
        routed = Routing.objects.filter(enquiry=OuterRef("pk"), entity__scientific_contacts=user)
        scopes.append(qs.filter(Exists(routed)))
    if is_legal_staff(user):
        involved = Routing.objects.filter(enquiry=OuterRef("pk"), entity__governances__body__legal_staff=user)
        scopes.append(qs.filter(Exists(involved)))
    if not scopes:
        return qs.none()
    scope = scopes[0]
    for other in scopes[1:]:
        scope = scope | other
    return scope


def company_enquiries(user) -> QuerySet[Enquiry]:
    """The enquiries of the company ``user`` acts for (the company pages), none for anybody else."""
    membership = getattr(user, "company_membership", None) if user and user.is_authenticated else None
    if membership is None or not user.is_active:
        return Enquiry.objects.none()
    return Enquiry.objects.filter(company_id=membership.company_id)


def routings_visible_to(user, routings: QuerySet[Routing] | None = None) -> QuerySet[Routing]:
    """Routings ``user`` may read: all for the central team; for an entity contact those of their entities, for
    legal staff those of their bodies' entities. Another entity's answer (and its reason) is not theirs."""
    qs = Routing.objects.all() if routings is None else routings
    if is_central_team(user):
        return qs
    mine = Q(pk__in=[])
    if is_entity_contact(user):
        mine |= Q(entity__scientific_contacts=user)
    if is_legal_staff(user):
        mine |= Q(entity__governances__body__legal_staff=user)
    return qs.filter(mine).distinct()
