"""The NDA's terms: mutual, effective today, the settings' usual periods."""

from django.utils import timezone


def data(agreement) -> dict:
    return {
        "direction": "mutual",
        "purpose": "Evaluating the anti-CD123 antibody on the unit's primary AML samples.",
        "effective_date": timezone.localdate().isoformat(),
        "disclosure_months": 24,
        "survival_years": 5,
        "marking_required": "on",
        "oral_confirmation_days": 15,
    }
