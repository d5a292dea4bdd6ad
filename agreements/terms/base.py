"""What every kind's terms form shares (DOMAIN.md section 3).

A kind's form declares its fields, its fieldsets and its checks; this base gives it the legal team's defaults and
bounds (``ContractSettings``), one field per party where a term is given per party, the conversion of its
cleaned data to JSON-safe ``Agreement.terms`` and back, the list of required terms still missing, and a readable
list of the saved terms.

Stored shape: one key per field; dates as ISO strings, Decimals as strings; a per-party term as
``{"<AgreementParty pk>": value}``. A key is absent when its term does not apply (shares unless co-owned).
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agreements.choices import PartyRole
from agreements.models import ContractSettings

if TYPE_CHECKING:
    from agreements.models import Agreement, AgreementParty

# Parties in the order a contract names them: the company, then the lead body, then the co-owners.
_PARTY_ORDER = {PartyRole.COMPANY: 0, PartyRole.LEAD_NEGOTIATOR: 1, PartyRole.CO_OWNER: 2}


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months; the 31st falls back on the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def to_json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def from_json(field: forms.Field, value: Any) -> Any:
    """A stored value as the field's form value again; a value that no longer parses is left to the field,
    which then reports it when the form is submitted."""
    try:
        if isinstance(field, forms.DateField) and isinstance(value, str):
            return dt.date.fromisoformat(value)
        if isinstance(field, forms.DecimalField) and isinstance(value, str):
            return Decimal(value)
    except ValueError:
        return value
    return value


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(label, help_text="", *, rows: int = 4, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, required=required, widget=forms.Textarea(attrs={"rows": rows})
    )


def date(label, help_text="") -> forms.DateField:
    return forms.DateField(
        label=label, help_text=help_text, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def bounded_int(label, *, minimum: int, maximum: int | None = None, default: int | None = None, help_text=""):
    """A whole number within the settings' bounds, its default pre-filled; the help says both (the label gives
    the unit)."""
    if maximum is None:
        bounds = gettext("At least %(min)s.") % {"min": minimum}
    else:
        bounds = gettext("From %(min)s to %(max)s.") % {"min": minimum, "max": maximum}
    usual = gettext("Usually %(default)s.") % {"default": default} if default is not None else ""
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=maximum,
        initial=default,
        help_text=" ".join(str(part) for part in (help_text, bounds, usual) if part),
    )


def euros(label, help_text="", *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, help_text=help_text, required=required, max_digits=12, decimal_places=2
    )  # no minimum here: each form says, in its own words, why a price must be above zero


def choice(label, choices, help_text="") -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices, help_text=help_text, widget=radios())


def radios() -> forms.RadioSelect:
    return forms.RadioSelect(attrs={"class": "radiolist"})  # the admin's own layout for radio buttons


def yes_no(label, help_text="") -> forms.TypedChoiceField:
    """A yes or no the drafter must answer (a checkbox left empty would say "no" without anyone deciding)."""
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=[(True, _("Yes")), (False, _("No"))],
        coerce=lambda value: value in (True, "True", "true"),
        widget=radios(),
    )


class TermsForm(forms.Form):
    """The terms of one kind of contract, for one agreement.

    Subclasses declare ``fieldsets`` (title, description, field names); a name listed in ``party_fields`` stands
    for one field per party, made by ``party_field``. They set their settings-dependent fields in
    ``configure``, and give the contract's period (``period``), conditional missing terms (``missing_when``) and
    warnings (``warnings_for``)."""

    required_css_class = "required"  # bold labels, as on the admin's own forms
    fieldsets: ClassVar[list[tuple[Any, Any, list[str]]]] = []
    party_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        data=None,
        *,
        agreement: Agreement,
        settings: ContractSettings | None = None,
        today: dt.date | None = None,
        **kwargs,
    ):
        self.agreement = agreement
        self.settings = settings or ContractSettings.current()
        # The day the terms are judged on ("earlier than today"): today, unless they are being recorded as
        # entered on another day (the demo data's past).
        self.today = today or timezone.localdate()
        parties = agreement.parties.select_related("company", "body") if self.party_fields else []
        self.parties = sorted(parties, key=lambda p: (_PARTY_ORDER.get(p.role, 9), p.pk))
        super().__init__(data, **kwargs)
        self.configure(self.settings)
        for name in self.party_fields:
            for party in self.parties:
                self.fields[self.party_key(name, party)] = self.party_field(name, party)
        if "initial" not in kwargs:
            self.initial = self.from_terms(agreement.terms or {})

    # ---- what subclasses give ----------------------------------------------------------------------------------
    def configure(self, settings: ContractSettings) -> None:
        """Add the fields whose bounds and defaults the legal team sets."""

    def party_field(self, name: str, party: AgreementParty) -> forms.Field:
        raise NotImplementedError

    def period(self, values: dict[str, Any]) -> tuple[dt.date | None, dt.date | None]:
        """The effective and end dates these terms give the contract."""
        raise NotImplementedError

    def missing_when(self, values: dict[str, Any]) -> list[str]:
        """Terms required only in some cases (a reason, a price), named when missing from ``values``."""
        return []

    def warnings_for(self, values: dict[str, Any]) -> list[str]:
        """Terms that are allowed but deserve a second look."""
        return []

    def suggested_kind(self, values: dict[str, Any]) -> str | None:
        """Another kind of contract these terms call for (``AgreementKind``), which the terms page offers to start
        instead: a service expecting inventive work is a research collaboration."""
        return None

    # ---- what the company said in its enquiry (pre-filled when the empty form is shown) -------------------------
    def wished_start(self) -> dt.date:
        """The enquiry's wished start, or today when it is past or not given: a pre-filled effective date."""
        wished = self.agreement.enquiry.wished_start
        return wished if wished and wished >= self.today else self.today

    def wished_duration(self, maximum: int) -> int | None:
        """The enquiry's duration in months, when the kind allows it."""
        months = self.agreement.enquiry.duration_months
        return months if months and months <= maximum else None

    # ---- parties -----------------------------------------------------------------------------------------------
    @staticmethod
    def party_key(name: str, party: AgreementParty) -> str:
        return f"{name}_{party.pk}"

    @staticmethod
    def party_name(party: AgreementParty) -> str:
        if party.role == PartyRole.COMPANY:
            return gettext("%(company)s (the company)") % {"company": party.company}
        if party.role == PartyRole.LEAD_NEGOTIATOR:
            return gettext("%(body)s (lead negotiator)") % {"body": party.body}
        return gettext("%(body)s (co-owner)") % {"body": party.body}

    # ---- JSON both ways ----------------------------------------------------------------------------------------
    def to_terms(self) -> dict[str, Any]:
        """The cleaned data as ``Agreement.terms``: JSON-safe, per-party terms grouped by party, terms that do not
        apply (None) left out."""
        terms: dict[str, Any] = {}
        party_keys = {self.party_key(name, p): (name, p) for name in self.party_fields for p in self.parties}
        for key, value in self.cleaned_data.items():
            if value is None:
                continue
            if key in party_keys:
                name, party = party_keys[key]
                terms.setdefault(name, {})[str(party.pk)] = to_json(value)
            else:
                terms[key] = to_json(value)
        return terms

    def from_terms(self, terms: dict[str, Any]) -> dict[str, Any]:
        """Stored terms as this form's initial values (dates and Decimals parsed again)."""
        values: dict[str, Any] = {}
        for key, value in terms.items():
            if key in self.party_fields and isinstance(value, dict):
                for party in self.parties:
                    field_key = self.party_key(key, party)
                    if str(party.pk) in value and field_key in self.fields:
                        values[field_key] = from_json(self.fields[field_key], value[str(party.pk)])
            elif key in self.fields:
                values[key] = from_json(self.fields[key], value)
        return values

    # ---- reading the form --------------------------------------------------------------------------------------
    def field_names(self) -> list[str]:
        """Every field, in the order of the fieldsets, per-party fields expanded."""
        names = []
        for _title, _description, fields in self.fieldsets:
            for name in fields:
                if name in self.party_fields:
                    names.extend(self.party_key(name, party) for party in self.parties)
                else:
                    names.append(name)
        return names

    def grouped(self) -> list[tuple[Any, Any, list[forms.BoundField]]]:
        """The fieldsets with their bound fields, for the page."""
        groups = []
        for title, description, fields in self.fieldsets:
            bound = []
            for name in fields:
                keys = [self.party_key(name, p) for p in self.parties] if name in self.party_fields else [name]
                bound.extend(self[key] for key in keys)
            groups.append((title, description, bound))
        return groups

    def current_values(self) -> dict[str, Any]:
        """What the form holds now: what was entered and passed its field checks, otherwise the saved terms over
        the defaults."""
        if self.is_bound:
            self.is_valid()  # cleaned_data then holds every field that passed, even if another did not
            return self.cleaned_data
        return {name: self.initial.get(name, field.initial) for name, field in self.fields.items()}

    @property
    def warnings(self) -> list[str]:
        return self.warnings_for(self.current_values())

    @property
    def suggestion(self) -> str | None:
        return self.suggested_kind(self.current_values())

    def missing(self) -> list[str]:
        """Each required term the agreement's saved terms lack, by its label."""
        saved = self.initial
        names = [
            str(self.fields[name].label)
            for name in self.field_names()
            if self.fields[name].required and not self.fields[name].disabled and is_blank(saved.get(name))
        ]
        return names + self.missing_when(saved)

    def readable(self) -> list[tuple[str, str]]:
        """The saved terms as (label, value), in the form's order, for the contract's page."""
        saved = self.initial
        return [
            (str(self.fields[name].label), self.display(self.fields[name], saved[name]))
            for name in self.field_names()
            if name in saved and not is_blank(saved[name])
        ]

    @staticmethod
    def display(field: forms.Field, value: Any) -> str:
        if isinstance(value, list | tuple):  # several choices ticked: each in words
            return "; ".join(TermsForm.display(field, item) for item in value)
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if isinstance(field, forms.ChoiceField):
            return str(dict(field.choices).get(value, value))
        if isinstance(value, dt.date):
            return formats.date_format(value, "DATE_FORMAT")
        if isinstance(value, Decimal):
            return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
        return str(value)
