"""The industrial chair agreement's terms (DOMAIN.md section 3): the chair and its holder, its duration (the legal
team's default, 48 months), its co-funding (the company's contribution, above zero, and the other funders with
their amounts), what the institutions bring, its research and teaching programme, the steering committee, ownership
of the results and publication as in a research collaboration, and communication with the naming rights. The
agreement ends when its duration from the effective date does.

Stored keys: chair_title, chair_holder, effective_date, duration_months, company_contribution, payment_schedule,
other_funders and other_funding (both or neither), academic_contribution, research_programme, teaching_programme,
steering_committee, ownership, share, market_price, free_academic_use, publication_review_days,
publication_deferral_days (see results_ip), company_in_chair_name, communication."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .base import add_months, bounded_int, date, euros, is_blank, text, yes_no
from .results_ip import OWNERSHIP_FIELDS, PUBLICATION_FIELDS, PUBLICATION_HELP, ResultsTermsForm


class IndustrialChairTermsForm(ResultsTermsForm):
    chair_title = forms.CharField(
        label=_("Title of the chair"), max_length=300, help_text=_("Its name in full, as it will be announced.")
    )
    chair_holder = forms.CharField(
        label=_("Chair holder"),
        max_length=200,
        help_text=_("The researcher who holds the chair: name and position (“Pr Anne Martin, PU-PH”)."),
    )
    effective_date = date(_("Effective date"))
    company_contribution = euros(
        _("Company's financial contribution (euros)"),
        _("Over the whole duration, above zero: the company co-funds the chair."),
    )
    payment_schedule = text(
        _("Payment schedule"), _("When the company pays: instalments and their dates (“four yearly payments”)."), rows=2
    )
    other_funders = text(
        _("Other funders"),
        _("Each other co-funder and its amount, one a line (a foundation, a region, another company). Empty if none."),
        rows=3,
        required=False,
    )
    other_funding = euros(
        _("Total of the other funders' contributions (euros)"),
        _("Required when other funders are named."),
        required=False,
    )
    academic_contribution = text(
        _("What the institutions bring"), _("The holder's and the team's time, premises, equipment."), rows=3
    )
    research_programme = text(
        _("Research programme"), _("The chair's research themes and goals, year by year."), rows=6
    )
    teaching_programme = text(
        _("Teaching programme"), _("Courses, training and students the chair supports (master's, doctoral)."), rows=4
    )
    steering_committee = text(
        _("Steering committee"), _("Its members for each party, how often it meets and what it decides."), rows=3
    )
    company_in_chair_name = yes_no(
        _("The company's name in the chair's name"), _("Whether the chair is named after the company (naming rights).")
    )
    communication = text(
        _("Communication"),
        _("Who announces the chair, and how each party may use the others' names and logos."),
        rows=3,
    )

    party_fields = ("share",)
    fieldsets = [
        (_("The chair"), "", ["chair_title", "chair_holder"]),
        (
            _("Duration"),
            _("The agreement ends when its duration from the effective date does."),
            ["effective_date", "duration_months"],
        ),
        (
            _("Co-funding"),
            _("An industrial chair is co-funded: the company, the institutions and possibly other funders."),
            ["company_contribution", "payment_schedule", "other_funders", "other_funding", "academic_contribution"],
        ),
        (_("Programme"), "", ["research_programme", "teaching_programme"]),
        (_("Governance"), "", ["steering_committee"]),
        (_("Ownership of the results"), "", OWNERSHIP_FIELDS),
        (_("Publication"), PUBLICATION_HELP, PUBLICATION_FIELDS),
        (_("Communication and naming rights"), "", ["company_in_chair_name", "communication"]),
    ]

    def configure(self, settings) -> None:
        super().configure(settings)
        longest = settings.collaboration_months_max
        self.fields["duration_months"] = bounded_int(
            _("Duration (months)"),
            minimum=1,
            maximum=longest,
            default=min(settings.industrial_chair_months_default, longest),
        )
        # Drafts from what the company said in its enquiry (read only when the empty form is shown).
        self.fields["effective_date"].initial = self.wished_start
        self.fields["chair_title"].initial = lambda: self.agreement.enquiry.title
        self.fields["research_programme"].initial = lambda: self.agreement.enquiry.objectives

    def clean_company_contribution(self) -> Decimal:
        contribution = self.cleaned_data["company_contribution"]
        if contribution <= 0:
            raise ValidationError(
                _("The company's contribution must be above zero: the company co-funds the chair."),
                code="contribution_zero",
            )
        return contribution

    def clean_other_funding(self) -> Decimal | None:
        amount = self.cleaned_data["other_funding"]
        if amount is not None and amount <= 0:
            raise ValidationError(
                _("Enter the other funders' total above zero, or leave it empty when there are none."),
                code="other_funding",
            )
        return amount

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        funders = cleaned.get("other_funders")
        if "other_funding" in cleaned:  # an invalid amount has its own message
            if not is_blank(funders) and cleaned["other_funding"] is None:
                self.add_error(
                    "other_funding",
                    ValidationError(
                        _("Other funders are named: enter the total of their contributions."), code="funding"
                    ),
                )
            elif is_blank(funders) and cleaned["other_funding"] is not None:
                self.add_error(
                    "other_funders",
                    ValidationError(
                        _("An amount from other funders is entered: name them and their shares."), code="funders"
                    ),
                )
        return cleaned

    def period(self, values):
        effective, months = values.get("effective_date"), values.get("duration_months")
        if effective is None:
            return None, None
        return effective, add_months(effective, months) if months else None

    def missing_when(self, values) -> list[str]:
        missing = super().missing_when(values)
        if not is_blank(values.get("other_funders")) and is_blank(values.get("other_funding")):
            missing.append(str(self.fields["other_funding"].label))
        return missing
