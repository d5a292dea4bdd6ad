"""The company's contract pages (issue 5): the "Contracts" card on its enquiry page, a contract's page with its
drafts to download (each download recorded), and the steps the company takes there: ask for changes, accept
the text, sign. Another company's member gets 404 everywhere; nobody signed in is sent to the sign-in page."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements import drafts, signatures, workflow
from agreements.choices import ContractStage as C
from agreements.models import Agreement, DraftDownload, DraftVersion, Signature, StageChange
from partners.attachments import attachment_add
from partners.choices import Confidentiality

from ..factories import CompanyMemberFactory, contract, contracting_enquiry, fill_terms, nda, routed_enquiry

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(django_capture_on_commit_callbacks, legal_officer):
    """``draft(agreement)``: a version the lead's legal staff ask for, rendered after the commit."""

    def make(agreement, language=None) -> DraftVersion:
        with django_capture_on_commit_callbacks(execute=True):
            version = drafts.draft_request(agreement=agreement, actor=legal_officer, language=language)
        version.refresh_from_db()
        assert version.status == DraftVersion.Status.READY, version.error
        return version

    return make


@pytest.fixture
def sent_nda(central_user, legal_officer, entity, company, draft):
    """An NDA sent to the company for review, with its first draft."""
    enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user)
    agreement = fill_terms(nda(enquiry=enquiry, entity=entity, actor=central_user), actor=central_user)
    workflow.agreement_start_drafting(agreement=agreement, actor=legal_officer)
    version = draft(agreement)
    workflow.agreement_send_to_company(agreement=agreement, actor=legal_officer)
    return Agreement.objects.get(pk=agreement.pk), version


def url(name, agreement, *args):
    return reverse(f"agreements:{name}", args=[agreement.enquiry_id, agreement.pk, *args])


def text_of(response) -> str:
    return response.content.decode()


# ---- who may open the pages -------------------------------------------------------------------------------------
def test_the_enquiry_page_lists_its_contracts_with_their_stage_and_who_holds_the_ball(member, sent_nda):
    agreement, _version = sent_nda

    page = text_of(member.get(reverse("partners:enquiry_detail", args=[agreement.enquiry_id])))

    assert "Contracts" in page
    assert url("contract_detail", agreement) in page
    assert "Non-disclosure agreement (NDA)" in page
    assert "A draft is ready for your review: accept the text or ask for changes." in page
    assert "Your company" in page  # the ball is the company's


def test_the_enquiry_page_says_when_there_is_no_contract_yet(member, company, central_user, entity):
    enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user)

    page = text_of(member.get(reverse("partners:enquiry_detail", args=[enquiry.pk])))

    assert "No contract yet." in page


def test_a_member_of_the_company_opens_the_contract_page(member, sent_nda, governing_body, company):
    agreement, version = sent_nda

    response = member.get(url("contract_detail", agreement))

    assert response.status_code == 200
    page = text_of(response)
    assert agreement.reference in page
    assert company.legal_name in page and governing_body.name in page  # the parties
    assert url("version_download", agreement, version.number) in page
    assert version.sha256 in page
    assert "Accept the text" in page and "Ask for changes" in page


def test_another_companys_member_gets_404_everywhere(client, other_company_member, sent_nda):
    agreement, version = sent_nda
    client.force_login(other_company_member)

    assert client.get(url("contract_detail", agreement)).status_code == 404
    assert client.get(url("version_download", agreement, version.number)).status_code == 404
    for name, data in (
        ("contract_request_changes", {"comment": "Not ours."}),
        ("contract_accept", {}),
        ("contract_sign", {"signer_name": "Oscar", "signer_title": "CEO", "consent": "on", "version": version.pk}),
    ):
        assert client.post(url(name, agreement), data).status_code == 404, name
    assert Agreement.objects.get(pk=agreement.pk).stage == C.SENT_FOR_REVIEW
    assert not DraftDownload.objects.exists()


def test_a_contract_is_found_only_under_its_own_enquiry(member, sent_nda, company, central_user, entity):
    agreement, _version = sent_nda
    other_enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user)

    path = reverse("agreements:contract_detail", args=[other_enquiry.pk, agreement.pk])

    assert member.get(path).status_code == 404


def test_nobody_signed_in_is_sent_to_the_sign_in_page(client, sent_nda):
    agreement, version = sent_nda

    for path in (url("contract_detail", agreement), url("version_download", agreement, version.number)):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_staff_use_the_admin_not_the_company_pages(client, central_user, legal_officer, sent_nda):
    agreement, _version = sent_nda
    for user in (central_user, legal_officer):
        client.force_login(user)
        assert client.get(url("contract_detail", agreement)).status_code == 404


# ---- downloads --------------------------------------------------------------------------------------------------
def test_a_download_is_the_pdf_and_is_recorded(member, company_member, sent_nda, caplog):
    agreement, version = sent_nda

    with caplog.at_level(logging.INFO, logger="agreements.drafts"):
        response = member.get(url("version_download", agreement, version.number))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{agreement.reference}-v{version.number}.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    download = DraftDownload.objects.get()
    assert (download.version, download.user) == (version, company_member)
    assert any(
        agreement.reference in r.getMessage() and str(company_member.pk) in r.getMessage() for r in caplog.records
    )


def test_working_drafts_stay_with_the_legal_staff_until_the_text_goes_to_the_company(
    member, central_user, legal_officer, entity, company, draft
):
    enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user)
    agreement = fill_terms(nda(enquiry=enquiry, entity=entity, actor=central_user), actor=central_user)
    workflow.agreement_start_drafting(agreement=agreement, actor=legal_officer)
    version = draft(agreement)

    assert member.get(url("version_download", agreement, version.number)).status_code == 404
    page = text_of(member.get(url("contract_detail", agreement)))
    assert "Being drafted by the legal staff of" in page
    assert url("version_download", agreement, version.number) not in page
    assert not DraftDownload.objects.exists()


# ---- the company's steps ----------------------------------------------------------------------------------------
def test_the_company_asks_for_changes_with_a_comment(member, company_member, sent_nda):
    agreement, _version = sent_nda

    response = member.post(url("contract_request_changes", agreement), {"comment": "Article 4: five years, not ten."})

    assert response.status_code == 302
    assert Agreement.objects.get(pk=agreement.pk).stage == C.CHANGES_REQUESTED
    change = StageChange.objects.get(agreement=agreement, transition="request_changes")
    assert (change.actor, change.comment) == (company_member, "Article 4: five years, not ten.")
    page = text_of(member.get(response.url))
    assert "Your request for changes was sent to the legal staff." in page
    assert "You asked for changes: the legal staff are revising the text." in page
    assert "Accept the text" not in page


def test_asking_for_changes_needs_a_comment(member, sent_nda):
    agreement, _version = sent_nda

    response = member.post(url("contract_request_changes", agreement), {"comment": "  "})

    assert response.status_code == 200
    assert "This field is required." in text_of(response)
    assert Agreement.objects.get(pk=agreement.pk).stage == C.SENT_FOR_REVIEW


def test_the_company_accepts_the_text_then_signs_the_nda(member, company_member, sent_nda):
    agreement, version = sent_nda

    member.post(url("contract_accept", agreement))
    assert Agreement.objects.get(pk=agreement.pk).stage == C.AGREED
    page = text_of(member.get(url("contract_detail", agreement)))
    assert "Your company accepted the text: it awaits your company’s signature." in page
    # The signature form names the version and the SHA-256 of the PDF being signed.
    assert "Sign for your company" in page
    assert f'name="version" value="{version.pk}"' in page
    assert version.sha256 in page

    response = member.post(
        url("contract_sign", agreement),
        {"signer_name": "Chloé Martin", "signer_title": "Chief Executive", "consent": "on", "version": version.pk},
    )

    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.signed_by, signature.signer_name, signature.pdf_sha256) == (
        company_member,
        "Chloé Martin",
        version.sha256,
    )
    assert signature.ip_address == "127.0.0.1"
    assert Agreement.objects.get(pk=agreement.pk).stage == C.SIGNED_BY_COMPANY
    page = text_of(member.get(response.url))
    assert "You signed contract" in page
    assert "Being signed: awaiting" in page
    assert "Sign for your company" not in page


def test_signing_without_the_consent_box_signs_nothing(member, sent_nda):
    agreement, version = sent_nda
    member.post(url("contract_accept", agreement))

    response = member.post(
        url("contract_sign", agreement),
        {"signer_name": "Chloé Martin", "signer_title": "Chief Executive", "version": version.pk},
    )

    assert response.status_code == 200
    assert "Tick the box to agree to sign electronically" in text_of(response)
    assert not Signature.objects.exists()
    assert Agreement.objects.get(pk=agreement.pk).stage == C.AGREED


def test_a_member_who_may_not_sign_is_told_who_may(client, company, company_member, sent_nda):
    agreement, _version = sent_nda
    colleague = CompanyMemberFactory(company=company, user__username="nina.nosign").user
    client.force_login(colleague)
    client.post(url("contract_accept", agreement))  # any member may accept the text

    page = text_of(client.get(url("contract_detail", agreement)))

    assert 'name="consent"' not in page
    assert f"Only a person who may sign for your company signs this contract: {company_member.get_full_name()}." in page


def test_the_page_shows_the_signature_circuit(
    client, member, legal_officer, governing_body, entity, company, central_user, draft
):
    enquiry = contracting_enquiry(company=company, entity=entity, actor=central_user)
    agreement = fill_terms(contract(enquiry=enquiry, entity=entity, actor=central_user), actor=central_user)
    workflow.agreement_start_drafting(agreement=agreement, actor=legal_officer)
    workflow.agreement_submit_for_internal_review(agreement=agreement, actor=legal_officer)
    version = draft(agreement)
    workflow.agreement_send_to_company(agreement=agreement, actor=legal_officer)
    member.post(url("contract_accept", agreement))
    workflow.agreement_open_signature(agreement=agreement, actor=legal_officer)
    member.post(
        url("contract_sign", agreement),
        {"signer_name": "Chloé Martin", "signer_title": "Chief Executive", "consent": "on", "version": version.pk},
    )

    page = text_of(member.get(url("contract_detail", agreement)))

    assert "Chloé Martin, Chief Executive" in page  # signed
    assert "Awaited" in page  # the lead body
    assert f"Being signed: awaiting {governing_body.name}." in page


# ---- confidential documents: only under an NDA in force ---------------------------------------------------------
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def post_confidential_file(member, enquiry):
    return member.post(
        reverse("partners:message_create", args=[enquiry.pk]),
        {
            "body": "Our confidential data package, as discussed.",
            "files": SimpleUploadedFile("leukos-data-package.pdf", PDF, content_type="application/pdf"),
            "confidential": "on",
        },
        follow=True,
    )


def test_confidential_files_are_refused_until_an_nda_is_in_force_then_accepted(
    member, company_member, sent_nda, legal_officer, governing_body
):
    agreement, version = sent_nda
    enquiry = agreement.enquiry

    refused = post_confidential_file(member, enquiry)

    assert "Confidential files are accepted only once an NDA is in force for this enquiry." in text_of(refused)
    assert not enquiry.attachments.exists()
    assert not enquiry.messages.exists()  # nothing posted: the message may be about the files

    # The company accepts and signs, the lead signs: the NDA is in force.
    member.post(url("contract_accept", agreement))
    sign = {"signer_name": "Chloé Martin", "signer_title": "Chief Executive", "consent": "on", "version": version.pk}
    member.post(url("contract_sign", agreement), sign)
    signatures.agreement_sign(
        agreement=agreement,
        party=agreement.parties.get(body=governing_body),
        actor=legal_officer,
        signer_name="Louis Legal",
        signer_title="Head of contracts",
        consent=True,
        ip_address="198.51.100.4",
        version=version,
    )
    assert enquiry.has_nda_in_force()
    page = text_of(member.get(url("contract_detail", agreement)))
    assert "You may now share confidential documents on this enquiry." in page

    accepted = post_confidential_file(member, enquiry)

    assert "Message sent to the OPALE team." in text_of(accepted)
    attachment = enquiry.attachments.get()
    assert (attachment.original_name, attachment.confidentiality) == (
        "leukos-data-package.pdf",
        Confidentiality.CONFIDENTIAL,
    )


def test_the_upload_service_refuses_a_confidential_file_before_an_nda_too(company_member, sent_nda):
    enquiry = sent_nda[0].enquiry

    with pytest.raises(ValidationError, match="only once an NDA is in force"):
        attachment_add(
            enquiry=enquiry,
            upload=SimpleUploadedFile("data.pdf", PDF),
            actor=company_member,
            confidentiality=Confidentiality.CONFIDENTIAL,
        )
    assert not enquiry.attachments.exists()
