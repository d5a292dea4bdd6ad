"""The home page in a real browser: it renders, switches language, and is styled by the portal's Bootstrap."""

from pathlib import Path

import pytest

# live_server needs a transactional database; saying so lets pytest-django run this test with the others
# that do, after the ones that roll back.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


def test_the_home_page_in_chromium(live_server, browser_page):
    page = browser_page
    page.goto(live_server.url + "/")

    # French by default (the context's browser locale is fr-FR, and French is the portal's default).
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "OPALE" in page.title()
    kinds = page.locator("#kinds-title")
    assert kinds.is_visible()
    assert page.locator(".opale-kind").count() == 7

    # Bootstrap's stylesheet came from the portal and applies: its rules are readable (same origin) and a
    # button has Bootstrap's padding and rounded corners rather than the browser's defaults.
    sheet = page.evaluate(
        """() => [...document.styleSheets]
            .filter(s => s.href && s.href.endsWith('/static/bootstrap/css/bootstrap.min.css'))
            .map(s => ({href: s.href, rules: s.cssRules.length}))"""
    )
    assert len(sheet) == 1
    assert sheet[0]["href"].startswith(live_server.url)
    assert sheet[0]["rules"] > 500
    radius = page.evaluate("() => getComputedStyle(document.querySelector('.btn')).borderTopLeftRadius")
    assert radius not in ("", "0px")

    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "home-fr.png"), full_page=True)

    # The EN switch: the same page comes back in English, and says so.
    with page.expect_navigation():
        page.locator("form.opale-lang button[value='en']").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert kinds.inner_text() == "What OPALE offers companies"
    assert page.locator("form.opale-lang button[value='en']").get_attribute("aria-current") == "true"
    page.screenshot(path=str(SCREENSHOTS / "home-en.png"), full_page=True)

    # And back to French; the choice is remembered for the next page.
    with page.expect_navigation():
        page.locator("form.opale-lang button[value='fr']").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
