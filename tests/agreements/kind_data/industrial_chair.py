"""The industrial chair's terms: 48 months from next month, co-funded by the company and a foundation, results
owned by the academic side."""

import datetime as dt

from django.utils import timezone


def data(agreement) -> dict:
    return {
        "chair_title": "Chaire Leukos d'immunothérapie des leucémies aiguës",
        "chair_holder": "Pr Anne Martin, PU-PH",
        "effective_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "duration_months": 48,
        "company_contribution": "1200000.00",
        "payment_schedule": "Four yearly payments of 300 000 euros, the first on signature.",
        "other_funders": "Fondation ARC: 400 000 euros.",
        "other_funding": "400000.00",
        "academic_contribution": "The holder's time (50 %), two technicians, the L2 laboratory.",
        "research_programme": "Axis 1: CAR-T cells against CD123. Axis 2: resistance to immunotherapy.",
        "teaching_programme": "A master's course in immuno-oncology; two doctoral students.",
        "steering_committee": "Two members per party; meets twice a year.",
        "ownership": "academic",
        "publication_review_days": 30,
        "publication_deferral_days": 90,
        "company_in_chair_name": "True",
        "communication": "Joint press release at launch; each party may cite the chair with the others' logos.",
    }
