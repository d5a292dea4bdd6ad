"""Filters of the contract draft templates (templates/agreements/pdf/): a term not entered yet shows as a marked
blank instead of vanishing from the sentence, and multi-line text keeps its lines. Both escape what they are
given (autoescape is on in those templates), so user text stays text."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

BLANKS = {"fr": "[à compléter]", "en": "[to be completed]"}


@register.filter(needs_autoescape=True)
def or_blank(value, language="fr", autoescape=True):
    """The value, its line breaks kept; or a highlighted blank in the section's language."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return format_html('<span class="blank">{}</span>', BLANKS.get(language, BLANKS["fr"]))
    text = conditional_escape(str(value)) if autoescape else str(value)
    return mark_safe("<br>".join(text.strip().splitlines()))  # noqa: S308 - every piece escaped just above


@register.filter
def oneline(value):
    """A postal address typed on several lines, on one line (escaped later by autoescape)."""
    return ", ".join(line.strip() for line in str(value or "").splitlines() if line.strip())
