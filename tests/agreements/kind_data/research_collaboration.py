"""The research collaboration's terms: co-owned results shared equally between its parties up to 100 %."""

import datetime as dt

from django.utils import timezone


def data(agreement) -> dict:
    parties = list(agreement.parties.order_by("pk"))
    shares = [100 // len(parties)] * len(parties)
    shares[0] += 100 - sum(shares)
    values = {
        "work_plan": "Task 1: primary AML samples. Task 2: biomarker of response.",
        "deliverables": "An interim report at month 6, the final report at month 24.",
        "company_contribution": "120000.00",
        "pricing_basis": "full_cost_plus_margin",
        "effective_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "duration_months": 24,
        "steering_committee": "Two members per party, every quarter.",
        "ownership": "co_owned",
        "exploitation_field": "Treatment of acute myeloid leukemia.",
        "exclusive": "False",
        "financial_return": "Royalties on net sales.",
        "licence_access": "negotiation",
        "publication_review_days": 30,
        "publication_deferral_days": 90,
    }
    for party, share in zip(parties, shares, strict=True):
        values[f"background_{party.pk}"] = "None."
        values[f"share_{party.pk}"] = str(share)
    return values
