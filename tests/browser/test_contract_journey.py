"""The company's path through a contract in a real browser (issue 5, "Tests"): it reviews the NDA's draft, asks
for a change; the legal staff send a new version; it accepts the text, signs it, and once the lead body has
signed, downloads the signed NDA. Every download is recorded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from agreements import drafts, signatures, workflow
from agreements.choices import ContractStage as C
from agreements.models import Agreement, DraftDownload, Signature, StageChange
from partners.roles import LEGAL_STAFF

from ..factories import (
    EntityFactory,
    GoverningBodyFactory,
    UserFactory,
    fill_terms,
    nda,
    routed_enquiry,
)
from .test_company_journey import main, member_with_login, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHANGE = "Article 5: three years of survival after the end, not five."


def pdf_of(download) -> bytes:
    return Path(download.path()).read_bytes()


def test_the_company_reviews_asks_for_a_change_accepts_signs_and_downloads_its_nda(live_server, open_browser_page):
    # On the portal's side: an enquiry routed to a unit whose lead body drafts an NDA and sends it for review.
    # (The database is not in a transaction here: each draft renders as soon as it is asked for.)
    central = UserFactory(username="camille.central", is_staff=True, groups=["Central team"])
    legal = UserFactory(
        username="louis.legal", first_name="Louis", last_name="Legal", is_staff=True, groups=[LEGAL_STAFF]
    )
    body = GoverningBodyFactory(name="Université Paris Cité", short_name="UPCité", legal_staff=[legal])
    entity = EntityFactory(name="Institut de recherche Saint-Louis", code="U944", lead_body=body)
    member = member_with_login(
        company__legal_name="Leukos Therapeutics SAS",
        user__username="chloe",
        user__first_name="Chloé",
        user__last_name="Martin",
        job_title="Chief Executive",
        is_signatory=True,
    )
    enquiry = routed_enquiry(company=member.company, entities=[entity], actor=central, title="Anti-CD123 on AML")
    agreement = fill_terms(nda(enquiry=enquiry, entity=entity, actor=central), actor=central)
    workflow.agreement_start_drafting(agreement=agreement, actor=legal)
    first = drafts.draft_request(agreement=agreement, actor=legal)
    workflow.agreement_send_to_company(agreement=agreement, actor=legal)
    first.refresh_from_db()
    assert first.status == "ready", first.error

    page = open_browser_page(locale="en-GB")
    sign_in(page, live_server, member.user.email, "en")

    # The enquiry page lists the NDA, says a draft awaits the company's review, and whose move it is.
    main(page).get_by_role("link", name=re.compile("Anti-CD123 on AML")).click()
    contracts = main(page).locator("section[aria-labelledby=contracts-title]")
    expect(contracts).to_contain_text("Non-disclosure agreement (NDA)")
    expect(contracts).to_contain_text("A draft is ready for your review")
    expect(contracts).to_contain_text("Your company")
    shot(page, "contract-01-enquiry")
    contracts.get_by_role("link", name="Non-disclosure agreement (NDA)").click()
    page.wait_for_url(re.compile(rf"/enquiries/{enquiry.pk}/contracts/{agreement.pk}/$"))

    # Review: read version 1, then ask for a change.
    review = main(page).locator("#review")
    with page.expect_download() as downloaded:
        review.get_by_role("link", name="Download version 1 (PDF)").click()
    assert pdf_of(downloaded.value).startswith(b"%PDF")
    shot(page, "contract-02-review")
    review.get_by_label("Which changes do you ask for?").fill(CHANGE)
    review.get_by_role("button", name="Ask for changes").click()
    expect(main(page)).to_contain_text("You asked for changes: the legal staff are revising the text.")
    expect(main(page).locator("#review")).to_have_count(0)
    assert StageChange.objects.get(agreement=agreement, transition="request_changes").comment == CHANGE

    # The legal staff change the term and send version 2.
    fill_terms(agreement, actor=legal, survival_years=3)
    second = drafts.draft_request(agreement=agreement, actor=legal)
    workflow.agreement_send_to_company(agreement=agreement, actor=legal)
    second.refresh_from_db()
    assert (second.number, second.status) == (2, "ready")

    # The company accepts version 2 …
    page.reload()
    review = main(page).locator("#review")
    expect(review).to_contain_text("Read version 2")
    review.get_by_role("button", name="Accept the text").click()
    expect(main(page)).to_contain_text("Your company accepted the text: it awaits your company’s signature.")

    # … and signs it: the form names the version and the SHA-256 of its PDF.
    sign = main(page).locator("#sign")
    expect(sign).to_contain_text(second.sha256)
    expect(page.get_by_label("Your full name")).to_have_value("Chloé Martin")
    expect(page.get_by_label("Your title")).to_have_value("Chief Executive")
    shot(page, "contract-03-sign")
    sign.get_by_role("button", name="Sign", exact=True).click()  # the consent box left empty: nothing is signed
    assert main(page).locator("#id_consent").evaluate("box => box.validity.valueMissing")
    assert not Signature.objects.exists()
    sign.locator("#id_consent").check()
    sign.get_by_role("button", name="Sign", exact=True).click()
    expect(main(page)).to_contain_text("You signed contract")
    expect(main(page)).to_contain_text("Being signed: awaiting Université Paris Cité.")
    signature = Signature.objects.get()
    assert (signature.signer_name, signature.pdf_sha256, signature.version) == ("Chloé Martin", second.sha256, second)
    assert Agreement.objects.get(pk=agreement.pk).stage == C.SIGNED_BY_COMPANY

    # The lead body signs: the NDA is in force, and the signed PDF is the company's to download.
    signatures.agreement_sign(
        agreement=agreement,
        party=agreement.parties.get(body=body),
        actor=legal,
        signer_name="Louis Legal",
        signer_title="Head of contracts",
        consent=True,
        ip_address="198.51.100.4",
        version=second,
    )
    page.reload()
    expect(main(page)).to_contain_text("Signed by every party: in force since")
    expect(main(page)).to_contain_text("You may now share confidential documents on this enquiry.")
    circuit = main(page).locator(".opale-circuit")
    expect(circuit).to_contain_text("Chloé Martin, Chief Executive")
    expect(circuit).to_contain_text("Louis Legal, Head of contracts")
    shot(page, "contract-04-in-force")
    with page.expect_download() as downloaded:
        main(page).locator("section[aria-labelledby=latest-title]").get_by_role("link", name="Download the PDF").click()
    assert downloaded.value.suggested_filename == f"{agreement.reference}-v3-final.pdf"
    assert pdf_of(downloaded.value).startswith(b"%PDF")

    assert list(DraftDownload.objects.order_by("at").values_list("version__number", "user")) == [
        (1, member.user.pk),
        (3, member.user.pk),
    ]
