"""Complete, valid terms form input for each contract kind, one module per kind named after it
(``<AgreementKind value>.py``) with a ``data(agreement) -> dict`` function: what a drafter would type in the
admin's terms form. ``tests.factories.terms_data`` and ``fill_terms`` read them, so every kind can be taken to
the company, drafted and signed by the shared tests."""

from __future__ import annotations

import importlib


def data_for(agreement) -> dict:
    module = importlib.import_module(f"{__name__}.{agreement.kind}")
    return module.data(agreement)
