"""The framework agreement's terms (DOMAIN.md sections 2-3): the fields the parties mean to work in, the kinds of
specific agreements ("contrats d'application") to be made under it, its duration, the default rules those
agreements inherit unless they say otherwise (confidentiality, ownership and exploitation of results,
publication), the joint committee that runs it, and an optional ceiling on what is spent under it each year.

The framework itself commits no money and no work: each specific agreement does, signed on its own.

Stored keys: scope, application_kinds (a list of ``AgreementKind`` values), effective_date, duration_months,
joint_committee, annual_budget_ceiling (absent when there is none), confidentiality_years, ip_principle,
exploitation, publication_review_days, publication_deferral_days."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agreements.choices import AgreementKind

from .base import TermsForm, add_months, bounded_int, choice, date, euros, text

# A scope shorter than this cannot name the fields of collaboration that bound what the framework covers.
SCOPE_MIN_LENGTH = 30
# The framework's duration: no setting exists for it, so the bounds live here (3 years usually, 5 at most).
FRAMEWORK_MONTHS_DEFAULT = 36
FRAMEWORK_MONTHS_MAX = 60
# Contracts a framework cannot frame: another framework, and a consortium agreement (its members and rules come from
# a funder's call, not from the parties' framework).
NOT_UNDER_A_FRAMEWORK = frozenset({AgreementKind.FRAMEWORK, AgreementKind.CONSORTIUM})
APPLICATION_KINDS = [(value, label) for value, label in AgreementKind.choices if value not in NOT_UNDER_A_FRAMEWORK]


class IpPrinciple(models.TextChoices):
    CO_OWNED = "co_owned", _("Co-owned, in proportion to each party's contribution")
    GENERATOR = "generator", _("Each party owns the results it generates; joint results are co-owned")
    ACADEMIC = "academic", _("Owned by the academic side, the company having a right to negotiate a licence")


class FrameworkTermsForm(TermsForm):
    scope = text(
        _("Fields of collaboration"),
        _("The scientific fields the framework covers: a specific agreement outside them needs an amendment."),
    )
    application_kinds = forms.MultipleChoiceField(
        label=_("Specific agreements made under it"),
        choices=APPLICATION_KINDS,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The kinds of application contracts the parties may sign under this framework."),
        error_messages={"required": _("Choose at least one kind of specific agreement the framework is for.")},
    )
    effective_date = date(_("Effective date"))
    joint_committee = text(
        _("Joint committee"),
        _("Its members for each party, how often it meets, and what it proposes and reviews."),
        rows=3,
    )
    annual_budget_ceiling = euros(
        _("Annual budget ceiling (euros)"),
        _("Optional: the most the specific agreements may total in a calendar year without an amendment."),
        required=False,
    )
    ip_principle = choice(
        _("Ownership of the results (default rule)"),
        IpPrinciple.choices,
        _("Applies to every specific agreement that does not set its own (a service's results go to the company)."),
    )
    exploitation = text(
        _("Exploitation of the results (default rule)"),
        _("How the company may exploit results it does not own: its right to a licence, the field, the return."),
        rows=3,
    )

    fieldsets = [
        (
            _("Scope"),
            _("What the framework covers; each specific agreement then sets its own programme and price."),
            ["scope", "application_kinds"],
        ),
        (
            _("Duration and governance"),
            _("The framework ends when its duration from the effective date does; it is renewed by amendment only."),
            ["effective_date", "duration_months", "joint_committee", "annual_budget_ceiling"],
        ),
        (
            _("Rules the specific agreements inherit"),
            _("Each specific agreement follows these unless it expressly says otherwise."),
            [
                "confidentiality_years",
                "ip_principle",
                "exploitation",
                "publication_review_days",
                "publication_deferral_days",
            ],
        ),
    ]

    def configure(self, settings) -> None:
        self.fields["effective_date"].initial = timezone.localdate
        self.fields["duration_months"] = bounded_int(
            _("Duration (months)"), minimum=1, maximum=FRAMEWORK_MONTHS_MAX, default=FRAMEWORK_MONTHS_DEFAULT
        )
        self.fields["confidentiality_years"] = bounded_int(
            _("Confidentiality after each specific agreement ends (years)"),
            minimum=settings.nda_survival_years_min,
            maximum=settings.nda_survival_years_max,
            default=settings.nda_survival_years_default,
            help_text=gettext("Above %(years)s years the portal warns: so long is unusual.")
            % {"years": settings.nda_survival_years_warning},
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

    def clean_scope(self) -> str:
        scope = self.cleaned_data["scope"].strip()
        if len(scope) < SCOPE_MIN_LENGTH:
            raise ValidationError(
                _(
                    "Describe the fields of collaboration precisely, in %(count)s characters at least: the framework "
                    "covers them only."
                ),
                code="scope_vague",
                params={"count": SCOPE_MIN_LENGTH},
            )
        return scope

    def clean_application_kinds(self) -> list[str]:
        chosen = set(self.cleaned_data["application_kinds"])
        return [value for value, _label in APPLICATION_KINDS if value in chosen]  # the form's order, once each

    def clean_annual_budget_ceiling(self) -> Decimal | None:
        ceiling = self.cleaned_data["annual_budget_ceiling"]
        if ceiling is not None and ceiling <= 0:
            raise ValidationError(
                _("Leave the annual budget ceiling blank for none, or enter an amount above zero."),
                code="ceiling_zero",
            )
        return ceiling

    def period(self, values):
        effective, months = values.get("effective_date"), values.get("duration_months")
        if effective is None:
            return None, None
        return effective, add_months(effective, months) if months else None

    def warnings_for(self, values) -> list[str]:
        years, threshold = values.get("confidentiality_years"), self.settings.nda_survival_years_warning
        if isinstance(years, int) and years > threshold:
            return [
                gettext(
                    "Confidentiality lasting %(years)s years after each specific agreement is unusual (above "
                    "%(threshold)s): check that the information really stays secret that long."
                )
                % {"years": years, "threshold": threshold}
            ]
        return []
