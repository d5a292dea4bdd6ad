"""The CIFRE collaboration contract's terms (DOMAIN.md section 3): the doctoral student and the thesis, its
supervision on both sides, the student's time between the company and the laboratory, background per party,
ownership and exploitation of the results and publication as in a research collaboration, and the thesis's
confidentiality. The contract runs from the thesis start (the employment contract's) for the ANRT convention's
36 months, and must be signed within 6 months of that start: ``signature_deadline`` computes the day, printed in
the text and watched by the form's warnings.

Stored keys: doctoral_student, thesis_title, doctoral_school, anrt_file_number, thesis_start, signature_deadline
(computed: thesis_start + 6 months), thesis_director, company_supervisor, research_programme, company_time_percent,
time_schedule, lab_contribution (only when the company pays one), background ({party pk: text}), ownership, share,
market_price, free_academic_use, publication_review_days, publication_deferral_days (see results_ip),
confidential_thesis, confidentiality_years (only when the thesis is confidential)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .base import add_months, bounded_int, date, euros, is_blank, text, yes_no
from .results_ip import OWNERSHIP_FIELDS, PUBLICATION_FIELDS, PUBLICATION_HELP, ResultsTermsForm

# The ANRT subsidises the employment contract for three years: the collaboration contract lasts as long.
THESIS_MONTHS = 36
# The collaboration contract must be signed within this many months of the thesis start (ANRT's rule).
SIGNATURE_MONTHS = 6
# The ANRT numbers its files by year: "2026/0421". CIFRE began in 1981.
ANRT_FILE_NUMBER = re.compile(r"(?P<year>\d{4})/\d{1,5}")
FIRST_CIFRE_YEAR = 1981
# A confidential thesis stays so for a few years at most: the doctoral school must be able to publish it.
CONFIDENTIALITY_YEARS_MAX = 10


def signature_deadline(values: dict[str, Any]) -> dt.date | None:
    """The last day to sign the collaboration contract: six months after the thesis start (the 31st falls back on
    the month's last day). ``values`` holds ``thesis_start`` as a date or as stored (ISO); None without one."""
    start = values.get("thesis_start")
    if isinstance(start, str):
        try:
            start = dt.date.fromisoformat(start)
        except ValueError:
            return None
    if not isinstance(start, dt.date):
        return None
    return add_months(start, SIGNATURE_MONTHS)


def line(label, help_text="", *, max_length: int = 200, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, help_text=help_text, max_length=max_length, required=required)


class CifreTermsForm(ResultsTermsForm):
    doctoral_student = line(_("Doctoral student"), _("Full name, as on the employment contract."))
    thesis_title = line(_("Thesis title"), _("As registered with the doctoral school."), max_length=300)
    doctoral_school = line(
        _("Doctoral school"),
        _("Number and name (“ED 561 – Hématologie, oncogenèse et biothérapies”): the host laboratory's school."),
    )
    anrt_file_number = line(
        _("ANRT file number"), _("The year, a slash and the file's number: 2026/0421."), max_length=20
    )
    thesis_start = date(
        _("Thesis start (start of the employment contract)"),
        _("This contract must be signed within 6 months of this day."),
    )
    signature_deadline = forms.DateField(
        label=_("Signature deadline"),
        required=False,
        disabled=True,
        help_text=_("Six months after the thesis start: computed when the terms are saved."),
    )
    thesis_director = line(
        _("Thesis director (academic)"), _("The laboratory's researcher, accredited to direct research (HDR).")
    )
    company_supervisor = line(_("Supervisor at the company"), _("Who supervises the student's work at the company."))
    research_programme = text(
        _("Research programme of the thesis"),
        _("The scientific annex: the questions and the work, year by year."),
        rows=6,
    )
    time_schedule = text(
        _("Arrangement of the time between the company and the laboratory"),
        _("How the periods alternate (days a week, months), and what is done where."),
        rows=3,
    )
    lab_contribution = euros(
        _("Company's contribution to the laboratory's costs (euros a year)"),
        _("Consumables, equipment and travel of the thesis. Leave empty when the company pays none."),
        required=False,
    )
    confidential_thesis = yes_no(
        _("Confidential thesis"),
        _(
            "Whether the parties ask the degree-awarding institution for a defence behind closed doors and for the "
            "thesis to stay confidential, because it holds the company's confidential information."
        ),
    )

    party_fields = ("background", "share")
    fieldsets = [
        (
            _("Doctoral student and thesis"),
            "",
            ["doctoral_student", "thesis_title", "doctoral_school", "anrt_file_number"],
        ),
        (
            _("Dates"),
            _(
                "The contract runs from the thesis start for the 36 months of the ANRT convention, and must be "
                "signed within 6 months of that start."
            ),
            ["thesis_start", "signature_deadline"],
        ),
        (
            _("Supervision and time"),
            "",
            ["thesis_director", "company_supervisor", "company_time_percent", "time_schedule"],
        ),
        (_("Research programme"), "", ["research_programme", "lab_contribution"]),
        (
            _("Background knowledge"),
            _("What each party brings and keeps owning. Write “none” for a party that brings none."),
            ["background"],
        ),
        (_("Ownership of the results"), "", OWNERSHIP_FIELDS),
        (_("Publication"), PUBLICATION_HELP, PUBLICATION_FIELDS),
        (
            _("Confidentiality of the thesis"),
            _("A thesis is defended in public unless the head of the institution grants a closed defence."),
            ["confidential_thesis", "confidentiality_years"],
        ),
    ]

    def configure(self, settings) -> None:
        super().configure(settings)
        # Drafts from what the company said in its enquiry (read only when the empty form is shown).
        self.fields["thesis_title"].initial = lambda: self.agreement.enquiry.title
        self.fields["thesis_start"].initial = lambda: self.agreement.enquiry.wished_start
        self.fields["research_programme"].initial = lambda: self.agreement.enquiry.objectives
        years = bounded_int(
            _("Years the thesis stays confidential"),
            minimum=1,
            maximum=CONFIDENTIALITY_YEARS_MAX,
            help_text=_("Required when the thesis is confidential."),
        )
        years.required = False
        self.fields["confidentiality_years"] = years
        time = self.fields["company_time_percent"] = bounded_int(
            _("Share of the student's time at the company (%)"),
            minimum=1,
            maximum=99,
            default=50,
            help_text=_("The rest is spent at the laboratory."),
        )
        time.error_messages["min_value"] = _(
            "The student shares their time with the laboratory: give the company at least %(limit_value)s %%."
        )
        time.error_messages["max_value"] = _(
            "The student shares their time with the laboratory: give the company at most %(limit_value)s %%."
        )

    def clean_anrt_file_number(self) -> str:
        number = self.cleaned_data["anrt_file_number"].strip()
        match = ANRT_FILE_NUMBER.fullmatch(number)
        latest = timezone.localdate().year + 1
        if match is None or not FIRST_CIFRE_YEAR <= int(match["year"]) <= latest:
            raise ValidationError(
                _(
                    "“%(number)s” is not an ANRT file number: write the year the file was made (%(first)s to "
                    "%(latest)s), a slash and its number, as in 2026/0421."
                ),
                code="anrt_file_number",
                params={"number": number, "first": FIRST_CIFRE_YEAR, "latest": latest},
            )
        return number

    def clean_lab_contribution(self):
        amount = self.cleaned_data["lab_contribution"]
        if amount is not None and amount <= 0:
            raise ValidationError(
                _("Enter the contribution above zero, or leave it empty when the company pays none."),
                code="lab_contribution",
            )
        return amount

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        director, supervisor = cleaned.get("thesis_director"), cleaned.get("company_supervisor")
        if director and supervisor and _same_person(director, supervisor):
            self.add_error(
                "company_supervisor",
                ValidationError(
                    _(
                        "The company supervisor must be someone else than the thesis director: a CIFRE thesis is "
                        "supervised on both sides."
                    ),
                    code="same_supervisor",
                ),
            )
        if cleaned.get("confidential_thesis") is True:
            if "confidentiality_years" in cleaned and cleaned["confidentiality_years"] is None:
                self.add_error(
                    "confidentiality_years",
                    ValidationError(
                        _("The thesis is confidential: say for how many years."), code="confidentiality_years"
                    ),
                )
        else:
            cleaned["confidentiality_years"] = None  # a public thesis has no period of confidentiality
        cleaned["signature_deadline"] = signature_deadline(cleaned)
        return cleaned

    def period(self, values):
        start = values.get("thesis_start")
        if start is None:
            return None, None
        return start, add_months(start, THESIS_MONTHS)

    def missing_when(self, values) -> list[str]:
        missing = super().missing_when(values)
        if values.get("confidential_thesis") is True and is_blank(values.get("confidentiality_years")):
            missing.append(str(self.fields["confidentiality_years"].label))
        return missing

    def warnings_for(self, values) -> list[str]:
        start = values.get("thesis_start")  # on the empty form: the enquiry's wished start, read when called
        deadline = signature_deadline({"thesis_start": start() if callable(start) else start})
        if deadline is None:
            return []
        left = (deadline - timezone.localdate()).days
        day = formats.date_format(deadline, "DATE_FORMAT")
        if left < 0:
            return [
                gettext(
                    "The signature deadline, %(date)s (6 months after the thesis start), has passed: sign without "
                    "delay and keep the ANRT informed."
                )
                % {"date": day}
            ]
        if left <= self.settings.deadline_warning_days:
            return [
                ngettext(
                    "This contract must be signed by %(date)s (6 months after the thesis start): %(days)d day left.",
                    "This contract must be signed by %(date)s (6 months after the thesis start): %(days)d days left.",
                    left,
                )
                % {"date": day, "days": left}
            ]
        return []


def _same_person(first: str, second: str) -> bool:
    return " ".join(first.casefold().split()) == " ".join(second.casefold().split())
