"""The public home page: in French by default, in English on request, styled by the portal's own Bootstrap."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from partners.choices import PartnershipKind

pytestmark = pytest.mark.django_db

ENGLISH_KINDS_TITLE = "What OPALE offers companies"
FRENCH_KINDS_TITLE = "Ce qu’OPALE propose aux entreprises"


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.text).group(1)


def test_french_is_the_default_language():
    response = Client().get("/")
    assert response.status_code == 200
    assert html_lang(response) == "fr"
    assert response["Content-Language"] == "fr"


def test_a_french_browser_gets_french():
    response = Client(headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}).get("/")
    assert html_lang(response) == "fr"


def test_the_french_page_is_translated():
    response = Client(headers={"Accept-Language": "fr"}).get("/")
    assert FRENCH_KINDS_TITLE in response.text
    assert ENGLISH_KINDS_TITLE not in response.text


def test_an_english_browser_gets_english():
    response = Client(headers={"Accept-Language": "en-GB,en;q=0.9"}).get("/")
    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert ENGLISH_KINDS_TITLE in response.text
    for kind in PartnershipKind:
        assert escape(str(kind.label)) in response.text


def test_the_language_switch_offers_both_languages():
    response = Client().get("/")
    form = re.search(r'<form action="([^"]+)" method="post"[^>]*opale-lang.*?</form>', response.text, re.S)
    assert form is not None
    assert form.group(1) == reverse("set_language")
    assert re.search(r'name="language" value="fr"[^>]*>\s*FR\s*<', form.group(0))
    assert re.search(r'name="language" value="en"[^>]*>\s*EN\s*<', form.group(0))
    assert 'name="next" type="hidden" value="/"' in form.group(0)


def test_switching_to_english_sticks_for_the_next_pages():
    browser = Client()  # a French visitor
    response = browser.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.url == "/"

    page = browser.get("/")
    assert html_lang(page) == "en"
    assert ENGLISH_KINDS_TITLE in page.text

    browser.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert html_lang(browser.get("/")) == "fr"


def test_bootstrap_is_one_of_the_portals_own_static_files():
    assert finders.find("bootstrap/css/bootstrap.min.css")
    assert finders.find("bootstrap/js/bootstrap.bundle.min.js")


def test_the_page_loads_styles_and_scripts_from_the_portal_only():
    response = Client().get("/")
    assets = re.findall(r'<(?:link|script)[^>]+(?:href|src)="([^"]+)"', response.text)
    assert "/static/bootstrap/css/bootstrap.min.css" in assets
    assert "/static/bootstrap/js/bootstrap.bundle.min.js" in assets
    assert all(url.startswith("/static/") for url in assets), assets


def test_the_portal_serves_bootstrap_itself(settings):
    # In production WhiteNoise serves collected files; here it reads them through the finders, as in development.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/bootstrap/css/bootstrap.min.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert b"Bootstrap" in b"".join(response.streaming_content)[:500]
