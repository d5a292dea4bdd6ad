"""Checks of identifiers given by companies, with messages that say what is expected."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren, siret

EU_VAT_COUNTRIES = {c.upper() for c in eu_vat.MEMBER_STATES}


def normalise_registration_number(country: str, number: str) -> str:
    """Return the compact form of a company's registration number, or raise a ValidationError.

    French companies give a SIREN (9 digits) or SIRET (14 digits), checked with their Luhn key, or their
    FR VAT number; other EU companies their VAT number; elsewhere the number is kept as given.
    """
    raw = (number or "").strip()
    if not raw:
        raise ValidationError(_("Enter the company's registration number."), code="required")
    compact = re.sub(r"[\s.\-/]", "", raw).upper()
    country = (country or "").upper()
    if country == "FR":
        if compact.startswith("FR"):
            return _check_vat(compact)
        if compact.isdigit() and len(compact) in (9, 14):
            try:
                return siren.validate(compact) if len(compact) == 9 else siret.validate(compact)
            except StdnumError:
                raise ValidationError(
                    _(
                        "“%(number)s” is not a valid SIREN or SIRET: its check digit does not match. "
                        "Copy it from the company's Kbis extract or the INSEE directory."
                    ),
                    code="invalid_checksum",
                    params={"number": raw},
                ) from None
        raise ValidationError(
            _(
                "A French company is identified by its SIREN (9 digits), its SIRET (14 digits) or its FR VAT "
                "number; “%(number)s” is none of these."
            ),
            code="invalid_format",
            params={"number": raw},
        )
    if country in EU_VAT_COUNTRIES:
        prefix = "EL" if country == "GR" else country
        return _check_vat(compact if compact.startswith(prefix) else prefix + compact)
    if not any(ch.isalnum() for ch in raw) or len(raw) > 40:
        raise ValidationError(_("Enter the company's registration number as it appears on official records."))
    return raw


def _check_vat(vat: str) -> str:
    try:
        return eu_vat.validate(vat)
    except StdnumError:
        raise ValidationError(
            _(
                "“%(number)s” is not a valid EU VAT number (country prefix then the national number, "
                "for example FR40303265045)."
            ),
            code="invalid_vat",
            params={"number": vat},
        ) from None
