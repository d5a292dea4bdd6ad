"""The service agreement's terms (DOMAIN.md section 3): statement of work, deliverables and their acceptance, price
and its pricing basis, payment schedule, effective date and duration. The company owns the results and the lab
keeps its know-how (fixed clauses of the text). A service carries no inventive work: when the drafter says some is
expected, the form warns and the admin proposes a research collaboration instead (``proposes_collaboration``).

Stored keys: statement_of_work, deliverables, acceptance_procedure, acceptance_days, price, pricing_basis,
payment_schedule, effective_date, duration_months, inventive_work_expected.

Bounds the legal team cannot change yet (ContractSettings has no field for them): ``ACCEPTANCE_DAYS_DEFAULT``,
``ACCEPTANCE_DAYS_MAX`` and ``DURATION_MONTHS_MAX``."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agreements.choices import AgreementKind

from .base import TermsForm, add_months, bounded_int, choice, date, euros, text, yes_no
from .research import PricingBasis

# Days the company has to accept a deliverable or state its reservations: long enough to check a dataset, short
# enough that the lab is not left waiting for its payment.
ACCEPTANCE_DAYS_DEFAULT = 15
ACCEPTANCE_DAYS_MAX = 90
# A service is a defined piece of work; beyond five years it is a framework agreement or a collaboration.
DURATION_MONTHS_MAX = 60

# Research done for a company is priced at its market price or, without one, at full cost plus a reasonable
# margin (EU framework for State aid for research, development and innovation): full cost alone would be aid.
SERVICE_PRICING = [(value, label) for value, label in PricingBasis.choices if value != PricingBasis.FULL_COST]


def proposes_collaboration(values: Mapping[str, Any]) -> bool:
    """Whether the terms (form values or stored terms) expect inventive work: the contract should then be a
    research collaboration agreement, not a service."""
    return values.get("inventive_work_expected") in (True, "True", "true")


class ServiceTermsForm(TermsForm):
    statement_of_work = text(
        _("Statement of work"),
        _("The work the lab carries out: methods, samples or materials the company supplies, what is measured."),
        rows=6,
    )
    deliverables = text(_("Deliverables"), _("What the lab hands over (report, dataset, batches), and when."))
    acceptance_procedure = text(
        _("Acceptance procedure"),
        _("How the company checks each deliverable against the statement of work (criteria, tests)."),
        rows=3,
    )
    price = euros(_("Price (euros, excluding VAT)"), _("Above zero: a service to a company is never free."))
    pricing_basis = choice(
        _("Pricing basis"),
        SERVICE_PRICING,
        _("Market price, or full cost plus a margin when there is no market price (EU state-aid rules)."),
    )
    payment_schedule = text(
        _("Payment schedule"),
        _("When the price is invoiced: for example 30 % on signature and the balance on acceptance."),
        rows=2,
    )
    effective_date = date(_("Effective date"))
    inventive_work_expected = yes_no(
        _("Is inventive work expected?"),
        _("A service applies known methods. If the lab's researchers may invent, it is a research collaboration."),
    )

    fieldsets = [
        (
            _("Statement of work"),
            _("The company owns the results of the service; the lab keeps its know-how and methods."),
            ["statement_of_work", "inventive_work_expected"],
        ),
        (
            _("Deliverables and acceptance"),
            _("A deliverable the company does not refuse, with its reasons, within the days set here is accepted."),
            ["deliverables", "acceptance_procedure", "acceptance_days"],
        ),
        (_("Price"), "", ["price", "pricing_basis", "payment_schedule"]),
        (
            _("Duration"),
            _("The agreement ends when its duration from the effective date does."),
            ["effective_date", "duration_months"],
        ),
    ]

    def configure(self, settings) -> None:
        pricing = self.fields["pricing_basis"]
        pricing.error_messages = {
            **pricing.error_messages,
            "invalid_choice": _(
                "A service is priced at its market price or at full cost plus a margin (EU state-aid rules): "
                "“%(value)s” is neither."
            ),
        }
        self.fields["acceptance_days"] = bounded_int(
            _("Days to accept a deliverable"),
            minimum=1,
            maximum=ACCEPTANCE_DAYS_MAX,
            default=ACCEPTANCE_DAYS_DEFAULT,
            help_text=_("After that, a deliverable the company has not refused is accepted."),
        )
        self.fields["duration_months"] = bounded_int(_("Duration (months)"), minimum=1, maximum=DURATION_MONTHS_MAX)
        # Callables: the enquiry is read when the form is shown, not when saved terms are only read back.
        self.fields["effective_date"].initial = self.wished_start
        self.fields["duration_months"].initial = lambda: self.wished_duration(DURATION_MONTHS_MAX)
        self.fields["statement_of_work"].initial = lambda: self.agreement.enquiry.objectives

    def clean_price(self) -> Decimal:
        price = self.cleaned_data["price"]
        if price <= 0:
            raise ValidationError(
                _("The price must be above zero: a service to a company is never free."), code="price_zero"
            )
        return price

    def suggested_kind(self, values) -> str | None:
        return AgreementKind.RESEARCH_COLLABORATION if proposes_collaboration(values) else None

    def period(self, values):
        effective, months = values.get("effective_date"), values.get("duration_months")
        if effective is None:
            return None, None
        return effective, add_months(effective, months) if months else None

    def warnings_for(self, values) -> list[str]:
        if not proposes_collaboration(values):
            return []
        return [
            gettext(
                "Inventive work is expected: a service agreement cannot carry it. Under a service the company owns "
                "the results for a price, so inventions of the lab's researchers would go to it without "
                "co-ownership, a market-equivalent price or the right to publish. Propose a research collaboration "
                "agreement instead."
            )
        ]
