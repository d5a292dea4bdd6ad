"""The option agreement's terms (DOMAIN.md section 3): for a fee, the company holds for some months the right to
take a licence of patents or results in a field, on key terms agreed now; it may evaluate them meanwhile. The
option lasts from the effective date for its duration, within the legal team's bounds (``ContractSettings``).
The entity's IP agent ("mandataire unique") signs for every co-owner (``KindSpec.ip_agent_signs``).

Stored keys: subject_kind, subject (patents one a line, number then title; or the results described),
field_of_use, option_months, option_fee, fee_creditable, key_terms, effective_date."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import TermsForm, add_months, bounded_int, choice, date, euros, text, yes_no
from .patent_licence import check_patent_lines, signing_warning, subject_warning

# Key terms shorter than this cannot say exclusivity, territory and money: the licence would be negotiated anew.
KEY_TERMS_MIN_LENGTH = 40


class OptionSubject(models.TextChoices):
    PATENTS = "patents", _("Patents or patent applications")
    RESULTS = "results", _("Results not yet patented")


class OptionTermsForm(TermsForm):
    subject_kind = choice(_("The option is on"), OptionSubject.choices)
    subject = text(
        _("Patents or results concerned"),
        _(
            "Patents: one a line, its number then its title. Results: what they are and the work they come from "
            "(a collaboration's reference)."
        ),
        rows=4,
    )
    field_of_use = text(_("Field of use"), _("The products, indications or uses the future licence would cover."))
    option_fee = euros(
        _("Option fee (euros)"),
        _("Above zero: reserving public research results for a company is paid for (EU state-aid rules)."),
    )
    fee_creditable = yes_no(
        _("Fee credited against the licence's upfront payment"),
        _("Whether the fee is deducted from the upfront payment if the company takes the licence."),
    )
    key_terms = text(
        _("Key terms of the future licence"),
        _(
            "Agreed now, so that the licence is quick to sign: exclusivity, territory, sublicensing, upfront payment, "
            "royalty range, diligence."
        ),
        rows=6,
    )
    effective_date = date(_("Effective date"))

    fieldsets = [
        (
            _("Subject of the option"),
            _("The patents or results are co-owned: the IP agent (mandataire unique) signs for every co-owner."),
            ["subject_kind", "subject", "field_of_use"],
        ),
        (
            _("Option period and fee"),
            _("The option ends when its duration from the effective date does; the company exercises it before."),
            ["effective_date", "option_months", "option_fee", "fee_creditable"],
        ),
        (_("The future licence"), "", ["key_terms"]),
    ]

    def configure(self, settings) -> None:
        self.fields["effective_date"].initial = timezone.localdate
        low, high = settings.option_months_min, settings.option_months_max
        self.fields["option_months"] = bounded_int(
            _("Option period (months)"),
            minimum=low,
            maximum=high,
            # a default the bounds have since left behind would pre-fill a value the form refuses
            default=min(max(settings.option_months_default, low), high),
            help_text=_("The company evaluates and decides within this period."),
        )

    def clean_option_fee(self) -> Decimal:
        fee = self.cleaned_data["option_fee"]
        if fee <= 0:
            raise ValidationError(
                _(
                    "The option fee must be above zero: reserving public research results for a company is paid "
                    "for (EU state-aid rules)."
                ),
                code="option_fee_zero",
            )
        return fee

    def clean_key_terms(self) -> str:
        terms = self.cleaned_data["key_terms"].strip()
        if len(terms) < KEY_TERMS_MIN_LENGTH:
            raise ValidationError(
                _(
                    "State the key terms of the future licence in %(count)s characters at least: exclusivity, "
                    "territory and the financial terms."
                ),
                code="key_terms_vague",
                params={"count": KEY_TERMS_MIN_LENGTH},
            )
        return terms

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("subject_kind") == OptionSubject.PATENTS and cleaned.get("subject"):
            try:
                cleaned["subject"] = check_patent_lines(cleaned["subject"])
            except ValidationError as error:
                self.add_error("subject", error)
        return cleaned

    def period(self, values):
        effective, months = values.get("effective_date"), values.get("option_months")
        if effective is None:
            return None, None
        return effective, add_months(effective, months) if months else None

    def warnings_for(self, values) -> list[str]:
        return subject_warning(self.agreement) + signing_warning(self.agreement)
