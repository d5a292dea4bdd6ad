"""The kind-specific terms of contracts (DOMAIN.md section 3), one module per kind.

``KINDS`` maps a kind (``AgreementKind``) to its spec: the form that checks its terms, the base name of its PDF
templates, and the required terms an agreement still lacks. Adding a kind means adding its module (form and
checks), its entry here and its templates; the service, the workflow and the admin read this registry only.
A kind absent from it cannot have its terms entered, nor be sent to the company.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from agreements.choices import AgreementKind
from agreements.models import ContractSettings

from .base import TermsForm
from .nda import NdaTermsForm
from .research import ResearchTermsForm

if TYPE_CHECKING:
    from agreements.models import Agreement


@dataclass(frozen=True)
class KindSpec:
    form: type[TermsForm]
    template: str  # base name of its templates under templates/agreements/pdf/

    def missing(self, agreement: Agreement) -> list[str]:
        """Each required term the agreement's saved terms lack, named in words (empty: nothing is missing)."""
        return self._reader(agreement).missing()

    def readable(self, agreement: Agreement) -> list[tuple[str, str]]:
        """The agreement's saved terms as (label, value), in the form's order."""
        return self._reader(agreement).readable()

    def _reader(self, agreement: Agreement) -> TermsForm:
        # Reading saved terms needs labels and which terms are required, not the settings' bounds and defaults:
        # the shipped ones do, and spare the contract's page a query.
        return self.form(agreement=agreement, settings=ContractSettings())


KINDS: dict[str, KindSpec] = {
    AgreementKind.NDA: KindSpec(form=NdaTermsForm, template="nda"),
    AgreementKind.RESEARCH_COLLABORATION: KindSpec(form=ResearchTermsForm, template="research_collaboration"),
}

__all__ = ["KINDS", "KindSpec", "TermsForm"]
