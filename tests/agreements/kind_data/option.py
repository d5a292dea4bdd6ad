"""The option's terms: twelve months on two patents, the fee credited against the licence's upfront payment."""

import datetime as dt

from django.utils import timezone


def data(agreement) -> dict:
    return {
        "subject_kind": "patents",
        "subject": (
            "EP 3 456 789 – Anti-CD123 antibodies for treating acute myeloid leukemia\n"
            "WO 2021/123456 – Biomarker of response to CD123 blockade"
        ),
        "field_of_use": "Treatment of acute myeloid leukemia with anti-CD123 antibodies.",
        "option_months": 12,
        "option_fee": "15000.00",
        "fee_creditable": "True",
        "key_terms": "Exclusive worldwide licence, sublicensable; upfront 50,000 euros; royalties 3 to 5 % of sales.",
        "effective_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
    }
