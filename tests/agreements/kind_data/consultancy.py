"""The consultancy agreement's terms: one researcher, ten days, no hospital clinician."""

import datetime as dt

from django.utils import timezone


def data(agreement) -> dict:
    return {
        "consultants": "Dr Anne Martin, research director, U944",
        "hospital_clinician": "False",
        "subject": "Advice on the design of the company's preclinical programme on CD123 in AML.",
        "deliverable": "A written opinion on the programme and two advisory meetings.",
        "days": 10,
        "fee": "15000.00",
        "fee_payment": "Half on signature, half on delivery of the written opinion.",
        "effective_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "duration_months": 12,
    }
