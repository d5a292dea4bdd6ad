"""The patent licence's terms (DOMAIN.md section 3): the patents and rights licensed, field, territory,
exclusivity, sublicensing; upfront payment, milestones, royalties and their yearly minimum; the diligence plan
an exclusive licence requires; who bears the patent costs; the academic reservation; effective date and term.
The entity's IP agent ("mandataire unique") signs for every co-owner (``KindSpec.ip_agent_signs``).

Stored keys: licensed_patents (one patent a line, number then title), licensed_rights, know_how (only with the
know-how), field_of_use, territory, territory_countries (only when the countries are listed), exclusivity,
sublicensing, sublicence_share (percent as a string, only when sublicensing), upfront_payment, milestones,
royalty_rate (percent of net sales as a string), minimum_annual_royalties (optional), diligence_plan (required
when exclusive), patent_costs, academic_reservation (always true), effective_date, term_basis,
last_patent_expiry (only until the last patent expires), term_years (only for a number of years)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agreements.choices import PartyRole
from partners.choices import LicenceSubject

from .base import TermsForm, add_months, bounded_int, choice, date, euros, is_blank, text, yes_no

if TYPE_CHECKING:
    from agreements.models import Agreement

ROYALTY_RATE_MAX = Decimal(50)
# Above this rate of net sales the portal warns: academic health licences rarely ask more (a setting candidate).
ROYALTY_RATE_WARNING = Decimal(10)
# A licence for a number of years: at most the life of a patent plus a supplementary protection certificate.
TERM_YEARS_MAX = 25
HUNDRED = Decimal(100)

# A patent or application number: an office code, then digits (EP 3 456 789, FR2101234, WO 2021/123456,
# PCT/EP2021/012345, US 11,234,567).
PATENT_NUMBER = re.compile(r"\b[A-Z]{2,3}\s?[/-]?\s?\d[\d\s/.,-]{3,}")
AMOUNT = re.compile(r"\d")


class LicensedRights(models.TextChoices):
    PATENTS = "patents", _("The patents alone")
    PATENTS_AND_KNOW_HOW = "patents_know_how", _("The patents and the know-how needed to use them")


class Territory(models.TextChoices):
    WORLDWIDE = "worldwide", _("Worldwide")
    EEA = "eea", _("The European Economic Area")
    LISTED = "listed", _("The countries listed")


class Exclusivity(models.TextChoices):
    EXCLUSIVE = "exclusive", _("Exclusive")
    NON_EXCLUSIVE = "non_exclusive", _("Non-exclusive")


class PatentCosts(models.TextChoices):
    COMPANY = "company", _("The company: past and future costs")
    COMPANY_FUTURE = "company_future", _("The company: future costs only")
    INSTITUTIONS = "institutions", _("The institutions")


class TermBasis(models.TextChoices):
    LAST_PATENT = "last_patent", _("Until the last licensed patent expires")
    YEARS = "years", _("A number of years")


def optional_date(label, help_text="") -> forms.DateField:
    field = date(label, help_text)
    field.required = False
    return field


def percent(label, help_text="", *, required: bool = True) -> forms.DecimalField:
    """A percentage with two decimals; each form says its own bounds, in words."""
    return forms.DecimalField(label=label, help_text=help_text, required=required, max_digits=5, decimal_places=2)


def lines_of(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def check_patent_lines(value: str) -> str:
    """Every line names a patent by its number: an unnumbered title would leave the contract unable to say
    which rights it grants."""
    lines = lines_of(value)
    for number, line in enumerate(lines, start=1):
        if not PATENT_NUMBER.search(line):
            raise ValidationError(
                _(
                    "Line %(line)s (“%(text)s”) gives no patent number: write one patent a line, its number (such as "
                    "EP 3 456 789 or WO 2021/123456) then its title."
                ),
                code="patent_number",
                params={"line": number, "text": line[:60]},
            )
    return "\n".join(lines)


def subject_warning(agreement: Agreement) -> list[str]:
    """The enquiry asked for a licence of something patents do not cover (patient data, samples): the kind of
    contract may be the wrong one."""
    subject = agreement.enquiry.licence_subject
    if subject in (LicenceSubject.DATA, LicenceSubject.SAMPLES):
        return [
            gettext(
                "The enquiry asks for a licence of %(subject)s: a data access licence or a material transfer "
                "agreement may fit better than a patent licence or option."
            )
            % {"subject": LicenceSubject(subject).label.lower()}
        ]
    return []


def signing_warning(agreement: Agreement) -> list[str]:
    """Licences and options are signed by the IP agent alone; without one, every co-owner signs."""
    academic_signers = agreement.parties.filter(must_sign=True).exclude(role=PartyRole.COMPANY).count()
    if academic_signers > 1:
        return [
            gettext(
                "The entity has no IP agent (mandataire unique) recorded: each of the %(count)s co-owning bodies "
                "signs for itself. Record the IP agent in the entity's governance and ask for the contract again "
                "to have it sign for all."
            )
            % {"count": academic_signers}
        ]
    return []


class PatentLicenceTermsForm(TermsForm):
    licensed_patents = text(
        _("Licensed patents"),
        _("One patent or application a line: its number, then its title. Family members each on their line."),
        rows=4,
    )
    licensed_rights = choice(_("Licensed rights"), LicensedRights.choices)
    know_how = text(
        _("Know-how licensed"),
        _("Required when the know-how is licensed: what it is (protocols, cell lines, data), how it is handed over."),
        rows=3,
        required=False,
    )
    field_of_use = text(_("Field of use"), _("The products, indications or uses the licence covers."), rows=2)
    territory = choice(_("Territory"), Territory.choices)
    territory_countries = text(
        _("Countries of the territory"), _("Required when the countries are listed."), rows=2, required=False
    )
    exclusivity = choice(
        _("Exclusivity"),
        Exclusivity.choices,
        _("An exclusive licence needs a diligence plan: the company must develop what it alone may exploit."),
    )
    sublicensing = yes_no(_("Sublicensing allowed"), _("Whether the company may grant sublicences."))
    sublicence_share = percent(
        _("Share of sublicence income paid to the institutions (%)"),
        _("Required when sublicensing is allowed: the part of what sublicensees pay that comes back."),
        required=False,
    )
    upfront_payment = euros(_("Upfront payment (euros)"), _("Paid on signature, not refundable. 0 if none."))
    milestones = text(
        _("Milestone payments"),
        _("One milestone a line, with its amount: “First patient in phase II: 250,000 euros”. Leave blank if none."),
        rows=4,
        required=False,
    )
    royalty_rate = percent(_("Royalty rate (% of net sales)"), _("From 0 to 50 %."))
    minimum_annual_royalties = euros(
        _("Minimum annual royalties (euros)"),
        _("Optional: owed each year from the first sale, whatever the sales."),
        required=False,
    )
    diligence_plan = text(
        _("Diligence plan"),
        _("Required for an exclusive licence: the development steps and their dates the company commits to."),
        rows=5,
        required=False,
    )
    patent_costs = choice(
        _("Patent costs"),
        PatentCosts.choices,
        _("Filing, prosecution and maintenance of the licensed patents."),
    )
    academic_reservation = forms.BooleanField(
        label=_("Academic reservation for research and teaching"),
        required=False,
        initial=True,
        disabled=True,
        help_text=_("The institutions always keep the right to use the patents for research and teaching."),
    )
    effective_date = date(_("Effective date"))
    term_basis = choice(_("Licence term"), TermBasis.choices)
    last_patent_expiry = optional_date(
        _("Expiry of the last licensed patent"),
        _("Required when the licence lasts until then: the contract ends on that day."),
    )

    fieldsets = [
        (
            _("Licensed patents and rights"),
            _("The patents are co-owned: the IP agent (mandataire unique) signs for every co-owner."),
            ["licensed_patents", "licensed_rights", "know_how"],
        ),
        (
            _("Scope"),
            "",
            ["field_of_use", "territory", "territory_countries", "exclusivity", "sublicensing", "sublicence_share"],
        ),
        (
            _("Financial terms"),
            "",
            ["upfront_payment", "milestones", "royalty_rate", "minimum_annual_royalties"],
        ),
        (_("Diligence and patents"), "", ["diligence_plan", "patent_costs", "academic_reservation"]),
        (
            _("Effective date and term"),
            _("The licence ends when the last licensed patent expires, or after the number of years set here."),
            ["effective_date", "term_basis", "last_patent_expiry", "term_years"],
        ),
    ]

    def configure(self, settings) -> None:
        self.fields["effective_date"].initial = timezone.localdate
        years = bounded_int(_("Term (years)"), minimum=1, maximum=TERM_YEARS_MAX)
        years.required = False
        years.help_text = gettext("Required when the licence lasts a number of years. %(bounds)s") % {
            "bounds": years.help_text
        }
        self.fields["term_years"] = years

    # ---- one field at a time ---------------------------------------------------------------------------------------
    def clean_licensed_patents(self) -> str:
        return check_patent_lines(self.cleaned_data["licensed_patents"])

    def clean_royalty_rate(self) -> Decimal:
        rate = self.cleaned_data["royalty_rate"]
        if rate is not None and not 0 <= rate <= ROYALTY_RATE_MAX:
            raise ValidationError(
                _(
                    "The royalty rate is a percentage of net sales from 0 to %(max)s %%: %(rate)s %% is outside it. "
                    "Enter 3.5 for 3.5 %%."
                ),
                code="royalty_rate",
                params={"max": ROYALTY_RATE_MAX, "rate": rate},
            )
        return rate

    def clean_upfront_payment(self) -> Decimal:
        amount = self.cleaned_data["upfront_payment"]
        if amount is not None and amount < 0:
            raise ValidationError(
                _("The upfront payment cannot be negative: enter 0 if there is none."), code="upfront_negative"
            )
        return amount

    def clean_minimum_annual_royalties(self) -> Decimal | None:
        amount = self.cleaned_data["minimum_annual_royalties"]
        if amount is not None and amount <= 0:
            raise ValidationError(
                _("Minimum annual royalties must be above zero: leave the field blank if there are none."),
                code="minimum_royalties",
            )
        return amount

    def clean_milestones(self) -> str:
        lines = lines_of(self.cleaned_data["milestones"])
        for number, line in enumerate(lines, start=1):
            if not AMOUNT.search(line):
                raise ValidationError(
                    _("Milestone %(line)s (“%(text)s”) gives no amount: write each milestone with its sum."),
                    code="milestone_amount",
                    params={"line": number, "text": line[:60]},
                )
        return "\n".join(lines)

    # ---- terms that depend on others -------------------------------------------------------------------------------
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._require_when(
            cleaned,
            "know_how",
            cleaned.get("licensed_rights") == LicensedRights.PATENTS_AND_KNOW_HOW,
            _("The know-how is licensed: say what it is."),
        )
        self._require_when(
            cleaned,
            "territory_countries",
            cleaned.get("territory") == Territory.LISTED,
            _("The territory is a list of countries: name them."),
        )
        self._require_when(
            cleaned,
            "diligence_plan",
            cleaned.get("exclusivity") == Exclusivity.EXCLUSIVE,
            _("An exclusive licence needs a diligence plan: the development steps and dates the company commits to."),
        )
        self._clean_sublicensing(cleaned)
        self._clean_term(cleaned)
        cleaned["academic_reservation"] = True
        return cleaned

    def _require_when(self, cleaned: dict[str, Any], name: str, applies: bool, message) -> None:
        """``name`` is required when ``applies``; otherwise it does not apply and is not stored."""
        if not applies:
            cleaned[name] = None
        elif name in cleaned and is_blank(cleaned[name]):
            self.add_error(name, ValidationError(message, code=f"{name}_missing"))

    def _clean_sublicensing(self, cleaned: dict[str, Any]) -> None:
        if cleaned.get("sublicensing") is not True:
            cleaned["sublicence_share"] = None
            return
        share = cleaned.get("sublicence_share")
        if "sublicence_share" not in cleaned:
            return  # not a number: its own message says so
        if share is None:
            message = _("Sublicensing is allowed: enter the share of sublicence income paid to the institutions.")
            self.add_error("sublicence_share", ValidationError(message, code="sublicence_share_missing"))
        elif not 0 < share <= HUNDRED:
            self.add_error(
                "sublicence_share",
                ValidationError(
                    _("The share of sublicence income is a percentage above 0, at most 100 %%: %(share)s %% is not."),
                    code="sublicence_share",
                    params={"share": share},
                ),
            )

    def _clean_term(self, cleaned: dict[str, Any]) -> None:
        basis = cleaned.get("term_basis")
        if basis == TermBasis.LAST_PATENT:
            cleaned["term_years"] = None
            expiry, effective = cleaned.get("last_patent_expiry"), cleaned.get("effective_date")
            if "last_patent_expiry" in cleaned and expiry is None:
                message = _("The licence lasts until the last patent expires: enter that date.")
                self.add_error("last_patent_expiry", ValidationError(message, code="last_patent_expiry_missing"))
            elif expiry is not None and effective is not None and expiry <= effective:
                self.add_error(
                    "last_patent_expiry",
                    ValidationError(
                        _("The last patent expires on or before the effective date: nothing would be licensed."),
                        code="last_patent_expiry_past",
                    ),
                )
        elif basis == TermBasis.YEARS:
            cleaned["last_patent_expiry"] = None
            if "term_years" in cleaned and cleaned["term_years"] is None:
                message = _("The licence lasts a number of years: enter it.")
                self.add_error("term_years", ValidationError(message, code="term_years_missing"))

    # ---- what the engine asks ------------------------------------------------------------------------------------
    def period(self, values):
        effective = values.get("effective_date")
        if effective is None:
            return None, None
        if values.get("term_basis") == TermBasis.YEARS and values.get("term_years"):
            return effective, add_months(effective, 12 * values["term_years"])
        if values.get("term_basis") == TermBasis.LAST_PATENT:
            return effective, values.get("last_patent_expiry")
        return effective, None

    def missing_when(self, values) -> list[str]:
        needed = {
            "know_how": values.get("licensed_rights") == LicensedRights.PATENTS_AND_KNOW_HOW,
            "territory_countries": values.get("territory") == Territory.LISTED,
            "sublicence_share": values.get("sublicensing") is True,
            "diligence_plan": values.get("exclusivity") == Exclusivity.EXCLUSIVE,
            "last_patent_expiry": values.get("term_basis") == TermBasis.LAST_PATENT,
            "term_years": values.get("term_basis") == TermBasis.YEARS,
        }
        return [
            str(self.fields[name].label) for name, applies in needed.items() if applies and is_blank(values.get(name))
        ]

    def warnings_for(self, values) -> list[str]:
        warnings = []
        rate = values.get("royalty_rate")
        if isinstance(rate, Decimal) and ROYALTY_RATE_WARNING < rate <= ROYALTY_RATE_MAX:
            warnings.append(
                gettext(
                    "A royalty of %(rate)s %% of net sales is high for an academic licence (above %(threshold)s %%): "
                    "check that the company's margins bear it."
                )
                % {"rate": rate, "threshold": ROYALTY_RATE_WARNING}
            )
        if values.get("exclusivity") == Exclusivity.EXCLUSIVE:
            if is_blank(values.get("minimum_annual_royalties")):
                warnings.append(
                    gettext(
                        "An exclusive licence without minimum annual royalties: if the company does not sell, the "
                        "institutions receive nothing and no one else may exploit the patents."
                    )
                )
            if values.get("patent_costs") == PatentCosts.INSTITUTIONS:
                warnings.append(
                    gettext(
                        "The institutions bear the patent costs of an exclusive licence: the licensee usually does."
                    )
                )
        return warnings + subject_warning(self.agreement) + signing_warning(self.agreement)
