"""The consultancy agreement's terms (DOMAIN.md section 3): the consultants (names and positions), subject,
deliverable, fee and how it is paid, number of days, effective date and duration. When a hospital clinician takes
part, the company's transparency declaration and the anti-gift rules of the French public health code apply
(articles L.1453-1 and L.1453-3 onwards): the form warns, the admin records the step before signature
(``declarations_required``) and the text prints the obligations as a clause.

Stored keys: consultants, subject, deliverable, fee, fee_payment, days, effective_date, duration_months,
hospital_clinician.

Bounds the legal team cannot change yet (ContractSettings has no field for them): ``DAYS_MAX``,
``DURATION_MONTHS_MAX`` and ``WORKING_DAYS_PER_MONTH``."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .base import TermsForm, add_months, bounded_int, date, euros, text, yes_no

# Consultancy is an accessory activity of public agents: it stays a small part of their working time.
DAYS_MAX = 100
DURATION_MONTHS_MAX = 36
# The days of consultancy must fit in the agreement's duration.
WORKING_DAYS_PER_MONTH = 20


def declarations_required(values: Mapping[str, Any]) -> bool:
    """Whether the terms (form values or stored terms) involve a hospital clinician: the transparency declaration
    and the anti-gift declaration or authorisation must then be done before signature."""
    return values.get("hospital_clinician") in (True, "True", "true")


def consultant_lines(consultants: str) -> list[str]:
    return [line.strip() for line in consultants.splitlines() if line.strip()]


class ConsultancyTermsForm(TermsForm):
    consultants = text(
        _("Consultants (names and positions)"),
        _("One consultant per line, as “name, position”: Dr Anne Martin, haematologist, Hôpital Saint-Louis."),
        rows=3,
    )
    hospital_clinician = yes_no(
        _("Does a hospital clinician take part?"),
        _(
            "If yes, and the company makes or sells health products, the transparency and anti-gift rules of the "
            "public health code apply before signature."
        ),
    )
    subject = text(_("Subject of the consultancy"), _("The questions the consultants answer for the company."))
    deliverable = text(_("Deliverable"), _("What the consultants hand over: a report, an opinion, a meeting."), rows=3)
    fee = euros(_("Fee (euros, excluding VAT)"), _("Above zero: the consultants' time is paid for."))
    fee_payment = text(
        _("How the fee is paid"),
        _("When it is invoiced (on signature, on delivery, per day worked); it is paid to the lead institution."),
        rows=2,
    )
    effective_date = date(_("Effective date"))

    fieldsets = [
        (_("Consultants"), "", ["consultants", "hospital_clinician"]),
        (_("Subject and deliverable"), "", ["subject", "deliverable", "days"]),
        (_("Fee"), "", ["fee", "fee_payment"]),
        (
            _("Duration"),
            _("The agreement ends when its duration from the effective date does."),
            ["effective_date", "duration_months"],
        ),
    ]

    def configure(self, settings) -> None:
        self.fields["days"] = bounded_int(
            _("Number of days of consultancy"),
            minimum=1,
            maximum=DAYS_MAX,
            help_text=_("All consultants together."),
        )
        self.fields["duration_months"] = bounded_int(_("Duration (months)"), minimum=1, maximum=DURATION_MONTHS_MAX)
        # Callables: the enquiry is read when the form is shown, not when saved terms are only read back.
        self.fields["effective_date"].initial = self.wished_start
        self.fields["duration_months"].initial = lambda: self.wished_duration(DURATION_MONTHS_MAX)
        self.fields["subject"].initial = lambda: self.agreement.enquiry.objectives

    def clean_consultants(self) -> str:
        lines = consultant_lines(self.cleaned_data["consultants"])
        for number, line in enumerate(lines, start=1):
            name, _comma, position = line.partition(",")
            if not name.strip() or not position.strip():
                raise ValidationError(
                    _("Line %(number)s (“%(line)s”) lacks a name or a position: write “name, position”."),
                    code="consultant_position",
                    params={"number": number, "line": line},
                )
        return "\n".join(lines)

    def clean_fee(self) -> Decimal:
        fee = self.cleaned_data["fee"]
        if fee <= 0:
            raise ValidationError(_("The fee must be above zero: the consultants' time is paid for."), code="fee_zero")
        return fee

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        days, months = cleaned.get("days"), cleaned.get("duration_months")
        if days and months and days > months * WORKING_DAYS_PER_MONTH:
            self.add_error(
                "days",
                ValidationError(
                    _(
                        "%(days)s days of consultancy do not fit in %(months)s months (%(most)s working days at "
                        "most): lengthen the duration or reduce the days."
                    ),
                    code="days_beyond_duration",
                    params={"days": days, "months": months, "most": months * WORKING_DAYS_PER_MONTH},
                ),
            )
        return cleaned

    def period(self, values):
        effective, months = values.get("effective_date"), values.get("duration_months")
        if effective is None:
            return None, None
        return effective, add_months(effective, months) if months else None

    def warnings_for(self, values) -> list[str]:
        if not declarations_required(values):
            return []
        return [
            gettext(
                "A hospital clinician takes part. If the company makes or sells health products, it must declare "
                "this agreement and the fee on the public Transparence Santé database (article L.1453-1 of the "
                "French public health code), and the anti-gift rules apply (articles L.1453-3 onwards): the "
                "agreement must be declared to, or authorised by, the clinician's professional body before it is "
                "carried out. Record these declarations before signature."
            )
        ]
