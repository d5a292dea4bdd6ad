"""The data access licence's terms (DOMAIN.md section 3): who is controller, joint controller or processor of the
patient data, the scientific purpose and protocol, the legal route under French data protection law (a CNIL
reference methodology, a CNIL authorisation, or anonymous data), the data protection officer, hosting by a
certified health-data host, retention, transfers outside the EU, and a fee that only recovers costs. The
pseudonymisation and no re-identification clause is always printed. The licence ends when its duration does.

Stored keys: data_role ({party pk: role}), joint_arrangement (only with joint controllers), scientific_purpose,
protocol, data_description, legal_route, cnil_authorisation (only with a CNIL authorisation),
anonymity_justification (only for anonymous data), dpo_name, no_reidentification (always true), host_name,
retention_years, transfer_outside_eu, transfer_country and scc_annexed (only with a transfer), access_fee,
fee_covers (only with a fee above zero), effective_date, duration_months."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from agreements.choices import PartyRole

from .base import TermsForm, add_months, bounded_int, choice, date, euros, is_blank, radios, text, yes_no

# Longest licence, and longest retention: CNIL's MR-004 lets data be archived for up to 20 years after the research.
# Module constants rather than ContractSettings fields (no model change in this issue).
ACCESS_MONTHS_MAX = 60
RETENTION_YEARS_MAX = 20
# A purpose shorter than this cannot say which question the data answer (GDPR's purpose limitation hangs on it).
PURPOSE_MIN_LENGTH = 30
# Where the GDPR applies as at home: the EU (with its outermost regions and Åland, which have their own codes) and
# the rest of the EEA (Iceland, Liechtenstein, Norway). A destination here is no transfer outside the EU.
EEA = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
    "GF GP MQ RE YT MF AX IS LI NO".split()
)


class DataRole(models.TextChoices):
    """Each party's role in the processing of the data (GDPR articles 4, 26 and 28)."""

    CONTROLLER = "controller", _("Controller")
    JOINT_CONTROLLER = "joint_controller", _("Joint controller")
    PROCESSOR = "processor", _("Processor, on a controller's instructions")
    NONE = "none", _("Does not process the data")


CONTROLLING = (DataRole.CONTROLLER, DataRole.JOINT_CONTROLLER)


class LegalRoute(models.TextChoices):
    """What makes the research lawful under the French data protection act (loi Informatique et Libertés, art. 66)."""

    MR004 = "mr004", _("CNIL reference methodology MR-004 (re-use of existing data)")
    MR001 = "mr001", _("CNIL reference methodology MR-001 (research involving people, with their consent)")
    MR003 = "mr003", _("CNIL reference methodology MR-003 (research involving people, without their express consent)")
    AUTHORISATION = "cnil_authorisation", _("A CNIL authorisation")
    ANONYMOUS = "anonymous", _("Anonymous data (outside the GDPR)")


class DataAccessTermsForm(TermsForm):
    joint_arrangement = text(
        _("Arrangement between the joint controllers"),
        _(
            "Required with joint controllers (GDPR art. 26): who informs the patients, who answers their requests, "
            "who notifies a breach."
        ),
        rows=3,
        required=False,
    )
    scientific_purpose = text(
        _("Scientific purpose"),
        _("The question the data answer, precisely. The data may be used for this purpose only."),
    )
    protocol = text(
        _("Research protocol"), _("Its title, version and date. The protocol is annexed to the licence."), rows=2
    )
    data_description = text(
        _("Data made available"),
        _("Which database, which variables, which patients and period, in what format."),
    )
    legal_route = choice(
        _("Legal route"),
        LegalRoute.choices,
        _("A CNIL authorisation needs its reference; anonymous data need a justification."),
    )
    cnil_authorisation = forms.CharField(
        label=_("Reference of the CNIL authorisation"),
        help_text=_("The CNIL's decision number and date. Required with a CNIL authorisation."),
        max_length=200,
        required=False,
    )
    anonymity_justification = text(
        _("Why the data are anonymous"),
        _(
            "Required for anonymous data: why no one can re-identify a patient by any reasonable means (no "
            "singling out, no linking, no inference)."
        ),
        rows=3,
        required=False,
    )
    dpo_name = forms.CharField(
        label=_("Data protection officer"),
        help_text=_("The name of the controller's DPO. The DPO's sign-off is recorded before signature."),
        max_length=200,
    )
    no_reidentification = forms.BooleanField(
        label=_("Pseudonymised data, no re-identification"),
        required=False,
        initial=True,
        disabled=True,
        help_text=_(
            "Always in the licence: the company receives no directly identifying data and never tries to "
            "re-identify a patient."
        ),
    )
    host_name = forms.CharField(
        label=_("Certified health-data host (HDS)"),
        help_text=_("Where the data are kept: a host certified for health data (public health code, L1111-8)."),
        max_length=200,
    )
    transfer_outside_eu = yes_no(
        _("Transfer of the data outside the EU"),
        _("Outside the European Economic Area (the EU, Iceland, Liechtenstein, Norway), remote access included."),
    )
    scc_annexed = forms.BooleanField(
        label=_("Standard contractual clauses annexed"),
        required=False,
        help_text=_(
            "Required with a transfer: the European Commission's clauses (decision 2021/914), signed and annexed."
        ),
    )
    access_fee = euros(
        _("Cost recovery fee (euros, excl. VAT)"),
        _(
            "The costs of extracting, preparing and providing the data, and nothing more: no price, no margin. "
            "Zero if access is free."
        ),
    )
    fee_covers = text(
        _("Costs the fee covers"),
        _("Required with a fee: the work and resources it pays for (extraction, data management, hosting)."),
        rows=2,
        required=False,
    )
    effective_date = date(_("Effective date"))

    party_fields = ("data_role",)
    fieldsets = [
        (
            _("Roles in the processing"),
            _(
                "Who decides why and how the data are processed (controller), and who processes them for another "
                "(processor)."
            ),
            ["data_role", "joint_arrangement"],
        ),
        (_("Purpose and data"), "", ["scientific_purpose", "protocol", "data_description"]),
        (
            _("Legal route and data protection"),
            _("The data are pseudonymised and re-identification is forbidden, whatever the route."),
            ["legal_route", "cnil_authorisation", "anonymity_justification", "dpo_name", "no_reidentification"],
        ),
        (_("Hosting and retention"), "", ["host_name", "retention_years"]),
        (_("Transfers outside the EU"), "", ["transfer_outside_eu", "transfer_country", "scc_annexed"]),
        (
            _("Fees"),
            _("Patient data are never sold: the company pays the costs of access only."),
            ["access_fee", "fee_covers"],
        ),
        (
            _("Duration"),
            _("The licence ends when its duration from the effective date does."),
            ["effective_date", "duration_months"],
        ),
    ]

    def configure(self, settings) -> None:
        enquiry = self.agreement.enquiry
        self.fields["scientific_purpose"].initial = enquiry.data_use or enquiry.scientific_project
        self.fields["effective_date"].initial = self.today
        self.fields["duration_months"] = bounded_int(_("Duration (months)"), minimum=1, maximum=ACCESS_MONTHS_MAX)
        self.fields["retention_years"] = bounded_int(
            _("Retention after the end of the licence (years)"),
            minimum=1,
            maximum=RETENTION_YEARS_MAX,
            help_text=_(
                "Only to substantiate published results; then the data are destroyed and the destruction certified."
            ),
        )
        self.fields["transfer_country"] = forms.ChoiceField(
            label=_("Destination country"),
            choices=[("", "---------"), *((code, name) for code, name in countries if code not in EEA)],
            required=False,
            help_text=_("Required with a transfer."),
        )

    def party_field(self, name, party) -> forms.Field:
        return forms.ChoiceField(
            label=gettext("Role of %(party)s") % {"party": self.party_name(party)},
            choices=DataRole.choices,
            widget=radios(),
        )

    def role_keys(self) -> dict[str, Any]:
        return {self.party_key("data_role", party): party for party in self.parties}

    # ---- checks ------------------------------------------------------------------------------------------------
    def clean_scientific_purpose(self) -> str:
        purpose = self.cleaned_data["scientific_purpose"].strip()
        if len(purpose) < PURPOSE_MIN_LENGTH:
            raise ValidationError(
                _(
                    "Describe the scientific purpose precisely, in %(count)s characters at least: the data may be "
                    "used for it alone."
                ),
                code="purpose_vague",
                params={"count": PURPOSE_MIN_LENGTH},
            )
        return purpose

    def clean_access_fee(self) -> Decimal:
        fee = self.cleaned_data["access_fee"]
        if fee < 0:
            raise ValidationError(_("The fee cannot be negative: enter zero if access is free."), code="fee_negative")
        return fee if fee else Decimal(0)  # stored as "0" however typed: the text then says access is free

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._check_roles(cleaned)
        self._check_legal_route(cleaned)
        self._check_transfer(cleaned)
        fee = cleaned.get("access_fee")
        if fee is not None and fee > 0 and is_blank(cleaned.get("fee_covers")):
            self.add_error(
                "fee_covers",
                ValidationError(_("A fee only recovers costs: say which costs it covers."), code="fee_covers_missing"),
            )
        elif fee == 0:
            cleaned["fee_covers"] = None
        cleaned["no_reidentification"] = True
        return cleaned

    def _check_roles(self, cleaned: dict[str, Any]) -> None:
        keys = self.role_keys()
        roles = {key: cleaned[key] for key in keys if cleaned.get(key)}
        if len(roles) < len(keys):
            return  # a role missing: its own "required" says so
        for key, role in roles.items():
            if keys[key].role == PartyRole.COMPANY and role == DataRole.NONE:
                self.add_error(
                    key,
                    ValidationError(
                        _(
                            "The company receives the data, so it processes them: as controller, joint controller "
                            "or processor."
                        ),
                        code="company_processes",
                    ),
                )
        values = list(roles.values())
        if not any(role in CONTROLLING for role in values):
            self.add_error(
                None,
                ValidationError(
                    _("No party is a controller: say which party decides why and how the data are processed."),
                    code="no_controller",
                ),
            )
        joint = values.count(DataRole.JOINT_CONTROLLER)
        if joint == 1:
            self.add_error(
                None,
                ValidationError(
                    _(
                        "A party cannot be a joint controller alone: mark at least one other joint controller, or "
                        "make it the controller."
                    ),
                    code="joint_alone",
                ),
            )
        if joint >= 2 and is_blank(cleaned.get("joint_arrangement")):
            self.add_error(
                "joint_arrangement",
                ValidationError(
                    _("Joint controllers must set out their respective responsibilities (GDPR art. 26)."),
                    code="joint_arrangement_missing",
                ),
            )
        elif joint == 0:
            cleaned["joint_arrangement"] = None

    def _check_legal_route(self, cleaned: dict[str, Any]) -> None:
        route = cleaned.get("legal_route")
        if route == LegalRoute.AUTHORISATION:
            if is_blank(cleaned.get("cnil_authorisation")):
                self.add_error(
                    "cnil_authorisation",
                    ValidationError(
                        _("The research relies on a CNIL authorisation: enter its reference (decision number)."),
                        code="cnil_reference_missing",
                    ),
                )
        else:
            cleaned["cnil_authorisation"] = None
        if route == LegalRoute.ANONYMOUS:
            if is_blank(cleaned.get("anonymity_justification")):
                self.add_error(
                    "anonymity_justification",
                    ValidationError(
                        _("The data are said to be anonymous: explain why no patient can be re-identified."),
                        code="anonymity_missing",
                    ),
                )
        else:
            cleaned["anonymity_justification"] = None

    def _check_transfer(self, cleaned: dict[str, Any]) -> None:
        if cleaned.get("transfer_outside_eu") is not True:
            cleaned["transfer_country"] = None  # no transfer: neither a country nor clauses apply
            cleaned["scc_annexed"] = None
            return
        if is_blank(cleaned.get("transfer_country")):
            self.add_error(
                "transfer_country",
                ValidationError(
                    _("The data leave the EU: name the country they go to."), code="transfer_country_missing"
                ),
            )
        if not cleaned.get("scc_annexed"):
            self.add_error(
                "scc_annexed",
                ValidationError(
                    _(
                        "The data leave the EU: the standard contractual clauses must be annexed to the licence. "
                        "Confirm that they are."
                    ),
                    code="scc_missing",
                ),
            )

    # ---- what the engine asks ----------------------------------------------------------------------------------
    def period(self, values):
        effective, months = values.get("effective_date"), values.get("duration_months")
        if effective is None:
            return None, None
        return effective, add_months(effective, months) if months else None

    def missing_when(self, values) -> list[str]:
        missing = []
        roles = [values.get(key) for key in self.role_keys()]
        if roles.count(DataRole.JOINT_CONTROLLER) >= 2 and is_blank(values.get("joint_arrangement")):
            missing.append("joint_arrangement")
        route = values.get("legal_route")
        if route == LegalRoute.AUTHORISATION and is_blank(values.get("cnil_authorisation")):
            missing.append("cnil_authorisation")
        if route == LegalRoute.ANONYMOUS and is_blank(values.get("anonymity_justification")):
            missing.append("anonymity_justification")
        if values.get("transfer_outside_eu") is True:
            if is_blank(values.get("transfer_country")):
                missing.append("transfer_country")
            if values.get("scc_annexed") is not True:
                missing.append("scc_annexed")
        fee = values.get("access_fee")
        if isinstance(fee, Decimal) and fee > 0 and is_blank(values.get("fee_covers")):
            missing.append("fee_covers")
        return [str(self.fields[name].label) for name in missing]

    def warnings_for(self, values) -> list[str]:
        route = values.get("legal_route")
        if route == LegalRoute.ANONYMOUS:
            return [
                gettext(
                    "Data are anonymous only if no one can re-identify a patient by any reasonable means; "
                    "pseudonymised data are not anonymous and stay under the GDPR. Have the DPO confirm it."
                )
            ]
        if route in (LegalRoute.MR001, LegalRoute.MR003):
            return [
                gettext(
                    "MR-001 and MR-003 cover research involving people; re-using data already collected usually "
                    "falls under MR-004. Check the route with the DPO."
                )
            ]
        return []
