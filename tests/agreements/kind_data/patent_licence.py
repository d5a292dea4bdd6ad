"""The patent licence's terms: an exclusive worldwide licence of two patents, sublicensable, for their life."""

import datetime as dt

from django.utils import timezone

from agreements.terms.base import add_months


def data(agreement) -> dict:
    effective = timezone.localdate() + dt.timedelta(days=30)
    return {
        "licensed_patents": (
            "EP 3 456 789 – Anti-CD123 antibodies for treating acute myeloid leukemia\n"
            "WO 2021/123456 – Biomarker of response to CD123 blockade"
        ),
        "licensed_rights": "patents",
        "field_of_use": "Treatment of acute myeloid leukemia with anti-CD123 antibodies.",
        "territory": "worldwide",
        "exclusivity": "exclusive",
        "sublicensing": "True",
        "sublicence_share": "25",
        "upfront_payment": "50000.00",
        "milestones": "First patient in phase II: 250000 euros\nMarketing authorisation: 1000000 euros",
        "royalty_rate": "3.5",
        "minimum_annual_royalties": "20000.00",
        "diligence_plan": "Preclinical package by month 18; phase I start by month 36; phase II by month 60.",
        "patent_costs": "company",
        "effective_date": effective.isoformat(),
        "term_basis": "last_patent",
        "last_patent_expiry": add_months(effective, 15 * 12).isoformat(),
    }
