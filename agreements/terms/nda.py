"""The NDA's terms (DOMAIN.md section 3): direction, purpose, disclosure period, survival, effective date (a
retroactive one needs a reason), marking and oral confirmation. The NDA ends when the disclosure period does.

Stored keys: direction, purpose, effective_date, retroactive_reason, disclosure_months, survival_years,
marking_required, oral_confirmation_days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agreements.choices import NdaDirection

from .base import TermsForm, add_months, bounded_int, choice, date, is_blank, text

# A purpose shorter than this cannot say which information, for which project (the NDA's protection hangs on it).
PURPOSE_MIN_LENGTH = 30


class NdaTermsForm(TermsForm):
    direction = choice(
        _("Direction"),
        NdaDirection.choices,
        _("Who discloses confidential information: both sides, or only one."),
    )
    purpose = text(
        _("Purpose of the disclosure"),
        _("Precisely: which information, for which project. Information may be used for this purpose only."),
    )
    effective_date = date(
        _("Effective date"),
        _("The day the obligations start. Earlier than today only with a reason (information already exchanged)."),
    )
    retroactive_reason = text(
        _("Reason for a retroactive effective date"),
        _("Required when the effective date is earlier than today: what was exchanged before, and when."),
        rows=2,
        required=False,
    )
    marking_required = forms.BooleanField(
        label=_("Marking required"),
        required=False,
        initial=True,
        help_text=_("Written information is confidential only when marked so."),
    )

    fieldsets = [
        (_("Parties and purpose"), "", ["direction", "purpose"]),
        (
            _("Duration"),
            _("The NDA ends when the disclosure period does; the obligations then survive for the years set here."),
            ["effective_date", "retroactive_reason", "disclosure_months", "survival_years"],
        ),
        (_("Confidential information"), "", ["marking_required", "oral_confirmation_days"]),
    ]

    def configure(self, settings) -> None:
        self.fields["effective_date"].initial = timezone.localdate
        self.fields["disclosure_months"] = bounded_int(
            _("Disclosure period (months)"),
            minimum=settings.nda_disclosure_months_min,
            maximum=settings.nda_disclosure_months_max,
            default=settings.nda_disclosure_months_default,
            help_text=_("Information disclosed during this period is covered."),
        )
        self.fields["survival_years"] = bounded_int(
            _("Survival of the obligations after the end (years)"),
            minimum=settings.nda_survival_years_min,
            maximum=settings.nda_survival_years_max,
            default=settings.nda_survival_years_default,
            help_text=gettext("Above %(years)s years the portal warns: so long is unusual.")
            % {"years": settings.nda_survival_years_warning},
        )
        self.fields["oral_confirmation_days"] = bounded_int(
            _("Days to confirm an oral disclosure in writing"),
            minimum=1,
            default=settings.nda_oral_confirmation_days_default,
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        effective = cleaned.get("effective_date")
        if self._retroactive(effective):
            if is_blank(cleaned.get("retroactive_reason")):
                self.add_error(
                    "retroactive_reason",
                    ValidationError(
                        _("The effective date is earlier than today: say why the NDA covers the time before."),
                        code="retroactive_reason",
                    ),
                )
        elif "retroactive_reason" in cleaned:
            cleaned["retroactive_reason"] = ""  # not retroactive: no reason printed in the text
        return cleaned

    def _retroactive(self, effective) -> bool:
        """An effective date before today, unless it is the one the NDA an amendment changes already had (the
        amendment keeps it: nothing is made retroactive)."""
        if not isinstance(effective, dt.date) or effective >= self.today:
            return False
        parent = self.agreement.amends
        return parent is None or (parent.terms or {}).get("effective_date") != effective.isoformat()

    def clean_purpose(self) -> str:
        purpose = self.cleaned_data["purpose"].strip()
        if len(purpose) < PURPOSE_MIN_LENGTH:
            raise ValidationError(
                _(
                    "Describe the purpose precisely, in %(count)s characters at least: which information, for which "
                    "project."
                ),
                code="purpose_vague",
                params={"count": PURPOSE_MIN_LENGTH},
            )
        return purpose

    def period(self, values):
        effective, months = values.get("effective_date"), values.get("disclosure_months")
        if effective is None:
            return None, None
        return effective, add_months(effective, months) if months else None

    def missing_when(self, values) -> list[str]:
        effective = values.get("effective_date")
        if self._retroactive(effective) and is_blank(values.get("retroactive_reason")):
            return [str(self.fields["retroactive_reason"].label)]
        return []

    def warnings_for(self, values) -> list[str]:
        years, threshold = values.get("survival_years"), self.settings.nda_survival_years_warning
        if isinstance(years, int) and years > threshold:
            return [
                gettext(
                    "Obligations surviving %(years)s years after the end is unusual (above %(threshold)s): check that "
                    "the information really stays secret that long."
                )
                % {"years": years, "threshold": threshold}
            ]
        return []
