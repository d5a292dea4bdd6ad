"""A company member's journey in a real browser (issue 3, "Done when"): sign up, confirm the e-mail address from
the outbox, register the company, file an enquiry in four steps with an attachment, receive the confirmation
e-mail, and follow the enquiry; in English and in French; another company sees none of it; a phone-sized
screen needs no horizontal scrolling.

Texts are looked up in the catalogues with ``tr(language, source)``, the way the pages translate them; the French
journey first checks that the catalogue does translate each of them, then reads a few in plain French.
``test_french_pages_have_no_english_left`` looks for English sources left on the French pages.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from notifications.models import Notification
from partners.models import DiseaseArea, Enquiry

from ..factories import (
    PASSWORD,
    AttachmentFactory,
    CompanyMemberFactory,
    EnquiryFactory,
    siren,
    submitted_enquiry,
)

# live_server needs a transactional database, which is flushed after each test: serialized_rollback puts back
# what migrations wrote (role groups, disease areas, capabilities) before each of these tests.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
REFERENCE = re.compile(r"OPA-\d{4}-\d{5}")
# A small but real PDF: the portal checks the type from the content, not from the name.
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
NEW_USER_PASSWORD = "Leukos-portal-2025!"


def tr(language: str, text: str) -> str:
    """``text`` as the portal shows it in ``language`` (the project's catalogue, then the apps')."""
    with translation.override(language):
        return translation.gettext(text)


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def main(page):
    return page.locator("main")


def verification_email(email: str) -> tuple[Notification, str]:
    """The e-mail confirming ``email`` (an outbox row, like every e-mail) and the path of its link."""
    notification = Notification.objects.filter(
        recipient=email, template__startswith="account/email/email_confirmation"
    ).latest("created_at")
    assert notification.status == Notification.Status.SENT, notification.last_error
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+/", notification.body_text)
    assert match, notification.body_text
    # The link's scheme and host are the portal's (https outside DEBUG); the path is what the browser opens.
    return notification, urlsplit(match.group(0)).path


def sign_in(page, live_server, email: str, language: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    main(page).get_by_role("button", name=tr(language, "Sign In"), exact=True).click()
    page.wait_for_url(re.compile(r"/enquiries/$"))


def member_with_login(**kwargs):
    """A company member who can sign in on the portal: a verified primary e-mail address and ``PASSWORD``."""
    member = CompanyMemberFactory(**kwargs)
    EmailAddress.objects.create(user=member.user, email=member.user.email, verified=True, primary=True)
    return member


def no_horizontal_scroll(page) -> tuple[int, int]:
    return page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")


# --- The journey, in either language ------------------------------------------------------------------------


def company_journey(page, live_server, tmp_path, *, language: str, person: dict, registration_number: str):
    """File a complete enquiry as a new user would, from the home page; returns the submitted enquiry."""

    def t(text):
        return tr(language, text)

    prefix = f"journey-{language}"
    email = person["email"]

    # Home page → "File an enquiry" → the sign-in page (filing needs an account).
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == language
    shot(page, f"{prefix}-00-home")
    main(page).get_by_role("link", name=t("File an enquiry"), exact=True).click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/enquiries/new/"))
    expect(main(page).get_by_role("heading", level=1)).to_have_text(t("Sign In"))
    shot(page, f"{prefix}-01-signin")

    # → "Sign up": first and last name, e-mail, password twice.
    sign_up = main(page).locator("a[href^='/accounts/signup/']")
    if language == "en":
        expect(sign_up).to_have_text("Sign up")  # in French, whatever the sentence "No account yet? …" becomes
    sign_up.click()
    page.wait_for_url(re.compile(r"/accounts/signup/"))
    expect(main(page).get_by_role("heading", level=1)).to_have_text(t("Sign Up"))
    page.locator("input[name=first_name]").fill(person["first_name"])
    page.locator("input[name=last_name]").fill(person["last_name"])
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill(NEW_USER_PASSWORD)
    page.locator("input[name=password2]").fill(NEW_USER_PASSWORD)
    shot(page, f"{prefix}-02-signup")
    main(page).get_by_role("button", name=t("Sign Up"), exact=True).click()

    # "Verify your e-mail address": the link comes in an e-mail, through the outbox.
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    expect(main(page).get_by_role("heading", level=1)).to_have_text(t("Verify Your Email Address"))
    shot(page, f"{prefix}-03-verification-sent")
    notification, path = verification_email(email)
    assert notification.language == language
    assert notification.subject.endswith(t("Please Confirm Your Email Address"))
    assert any(email in message.to for message in mail.outbox)

    # The link opens a page asking to confirm; confirming signs the new member in.
    page.goto(live_server.url + path)
    expect(main(page).get_by_role("heading", level=1)).to_have_text(t("Confirm Email Address"))
    expect(main(page)).to_contain_text(email)
    shot(page, f"{prefix}-04-confirm-email")
    main(page).get_by_role("button", name=t("Confirm"), exact=True).click()

    # Signed in, the member goes on where they were going ("File an enquiry"); with no company yet, the
    # company comes first.
    page.wait_for_url(re.compile(r"/company/new/\?next=/enquiries/new/$"))
    expect(page.get_by_role("button", name=t("Sign out"))).to_be_visible()
    expect(page.locator("nav")).to_contain_text(f"{person['first_name']} {person['last_name']}")
    expect(main(page).get_by_role("heading", level=1)).to_have_text(t("Your company"))
    page.locator("#id_legal_name").fill(person["company"])
    page.locator("#id_country").select_option("FR")
    expect(page.locator("#id_country option:checked")).to_have_text("France")
    page.locator("#id_registration_number").fill(registration_number)
    page.locator("#id_size").select_option("sme")
    page.locator("#id_sector").select_option("biopharma")
    page.locator("#id_website").fill(person["website"])
    shot(page, f"{prefix}-05-company")
    main(page).get_by_role("button", name=re.compile(re.escape(t("Register the company and continue")))).click()

    # Step 1: what the company needs.
    page.wait_for_url(re.compile(r"/enquiries/new/$"))
    expect(main(page).get_by_role("heading", level=1)).to_have_text(t("New enquiry"))
    kind = tr(language, "Bilateral R&D project")
    main(page).get_by_role("radio", name=re.compile("^" + re.escape(kind))).check()
    with translation.override(language):
        aml = str(DiseaseArea.objects.get(code="aml"))
    main(page).get_by_role("checkbox", name=aml, exact=True).check()
    title = person["title"]
    page.locator("#id_title").fill(title)
    shot(page, f"{prefix}-06-step1-needs")
    main(page).get_by_role("button", name=re.compile(re.escape(t("Save and continue")))).click()

    # Step 2: the project, non-confidential.
    page.wait_for_url(re.compile(r"/enquiries/\d+/edit/project/$"))
    expect(main(page).get_by_role("heading", level=1)).to_have_text(title)
    page.locator("#id_summary").fill(person["summary"])
    page.locator("#id_objectives").fill(person["objectives"])
    shot(page, f"{prefix}-07-step2-project")
    main(page).get_by_role("button", name=re.compile(re.escape(t("Save and continue")))).click()

    # Step 3: the contact is the new member, prefilled; one small real PDF.
    page.wait_for_url(re.compile(r"/enquiries/\d+/edit/practical/$"))
    expect(page.locator("#id_contact_name")).to_have_value(f"{person['first_name']} {person['last_name']}")
    expect(page.locator("#id_contact_email")).to_have_value(email)
    # The preferred language is French by default whatever the member's language (see
    # test_an_english_speaking_members_enquiry_is_in_english_by_default): the member chooses it.
    page.locator("#id_language").select_option(language)
    pdf = tmp_path / person["document"]
    pdf.write_bytes(PDF)
    page.locator("#id_files").set_input_files(str(pdf))
    shot(page, f"{prefix}-08-step3-practical")
    main(page).get_by_role("button", name=re.compile(re.escape(t("Save and continue")))).click()

    # Step 4: review, consent, send.
    page.wait_for_url(re.compile(r"/enquiries/\d+/edit/review/$"))
    expect(main(page)).to_contain_text(person["summary"])
    expect(main(page)).to_contain_text(kind)
    expect(main(page).locator(".alert-danger")).to_have_count(0)  # nothing missing
    page.locator("#id_consent").check()
    shot(page, f"{prefix}-09-step4-review")
    main(page).get_by_role("button", name=t("Send my enquiry to OPALE"), exact=True).click()

    # The confirmation page gives the reference …
    page.wait_for_url(re.compile(r"/enquiries/\d+/sent/$"))
    expect(main(page).get_by_role("heading", level=1)).to_have_text(t("Your enquiry is with OPALE"))
    reference = main(page).locator(".opale-ref").inner_text().strip()
    assert REFERENCE.fullmatch(reference), reference
    shot(page, f"{prefix}-10-sent")
    enquiry = Enquiry.objects.get(reference=reference)
    assert enquiry.title == title
    assert enquiry.company.legal_name == person["company"]
    assert [a.original_name for a in enquiry.attachments.all()] == [person["document"]]

    # … and so does the confirmation e-mail: an outbox row, sent after the commit, in the member's language.
    confirmation = Notification.objects.get(template="enquiry_submitted", recipient=email)
    assert confirmation.status == Notification.Status.SENT, confirmation.last_error
    assert confirmation.language == language
    assert reference in confirmation.subject
    assert reference in confirmation.body_text
    sent = [message for message in mail.outbox if email in message.to and reference in message.subject]
    assert len(sent) == 1
    assert reference in sent[0].body

    # "My enquiries" lists it with its reference …
    page.locator("nav").get_by_role("link", name=t("My enquiries"), exact=True).click()
    page.wait_for_url(re.compile(r"/enquiries/$"))
    row = main(page).get_by_role("link", name=re.compile(re.escape(title)))
    expect(row).to_contain_text(reference)
    expect(row).to_contain_text(tr(language, "Submitted"))
    shot(page, f"{prefix}-11-my-enquiries")

    # … and its page tells the story: the timeline, the document, who holds the ball.
    row.click()
    page.wait_for_url(re.compile(rf"/enquiries/{enquiry.pk}/$"))
    expect(main(page).get_by_role("heading", level=1)).to_have_text(title)
    timeline = main(page).locator(".opale-timeline")
    expect(timeline.locator("li")).to_have_count(1)
    expect(timeline).to_contain_text(t("You submitted the enquiry."))
    expect(main(page).locator("section[aria-labelledby=docs-title]")).to_contain_text(person["document"])
    ball = main(page).locator(".opale-ball")
    expect(ball).to_contain_text(t("Who holds the ball"))
    expect(ball).to_contain_text(tr(language, "The OPALE central team"))
    shot(page, f"{prefix}-12-detail")
    return enquiry


def test_a_new_member_files_an_enquiry_in_english(live_server, open_browser_page, tmp_path):
    page = open_browser_page(locale="en-GB")
    enquiry = company_journey(
        page,
        live_server,
        tmp_path,
        language="en",
        person={
            "first_name": "Claire",
            "last_name": "Martin",
            "email": "claire.martin@leukos.example.com",
            "company": "Leukos Therapeutics SAS",
            "website": "https://leukos.example.com",
            "title": "Anti-CD123 antibody on primary AML samples",
            "summary": "We develop an anti-CD123 antibody and look for a team to test it on primary AML blasts.",
            "objectives": "Efficacy on 20 primary samples within a year, and a biomarker of response.",
            "document": "leukos-non-confidential-summary.pdf",
        },
        registration_number="732 829 320",
    )
    assert enquiry.submitted_by.email == "claire.martin@leukos.example.com"
    assert enquiry.company.registration_number == "732829320"


# The texts the journey finds or clicks; in French, each must come from the catalogue, not the English source.
JOURNEY_TEXTS = [
    "File an enquiry",
    "Sign In",
    "Sign Up",
    "Verify Your Email Address",
    "Please Confirm Your Email Address",
    "Confirm Email Address",
    "Confirm",
    "Sign out",
    "Your company",
    "Register the company and continue",
    "New enquiry",
    "Bilateral R&D project",
    "Save and continue",
    "Send my enquiry to OPALE",
    "Your enquiry is with OPALE",
    "My enquiries",
    "Submitted",
    "You submitted the enquiry.",
    "Who holds the ball",
    "The OPALE central team",
]


def test_a_new_member_files_an_enquiry_in_french(live_server, open_browser_page, tmp_path):
    # The journey finds each text through tr("fr", …): that proves French pages only if the catalogue has them.
    assert not [text for text in JOURNEY_TEXTS if tr("fr", text) == text]

    # The browser asks for French (Accept-Language: fr-FR), the portal's default language too.
    page = open_browser_page(locale="fr-FR")
    company_journey(
        page,
        live_server,
        tmp_path,
        language="fr",
        person={
            "first_name": "Élodie",
            "last_name": "Lefèvre",
            "email": "elodie.lefevre@hematech.example.fr",
            "company": "Hématech SAS",
            "website": "https://hematech.example.fr",
            "title": "Anticorps anti-CD123 sur des échantillons primaires de LAM",
            "summary": "Nous développons un anticorps anti-CD123 et cherchons une équipe pour le tester.",
            "objectives": "Efficacité sur 20 échantillons primaires en un an, et un biomarqueur de réponse.",
            "document": "hematech-résumé-non-confidentiel.pdf",
        },
        registration_number=siren(12_345_678),
    )

    # In plain French words, as the catalogue says them today (reword here when the catalogue changes).
    confirmation = Notification.objects.get(template="enquiry_submitted")
    assert confirmation.body_text.startswith("Merci : OPALE a bien reçu votre demande.")
    page.goto(live_server.url + "/")
    expect(main(page).get_by_role("link", name="Déposer une demande")).to_be_visible()
    page.locator("nav").get_by_role("link", name="Mes demandes").click()
    expect(main(page).get_by_role("heading", level=1)).to_have_text("Mes demandes")
    expect(main(page)).to_contain_text("Projet de R&D bilatéral")
    expect(main(page)).to_contain_text("Soumise")
    main(page).get_by_role("link", name=re.compile("Anticorps anti-CD123")).click()
    expect(main(page).locator(".opale-timeline")).to_contain_text("Vous avez soumis la demande.")
    expect(main(page).locator(".opale-ball")).to_contain_text("Qui a la main")
    expect(main(page).locator(".opale-ball")).to_contain_text("L’équipe centrale OPALE")
    expect(main(page)).to_contain_text("Leucémie aiguë myéloïde (LAM)")


# --- Another company sees none of it --------------------------------------------------------------------------


def test_another_company_cannot_see_the_enquiry(live_server, open_browser_page):
    theirs = member_with_login(company__legal_name="Leukos Therapeutics SAS", user__username="claire")
    enquiry = submitted_enquiry(company=theirs.company, title="Leukos: anti-CD123 on AML", submitted=theirs.user)
    document = AttachmentFactory(enquiry=enquiry, uploaded_by=theirs.user, original_name="leukos-plan.txt")
    other = member_with_login(company__legal_name="Hemato Diagnostics SA", user__username="oscar")
    own = submitted_enquiry(company=other.company, title="Hemato: MRD assay", submitted=other.user)

    page = open_browser_page(locale="en-GB")
    sign_in(page, live_server, other.user.email, "en")

    # "My enquiries" lists the member's own company's enquiry, never the other's.
    expect(main(page)).to_contain_text(own.reference)
    expect(main(page)).not_to_contain_text(enquiry.reference)
    expect(main(page)).not_to_contain_text("Leukos")
    shot(page, "isolation-01-my-enquiries")

    # Every page and file of the other company's enquiry answers 404, as if it did not exist.
    for path in (
        f"/enquiries/{enquiry.pk}/",
        f"/enquiries/{enquiry.pk}/sent/",
        f"/enquiries/{enquiry.pk}/edit/review/",
        f"/enquiries/{enquiry.pk}/files/{document.pk}/",
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 404, (path, response.status)
        assert "Leukos" not in page.content()
    shot(page, "isolation-02-not-found")

    # And so does every action on it, with the member's session and a valid CSRF token.
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    for path, form in (
        (f"/enquiries/{enquiry.pk}/messages/", {"body": "Hello from another company"}),
        (f"/enquiries/{enquiry.pk}/withdraw/", {"reason": "Not ours to withdraw"}),
        (f"/enquiries/{enquiry.pk}/files/{document.pk}/delete/", {}),
    ):
        response = page.request.post(live_server.url + path, form=form, headers={"X-CSRFToken": csrf})
        assert response.status == 404, (path, response.status)
    enquiry.refresh_from_db()
    assert enquiry.stage == "submitted"
    assert not enquiry.messages.exists()
    assert enquiry.attachments.count() == 1


# --- A phone-sized screen ---------------------------------------------------------------------------------------


def test_a_phone_sized_screen_needs_no_horizontal_scrolling(live_server, open_browser_page):
    member = member_with_login(company__legal_name="Leukos Therapeutics SAS")
    enquiry = submitted_enquiry(
        company=member.company,
        submitted=member.user,
        title="Anti-CD123 antibody on primary AML samples, with a biomarker of response for the phase I",
    )
    AttachmentFactory(
        enquiry=enquiry, uploaded_by=member.user, original_name="leukos-non-confidential-presentation-2025.pdf"
    )

    page = open_browser_page(locale="fr-FR", width=390, height=844)
    sign_in(page, live_server, member.user.email, "fr")
    pages = {
        "phone-fr-01-my-enquiries": "/enquiries/",
        "phone-fr-02-step1-needs": "/enquiries/new/",
        "phone-fr-03-detail": f"/enquiries/{enquiry.pk}/",
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        expect(main(page).get_by_role("heading", level=1)).to_be_visible()
        shot(page, name)
        scroll_width, inner_width = no_horizontal_scroll(page)
        assert scroll_width <= inner_width, f"{path}: {scroll_width}px wide on a {inner_width}px screen"


# --- French everywhere ------------------------------------------------------------------------------------------

# (The step names are left to test_the_step_names_are_in_the_page_language.)
ENGLISH_SOURCES = [
    "File an enquiry",
    "My enquiries",
    "My company",
    "New enquiry",
    "Save and continue",
    "Kind of partnership",
    "Disease areas",
    "Non-confidential",
    "Preferred language",
    "What happens next",
    "Send my enquiry to OPALE",
    "Who holds the ball",
    "Timeline",
    "You submitted the enquiry.",
    "Withdraw this enquiry",
    "Invite a colleague",
    "First name",
    "Privacy notice",
]


def test_french_pages_have_no_english_left(live_server, open_browser_page):
    member = member_with_login()
    enquiry = submitted_enquiry(company=member.company, submitted=member.user)
    draft = EnquiryFactory(company=member.company)
    page = open_browser_page(locale="fr-FR")
    page.goto(live_server.url + "/accounts/signup/")
    texts = {"/accounts/signup/": page.locator("body").inner_text()}
    sign_in(page, live_server, member.user.email, "fr")
    paths = ["/", "/enquiries/", "/enquiries/new/", f"/enquiries/{enquiry.pk}/", "/company/"]
    paths += [f"/enquiries/{draft.pk}/edit/{step}/" for step in ("project", "practical", "review")]
    for path in paths:
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == "fr", path
        texts[path] = page.locator("body").inner_text()
    english = {path: [s for s in ENGLISH_SOURCES if s in text] for path, text in texts.items()}
    assert not {path: found for path, found in english.items() if found}


# --- Fixed after these tests found them -------------------------------------------------------------------------


def test_an_english_speaking_members_enquiry_is_in_english_by_default(live_server, open_browser_page):
    member = member_with_login()
    page = open_browser_page(locale="en-GB")
    sign_in(page, live_server, member.user.email, "en")
    page.goto(live_server.url + "/enquiries/new/")
    main(page).get_by_role("radio", name=re.compile("^Consultancy or expertise")).check()
    main(page).get_by_role("checkbox", name="Acute myeloid leukemia (AML)", exact=True).check()
    page.locator("#id_title").fill("Advice on AML biomarkers")
    main(page).get_by_role("button", name=re.compile("Save and continue")).click()
    page.wait_for_url(re.compile(r"/enquiries/\d+/edit/project/$"))
    page.goto(page.url.replace("/edit/project/", "/edit/practical/"))
    assert page.locator("#id_language").input_value() == "en"


def test_the_step_names_are_in_the_page_language(live_server, open_browser_page):
    member = member_with_login()
    draft = EnquiryFactory(company=member.company)
    steps = ["What you need", "Your project", "Contacts and documents", "Review and send"]
    shown = {}
    for language, locale in (("en", "en-GB"), ("fr", "fr-FR")):
        page = open_browser_page(locale=locale)
        sign_in(page, live_server, member.user.email, language)
        page.goto(live_server.url + f"/enquiries/{draft.pk}/edit/project/")
        shown[language] = page.locator(".opale-progress").inner_text()
    missing = {lang: [tr(lang, s) for s in steps if tr(lang, s) not in text] for lang, text in shown.items()}
    assert not {lang: names for lang, names in missing.items() if names}, shown


def test_a_page_not_found_keeps_the_portal_frame(live_server, open_browser_page):
    page = open_browser_page(locale="fr-FR")
    response = page.goto(live_server.url + "/enquiries/no-such-page/")
    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("nav .navbar-brand").count() == 1
