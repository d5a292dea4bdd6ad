"""The research collaboration agreement's terms (DOMAIN.md section 3): scientific and financial annexes,
duration, steering committee, background per party, ownership and exploitation of the results, publication.

Stored keys: work_plan, deliverables, company_contribution, pricing_basis, effective_date, duration_months,
steering_committee, background ({party pk: text}), ownership, share ({party pk: percent as a string}, only when
co-owned), market_price (only when the company owns the results), exploitation_field, exclusive, financial_return,
licence_access, free_academic_use (always true), publication_review_days, publication_deferral_days."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import add_months, bounded_int, choice, date, euros, text, yes_no
from .results_ip import ResultsTermsForm


class PricingBasis(models.TextChoices):
    """What EU state-aid rules accept as the price of research done for a company."""

    FULL_COST = "full_cost", _("Full cost")
    FULL_COST_PLUS_MARGIN = "full_cost_plus_margin", _("Full cost plus a margin")
    MARKET_PRICE = "market_price", _("Market price")


class LicenceAccess(models.TextChoices):
    OPTION = "option", _("An option on a licence")
    NEGOTIATION = "negotiation", _("A right to negotiate a licence")
    NONE = "none", _("Neither")


class ResearchTermsForm(ResultsTermsForm):
    work_plan = text(_("Work plan"), _("The scientific annex: tasks, who does them, and when."), rows=6)
    deliverables = text(_("Deliverables"), _("What each party hands over, and when."))
    company_contribution = euros(
        _("Company's financial contribution (euros)"), _("Above zero: research for a company is never free.")
    )
    pricing_basis = choice(_("Pricing basis"), PricingBasis.choices, _("EU state-aid rules require one of these."))
    effective_date = date(_("Effective date"))
    steering_committee = text(
        _("Steering committee"), _("Its members for each party, how often it meets and what it decides."), rows=3
    )
    exploitation_field = text(_("Field of exploitation"), _("The products, uses or markets concerned."), rows=2)
    exclusive = yes_no(_("Exclusive exploitation"), _("Whether the company alone may exploit in that field."))
    financial_return = text(
        _("Financial return"), _("What the academic side receives from the exploitation (royalties, fees)."), rows=3
    )
    licence_access = choice(_("Option or right to negotiate a licence"), LicenceAccess.choices)

    party_fields = ("background", "share")
    fieldsets = [
        (_("Scientific annex"), "", ["work_plan", "deliverables"]),
        (_("Financial annex"), "", ["company_contribution", "pricing_basis"]),
        (
            _("Duration and governance"),
            _("The agreement ends when its duration from the effective date does."),
            ["effective_date", "duration_months", "steering_committee"],
        ),
        (
            _("Background knowledge"),
            _("What each party brings and keeps owning. Write “none” for a party that brings none."),
            ["background"],
        ),
        (_("Ownership of the results"), "", ["ownership", "share", "market_price"]),
        (
            _("Exploitation"),
            "",
            ["exploitation_field", "exclusive", "financial_return", "licence_access", "free_academic_use"],
        ),
        (
            _("Publication"),
            _(
                "Researchers keep the right to publish; the company may review a manuscript for its confidential "
                "information and ask for a deferral to file a patent."
            ),
            ["publication_review_days", "publication_deferral_days"],
        ),
    ]

    def configure(self, settings) -> None:
        super().configure(settings)  # the publication periods
        self.fields["effective_date"].initial = timezone.localdate
        self.fields["duration_months"] = bounded_int(
            _("Duration (months)"), minimum=1, maximum=settings.collaboration_months_max
        )

    def clean_company_contribution(self) -> Decimal:
        contribution = self.cleaned_data["company_contribution"]
        if contribution <= 0:
            raise ValidationError(
                _("The company's contribution must be above zero: research for a company is never free."),
                code="contribution_zero",
            )
        return contribution

    def period(self, values):
        effective, months = values.get("effective_date"), values.get("duration_months")
        if effective is None:
            return None, None
        return effective, add_months(effective, months) if months else None
