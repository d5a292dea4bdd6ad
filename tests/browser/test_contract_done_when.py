"""Issue 5's "Done when", on the demo data, in a real browser.

Hemavia asks for an NDA from its enquiry "Mechanisms of acquired resistance to menin inhibitors" (routed to
UMR-S 1131, whose lead body is Inserm, with AP-HP and Université Paris Cité as co-owners); Inserm's legal staff
draft it; the company reviews, asks for a change, accepts, and its signatory signs in the browser; the academic
parties sign (AP-HP with a hand-signed scan); the NDA is in force and the enquiry takes confidential files. Then a
research collaboration agreement goes the same way to in force, which marks the partnership signed. Inserm's
legal staff download every version of both contracts from the admin, each download recorded.

The company's steps happen in the browser; the staff's go through the services they would call from the admin.
In a transactional test, drafts render as soon as they are asked for (the task runs on commit, eagerly).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from agreements import drafts, signatures, workflow
from agreements.choices import AgreementKind, ContractStage, PartyRole
from agreements.models import Agreement, DraftDownload, DraftVersion, Signature
from partners import demo_data
from partners import workflow as enquiry_workflow
from partners.choices import Confidentiality, EnquiryStage
from partners.models import Attachment, CompanyMember, Enquiry, Routing

from ..factories import fill_terms
from .test_company_journey import main, shot
from .test_triage_journey import portal_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "Mechanisms of acquired resistance to menin inhibitors"
JULIE = "julie.martin@hemavia.example"  # Head of Business Development: reviews, may not sign
THOMAS = "thomas.nguyen@hemavia.example"  # Chief Executive Officer: Hemavia's signatory
INSERM = "Institut national de la santé et de la recherche médicale"
APHP = "Assistance Publique – Hôpitaux de Paris"
UPCITE = "Université Paris Cité"
PURPOSE = (
    "Mapping the mechanisms of resistance to Hemavia's menin inhibitor HMV-201 in the unit's primary AML cells: "
    "Hemavia discloses the compound's structure and its relapse samples' data."
)
CHANGE = "Article 5: three years of survival after the end, not five."
IP = "198.51.100.23"
# A small but real PDF: uploads and scans are checked from their content, not their name.
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def user(username: str):
    return get_user_model().objects.get(username=username)


def draft_and_send(agreement: Agreement, legal, *, internal_review: bool = False, **terms) -> DraftVersion:
    """The legal staff enter the terms, make a PDF and send it to the company (through internal review first for
    an agreement); returns the version, rendered."""
    fill_terms(agreement, actor=legal, **terms)
    version = drafts.draft_request(agreement=agreement, actor=legal)
    if internal_review:
        workflow.agreement_submit_for_internal_review(agreement=agreement, actor=legal)
    workflow.agreement_send_to_company(agreement=agreement, actor=legal)
    version.refresh_from_db()
    assert version.status == DraftVersion.Status.READY, version.error
    return version


def academic_parties_sign(agreement: Agreement, *, by_hand: str = "") -> None:
    """Each governing body that must sign does, through its legal staff: electronically, or with the scan of a
    hand-signed copy for the body whose short name is ``by_hand``."""
    version = signatures.version_to_sign(agreement)
    parties = agreement.parties.filter(must_sign=True).exclude(role=PartyRole.COMPANY).select_related("body")
    for party in parties.order_by("pk"):
        officer = party.body.legal_staff.get()
        if party.body.short_name == by_hand:
            signatures.agreement_upload_wet_signature(
                agreement=agreement,
                party=party,
                actor=officer,
                scan=SimpleUploadedFile(f"{party.body.short_name}-signed.pdf", PDF, content_type="application/pdf"),
                ip_address=IP,
            )
            continue
        signatures.agreement_sign(
            agreement=agreement,
            party=party,
            actor=officer,
            signer_name=officer.get_full_name(),
            signer_title=f"Contracts officer, {party.body.short_name}",
            consent=True,
            ip_address=IP,
            version=version,
        )


def open_contract(page, kind_label: str) -> None:
    """From the enquiry page, the contract of that kind on the Contracts card."""
    main(page).locator("section[aria-labelledby=contracts-title]").get_by_role("link", name=kind_label).click()
    page.wait_for_url(re.compile(r"/enquiries/\d+/contracts/\d+/$"))


def signatory_signs(page, live_server, enquiry: Enquiry, agreement: Agreement, version: DraftVersion, name: str):
    """Hemavia's signatory opens the contract from the enquiry and signs the version shown, consent ticked."""
    page.goto(f"{live_server.url}/enquiries/{enquiry.pk}/")
    open_contract(page, agreement.get_kind_display())
    sign = main(page).locator("#sign")
    expect(sign).to_contain_text(f"{version.number} · Download the PDF")
    expect(sign).to_contain_text(version.sha256)
    expect(page.get_by_label("Your full name")).to_have_value("Thomas Nguyen")
    expect(page.get_by_label("Your title")).to_have_value("Chief Executive Officer")
    shot(page, f"done-when-{name}")
    sign.get_by_role("button", name="Sign", exact=True).click()  # the consent box left empty: nothing is signed
    assert sign.locator("#id_consent").evaluate("box => box.validity.valueMissing")
    assert not agreement.signatures.exists()
    sign.locator("#id_consent").check()
    sign.get_by_role("button", name="Sign", exact=True).click()
    expect(main(page)).to_contain_text(f"You signed contract {agreement.reference} for your company.")
    signature = Signature.objects.get(agreement=agreement, party__role=PartyRole.COMPANY)
    assert (signature.signer_name, signature.signed_by.email, signature.consent) == ("Thomas Nguyen", THOMAS, True)
    assert (signature.version, signature.pdf_sha256) == (version, version.sha256)


def test_an_nda_then_a_research_collaboration_go_from_the_companys_request_to_in_force(
    live_server, open_browser_page, tmp_path
):
    demo_data.load(contracts=False)  # the demo's other contracts play no part here and take long to render
    enquiry = Enquiry.objects.get(title=TITLE)
    assert enquiry.stage == EnquiryStage.ROUTED and not enquiry.agreements.exists()
    unit = Routing.objects.get(enquiry=enquiry, entity__code="UMR-S 1131").entity
    legal = user("legal")  # Inserm's legal staff: Inserm leads UMR-S 1131's negotiations
    members = {m.user.email: m.is_signatory for m in CompanyMember.objects.filter(company=enquiry.company)}
    assert members == {JULIE: False, THOMAS: True}
    confidential = tmp_path / "HMV-201-structure.pdf"
    confidential.write_bytes(PDF)

    # 1. Julie opens the enquiry. Before any NDA, a confidential file is refused.
    julie = open_browser_page(locale="en-GB")
    portal_sign_in(julie, live_server, JULIE)
    main(julie).get_by_role("link", name=re.compile(re.escape(TITLE))).click()
    julie.wait_for_url(re.compile(rf"/enquiries/{enquiry.pk}/$"))
    thread = main(julie).locator("#thread")
    thread.get_by_label("Your message").fill("The structure of HMV-201, as promised.")
    thread.locator("input[type=file]").set_input_files(str(confidential))
    thread.get_by_label("These files are confidential").check()
    thread.get_by_role("button", name="Send").click()
    expect(julie.get_by_text("Confidential files are accepted only once an NDA is in force")).to_be_visible()
    assert not Attachment.objects.filter(enquiry=enquiry).exists()

    # She asks for an NDA, in French and English, with the only entity working on it.
    contracts = main(julie).locator("section[aria-labelledby=contracts-title]")
    ask = contracts.locator("form.opale-ask-nda")
    expect(ask).to_contain_text("With Leukemia Stem Cells and Therapy Resistance.")
    expect(ask.get_by_label("Language of the text")).to_have_value("en")  # the enquiry is in English
    ask.get_by_label("Language of the text").select_option(label="French and English")
    shot(julie, "done-when-01-ask-for-an-nda")
    ask.get_by_role("button", name="Ask for an NDA").click()
    julie.wait_for_url(re.compile(rf"/enquiries/{enquiry.pk}/contracts/\d+/$"))
    nda = Agreement.objects.get(enquiry=enquiry)
    assert (nda.kind, nda.entity, nda.language, nda.stage) == (AgreementKind.NDA, unit, "en", ContractStage.REQUESTED)
    assert nda.requested_by.email == JULIE
    expect(main(julie)).to_contain_text(f"Your request for an NDA was sent: the legal staff of {INSERM} will draft it")
    expect(main(julie)).to_contain_text(f"Asked for: the legal staff of {INSERM} will draft it.")
    expect(main(julie)).to_contain_text("French and English")
    shot(julie, "done-when-02-nda-asked-for")

    # 2. Inserm's legal staff draft the NDA and send it for review.
    workflow.agreement_start_drafting(agreement=nda, actor=legal)
    first = draft_and_send(nda, legal, purpose=PURPOSE)

    # 3. Julie reads version 1 and asks for a change; the legal staff send version 2; she accepts it.
    julie.reload()
    review = main(julie).locator("#review")
    with julie.expect_download() as downloaded:
        review.get_by_role("link", name="Download version 1 (PDF)").click()
    assert Path(downloaded.value.path()).read_bytes() == Path(first.pdf.path).read_bytes()
    review.get_by_label("Which changes do you ask for?").fill(CHANGE)
    review.get_by_role("button", name="Ask for changes").click()
    expect(main(julie)).to_contain_text("You asked for changes: the legal staff are revising the text.")
    second = draft_and_send(nda, legal, purpose=PURPOSE, survival_years=3)
    assert second.number == 2
    julie.reload()
    expect(main(julie).locator("#review")).to_contain_text("Read version 2")
    main(julie).get_by_role("button", name="Accept the text").click()
    expect(main(julie)).to_contain_text("Your company accepted the text: it awaits your company’s signature.")
    # Julie may not sign for Hemavia: the page names who may.
    sign = main(julie).locator("#sign")
    expect(sign).to_contain_text("Only a person who may sign for your company signs this contract: Thomas Nguyen.")
    expect(sign.get_by_role("button", name="Sign", exact=True)).to_have_count(0)
    shot(julie, "done-when-03-nda-accepted-julie-may-not-sign")

    # Thomas, Hemavia's signatory, signs version 2 in the browser.
    thomas = open_browser_page(locale="en-GB")
    portal_sign_in(thomas, live_server, THOMAS)
    signatory_signs(thomas, live_server, enquiry, nda, second, "04-nda-sign")
    expect(main(thomas)).to_contain_text(f"Being signed: awaiting {INSERM}, {APHP}, {UPCITE}.")

    # 4. The lead body signs, AP-HP by a hand-signed scan, UPCité electronically: the NDA is in force.
    academic_parties_sign(nda, by_hand="AP-HP")
    nda.refresh_from_db()
    assert nda.stage == ContractStage.IN_FORCE
    julie.reload()
    expect(main(julie)).to_contain_text("Signed by every party: in force since")
    expect(main(julie)).to_contain_text("You may now share confidential documents on this enquiry.")
    circuit = main(julie).locator(".opale-circuit")
    expect(circuit).to_contain_text("Thomas Nguyen, Chief Executive Officer")
    expect(circuit).to_contain_text("Nathalie Girard, Contracts officer, Inserm")
    expect(circuit).to_contain_text("Signed by hand by Catherine Rivière")
    expect(circuit).to_contain_text("Olivier Mercier, Contracts officer, UPCité")
    expect(main(julie).locator("section[aria-labelledby=latest-title]")).to_contain_text("Signed contract")
    shot(julie, "done-when-05-nda-in-force")

    # The enquiry now takes a confidential file.
    main(julie).get_by_role("link", name=re.compile(re.escape(TITLE))).click()
    julie.wait_for_url(re.compile(rf"/enquiries/{enquiry.pk}/$"))
    thread = main(julie).locator("#thread")
    thread.get_by_label("Your message").fill("The structure of HMV-201, under the NDA.")
    thread.locator("input[type=file]").set_input_files(str(confidential))
    thread.get_by_label("These files are confidential").check()
    thread.get_by_role("button", name="Send").click()
    expect(main(julie)).to_contain_text("Message sent to the OPALE team.")
    expect(main(julie).locator("section[aria-labelledby=docs-title]")).to_contain_text("HMV-201-structure.pdf")
    attachment = Attachment.objects.get(enquiry=enquiry)
    assert (attachment.original_name, attachment.confidentiality) == (
        "HMV-201-structure.pdf",
        Confidentiality.CONFIDENTIAL,
    )
    expect(main(julie).locator("section[aria-labelledby=contracts-title]")).to_contain_text("In force")
    shot(julie, "done-when-06-confidential-file-shared")

    # 5. UMR-S 1131 accepts the enquiry, the central team starts contracting, Inserm's legal staff draft a
    # research collaboration agreement and send it after internal review.
    routing = Routing.objects.get(enquiry=enquiry, entity=unit)
    enquiry_workflow.enquiry_answer_routing(
        routing=routing, actor=user("entity"), accept=True, reason="Claire Moreau will lead it."
    )
    enquiry_workflow.enquiry_start_contracting(enquiry=enquiry, actor=user("central"))
    collaboration = workflow.agreement_request(
        enquiry=enquiry, entity=unit, kind=AgreementKind.RESEARCH_COLLABORATION, actor=legal, language="en"
    )
    assert list(collaboration.parties.order_by("pk").values_list("role", "must_sign")) == [
        (PartyRole.COMPANY, True),
        (PartyRole.LEAD_NEGOTIATOR, True),
        (PartyRole.CO_OWNER, True),
        (PartyRole.CO_OWNER, True),
    ]
    workflow.agreement_start_drafting(agreement=collaboration, actor=legal)
    version = draft_and_send(collaboration, legal, internal_review=True)

    # Julie accepts its text in the browser; the legal staff open the signature circuit.
    julie.reload()
    contracts = main(julie).locator("section[aria-labelledby=contracts-title]")
    expect(contracts).to_contain_text("Research collaboration agreement")
    expect(contracts).to_contain_text("A draft is ready for your review")
    expect(contracts.locator("form.opale-ask-nda")).to_have_count(0)  # the NDA with the unit is in force
    shot(julie, "done-when-07-collaboration-to-review")
    open_contract(julie, "Research collaboration agreement")
    main(julie).get_by_role("button", name="Accept the text").click()
    expect(main(julie)).to_contain_text(
        "Your company accepted the text: the legal staff will open the signature circuit."
    )
    workflow.agreement_open_signature(agreement=collaboration, actor=legal)

    # Thomas signs; then Inserm, AP-HP and UPCité: in force, and the partnership is signed.
    signatory_signs(thomas, live_server, enquiry, collaboration, version, "08-collaboration-sign")
    expect(main(thomas)).to_contain_text(f"Being signed: awaiting {INSERM}, {APHP}, {UPCITE}.")
    academic_parties_sign(collaboration)
    collaboration.refresh_from_db()
    enquiry.refresh_from_db()
    assert (collaboration.stage, enquiry.stage) == (ContractStage.IN_FORCE, EnquiryStage.SIGNED)
    julie.reload()
    expect(main(julie)).to_contain_text("Signed by every party: in force since")
    expect(main(julie)).not_to_contain_text("You may now share confidential documents")  # said of an NDA only
    main(julie).get_by_role("link", name=re.compile(re.escape(TITLE))).click()
    julie.wait_for_url(re.compile(rf"/enquiries/{enquiry.pk}/$"))
    expect(main(julie).locator(".opale-stage")).to_have_text("Partnership signed")
    expect(main(julie).locator("section[aria-labelledby=contracts-title] .badge.text-bg-success")).to_have_count(2)
    shot(julie, "done-when-09-partnership-signed")

    # 6. Inserm's legal staff download every version of both contracts from the admin.
    assert list(nda.versions.order_by("number").values_list("number", "is_final")) == [
        (1, False),
        (2, False),
        (3, True),
    ]
    assert list(collaboration.versions.order_by("number").values_list("number", "is_final")) == [
        (1, False),
        (2, True),
    ]
    admin = Client(headers={"Accept-Language": "en"})
    admin.force_login(legal)
    for agreement in (nda, collaboration):
        for saved in agreement.versions.order_by("number"):
            url = reverse("admin:agreements_agreement_draft_download", args=[agreement.pk, saved.number])
            response = admin.get(url)
            assert response.status_code == 200, url
            assert response["Content-Type"] == "application/pdf"
            suffix = "-final" if saved.is_final else ""
            assert f'filename="{agreement.reference}-v{saved.number}{suffix}.pdf"' in response["Content-Disposition"]
            assert b"".join(response.streaming_content) == Path(saved.pdf.path).read_bytes()
    downloaded_by_legal = DraftDownload.objects.filter(user=legal).values_list("version__agreement", "version__number")
    assert sorted(downloaded_by_legal) == sorted(
        [(nda.pk, 1), (nda.pk, 2), (nda.pk, 3), (collaboration.pk, 1), (collaboration.pk, 2)]
    )
