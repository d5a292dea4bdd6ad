"""A filter of the amendment's PDF (templates/agreements/pdf/amendment_*.html): the document's inputs carry dates as
ISO strings (they are hashed as JSON); the text prints them as its own language writes them, whatever the
language of the request that asks for the draft."""

import datetime as dt

from django import template
from django.utils import translation
from django.utils.formats import date_format

register = template.Library()


@register.filter
def iso_date(value, language="fr"):
    """``2026-03-01`` as "1 mars 2026" (or "1 March 2026" in English); anything else as it is."""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return value
    with translation.override(language):
        return date_format(day, "j F Y")
