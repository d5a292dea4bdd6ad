"""Every contract kind OPALE offers, end to end on the one engine (issue 6, "Done when"): terms entered, drafted,
reviewed, accepted, the steps before signature recorded, signed by each party that must sign, in force with a
final PDF without the watermark; the draft in French with English read back with pypdf: the parties, the kind's
French title, the English version. (Each kind's own tests read its French-only text.)"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from agreements import approvals, drafts, services, signatures, workflow
from agreements.choices import AgreementKind, PartyRole
from agreements.choices import ContractStage as C
from agreements.models import Agreement, DraftVersion
from partners.models import CompanyMember

from ..factories import contract, contracting_enquiry, nda, routed_enquiry
from .kind_data import data_for

pytestmark = pytest.mark.django_db

# How each kind's French text names itself on its title page (templates/agreements/pdf/<kind>_fr.html).
FRENCH_TITLE_WORDS = {
    AgreementKind.NDA: "confidentialité",
    AgreementKind.RESEARCH_COLLABORATION: "collaboration de recherche",
    AgreementKind.SERVICE: "prestation",
    AgreementKind.CONSULTANCY: "consultance",
    AgreementKind.CONSORTIUM: "consortium",
    AgreementKind.CIFRE: "CIFRE",
    AgreementKind.INDUSTRIAL_CHAIR: "chaire",
    AgreementKind.JOINT_LAB: "laboratoire commun",
    AgreementKind.PATENT_LICENCE: "licence",
    AgreementKind.OPTION: "option",
    AgreementKind.DATA_ACCESS: "données",
    AgreementKind.MATERIAL_TRANSFER: "transfert de matériel",
    AgreementKind.FRAMEWORK: "cadre",
}


def text_of(version: DraftVersion) -> str:
    version.pdf.open("rb")
    try:
        reader = PdfReader(io.BytesIO(version.pdf.read()))
    finally:
        version.pdf.close()
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def rendered(agreement, actor, capture, language=None) -> DraftVersion:
    with capture(execute=True):
        version = drafts.draft_request(agreement=agreement, actor=actor, language=language)
    version.refresh_from_db()
    assert version.status == DraftVersion.Status.READY, version.error
    return version


def record_every_step(agreement, actor):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for approval in approvals.of(agreement):
        approvals.approval_record(
            approval=approval, actor=actor, decision="approved", decided_on=yesterday, reference="REF-1"
        )


def sign_everything(agreement, version, company_member, capture):
    with capture(execute=True):
        for signatory in signatures.signatories(agreement):
            party = signatory.party
            if party.role == PartyRole.COMPANY:
                signer, title = company_member, "Chief Executive"
            else:
                signer, title = party.body.legal_staff.first(), "Head of contracts"
            if party.role != PartyRole.COMPANY and agreement.kind == AgreementKind.NDA:
                agreement.refresh_from_db()
            signatures.agreement_sign(
                agreement=Agreement.objects.get(pk=agreement.pk),
                party=party,
                actor=signer,
                signer_name=signer.get_full_name() or signer.get_username(),
                signer_title=title,
                consent=True,
                ip_address="203.0.113.9",
                version=version,
            )


@pytest.mark.parametrize("kind", AgreementKind.values)
def test_every_kind_goes_from_drafting_to_in_force_with_its_pdfs(
    kind, entity, company, company_member, central_user, legal_officer, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    CompanyMember.objects.filter(user=company_member).update(is_signatory=True)
    if kind == AgreementKind.NDA:
        enquiry = routed_enquiry(entities=[entity], actor=central_user, company=company)
        agreement = nda(enquiry=enquiry, entity=entity, actor=central_user, language="en")
    else:
        enquiry = contracting_enquiry(
            entity=entity,
            actor=central_user,
            company=company,
            scientific_project="Characterise resistant leukemic stem cells in 40 primary AML samples.",
        )
        agreement = contract(enquiry=enquiry, entity=entity, actor=central_user, kind=kind, language="en")
    agreement = services.agreement_save_terms(agreement=agreement, actor=legal_officer, data=data_for(agreement))
    workflow.agreement_start_drafting(agreement=agreement, actor=legal_officer)
    if kind != AgreementKind.NDA:
        workflow.agreement_submit_for_internal_review(agreement=agreement, actor=legal_officer)

    both = rendered(agreement, legal_officer, capture, language="en")  # French only: each kind's own tests
    text = text_of(both)
    assert company.legal_name in text and entity.governances.get().body.name in text, kind
    assert FRENCH_TITLE_WORDS[kind].lower() in text.lower(), kind
    assert "PROJET" in text and "English version" in text, kind  # the watermark, until it is in force

    workflow.agreement_send_to_company(agreement=agreement, actor=legal_officer)
    agreement = workflow.agreement_agree(agreement=agreement, actor=company_member)
    record_every_step(agreement, legal_officer)
    if kind != AgreementKind.NDA:
        agreement = workflow.agreement_open_signature(agreement=agreement, actor=legal_officer)
    sign_everything(agreement, both, company_member, capture)

    agreement = Agreement.objects.get(pk=agreement.pk)
    assert agreement.stage == C.IN_FORCE, kind
    final = agreement.versions.get(is_final=True)
    assert final.status == DraftVersion.Status.READY and "PROJET" not in text_of(final)
