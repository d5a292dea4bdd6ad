"""The kind-specific terms of contracts (DOMAIN.md section 3), one module per kind.

``KINDS`` maps a kind (``AgreementKind``) to its spec: the form that checks its terms, the base name of its PDF
templates, and the required terms an agreement still lacks. Adding a kind means adding its module (form and
checks), its entry here and its templates; the service, the workflow and the admin read this registry only.
A kind absent from it cannot have its terms entered, nor be sent to the company.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agreements.choices import AgreementKind
from agreements.models import ContractSettings

from . import cifre, consortium, material_transfer
from .base import TermsForm
from .cifre import CifreTermsForm
from .consortium import ConsortiumTermsForm
from .consultancy import ConsultancyTermsForm
from .data_access import DataAccessTermsForm
from .framework import FrameworkTermsForm
from .industrial_chair import IndustrialChairTermsForm
from .joint_lab import JointLabTermsForm
from .material_transfer import MaterialTransferTermsForm
from .nda import NdaTermsForm
from .option import OptionTermsForm
from .patent_licence import PatentLicenceTermsForm
from .research import ResearchTermsForm
from .service import ServiceTermsForm

if TYPE_CHECKING:
    from agreements.models import Agreement
    from partners.models import Enquiry


@dataclass(frozen=True)
class KindSpec:
    form: type[TermsForm]
    template: str  # base name of its templates under templates/agreements/pdf/
    # Why this kind of contract cannot start on this enquiry (a message for the user), or None: checked when the
    # contract is requested.
    refuses_request: Callable[[Enquiry], str | None] | None = None
    # The entity's IP agent ("mandataire unique") signs for every academic co-owner (licences and options).
    ip_agent_signs: bool = False
    # The date by which the rules require the contract signed, from its terms (CIFRE, ANR consortium), or None.
    signature_deadline: Callable[[dict], dt.date | None] | None = None

    def missing(self, agreement: Agreement, *, today: dt.date | None = None) -> list[str]:
        """Each required term the agreement's saved terms lack, named in words (empty: nothing is missing), as of
        ``today`` (a date earlier than it may need a reason)."""
        return self._reader(agreement, today=today).missing()

    def readable(self, agreement: Agreement) -> list[tuple[str, str]]:
        """The agreement's saved terms as (label, value), in the form's order."""
        return self._reader(agreement).readable()

    def _reader(self, agreement: Agreement, *, today: dt.date | None = None) -> TermsForm:
        # Reading saved terms needs labels and which terms are required, not the settings' bounds and defaults:
        # the shipped ones do, and spare the contract's page a query.
        return self.form(agreement=agreement, settings=ContractSettings(), today=today)


KINDS: dict[str, KindSpec] = {
    AgreementKind.NDA: KindSpec(form=NdaTermsForm, template="nda"),
    AgreementKind.RESEARCH_COLLABORATION: KindSpec(form=ResearchTermsForm, template="research_collaboration"),
    AgreementKind.SERVICE: KindSpec(form=ServiceTermsForm, template="service"),
    AgreementKind.CONSULTANCY: KindSpec(form=ConsultancyTermsForm, template="consultancy"),
    AgreementKind.CONSORTIUM: KindSpec(
        form=ConsortiumTermsForm, template="consortium", signature_deadline=consortium.signature_deadline
    ),
    AgreementKind.CIFRE: KindSpec(form=CifreTermsForm, template="cifre", signature_deadline=cifre.signature_deadline),
    AgreementKind.INDUSTRIAL_CHAIR: KindSpec(form=IndustrialChairTermsForm, template="industrial_chair"),
    AgreementKind.JOINT_LAB: KindSpec(form=JointLabTermsForm, template="joint_lab"),
    AgreementKind.PATENT_LICENCE: KindSpec(form=PatentLicenceTermsForm, template="patent_licence", ip_agent_signs=True),
    AgreementKind.OPTION: KindSpec(form=OptionTermsForm, template="option", ip_agent_signs=True),
    AgreementKind.DATA_ACCESS: KindSpec(form=DataAccessTermsForm, template="data_access"),
    AgreementKind.MATERIAL_TRANSFER: KindSpec(
        form=MaterialTransferTermsForm, template="material_transfer", refuses_request=material_transfer.refuses_request
    ),
    AgreementKind.FRAMEWORK: KindSpec(form=FrameworkTermsForm, template="framework"),
}

__all__ = ["KINDS", "KindSpec", "TermsForm"]
