"""The material transfer agreement's terms: frozen AML samples from a declared collection, for the enquiry's
scientific project, destroyed at the end, costs recovered."""

import datetime as dt

from django.utils import timezone

PROJECT = "Cytotoxicity of the anti-CD123 antibody on primary blasts of 40 patients with AML."


def data(agreement) -> dict:
    project = agreement.enquiry.scientific_project.strip()
    return {
        "materials": "Viable frozen mononuclear cells from bone marrow of adults with acute myeloid leukemia.",
        "quantities": "40 samples, two vials of 10 million cells each.",
        "associated_data": "Age, sex, ELN 2022 risk group.",
        "collection_name": "Tumorothèque Saint-Louis",
        "collection_number": "DC-2008-558",
        "consent_status": "consent",
        "ethics_references": "CPP Île-de-France IV opinion of 12 March 2024; biobank committee of 2 April 2026.",
        "scientific_project": project if len(project) >= 30 else PROJECT,  # the form asks for 30 characters
        "end_of_use": "destroy",
        "cost_recovery": "3200.00",
        "cost_items": "Preparation of the vials and shipping on dry ice.",
        "effective_date": (timezone.localdate() + dt.timedelta(days=15)).isoformat(),
        "duration_months": 18,
    }
