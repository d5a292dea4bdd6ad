"""The joint laboratory's terms: five years from next month, the company funding, the institutions contributing
in kind, co-owned results shared equally between its parties up to 100 %."""

import datetime as dt

from django.utils import timezone

from agreements.choices import PartyRole


def data(agreement) -> dict:
    parties = list(agreement.parties.order_by("pk"))
    shares = [100 // len(parties)] * len(parties)
    shares[0] += 100 - sum(shares)
    values = {
        "lab_name": "LeukoLab",
        "roadmap": "Year 1: platform of AML models. Years 2-3: screening. Years 4-5: clinical candidates.",
        "effective_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "duration_months": 60,
        "directors": "Dr Paul Lefèvre for the institutions; Dr Sarah Cohen for the company.",
        "committee_members": "Three members per party; chaired in turn.",
        "meetings_per_year": 2,
        "payment_schedule": "Five yearly payments of 180 000 euros, the first on signature.",
        "exploitation_strategy": "Patents filed by the IP agent; exclusive licences to the company in its field.",
        "exploitation_field": "Treatment of acute myeloid leukemia.",
        "licence_access": "negotiation",
        "ownership": "co_owned",
        "publication_review_days": 30,
        "publication_deferral_days": 90,
    }
    for party, share in zip(parties, shares, strict=True):
        company = party.role == PartyRole.COMPANY
        values[f"resources_{party.pk}"] = "Two engineers, a screening robot." if company else "A team of four, 80 m²."
        values[f"contribution_{party.pk}"] = "900000.00" if company else "0"
        values[f"background_{party.pk}"] = "None."
        values[f"share_{party.pk}"] = str(share)
    return values
