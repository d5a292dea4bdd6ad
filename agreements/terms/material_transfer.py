"""The material transfer agreement's terms (DOMAIN.md section 3): the biological samples and their quantities, the
collection they come from and its CODECOH number, the donors' consent or non-objection, the ethics references, the
scientific project (the only permitted use), no onward transfer, return or destruction at the end, and the costs
the company recovers. Human samples are never sold (civil code art. 16-1 and 16-5, public health code L1211-4):
the form has no price, only costs. OPALE's rule "no project, no transfer": the agreement cannot even be asked for
on an enquiry without a scientific project (``refuses_request``). It ends when its duration does.

Stored keys: materials, quantities, associated_data, collection_name, collection_number, consent_status,
ethics_references, scientific_project, no_onward_transfer (always true), end_of_use, cost_recovery, cost_items
(only with costs above zero), effective_date, duration_months."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .base import TermsForm, add_months, bounded_int, choice, date, euros, is_blank, text

if TYPE_CHECKING:
    from partners.models import Enquiry

# Longest agreement: a project using samples for more than five years is renewed by an amendment, with its ethics
# references checked again. A module constant rather than a ContractSettings field (no model change in this issue).
TRANSFER_MONTHS_MAX = 60
# A project shorter than this cannot say what the samples are used for, and the use is limited to it.
PROJECT_MIN_LENGTH = 30
# A CODECOH number as the research ministry gives it: DC for a declared collection, AC for an authorisation
# (public health code L1243-3 and L1243-4), the year, a serial number. Spaces are accepted for the hyphens.
CODECOH = re.compile(r"^(DC|AC)[\s-]*(\d{4})[\s-]+(\d{1,6})$", re.IGNORECASE)
# Words of a project or material that mean genetic analyses, which need the donor's express consent (civil code
# art. 16-10): with mere non-objection the portal asks for a second look.
GENETIC_WORDS = ("genetic", "génétique", "genome", "génome", "sequencing", "séquençage", "dna", "adn", "exome")


class ConsentStatus(models.TextChoices):
    CONSENT = "consent", _("Written consent of the donors, covering this use")
    NON_OBJECTION = "non_objection", _("Donors informed, who did not object (non-objection)")


class EndOfUse(models.TextChoices):
    RETURN = "return", _("Returned to the provider")
    DESTROY = "destroy", _("Destroyed, with a certificate of destruction")


def refuses_request(enquiry: Enquiry) -> str | None:
    """OPALE's rule "no project, no transfer": samples go only to a described scientific project."""
    if (enquiry.scientific_project or "").strip():
        return None
    return gettext(
        "Enquiry %(ref)s has no scientific project: OPALE transfers biological samples only for a scientific "
        "project (no project, no transfer). Record the project on the enquiry first."
    ) % {"ref": enquiry.reference}


class MaterialTransferTermsForm(TermsForm):
    materials = text(
        _("Materials"),
        _("The kind of samples (bone marrow, blood, PBMC, DNA…), the disease, and how they are prepared and stored."),
        rows=3,
    )
    quantities = text(
        _("Quantities"), _("The number of samples, and the volume or number of aliquots of each."), rows=2
    )
    associated_data = text(
        _("Associated data"),
        _("The pseudonymised clinical data sent with the samples, if any."),
        rows=2,
        required=False,
    )
    collection_name = forms.CharField(
        label=_("Collection"), help_text=_("The biobank or collection the samples come from."), max_length=200
    )
    collection_number = forms.CharField(
        label=_("Collection declaration or authorisation number (CODECOH)"),
        help_text=_("DC-year-number for a declared collection, AC-year-number for an authorisation."),
        max_length=40,
    )
    consent_status = choice(
        _("Donors' consent"),
        ConsentStatus.choices,
        _("What the donors agreed to: their consent, or information without objection."),
    )
    ethics_references = text(
        _("Ethics references"),
        _("The ethics committee's opinion (CPP or IRB) and the biobank's scientific committee decision, with dates."),
        rows=3,
    )
    scientific_project = text(
        _("Scientific project"),
        _("From the enquiry. Printed in the agreement as the only use permitted of the materials."),
        rows=5,
    )
    no_onward_transfer = forms.BooleanField(
        label=_("No transfer to anyone else"),
        required=False,
        initial=True,
        disabled=True,
        help_text=_(
            "Always in the agreement: the company may not pass on the materials, nor anything derived from them."
        ),
    )
    end_of_use = choice(
        _("At the end of the agreement"), EndOfUse.choices, _("What becomes of the materials not used up.")
    )
    cost_recovery = euros(
        _("Cost recovery (euros, excl. VAT)"),
        _(
            "Human samples are never sold: the company repays the costs of preparing, storing and shipping them, "
            "and nothing more. Zero if there are none."
        ),
    )
    cost_items = text(
        _("Costs recovered"),
        _("Required with costs above zero: what they are (preparation, storage, shipping)."),
        rows=2,
        required=False,
    )
    effective_date = date(_("Effective date"))

    fieldsets = [
        (_("Materials"), "", ["materials", "quantities", "associated_data"]),
        (
            _("Collection and ethics"),
            "",
            ["collection_name", "collection_number", "consent_status", "ethics_references"],
        ),
        (
            _("Use of the materials"),
            _("The materials serve the scientific project alone, and go to no one else."),
            ["scientific_project", "no_onward_transfer", "end_of_use"],
        ),
        (
            _("Costs"),
            _("Human samples are never sold: there is no price, only costs."),
            ["cost_recovery", "cost_items"],
        ),
        (
            _("Duration"),
            _("The agreement ends when its duration from the effective date does."),
            ["effective_date", "duration_months"],
        ),
    ]

    def configure(self, settings) -> None:
        self.fields["scientific_project"].initial = self.agreement.enquiry.scientific_project
        self.fields["effective_date"].initial = self.today
        self.fields["duration_months"] = bounded_int(_("Duration (months)"), minimum=1, maximum=TRANSFER_MONTHS_MAX)

    def clean_collection_number(self) -> str:
        match = CODECOH.match(self.cleaned_data["collection_number"].strip())
        if match is None:
            raise ValidationError(
                _(
                    "A CODECOH number reads DC-year-number for a declared collection or AC-year-number for an "
                    "authorisation, such as DC-2008-558."
                ),
                code="codecoh_format",
            )
        prefix, year, serial = match.groups()
        return f"{prefix.upper()}-{year}-{serial}"

    def clean_scientific_project(self) -> str:
        project = self.cleaned_data["scientific_project"].strip()
        if len(project) < PROJECT_MIN_LENGTH:
            raise ValidationError(
                _(
                    "Describe the scientific project precisely, in %(count)s characters at least: it is the only use "
                    "the agreement permits."
                ),
                code="project_vague",
                params={"count": PROJECT_MIN_LENGTH},
            )
        return project

    def clean_cost_recovery(self) -> Decimal:
        amount = self.cleaned_data["cost_recovery"]
        if amount < 0:
            raise ValidationError(_("Costs cannot be negative: enter zero if there are none."), code="cost_negative")
        return amount if amount else Decimal(0)  # stored as "0" however typed: the text then says nothing is due

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        amount = cleaned.get("cost_recovery")
        if amount is not None and amount > 0 and is_blank(cleaned.get("cost_items")):
            self.add_error(
                "cost_items",
                ValidationError(
                    _("Only costs are recovered, never a price: say which costs the amount covers."),
                    code="cost_items_missing",
                ),
            )
        elif amount == 0:
            cleaned["cost_items"] = None
        cleaned["no_onward_transfer"] = True
        return cleaned

    def period(self, values):
        effective, months = values.get("effective_date"), values.get("duration_months")
        if effective is None:
            return None, None
        return effective, add_months(effective, months) if months else None

    def missing_when(self, values) -> list[str]:
        amount = values.get("cost_recovery")
        if isinstance(amount, Decimal) and amount > 0 and is_blank(values.get("cost_items")):
            return [str(self.fields["cost_items"].label)]
        return []

    def warnings_for(self, values) -> list[str]:
        if values.get("consent_status") != ConsentStatus.NON_OBJECTION:
            return []
        words = " ".join(str(values.get(key) or "") for key in ("materials", "scientific_project")).lower()
        if any(re.search(rf"\b{re.escape(word)}\b", words) for word in GENETIC_WORDS):
            return [
                gettext(
                    "The project seems to include genetic analyses, which need the donors' express written consent "
                    "(civil code art. 16-10); non-objection is enough only in the cases of public health code "
                    "L1130-5. Check what the donors agreed to."
                )
            ]
        return []
