"""The CIFRE collaboration contract's terms: a thesis starting in a month (its signature deadline seven months
away), co-owned results shared equally between its parties up to 100 %, a public thesis."""

import datetime as dt

from django.utils import timezone


def data(agreement) -> dict:
    parties = list(agreement.parties.order_by("pk"))
    shares = [100 // len(parties)] * len(parties)
    shares[0] += 100 - sum(shares)
    values = {
        "doctoral_student": "Inès Moreau",
        "thesis_title": "Leukemic stem cells escaping anti-CD123 therapy in acute myeloid leukemia",
        "doctoral_school": "ED 561 – Hématologie, oncogenèse et biothérapies",
        "anrt_file_number": f"{timezone.localdate().year}/0421",
        "thesis_start": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "thesis_director": "Pr Jean Durand",
        "company_supervisor": "Dr Claire Petit",
        "research_programme": "Year 1: resistant clones in 30 patient samples. Year 2: mechanisms. Year 3: models.",
        "company_time_percent": 40,
        "time_schedule": "Three days a week at the laboratory, two at the company.",
        "lab_contribution": "8000.00",
        "ownership": "co_owned",
        "publication_review_days": 30,
        "publication_deferral_days": 90,
        "confidential_thesis": "False",
    }
    for party, share in zip(parties, shares, strict=True):
        values[f"background_{party.pk}"] = "None."
        values[f"share_{party.pk}"] = str(share)
    return values
