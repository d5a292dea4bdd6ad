"""The framework agreement's terms: three years from today, research and service agreements under it."""

from django.utils import timezone


def data(agreement) -> dict:
    return {
        "scope": "Target discovery and preclinical validation in acute myeloid leukemia.",
        "application_kinds": ["research_collaboration", "service"],
        "effective_date": timezone.localdate().isoformat(),
        "duration_months": 36,
        "joint_committee": "Two members per party; meets twice a year; proposes the specific projects.",
        "annual_budget_ceiling": "500000.00",
        "confidentiality_years": 5,
        "ip_principle": "co_owned",
        "exploitation": "The company may negotiate an exclusive licence in its field, against royalties.",
        "publication_review_days": 30,
        "publication_deferral_days": 90,
    }
