"""Ownership of the results and publication, for the research collaboration and the kinds that settle them as it
does (CIFRE, industrial chair, joint laboratory; DOMAIN.md section 3): the same choice of owner, per-party shares adding
up to 100 % when co-owned, a market-equivalent price when the company owns, free academic use, and the company's
review of publications with the settings' periods.

Stored keys: ownership, share ({party pk: percent as a string}, only when co-owned), market_price (only when the
company owns the results), free_academic_use (always true), publication_review_days, publication_deferral_days."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .base import TermsForm, bounded_int, choice, euros, is_blank, text

HUNDRED = Decimal(100)


class ResultsOwnership(models.TextChoices):
    CO_OWNED = "co_owned", _("Co-owned, in proportion to each party's contribution")
    COMPANY = "company", _("Owned by the company, against a market-equivalent price")
    ACADEMIC = "academic", _("Owned by the academic side")


OWNERSHIP_FIELDS = ["ownership", "share", "market_price", "free_academic_use"]
PUBLICATION_FIELDS = ["publication_review_days", "publication_deferral_days"]
PUBLICATION_HELP = _(
    "Researchers keep the right to publish; the company may review a manuscript for its confidential information "
    "and ask for a deferral to file a patent."
)


class ResultsTermsForm(TermsForm):
    """A kind's terms form with the research collaboration's rules on results. A subclass lists "share" in its
    ``party_fields``, calls ``super().configure`` and ``super().clean``, and builds its other per-party fields in
    ``other_party_field``."""

    ownership = choice(
        _("Ownership of the results"),
        ResultsOwnership.choices,
        _("Co-ownership is the common rule; shares are then required and must add up to 100 %."),
    )
    market_price = euros(
        _("Market-equivalent price of the results (euros)"),
        _("Required when the company owns the results."),
        required=False,
    )
    free_academic_use = forms.BooleanField(
        label=_("Free academic use for research and teaching"),
        required=False,
        initial=True,
        disabled=True,
        help_text=_("Always granted to the academic parties: it cannot be waived."),
    )

    def configure(self, settings) -> None:
        self.fields["publication_review_days"] = bounded_int(
            _("Publication review period (days)"), minimum=1, default=settings.publication_review_days_default
        )
        self.fields["publication_deferral_days"] = bounded_int(
            _("Publication deferral for a patent filing (days)"),
            minimum=1,
            default=settings.publication_deferral_days_default,
        )

    def party_field(self, name, party) -> forms.Field:
        if name != "share":
            return self.other_party_field(name, party)
        return forms.DecimalField(
            label=gettext("Share of %(party)s (%%)") % {"party": self.party_name(party)},
            required=False,
            min_value=0,
            max_value=100,
            max_digits=5,
            decimal_places=2,
        )

    def other_party_field(self, name: str, party) -> forms.Field:
        """A per-party term other than the share: by default the party's background (what it brings and keeps
        owning, which every kind settling results lists per party); a kind with more overrides this."""
        return text(gettext("Background of %(party)s") % {"party": self.party_name(party)}, rows=2)

    def share_keys(self) -> list[str]:
        return [self.party_key("share", party) for party in self.parties]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        ownership = cleaned.get("ownership")
        if ownership == ResultsOwnership.CO_OWNED:
            self._check_shares(cleaned)
        else:
            for key in self.share_keys():
                cleaned[key] = None  # shares apply only to co-owned results
        if ownership == ResultsOwnership.COMPANY:
            price = cleaned.get("market_price")
            if price is None or price <= 0:
                self.add_error(
                    "market_price",
                    ValidationError(
                        _("The company owns the results: enter the market-equivalent price it pays for them."),
                        code="market_price",
                    ),
                )
        else:
            cleaned["market_price"] = None
        cleaned["free_academic_use"] = True
        return cleaned

    def _check_shares(self, cleaned: dict[str, Any]) -> None:
        keys = self.share_keys()
        blank = [key for key in keys if key in cleaned and cleaned[key] is None]
        for key in blank:
            self.add_error(key, ValidationError(_("Enter this party's share."), code="share_missing"))
        if blank or any(key not in cleaned for key in keys):
            return  # a share missing or invalid: its own message says so
        total = sum((cleaned[key] for key in keys), Decimal(0))
        if total != HUNDRED:
            self.add_error(
                None,
                ValidationError(
                    _("The shares add up to %(total)s %%: they must add up to exactly 100 %%."),
                    code="shares_total",
                    params={"total": self.display(self.fields[keys[0]], total)},
                ),
            )

    def missing_when(self, values) -> list[str]:
        ownership = values.get("ownership")
        if ownership == ResultsOwnership.CO_OWNED:
            return [str(self.fields[key].label) for key in self.share_keys() if is_blank(values.get(key))]
        if ownership == ResultsOwnership.COMPANY and is_blank(values.get("market_price")):
            return [str(self.fields["market_price"].label)]
        return []
