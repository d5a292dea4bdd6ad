"""Who may move a contract (DESIGN.md section 4, issue 5): legal staff of the lead body draft, review and run
the signature stages; the company reviews, asks for changes, accepts and signs; the central team may do all,
and cancel. Each is a django-fsm permission callable taking (contract, user)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from partners.rules import is_central_team, is_legal_staff

from .choices import PartyRole

if TYPE_CHECKING:
    from .models import Agreement


def is_lead_legal_staff(agreement: Agreement, user) -> bool:
    """Legal staff of the body that negotiates and signs for the academic side."""
    return bool(
        user
        and user.is_authenticated
        and is_legal_staff(user)
        and agreement.parties.filter(role=PartyRole.LEAD_NEGOTIATOR, body__legal_staff=user).exists()
    )


def is_member_of_the_company(agreement: Agreement, user) -> bool:
    membership = getattr(user, "company_membership", None) if user and user.is_authenticated else None
    return membership is not None and user.is_active and membership.company_id == agreement.enquiry.company_id


def can_draft(agreement: Agreement, user) -> bool:
    return is_central_team(user) or is_lead_legal_staff(agreement, user)


def can_review(agreement: Agreement, user) -> bool:
    return is_central_team(user) or is_member_of_the_company(agreement, user)


def can_cancel(agreement: Agreement, user) -> bool:
    return is_central_team(user) or is_lead_legal_staff(agreement, user)
