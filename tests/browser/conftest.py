"""Playwright (sync API) driving the system Chromium against pytest-django's live server.

The sync API keeps an event loop running in the test's thread, and Django then refuses ORM calls from that
thread ("async context"). The browser never shares a connection with the test, so the check is lifted, but
only while a browser is open: the variable must not leak into other tests (``check --deploy`` flags it).

Fixture names avoid pytest-playwright's (``page``, ``browser``…), in case that plugin is installed too.
"""

import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser_page(monkeypatch, live_server):
    """A page of a fresh headless Chromium (French browser locale), closed after the test."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()
