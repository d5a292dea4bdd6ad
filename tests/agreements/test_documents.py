"""Draft PDFs (issue 5, "Drafts as PDFs"): both kinds in both languages read back with pypdf, the watermark, the
renderer that reads nothing but the portal's static files whatever the user typed, one render per unchanged
text, the failed path and its retry, downloads by role, and the comparison of two versions."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from agreements import documents, drafts, services, tasks
from agreements.models import Agreement, DraftDownload, DraftVersion, Signature
from partners.roles import LEGAL_STAFF

from ..factories import (
    GovernanceFactory,
    GoverningBodyFactory,
    UserFactory,
    contract,
    contracting_enquiry,
    fill_terms,
    nda,
    routed_enquiry,
    terms_data,
)

pytestmark = pytest.mark.django_db

V = DraftVersion.Status
PURPOSE = "Evaluating the anti-CD123 antibody of Leukos on primary AML samples of the unit's biobank."
WORK_PLAN = "Task 1: screen 40 primary AML samples. Task 2: define a biomarker of response to the antibody."


def text_of(pdf: bytes) -> str:
    """The PDF's text as pypdf reads it, whitespace collapsed (lines break anywhere in a paragraph)."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def co_owner(entity):
    body = GoverningBodyFactory(
        name="Institut national de la santé et de la recherche médicale",
        short_name="Inserm",
        signatory_name="Pascale Augé",
        signatory_title="Présidente d'Inserm Transfert",
        signatory_delegation="DS-2026-117",
    )
    GovernanceFactory(entity=entity, body=body)
    return body


@pytest.fixture
def people(central_user, legal_officer, governing_body, co_owner, company_member, other_company_member, entity_contact):
    governing_body.signatory_name = "Pr Édouard Kaminski"
    governing_body.signatory_title = "Président de l'université"
    governing_body.address = "85 boulevard Saint-Germain\n75006 Paris"
    governing_body.save()
    co_owner_legal = UserFactory(username="diane.drci", is_staff=True, groups=[LEGAL_STAFF])
    co_owner.legal_staff.add(co_owner_legal)
    unrelated_legal = UserFactory(username="ugo.unrelated", is_staff=True, groups=[LEGAL_STAFF])
    GoverningBodyFactory(legal_staff=[unrelated_legal])
    company_member.first_name, company_member.last_name = "Chloé", "Bernard"
    company_member.save()
    return {
        "central": central_user,
        "lead_legal": legal_officer,
        "co_owner_legal": co_owner_legal,
        "unrelated_legal": unrelated_legal,
        "entity_contact": entity_contact,
        "company": company_member,
        "other_company": other_company_member,
    }


@pytest.fixture
def make(people, entity, company):
    """``make("nda")`` or ``make("research_collaboration")``: a contract with complete terms, asked for by the
    central team, in ``language``."""
    central = people["central"]

    def build(kind: str, language: str = "fr", **terms) -> Agreement:
        if kind == "nda":
            enquiry = routed_enquiry(company=company, entities=[entity], actor=central, title="CD123 antibody")
            agreement = nda(enquiry=enquiry, entity=entity, actor=central, language=language)
            return fill_terms(agreement, actor=central, **{"purpose": PURPOSE, **terms})
        enquiry = contracting_enquiry(company=company, entity=entity, actor=central, title="CD123 antibody")
        agreement = contract(enquiry=enquiry, entity=entity, actor=central, language=language)
        return fill_terms(agreement, actor=central, **{"work_plan": WORK_PLAN, **terms})

    return build


def rendered_text(agreement: Agreement, language: str | None = None, final: bool = False) -> str:
    html = documents.build_html(agreement, language or agreement.language, final)
    return text_of(documents.render_pdf(html))


# ---- what the PDF says --------------------------------------------------------------------------------------------
PARTIES = ["Leukos Therapeutics SAS", "Université Paris Cité", "Institut national de la santé et de la recherche"]
SIGNATORIES = ["Chloé Bernard", "Pr Édouard Kaminski", "Pascale Augé", "DS-2026-117"]
FRENCH = {
    "nda": ["Accord de confidentialité", "ENTRE", "Obligations de confidentialité", "Absence de licence"],
    "research_collaboration": [
        "Contrat de collaboration de recherche",
        "ENTRE",
        "Propriété des résultats",
        "obligation de moyens et non de résultat",
    ],
}
# Words of the English text only (the French annex's labels come from the terms forms, through gettext).
ENGLISH = {
    "nda": ["Confidentiality agreement", "BETWEEN", "Confidentiality obligations", "No licence"],
    "research_collaboration": [
        "Research collaboration agreement",
        "BETWEEN",
        "Exploitation of the results",
        "obligation of means, not of result",
    ],
}
TERMS = {
    "nda": [PURPOSE, "24 mois", "5 ans après la fin", "15 jours"],
    "research_collaboration": [WORK_PLAN, "120 000,00", "coût complet majoré d’une marge", "24 mois", "30 jours"],
}


@pytest.mark.parametrize("kind", ["nda", "research_collaboration"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_kind_prints_its_parties_signatories_terms_and_language(kind, language, make):
    text = rendered_text(make(kind, language))

    for expected in [*PARTIES, *SIGNATORIES, *TERMS[kind], *FRENCH[kind]]:
        assert expected.replace("\u202f", " ") in text.replace("\u202f", " ").replace("\xa0", " ")
    assert "Article 1" in text and "Article 8" in text
    if language == "en":
        for expected in ENGLISH[kind]:
            assert expected in text
        assert "the French version prevails" in text
    else:
        for english in ENGLISH[kind]:
            assert english not in text


def test_the_co_owner_under_mandate_is_represented_by_the_lead(make, co_owner, entity):
    entity.governances.filter(body=co_owner).update(lead_signs_for_it=True)
    agreement = make("nda")

    text = rendered_text(agreement)

    assert "représenté aux fins des présentes par Université Paris Cité, en vertu d’un mandat" in text
    assert "en son nom et pour le compte de : Institut national de la santé" in text
    assert "Pascale Augé" not in text  # its own signatory signs nothing here


def test_a_term_not_entered_yet_shows_as_a_blank_and_an_unknown_key_is_still_printed(make):
    agreement = make("nda")
    agreement.terms = {**agreement.terms, "purpose": "", "exotic_clause": "Sample shipping by courier"}

    text = rendered_text(agreement)

    assert "dans le seul but suivant : [à compléter]" in text
    assert "Exotic clause Sample shipping by courier" in text


@pytest.mark.parametrize("kind", ["nda", "research_collaboration"])
def test_a_draft_carries_the_watermark_and_a_final_version_none(kind, make):
    agreement = make(kind, "en")

    draft, final = rendered_text(agreement, final=False), rendered_text(agreement, final=True)

    assert "PROJET" in draft and "DRAFT" in draft and "NE PAS SIGNER" in draft
    assert "PROJET" not in final and "DRAFT" not in final and "NE PAS SIGNER" not in final


def test_the_footer_gives_reference_version_date_and_pages(make, people):
    agreement = make("nda")
    version = DraftVersion.objects.create(
        agreement=agreement, number=7, language="fr", content_hash="ab12" * 16, template_name="x", is_final=False
    )

    reader = PdfReader(io.BytesIO(documents.render_pdf(documents.build_html(agreement, "fr", False, version=version))))

    pages = len(reader.pages)
    last = " ".join(reader.pages[-1].extract_text().split())
    assert f"{agreement.reference} · version 7 · " in last
    assert "empreinte ab12ab12ab12ab12" in last
    assert f"Page {pages} / {pages}" in last
    day = timezone.localdate(version.created_at)
    assert f"{day.day} " in last and str(day.year) in last


def test_the_final_version_prints_each_recorded_signature(make, people):
    agreement = make("nda")
    signed = DraftVersion.objects.create(
        agreement=agreement, number=1, language="fr", content_hash="0" * 64, template_name="x", status=V.READY
    )
    Signature.objects.create(
        agreement=agreement,
        party=agreement.parties.get(role="company"),
        version=signed,
        signed_by=people["company"],
        signer_name="Chloé Bernard",
        signer_title="Directrice générale",
        consent=True,
        pdf_sha256="c0ffee" * 10 + "abcd",
        ip_address="192.0.2.10",
    )

    final, draft = rendered_text(agreement, final=True), rendered_text(agreement, final=False)

    assert "Journal des signatures" in final
    assert "Signé électroniquement par Chloé Bernard, Directrice générale" in final
    assert "c0ffee" * 10 + "abcd" in final.replace(" ", "") and "IP 192.0.2.10" in final
    assert "Journal des signatures" not in draft


# ---- the renderer reads the portal's static files and nothing else -------------------------------------------
class RecordingFetcher(documents.StaticOnlyFetcher):
    """The portal's fetcher, noting each URL it is asked for and whether it served it."""

    def __init__(self):
        super().__init__()
        self.asked: list[tuple[str, bool]] = []

    def fetch(self, url, headers=None):
        try:
            response = super().fetch(url, headers)
        except documents.RefusedURL:
            self.asked.append((url, False))
            raise
        self.asked.append((url, True))
        return response


STYLESHEET_URL = f"{documents.PDF_BASE_URL}static/css/print.css"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///work/main/static/css/print.css",
        "http://127.0.0.1:6379/",
        "https://example.org/static/css/print.css",
        "data:text/css,body%7Bcolor:red%7D",
        f"{documents.PDF_BASE_URL}media/drafts/1/1-v1-fr.pdf",
        f"{documents.PDF_BASE_URL}etc/passwd",
        f"{documents.PDF_BASE_URL}static/../opale_portal/settings.py",
        f"{documents.PDF_BASE_URL}static/%2e%2e/opale_portal/settings.py",
        f"{documents.PDF_BASE_URL}static/css/print.css?v=1",
        f"{documents.PDF_BASE_URL}static/admin/css/base.css",  # Django's own: found, but not the portal's
        f"{documents.PDF_BASE_URL}static/css/nothing-here.css",
        "https://portal.invalid.example.org/static/css/print.css",
    ],
)
def test_the_fetcher_refuses_anything_but_the_portals_static_files(url):
    with pytest.raises(documents.RefusedURL):
        documents.StaticOnlyFetcher().fetch(url)


def test_the_fetcher_serves_the_print_stylesheet():
    response = documents.StaticOnlyFetcher().fetch(STYLESHEET_URL)

    assert response.read() == (Path(settings.BASE_DIR) / "static/css/print.css").read_bytes()
    assert response.content_type == "text/css"


def test_urls_in_the_html_itself_are_asked_for_and_refused(monkeypatch):
    """Even markup that did reach the renderer (none from users does: see below) reads nothing: the fetcher is
    asked and refuses, the page renders without the resource."""
    fetcher = RecordingFetcher()
    html = (
        '<link rel="stylesheet" href="/static/css/print.css">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/evil.css">'
        "<style>@import url(file:///etc/hosts); p { background: url(data:image/png;base64,iVBORw0KGgo=) }</style>"
        '<p>Text</p><img src="file:///etc/passwd"><img src="/media/secret.png">'
    )

    rendered = documents.render(html, url_fetcher=fetcher)

    asked = dict(fetcher.asked)
    assert asked == {
        STYLESHEET_URL: True,
        "http://127.0.0.1:9/evil.css": False,
        "file:///etc/hosts": False,
        "data:image/png;base64,iVBORw0KGgo=": False,
        "file:///etc/passwd": False,
        f"{documents.PDF_BASE_URL}media/secret.png": False,
    }
    assert "root:" not in text_of(rendered.pdf)


PAYLOADS = [
    '<img src="file:///etc/passwd">',
    '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
    "<style>p { background: url(file:///etc/passwd) }</style>",
    '<p style="background: url(http://127.0.0.1:9/x.png)">',
    "<img src=data:image/png;base64,iVBORw0KGgo=>",
]


def test_user_text_with_urls_prints_as_text_and_fetches_nothing(make, company):
    """Whatever a user types (terms, the enquiry's title, the company's name) is escaped by the templates: the
    markup prints literally and the renderer is asked for the print stylesheet only."""
    payload = " ".join(PAYLOADS)
    agreement = make("nda", "en", purpose=f"Evaluating samples. {payload}")
    company.legal_name = 'Leukos <img src="file:///etc/passwd"> SAS'
    company.save()
    agreement.enquiry.title = "Project url(file:///etc/passwd) <style>@import 'http://127.0.0.1:9/a.css';</style>"
    agreement.enquiry.save()
    agreement.refresh_from_db()
    fetcher = RecordingFetcher()

    html = documents.build_html(agreement, "en", False)
    text = text_of(documents.render(html, url_fetcher=fetcher).pdf)

    assert fetcher.asked == [(STYLESHEET_URL, True)]
    printed = "".join(text.split())  # a long URL breaks across lines anywhere
    for markup in [*PAYLOADS, 'Leukos <img src="file:///etc/passwd"> SAS', agreement.enquiry.title]:
        assert markup not in html  # escaped: never markup
        assert "".join(markup.split()) in printed


# ---- one render per unchanged text -------------------------------------------------------------------------------
@pytest.fixture
def renders(monkeypatch):
    """How many times WeasyPrint rendered a draft (through agreements.documents.render)."""
    calls = []
    real = documents.render

    def counting(html, **kwargs):
        calls.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(documents, "render", counting)
    return calls


def ask(agreement, actor, capture, **kwargs) -> DraftVersion:
    with capture(execute=True):
        version = drafts.draft_request(agreement=agreement, actor=actor, **kwargs)
    version.refresh_from_db()
    return version


def test_an_unchanged_draft_asked_twice_renders_once(make, people, renders, django_capture_on_commit_callbacks):
    agreement = make("research_collaboration")

    first = ask(agreement, people["lead_legal"], django_capture_on_commit_callbacks)
    second = ask(agreement, people["central"], django_capture_on_commit_callbacks)

    assert len(renders) == 1
    assert second.pk == first.pk and second.number == 1 and DraftVersion.objects.count() == 1
    assert first.status == V.READY and first.requested_by == people["lead_legal"]


def test_a_second_ask_while_the_first_is_still_rendering_waits_for_it(make, people, renders):
    agreement = make("nda")

    first = drafts.draft_request(agreement=agreement, actor=people["lead_legal"])  # its task never ran
    second = drafts.draft_request(agreement=agreement, actor=people["lead_legal"])

    assert second.pk == first.pk and second.reused and not first.reused
    assert renders == []


def test_each_change_of_what_is_printed_makes_a_new_version(
    make, people, renders, governing_body, django_capture_on_commit_callbacks
):
    agreement = make("nda")
    legal = people["lead_legal"]
    v1 = ask(agreement, legal, django_capture_on_commit_callbacks)

    services.agreement_save_terms(agreement=agreement, actor=legal, data=terms_data(agreement, survival_years=7))
    v2 = ask(agreement, legal, django_capture_on_commit_callbacks)
    governing_body.signatory_name = "Pr Anne Nouvelle"
    governing_body.save()
    v3 = ask(agreement, legal, django_capture_on_commit_callbacks)
    v4 = ask(agreement, legal, django_capture_on_commit_callbacks, language="en")
    governing_body.signatory_name = "Pr Édouard Kaminski"
    governing_body.save()
    services.agreement_save_terms(agreement=agreement, actor=legal, data=terms_data(agreement, purpose=PURPOSE))
    back_to_v1 = ask(agreement, legal, django_capture_on_commit_callbacks)

    assert [v.number for v in (v1, v2, v3, v4)] == [1, 2, 3, 4]
    assert len({v.content_hash for v in (v1, v2, v3, v4)}) == 4
    assert back_to_v1.pk == v1.pk  # the same text again: the version that has it
    assert len(renders) == 4
    assert "Pr Anne Nouvelle" in text_of(v3.pdf.read())
    assert v2.terms["survival_years"] == 7 and v1.terms["survival_years"] == 5


def test_the_same_text_has_the_same_hash_whatever_the_readers_language(make, company):
    from django.utils import translation

    company.country = "DE"
    company.save()
    agreement = make("research_collaboration", "en")
    with translation.override("fr"):
        in_french = documents.content_hash(agreement, "en", False)
    with translation.override("en"):
        in_english = documents.content_hash(agreement, "en", False)

    assert in_french == in_english
    assert "société (Allemagne)" in rendered_text(agreement)


def test_a_version_stores_its_pdf_sha256_and_pages(make, people, django_capture_on_commit_callbacks):
    import hashlib

    version = ask(make("research_collaboration"), people["lead_legal"], django_capture_on_commit_callbacks)

    content = version.pdf.read()
    assert content.startswith(b"%PDF-")
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert version.pages == len(PdfReader(io.BytesIO(content)).pages) >= 6
    assert version.rendered_at is not None and version.error == ""
    assert version.template_name == "agreements/pdf/research_collaboration_fr.html"


def test_the_task_run_twice_leaves_the_ready_version_as_it_is(make, people, django_capture_on_commit_callbacks):
    version = ask(make("nda"), people["lead_legal"], django_capture_on_commit_callbacks)

    assert tasks.render_draft.apply(args=[version.pk]).get() == "skipped"
    assert tasks.render_draft.apply(args=[987654]).get() == "skipped"  # a version since deleted

    again = DraftVersion.objects.get(pk=version.pk)
    assert (again.sha256, again.pdf.name, again.status) == (version.sha256, version.pdf.name, V.READY)


def test_the_task_renders_the_terms_it_was_asked_with(make, people, django_capture_on_commit_callbacks):
    agreement = make("nda")
    version = drafts.draft_request(agreement=agreement, actor=people["lead_legal"])
    services.agreement_save_terms(
        agreement=agreement, actor=people["lead_legal"], data=terms_data(agreement, survival_years=9)
    )

    tasks.render_draft.apply(args=[version.pk])

    version.refresh_from_db()
    assert "survivent pendant 5 ans" in text_of(version.pdf.read())


@pytest.mark.parametrize("who", ["company", "co_owner_legal", "entity_contact", "unrelated_legal"])
def test_only_the_lead_legal_staff_and_the_central_team_make_versions(who, make, people):
    with pytest.raises(PermissionDenied):
        drafts.draft_request(agreement=make("nda"), actor=people[who])
    assert DraftVersion.objects.count() == 0


def test_the_last_signature_asks_for_the_final_version_as_the_portal(make, people, django_capture_on_commit_callbacks):
    agreement = make("nda")

    version = ask(agreement, None, django_capture_on_commit_callbacks, final=True)

    assert version.is_final and version.requested_by is None and version.status == V.READY
    assert "PROJET" not in text_of(version.pdf.read())


def test_a_contract_once_in_force_gets_final_versions(make, people, django_capture_on_commit_callbacks):
    agreement = make("nda")
    Agreement.objects.filter(pk=agreement.pk).update(in_force_at=timezone.now())

    version = ask(agreement, people["lead_legal"], django_capture_on_commit_callbacks)

    assert version.is_final


# ---- the failed path, and trying again ------------------------------------------------------------------------
def broken_templates(tmp_path: Path):
    """Template settings whose NDA template (found first) has a syntax error."""
    folder = tmp_path / "agreements" / "pdf"
    folder.mkdir(parents=True)
    (folder / "nda_fr.html").write_text('{% extends "agreements/pdf/base.html" %}{% block articles_fr %}{% if %}')
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    return override_settings(TEMPLATES=templates)


def test_a_template_error_fails_the_version_with_its_error_and_a_retry_makes_it(
    make, people, tmp_path, django_capture_on_commit_callbacks
):
    agreement = make("nda")
    with broken_templates(tmp_path):
        version = ask(agreement, people["lead_legal"], django_capture_on_commit_callbacks)

    assert version.status == V.FAILED and not version.pdf and version.sha256 == ""
    assert version.error.startswith("TemplateSyntaxError:")
    assert drafts.is_retryable(version)

    with django_capture_on_commit_callbacks(execute=True):
        drafts.draft_retry(version=version, actor=people["lead_legal"])

    version.refresh_from_db()
    assert (version.status, version.error, version.number) == (V.READY, "", 1)
    assert PURPOSE in text_of(version.pdf.read())


def test_a_failed_version_is_no_cache_a_new_ask_makes_a_new_one(
    make, people, tmp_path, django_capture_on_commit_callbacks
):
    agreement = make("nda")
    with broken_templates(tmp_path):
        failed = ask(agreement, people["lead_legal"], django_capture_on_commit_callbacks)
        again = ask(agreement, people["lead_legal"], django_capture_on_commit_callbacks)

    assert failed.status == again.status == V.FAILED and again.number == 2


def test_only_a_failed_or_lost_version_can_be_tried_again(make, people, django_capture_on_commit_callbacks):
    from agreements.workflow import WorkflowError

    agreement = make("nda")
    ready = ask(agreement, people["lead_legal"], django_capture_on_commit_callbacks)
    with pytest.raises(WorkflowError):
        drafts.draft_retry(version=ready, actor=people["lead_legal"])

    lost = DraftVersion.objects.create(
        agreement=agreement, number=2, language="fr", content_hash="1" * 64, template_name="x", terms=agreement.terms
    )
    assert not drafts.is_retryable(lost)  # still rendering, maybe for real
    DraftVersion.objects.filter(pk=lost.pk).update(created_at=timezone.now() - drafts.STUCK_AFTER * 2)
    lost.refresh_from_db()
    assert drafts.is_retryable(lost)
    with pytest.raises(PermissionDenied):
        drafts.draft_retry(version=lost, actor=people["company"])


def test_rendering_past_the_soft_time_limit_fails_the_version(make, people, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    def too_slow(html, **kwargs):
        raise SoftTimeLimitExceeded()

    version = drafts.draft_request(agreement=make("nda"), actor=people["lead_legal"])
    monkeypatch.setattr(documents, "render", too_slow)

    assert tasks.render_draft.apply(args=[version.pk]).get() == "failed"
    version.refresh_from_db()
    assert version.error == "Rendering took longer than 60 seconds."
    assert tasks.render_draft.soft_time_limit == 60 and tasks.render_draft.time_limit == 90


# ---- the admin: versions, downloads by role, comparison -------------------------------------------------------
@pytest.fixture
def ready_version(make, people, django_capture_on_commit_callbacks):
    return ask(make("nda"), people["lead_legal"], django_capture_on_commit_callbacks)


def download_url(version: DraftVersion) -> str:
    return reverse("admin:agreements_agreement_draft_download", args=[version.agreement_id, version.number])


@pytest.mark.parametrize("who", ["central", "lead_legal", "co_owner_legal"])
def test_the_central_team_and_the_parties_legal_staff_download_and_each_download_is_logged(
    who, ready_version, people, client, caplog
):
    user = people[who]
    client.force_login(user)

    with caplog.at_level(logging.INFO, logger="agreements.drafts"):
        response = client.get(download_url(ready_version))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == ready_version.pdf.open("rb").read()
    assert f"{ready_version.agreement.reference}-v1.pdf" in response["Content-Disposition"]
    assert list(DraftDownload.objects.values_list("version", "user")) == [(ready_version.pk, user.pk)]
    assert any(user.get_username() in r.getMessage() and "draft downloaded" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("who", ["unrelated_legal", "entity_contact"])
def test_other_staff_cannot_download(who, ready_version, people, client):
    client.force_login(people[who])

    assert client.get(download_url(ready_version)).status_code == 404
    assert DraftDownload.objects.count() == 0


def test_a_version_not_ready_or_not_there_is_not_found(make, people, client):
    agreement = make("nda")
    rendering = drafts.draft_request(agreement=agreement, actor=people["lead_legal"])
    client.force_login(people["central"])

    assert client.get(download_url(rendering)).status_code == 404
    url = reverse("admin:agreements_agreement_draft_download", args=[agreement.pk, 99])
    assert client.get(url).status_code == 404


def test_the_company_reads_versions_once_the_text_went_to_it_and_another_company_never(ready_version, people):
    from agreements import workflow

    agreement = ready_version.agreement
    with pytest.raises(DraftVersion.DoesNotExist):  # still the legal staff's working draft
        drafts.draft_download(agreement=agreement, number=1, user=people["company"])

    agreement = workflow.agreement_start_drafting(agreement=agreement, actor=people["lead_legal"])
    agreement = workflow.agreement_send_to_company(agreement=agreement, actor=people["lead_legal"])

    assert drafts.draft_download(agreement=agreement, number=1, user=people["company"]) == ready_version
    for who in ("other_company", "entity_contact", "unrelated_legal"):
        with pytest.raises(DraftVersion.DoesNotExist):
            drafts.draft_download(agreement=agreement, number=1, user=people[who])
    assert DraftDownload.objects.filter(user=people["company"]).count() == 1


def test_the_contract_page_makes_a_draft_and_lists_it(make, people, client, django_capture_on_commit_callbacks):
    agreement = make("nda")
    client.force_login(people["lead_legal"])
    page = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    assert "Make a draft PDF" in client.get(page).content.decode()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            reverse("admin:agreements_agreement_draft_new", args=[agreement.pk]), {"language": "en"}, follow=True
        )
    assert "Version 1 is being made: reload the page in a moment." in response.content.decode()
    assert "Being made" in response.content.decode()
    for callback in queued:
        callback()

    html = client.get(page).content.decode()
    version = agreement.versions.get()
    assert version.status == V.READY and version.language == "en"
    assert download_url(version) in html and version.sha256 in html
    assert people["lead_legal"].get_full_name() in html  # who asked

    response = client.post(
        reverse("admin:agreements_agreement_draft_new", args=[agreement.pk]), {"language": "en"}, follow=True
    )
    assert "The text has not changed since version 1: it is that version." in response.content.decode()


def test_a_failed_version_shows_its_error_and_tries_again_from_the_page(
    make, people, client, tmp_path, django_capture_on_commit_callbacks
):
    agreement = make("nda")
    with broken_templates(tmp_path):
        version = ask(agreement, people["lead_legal"], django_capture_on_commit_callbacks)
    client.force_login(people["lead_legal"])
    page = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    retry = reverse("admin:agreements_agreement_draft_retry", args=[agreement.pk, version.number])

    html = client.get(page).content.decode()
    assert "TemplateSyntaxError" in html and retry in html and "Try again" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry, follow=True)
    assert "Version 1 is being made again." in response.content.decode()
    version.refresh_from_db()
    assert version.status == V.READY


@pytest.mark.parametrize("who", ["entity_contact", "co_owner_legal"])
def test_who_does_not_draft_sees_no_button_and_the_contact_no_versions(who, ready_version, people, client):
    client.force_login(people[who])

    html = client.get(reverse("admin:agreements_agreement_change", args=[ready_version.agreement_id])).content.decode()

    assert "Make a draft PDF" not in html
    assert ("Draft versions" in html) is (who == "co_owner_legal")
    response = client.post(
        reverse("admin:agreements_agreement_draft_new", args=[ready_version.agreement_id]), follow=True
    )
    assert DraftVersion.objects.count() == 1
    assert response.status_code == 200


def test_the_comparison_shows_the_terms_that_differ(make, people, client, django_capture_on_commit_callbacks):
    agreement = make("nda")
    legal = people["lead_legal"]
    ask(agreement, legal, django_capture_on_commit_callbacks)
    changed = "Assessing the antibody on cord blood samples of the unit, and nothing else at all."
    services.agreement_save_terms(
        agreement=agreement, actor=legal, data=terms_data(agreement, survival_years=8, purpose=changed)
    )
    ask(agreement, legal, django_capture_on_commit_callbacks)
    client.force_login(legal)

    response = client.get(
        reverse("admin:agreements_agreement_draft_compare", args=[agreement.pk]), {"before": 1, "after": 2}
    )

    assert response.status_code == 200
    rows = [(c.label, c.before, c.after) for c in response.context["changes"]]
    assert rows == [
        ("Purpose of the disclosure", PURPOSE, changed),
        ("Survival of the obligations after the end (years)", "5", "8"),
    ]
    html = response.content.decode()
    assert "Purpose of the disclosure" in html and changed in html


def test_the_comparison_names_a_term_only_one_version_has(make, people, django_capture_on_commit_callbacks):
    agreement = make("nda")
    v1 = ask(agreement, people["lead_legal"], django_capture_on_commit_callbacks)
    v2 = DraftVersion(agreement=agreement, number=2, language="en", terms={**v1.terms, "retroactive_reason": "Met"})

    changes = drafts.draft_compare(v1, v2)

    assert [(c.label, c.before, c.after) for c in changes] == [
        ("Language of the text", "French", "French and English"),
        ("Reason for a retroactive effective date", "—", "Met"),
    ]


def test_the_comparison_is_not_found_for_an_entity_contact(ready_version, people, client):
    client.force_login(people["entity_contact"])

    url = reverse("admin:agreements_agreement_draft_compare", args=[ready_version.agreement_id])

    assert client.get(url, {"before": 1, "after": 1}).status_code == 404
