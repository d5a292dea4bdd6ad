"""Who may see and do what: predicates used by views, the admin and stage transitions.

The same questions are answered for lists in ``selectors.py``; a predicate here must agree with the
queryset there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import rules

from .roles import CENTRAL_TEAM, ENTITY_CONTACT, LEGAL_STAFF

if TYPE_CHECKING:
    from .models import Enquiry


@rules.predicate
def is_central_team(user) -> bool:
    return bool(user and user.is_active and (user.is_superuser or _in_group(user, CENTRAL_TEAM)))


@rules.predicate
def is_entity_contact(user) -> bool:
    return bool(user and user.is_active and _in_group(user, ENTITY_CONTACT))


@rules.predicate
def is_legal_staff(user) -> bool:
    return bool(user and user.is_active and _in_group(user, LEGAL_STAFF))


@rules.predicate
def is_company_member_of(user, enquiry: Enquiry | None) -> bool:
    if enquiry is None or not user.is_authenticated:
        return False
    membership = getattr(user, "company_membership", None)
    return membership is not None and membership.company_id == enquiry.company_id


@rules.predicate
def is_contact_of_routed_entity(user, enquiry: Enquiry | None) -> bool:
    if enquiry is None or not user.is_authenticated:
        return False
    return enquiry.routings.filter(entity__scientific_contacts=user).exists()


@rules.predicate
def is_legal_staff_of_routed_body(user, enquiry: Enquiry | None) -> bool:
    if enquiry is None or not user.is_authenticated:
        return False
    return enquiry.routings.filter(entity__governances__body__legal_staff=user).exists()


can_view_enquiry = (
    is_central_team
    | is_company_member_of
    | (is_entity_contact & is_contact_of_routed_entity)
    | (is_legal_staff & is_legal_staff_of_routed_body)
)
rules.add_perm("partners.view_enquiry_object", can_view_enquiry)


def _in_group(user, name: str) -> bool:
    cache = getattr(user, "_opale_groups", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._opale_groups = cache
    return name in cache


def can_answer_for_entity(user, entity) -> bool:
    """Central team, or an entity contact listed among this entity's scientific contacts."""
    if is_central_team(user):
        return True
    return is_entity_contact(user) and entity.scientific_contacts.filter(pk=user.pk).exists()


# Permission callables for django-fsm transitions take (instance, user).
def is_central_team_user(instance: Enquiry, user) -> bool:
    return is_central_team(user)


def can_edit_as_company(instance: Enquiry, user) -> bool:
    return is_company_member_of(user, instance) or is_central_team(user)


def can_answer_as_entity(instance: Enquiry, user) -> bool:
    return (is_entity_contact(user) and is_contact_of_routed_entity(user, instance)) or is_central_team(user)


def negotiates_for_an_accepting_entity(user, enquiry: Enquiry) -> bool:
    """Legal staff of the body that negotiates for an entity which took the enquiry on (not one that declined)."""
    from .choices import RoutingStatus

    return enquiry.routings.filter(
        status=RoutingStatus.ACCEPTED,
        entity__governances__is_lead_negotiator=True,
        entity__governances__body__legal_staff=user,
    ).exists()


def can_sign_partnership(instance: Enquiry, user) -> bool:
    return is_central_team(user) or (is_legal_staff(user) and negotiates_for_an_accepting_entity(user, instance))


def may_write_to_the_company(user, enquiry: Enquiry) -> bool:
    """The central team, and staff of an entity still on the enquiry (waiting to answer, or accepted): an entity
    that declined keeps its history but no longer speaks for OPALE to the company."""
    from .choices import RoutingStatus

    if is_central_team(user):
        return True
    still_on = enquiry.routings.exclude(status=RoutingStatus.DECLINED)
    return (is_entity_contact(user) and still_on.filter(entity__scientific_contacts=user).exists()) or (
        is_legal_staff(user) and still_on.filter(entity__governances__body__legal_staff=user).exists()
    )
