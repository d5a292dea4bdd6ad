"""The research collaboration agreement's terms (DOMAIN.md section 3): scientific and financial annexes,
duration, steering committee, background per party, ownership and exploitation of the results, publication.

Stored keys: work_plan, deliverables, company_contribution, pricing_basis, effective_date, duration_months,
steering_committee, background ({party pk: text}), ownership, share ({party pk: percent as a string}, only when
co-owned), market_price (only when the company owns the results), exploitation_field, exclusive, financial_return,
licence_access, free_academic_use (always true), publication_review_days, publication_deferral_days."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .base import TermsForm, add_months, bounded_int, choice, date, euros, is_blank, text, yes_no

HUNDRED = Decimal(100)


class PricingBasis(models.TextChoices):
    """What EU state-aid rules accept as the price of research done for a company."""

    FULL_COST = "full_cost", _("Full cost")
    FULL_COST_PLUS_MARGIN = "full_cost_plus_margin", _("Full cost plus a margin")
    MARKET_PRICE = "market_price", _("Market price")


class ResultsOwnership(models.TextChoices):
    CO_OWNED = "co_owned", _("Co-owned, in proportion to each party's contribution")
    COMPANY = "company", _("Owned by the company, against a market-equivalent price")
    ACADEMIC = "academic", _("Owned by the academic side")


class LicenceAccess(models.TextChoices):
    OPTION = "option", _("An option on a licence")
    NEGOTIATION = "negotiation", _("A right to negotiate a licence")
    NONE = "none", _("Neither")


class ResearchTermsForm(TermsForm):
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
    ownership = choice(
        _("Ownership of the results"),
        ResultsOwnership.choices,
        _("Co-ownership is the common rule; shares are then required and must add up to 100 %."),
    )
    market_price = euros(
        _("Market-equivalent price of the results (euros)"),
        _("Required when the company owns the results."),
        required=False,
    )
    exploitation_field = text(_("Field of exploitation"), _("The products, uses or markets concerned."), rows=2)
    exclusive = yes_no(_("Exclusive exploitation"), _("Whether the company alone may exploit in that field."))
    financial_return = text(
        _("Financial return"), _("What the academic side receives from the exploitation (royalties, fees)."), rows=3
    )
    licence_access = choice(_("Option or right to negotiate a licence"), LicenceAccess.choices)
    free_academic_use = forms.BooleanField(
        label=_("Free academic use for research and teaching"),
        required=False,
        initial=True,
        disabled=True,
        help_text=_("Always granted to the academic parties: it cannot be waived."),
    )

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
        self.fields["effective_date"].initial = timezone.localdate
        self.fields["duration_months"] = bounded_int(
            _("Duration (months)"), minimum=1, maximum=settings.collaboration_months_max
        )
        self.fields["publication_review_days"] = bounded_int(
            _("Publication review period (days)"),
            minimum=1,
            default=settings.publication_review_days_default,
        )
        self.fields["publication_deferral_days"] = bounded_int(
            _("Publication deferral for a patent filing (days)"),
            minimum=1,
            default=settings.publication_deferral_days_default,
        )

    def party_field(self, name, party) -> forms.Field:
        who = self.party_name(party)
        if name == "background":
            return text(gettext("Background of %(party)s") % {"party": who}, rows=2)
        return forms.DecimalField(
            label=gettext("Share of %(party)s (%%)") % {"party": who},
            required=False,
            min_value=0,
            max_value=100,
            max_digits=5,
            decimal_places=2,
        )

    def share_keys(self) -> list[str]:
        return [self.party_key("share", party) for party in self.parties]

    def clean_company_contribution(self) -> Decimal:
        contribution = self.cleaned_data["company_contribution"]
        if contribution <= 0:
            raise ValidationError(
                _("The company's contribution must be above zero: research for a company is never free."),
                code="contribution_zero",
            )
        return contribution

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        ownership = cleaned.get("ownership")
        if ownership == ResultsOwnership.CO_OWNED:
            self._check_shares(cleaned)
        else:
            for key in self.share_keys():
                cleaned[key] = None  # shares apply only to co-owned results
        if ownership == ResultsOwnership.COMPANY:
            price = cleaned.get("market_price")
            if price is None or price <= 0:
                self.add_error(
                    "market_price",
                    ValidationError(
                        _("The company owns the results: enter the market-equivalent price it pays for them."),
                        code="market_price",
                    ),
                )
        else:
            cleaned["market_price"] = None
        cleaned["free_academic_use"] = True
        return cleaned

    def _check_shares(self, cleaned: dict[str, Any]) -> None:
        keys = self.share_keys()
        blank = [key for key in keys if key in cleaned and cleaned[key] is None]
        for key in blank:
            self.add_error(key, ValidationError(_("Enter this party's share."), code="share_missing"))
        if blank or any(key not in cleaned for key in keys):
            return  # a share missing or invalid: its own message says so
        total = sum((cleaned[key] for key in keys), Decimal(0))
        if total != HUNDRED:
            self.add_error(
                None,
                ValidationError(
                    _("The shares add up to %(total)s %%: they must add up to exactly 100 %%."),
                    code="shares_total",
                    params={"total": self.display(self.fields[keys[0]], total)},
                ),
            )

    def period(self, values):
        effective, months = values.get("effective_date"), values.get("duration_months")
        if effective is None:
            return None, None
        return effective, add_months(effective, months) if months else None

    def missing_when(self, values) -> list[str]:
        ownership = values.get("ownership")
        if ownership == ResultsOwnership.CO_OWNED:
            return [str(self.fields[key].label) for key in self.share_keys() if is_blank(values.get(key))]
        if ownership == ResultsOwnership.COMPANY and is_blank(values.get("market_price")):
            return [str(self.fields["market_price"].label)]
        return []
