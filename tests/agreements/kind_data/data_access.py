"""The data access licence's terms: the company and the lead body each controller of their own processing, the
other bodies not processing the data; MR-004, no transfer outside the EU, a cost-recovery fee."""

import datetime as dt

from django.utils import timezone

from agreements.choices import PartyRole


def data(agreement) -> dict:
    values = {
        "scientific_purpose": "Response to venetoclax-azacitidine by NPM1 status in AML patients over 60.",
        "protocol": "ALFA-RWD-2026 protocol, version 1.2 of 3 February 2026.",
        "data_description": "ALFA-1200 cohort: 850 patients diagnosed 2015-2024, 120 clinical and molecular variables.",
        "legal_route": "mr004",
        "dpo_name": "Nadia Benali",
        "host_name": "Hébergeur Santé Certifié SAS",
        "retention_years": 2,
        "transfer_outside_eu": "False",
        "access_fee": "8500.00",
        "fee_covers": "Extraction and data management: 10 days of a data manager.",
        "effective_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "duration_months": 24,
    }
    for party in agreement.parties.all():
        role = "none" if party.role == PartyRole.CO_OWNER else "controller"
        values[f"data_role_{party.pk}"] = role
    return values
