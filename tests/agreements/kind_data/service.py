"""The service agreement's terms: a screening service priced at market price, no inventive work expected."""

import datetime as dt

from django.utils import timezone


def data(agreement) -> dict:
    return {
        "statement_of_work": (
            "Screen the company's 12 compounds on 40 primary AML samples of the platform, in triplicate, and "
            "measure viability at 72 hours."
        ),
        "inventive_work_expected": "False",
        "deliverables": "A dataset of the viability measures and a written report, at month 3.",
        "acceptance_procedure": "The company checks that every compound and sample listed is measured.",
        "acceptance_days": 15,
        "price": "48000.00",
        "pricing_basis": "market_price",
        "payment_schedule": "30 % on signature, the balance on acceptance of the report.",
        "effective_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "duration_months": 6,
    }
