"""The joint laboratory agreement's terms (DOMAIN.md section 3): the joint lab, its joint governance (directors,
a joint committee and its meetings), its roadmap, the resources (people, equipment, premises) and the financial
contribution of each party, background per party, the exploitation strategy, ownership of the results and
publication as in a research collaboration. The agreement ends when its duration from the effective date does.

Stored keys: lab_name, effective_date, duration_months, directors, committee_members, meetings_per_year, roadmap,
resources ({party pk: text}), contribution ({party pk: euros as a string}), payment_schedule,
background ({party pk: text}), exploitation_strategy, exploitation_field, licence_access, ownership, share,
market_price, free_academic_use, publication_review_days, publication_deferral_days (see results_ip)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agreements.choices import PartyRole

from .base import add_months, bounded_int, choice, date, euros, text
from .research import LicenceAccess
from .results_ip import OWNERSHIP_FIELDS, PUBLICATION_FIELDS, PUBLICATION_HELP, ResultsTermsForm

# A joint committee that meets less than once a year does not govern; more than monthly, it runs the lab instead of
# its directors.
MEETINGS_PER_YEAR_MAX = 12
MEETINGS_PER_YEAR_DEFAULT = 2


class JointLabTermsForm(ResultsTermsForm):
    lab_name = forms.CharField(
        label=_("Name of the joint laboratory"), max_length=200, help_text=_("As it will be used in publications.")
    )
    effective_date = date(_("Effective date"))
    directors = text(
        _("Directors"), _("The joint laboratory's director for the academic side and for the company."), rows=2
    )
    committee_members = text(
        _("Members of the joint committee"), _("Who sits for each party, and who chairs the committee."), rows=3
    )
    roadmap = text(_("Roadmap"), _("The research themes, milestones and deliverables, year by year."), rows=6)
    exploitation_strategy = text(
        _("Exploitation strategy"),
        _("How the results reach the market: licences to the company, patents, software, a start-up; and the return."),
        rows=4,
    )
    exploitation_field = text(_("Field of exploitation"), _("The products, uses or markets concerned."), rows=2)
    licence_access = choice(_("Option or right to negotiate a licence"), LicenceAccess.choices)
    payment_schedule = text(
        _("Payment schedule"), _("When the company pays: instalments and their dates (“five yearly payments”)."), rows=2
    )

    party_fields = ("resources", "contribution", "background", "share")
    fieldsets = [
        (_("The joint laboratory"), "", ["lab_name", "roadmap"]),
        (
            _("Duration"),
            _("The agreement ends when its duration from the effective date does."),
            ["effective_date", "duration_months"],
        ),
        (_("Joint governance"), "", ["directors", "committee_members", "meetings_per_year"]),
        (
            _("Shared resources"),
            _("What each party puts into the joint laboratory: people, equipment and premises."),
            ["resources"],
        ),
        (
            _("Financial contributions"),
            _("Over the whole duration. The company's is above zero; enter 0 for a party that contributes in kind."),
            ["contribution", "payment_schedule"],
        ),
        (
            _("Background knowledge"),
            _("What each party brings and keeps owning. Write “none” for a party that brings none."),
            ["background"],
        ),
        (_("Ownership of the results"), "", OWNERSHIP_FIELDS),
        (_("Exploitation"), "", ["exploitation_strategy", "exploitation_field", "licence_access"]),
        (_("Publication"), PUBLICATION_HELP, PUBLICATION_FIELDS),
    ]

    def configure(self, settings) -> None:
        super().configure(settings)
        self.fields["duration_months"] = bounded_int(
            _("Duration (months)"), minimum=1, maximum=settings.collaboration_months_max
        )
        self.fields["meetings_per_year"] = bounded_int(
            _("Meetings of the joint committee a year"),
            minimum=1,
            maximum=MEETINGS_PER_YEAR_MAX,
            default=MEETINGS_PER_YEAR_DEFAULT,
        )
        # Drafts from what the company said in its enquiry (read only when the empty form is shown).
        self.fields["effective_date"].initial = self.wished_start
        self.fields["duration_months"].initial = lambda: self.wished_duration(settings.collaboration_months_max)
        self.fields["roadmap"].initial = lambda: self.agreement.enquiry.objectives

    def other_party_field(self, name, party) -> forms.Field:
        who = self.party_name(party)
        if name == "resources":
            return text(gettext("Resources of %(party)s") % {"party": who}, rows=3)
        if name == "contribution":
            return euros(gettext("Financial contribution of %(party)s (euros)") % {"party": who})
        return text(gettext("Background of %(party)s") % {"party": who}, rows=2)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for party in self.parties:
            key = self.party_key("contribution", party)
            amount = cleaned.get(key)
            if amount is None:
                continue  # missing or not a number: its own message says so
            if party.role == PartyRole.COMPANY and amount <= 0:
                self.add_error(
                    key,
                    ValidationError(
                        _("The company's contribution must be above zero: research for a company is never free."),
                        code="contribution_zero",
                    ),
                )
            elif amount < 0:
                self.add_error(
                    key,
                    ValidationError(
                        _("A contribution cannot be negative: enter 0 for a party that contributes in kind only."),
                        code="contribution_negative",
                    ),
                )
        return cleaned

    def period(self, values):
        effective, months = values.get("effective_date"), values.get("duration_months")
        if effective is None:
            return None, None
        return effective, add_months(effective, months) if months else None
