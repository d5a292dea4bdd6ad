"""Playwright (sync API) driving the system Chromium against pytest-django's live server.

The sync API keeps an event loop running in the test's thread, and Django then refuses ORM calls from that
thread ("async context"). The browser never shares a connection with the test, so the check is lifted, but
only while a browser is open: the variable must not leak into other tests (``check --deploy`` flags it).

A live server needs a transactional database, which Django empties after each test, the rows written by migrations
(role groups, disease areas, capabilities) included: see ``pytest_runtest_teardown`` in ``tests/conftest.py``.

Fixture names avoid pytest-playwright's (``page``, ``browser``, ``context``, ``new_context``…), in case that
plugin is installed too.
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
def chromium_browser(monkeypatch, live_server):
    """A fresh headless system Chromium, closed after the test."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()
            # Database connections the test opened while the browser ran belong to that (async) context:
            # close them here, or PostgreSQL refuses to drop the test database ("being accessed by other users").
            from django.db import connections

            connections.close_all()


@pytest.fixture
def open_browser_page(chromium_browser):
    """Open a page in a new browser context (its own cookies): ``open_browser_page(locale="en-GB",
    width=390, height=844)``. The locale sets the browser's Accept-Language; contexts close after the test."""
    contexts = []

    def open_page(*, locale: str = "fr-FR", width: int = 1280, height: int = 900):
        context = chromium_browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def browser_page(open_browser_page):
    """A page of a fresh headless Chromium (French browser locale), closed after the test."""
    return open_browser_page(locale="fr-FR")
