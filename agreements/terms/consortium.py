"""The consortium agreement's terms (DOMAIN.md section 3): the programme and call the project answers, its acronym,
grant number and coordinator, the other members of the consortium, each party's budget, the project's start and
duration, background per party, results and access rights, publication and governance.

Programmes set a signature deadline (``signature_deadline``): the ANR, 12 months after the project start; Horizon
Europe, the EU Cancer Mission and the ERC, before the grant agreement, whose planned signature date is then a
required term. The deadline is computed when the terms are saved and printed in the recitals.

Stored keys: programme, call, acronym, grant_number (absent until the grant is awarded), coordinator,
beneficiaries, grant_agreement_date (only for a programme signed before its grant agreement), signature_deadline
(computed; absent when the programme sets none), budget ({party pk: euros as a string}), total_budget (computed),
project_start, duration_months, background ({party pk: text}), results_ownership, exploitation_access,
access_request_months, publication_review_days, publication_deferral_days, general_assembly, steering_committee."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from partners.choices import FundingProgramme

from .base import TermsForm, add_months, bounded_int, choice, date, euros, is_blank, text

# The programmes a consortium agreement answers: the enquiry's funding programmes, less "other" (a call outside
# these has no programme rules the text could follow). Values are the enquiry's own, so it pre-fills as it is.
PROGRAMMES = [(value, label) for value, label in FundingProgramme.choices if value != FundingProgramme.OTHER]
# Programmes whose rules require the consortium agreement signed before the grant agreement.
BEFORE_GRANT_AGREEMENT = frozenset(
    {FundingProgramme.HORIZON_EUROPE, FundingProgramme.CANCER_MISSION, FundingProgramme.ERC}
)
CENT = Decimal("0.01")
# The ANR requires the consortium agreement signed within this many months of the project start.
ANR_SIGNATURE_MONTHS = 12
# How long after the project's end a party may still ask for access rights to exploit (no setting exists for it).
ACCESS_REQUEST_MONTHS_DEFAULT = 12
ACCESS_REQUEST_MONTHS_MAX = 36


class ResultsOwnership(models.TextChoices):
    GENERATOR = "generator", _("Each party owns the results it generates; joint results are co-owned")
    CO_OWNED = "co_owned", _("All results are co-owned, in proportion to each party's contribution")


class ExploitationAccess(models.TextChoices):
    FAIR_AND_REASONABLE = "fair_and_reasonable", _("On fair and reasonable conditions, to be agreed")
    ROYALTY_FREE = "royalty_free", _("Royalty-free")


def _as_date(value: Any) -> dt.date | None:
    """A date from the form (a date) or from the stored terms (an ISO string); anything else is no date."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def signature_deadline(values: Mapping[str, Any]) -> dt.date | None:
    """The last day the programme allows for signing the consortium agreement, or None when it sets none (or a
    date it hangs on is not entered yet). ``values`` are the form's cleaned values or the stored terms."""
    programme = values.get("programme")
    if programme == FundingProgramme.ANR:
        start = _as_date(values.get("project_start"))
        return add_months(start, ANR_SIGNATURE_MONTHS) if start else None
    if programme in BEFORE_GRANT_AGREEMENT:
        return _as_date(values.get("grant_agreement_date"))
    return None


def _one_line(label, help_text="", *, max_length: int, required: bool = True) -> forms.CharField:
    """A short text on one line; left blank, it is no term at all (None), not an empty one."""
    return forms.CharField(label=label, help_text=help_text, max_length=max_length, required=required, empty_value=None)


def _computed(field: forms.Field) -> forms.Field:
    """A term the form works out when the terms are saved: shown, never typed."""
    field.required, field.disabled = False, True
    return field


class ConsortiumTermsForm(TermsForm):
    programme = choice(
        _("Programme"),
        PROGRAMMES,
        _("Pre-filled from the enquiry. Its rules set when the agreement must be signed."),
    )
    call = _one_line(_("Call for projects"), _("Pre-filled from the enquiry."), max_length=200)
    acronym = _one_line(_("Project acronym"), _("As in the proposal."), max_length=30)
    grant_number = _one_line(
        _("Grant number"),
        _("Optional until the grant is awarded: the text then says the grant is being awarded."),
        max_length=50,
        required=False,
    )
    grant_agreement_date = date(
        _("Grant agreement signature date (planned)"),
        _(
            "Required for Horizon Europe, the EU Cancer Mission and the ERC, whose rules require the consortium "
            "agreement signed before the grant agreement."
        ),
    )
    grant_agreement_date.required = False
    signature_deadline = _computed(
        date(
            _("Signature deadline"),
            _(
                "Computed when the terms are saved: 12 months after the project start for the ANR; the grant "
                "agreement's planned signature for Horizon Europe, the EU Cancer Mission and the ERC."
            ),
        )
    )
    coordinator = text(
        _("Coordinator"),
        _(
            "The member that coordinates the project for the funder (a party or another member), and its scientific "
            "lead."
        ),
        rows=2,
    )
    beneficiaries = text(
        _("Other members of the consortium"),
        _(
            "The members beyond the parties to this agreement: name, country and role of each. They join the "
            "agreement by signing an accession form. Write “none” if the parties are the whole consortium."
        ),
        rows=3,
    )
    total_budget = _computed(
        forms.DecimalField(
            label=_("Total budget of the parties (euros)"),
            help_text=_("Computed when the terms are saved: the sum of the parties' budgets."),
            max_digits=14,
            decimal_places=2,
        )
    )
    project_start = date(_("Project start date"), _("The start date the funder sets (T0); the agreement runs from it."))
    steering_committee = text(
        _("Steering committee"),
        _("The executive body: its members, how often it meets, what it decides between general assemblies."),
        rows=3,
    )
    general_assembly = text(
        _("General assembly"),
        _("The decision-making body of the consortium: one representative per member, its meetings and votes."),
        rows=3,
    )
    results_ownership = choice(
        _("Ownership of the results"),
        ResultsOwnership.choices,
        _("Horizon Europe and the ANR's usual rule: each party owns what it generates."),
    )
    exploitation_access = choice(
        _("Access rights to exploit the results"),
        ExploitationAccess.choices,
        _("Access to carry out the project is always royalty-free; this is the access to exploit."),
    )

    party_fields = ("budget", "background")
    fieldsets = [
        (
            _("Programme and call"),
            _("The programme's rules prevail over this agreement where they differ."),
            ["programme", "call", "acronym", "grant_number", "grant_agreement_date", "signature_deadline"],
        ),
        (_("Consortium"), "", ["coordinator", "beneficiaries"]),
        (
            _("Budget"),
            _("Each party's share of the project budget, as the proposal states it. Enter 0 for a party without one."),
            ["budget", "total_budget"],
        ),
        (
            _("Project dates"),
            _("The agreement runs from the project start for the project's duration."),
            ["project_start", "duration_months"],
        ),
        (
            _("Background knowledge"),
            _("What each party brings and keeps owning. Write “none” for a party that brings none."),
            ["background"],
        ),
        (
            _("Results and access rights"),
            "",
            ["results_ownership", "exploitation_access", "access_request_months"],
        ),
        (
            _("Publication"),
            _("Each member may object to a publication that discloses its confidential information or results."),
            ["publication_review_days", "publication_deferral_days"],
        ),
        (_("Governance"), "", ["general_assembly", "steering_committee"]),
    ]

    def configure(self, settings) -> None:
        self.fields["duration_months"] = bounded_int(
            _("Project duration (months)"), minimum=1, maximum=settings.collaboration_months_max
        )
        self.fields["access_request_months"] = bounded_int(
            _("Months after the project's end to request access rights"),
            minimum=1,
            maximum=ACCESS_REQUEST_MONTHS_MAX,
            default=ACCESS_REQUEST_MONTHS_DEFAULT,
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
        self._prefill_from_enquiry(settings)

    def _prefill_from_enquiry(self, settings) -> None:
        """What the company said of its call in the enquiry: the programme, the call, the wished start and length."""
        enquiry = self.agreement.enquiry
        if enquiry.funding_programme in dict(PROGRAMMES):
            self.fields["programme"].initial = enquiry.funding_programme
        if enquiry.funding_call:
            self.fields["call"].initial = enquiry.funding_call
        if enquiry.wished_start:
            self.fields["project_start"].initial = enquiry.wished_start
        if enquiry.duration_months and enquiry.duration_months <= settings.collaboration_months_max:
            self.fields["duration_months"].initial = enquiry.duration_months

    def party_field(self, name, party) -> forms.Field:
        who = self.party_name(party)
        if name == "background":
            return text(gettext("Background of %(party)s") % {"party": who}, rows=2)
        return euros(gettext("Budget of %(party)s (euros)") % {"party": who})

    def budget_keys(self) -> list[str]:
        return [self.party_key("budget", party) for party in self.parties]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._check_budgets(cleaned)
        if cleaned.get("programme") in BEFORE_GRANT_AGREEMENT:
            if cleaned.get("grant_agreement_date") is None and "grant_agreement_date" not in self.errors:
                self.add_error(
                    "grant_agreement_date",
                    ValidationError(
                        _(
                            "%(programme)s requires the consortium agreement signed before the grant agreement: "
                            "enter the grant agreement's planned signature date."
                        ),
                        code="grant_agreement_date",
                        params={"programme": dict(PROGRAMMES)[cleaned["programme"]]},
                    ),
                )
        else:
            cleaned["grant_agreement_date"] = None  # no grant agreement date in the programme's rules
        cleaned["signature_deadline"] = signature_deadline(cleaned)
        return cleaned

    def _check_budgets(self, cleaned: dict[str, Any]) -> None:
        keys = self.budget_keys()
        for party, key in zip(self.parties, keys, strict=True):
            if cleaned.get(key) is not None and cleaned[key] < 0:
                self.add_error(
                    key,
                    ValidationError(
                        _("The budget of %(party)s cannot be negative: enter 0 if it has none."),
                        code="budget_negative",
                        params={"party": self.party_name(party)},
                    ),
                )
        if any(key not in cleaned for key in keys):
            cleaned["total_budget"] = None  # a budget missing or refused: its own message says so
            return
        total = sum((cleaned[key] for key in keys), Decimal(0)).quantize(CENT)
        if total <= 0:
            self.add_error(
                None,
                ValidationError(
                    _("The parties' budgets add up to zero: enter each party's share of the project budget."),
                    code="budget_zero",
                ),
            )
        cleaned["total_budget"] = total

    def period(self, values):
        start, months = values.get("project_start"), values.get("duration_months")
        if start is None:
            return None, None
        return start, add_months(start, months) if months else None

    def missing_when(self, values) -> list[str]:
        if values.get("programme") in BEFORE_GRANT_AGREEMENT and is_blank(values.get("grant_agreement_date")):
            return [str(self.fields["grant_agreement_date"].label)]
        return []

    def warnings_for(self, values) -> list[str]:
        warnings = []
        deadline = signature_deadline(values)
        if deadline is not None:
            left = (deadline - timezone.localdate()).days
            when = formats.date_format(deadline, "DATE_FORMAT")
            if left < 0:
                warnings.append(
                    gettext(
                        "The programme's deadline for signing this agreement, %(date)s, is past: check with the "
                        "funder before going on."
                    )
                    % {"date": when}
                )
            elif left <= self.settings.deadline_warning_days:
                warnings.append(
                    ngettext(
                        "%(days)s day left to sign before the programme's deadline, %(date)s.",
                        "%(days)s days left to sign before the programme's deadline, %(date)s.",
                        left,
                    )
                    % {"days": left, "date": when}
                )
        grant_date, start = _as_date(values.get("grant_agreement_date")), _as_date(values.get("project_start"))
        if values.get("programme") in BEFORE_GRANT_AGREEMENT and grant_date and start and start < grant_date:
            warnings.append(
                gettext(
                    "The project starts before the grant agreement's planned signature: the programme allows it in "
                    "justified cases only. Check both dates."
                )
            )
        return warnings
