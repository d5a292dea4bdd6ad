"""The consortium agreement's terms: an ANR project starting in a month, each party with a budget."""

import datetime as dt

from django.utils import timezone


def data(agreement) -> dict:
    parties = list(agreement.parties.order_by("pk"))
    values = {
        "programme": "anr",
        "call": "AAPG 2027 – PRCE",
        "acronym": "LEUKOTARGET",
        "grant_number": "ANR-27-CE17-0042",
        "coordinator": "Université Paris Cité, scientific lead Dr Anne Dubois.",
        "beneficiaries": "None.",
        "project_start": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "duration_months": 36,
        "results_ownership": "generator",
        "exploitation_access": "fair_and_reasonable",
        "access_request_months": 12,
        "publication_review_days": 30,
        "publication_deferral_days": 90,
        "general_assembly": "One representative per member; meets once a year; decides by a two-thirds majority.",
        "steering_committee": "The work package leads; meets every quarter.",
    }
    for party in parties:
        values[f"budget_{party.pk}"] = "150000.00"
        values[f"background_{party.pk}"] = "None."
    return values
