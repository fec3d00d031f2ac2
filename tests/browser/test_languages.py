"""The main journey in Spanish and in Arabic (right to left): axe finds nothing in
either colour scheme, and nothing sticks out sideways at 320 px; the language
switch works without JavaScript, for visitors and for people signed in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.factories.browser import sign_in_as

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
CHALLENGE = "/challenges/food-waste-in-school-canteens"
IDEA = "/ideas/1/let-children-choose-their-portion-size"
DIRECTION = {"es": "ltr", "ar": "rtl"}
HEADINGS = {"es": "Retos", "ar": "التحديات"}
POST = {"es": "Publicar la idea", "ar": "انشر الفكرة"}


@pytest.fixture(params=[("es", "light"), ("es", "dark"), ("ar", "light"), ("ar", "dark")])
def speaking(
    browser: Browser, base_url: str, request: pytest.FixtureRequest
) -> Iterator[tuple[str, BrowserContext]]:
    locale, scheme = request.param
    context = browser.new_context(
        base_url=base_url,
        color_scheme=scheme,
        locale=locale,
        extra_http_headers={"Accept-Language": locale},
    )
    yield locale, context
    context.close()


def assert_no_violations(page: Page, label: str) -> None:
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{label}:\n{results.generate_report()}"


def assert_fits(page: Page, label: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{label} is {overflow}px too wide"


def test_the_main_journey_in_spanish_and_arabic(speaking: tuple[str, BrowserContext]) -> None:
    locale, context = speaking
    page = context.new_page()
    page.goto("/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", locale)
    expect(html).to_have_attribute("dir", DIRECTION[locale])
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADINGS[locale])
    for path in ["/", CHALLENGE, IDEA, f"{CHALLENGE}/results", "/sign-in"]:
        page.goto(path)
        assert_no_violations(page, f"{locale} {path}")
    sign_in_as(page, "Priya Natarajan")
    for path in [f"{CHALLENGE}/compare", "/notifications", "/settings"]:
        page.goto(path)
        assert_no_violations(page, f"{locale} {path}, signed in")
    page.goto(f"{CHALLENGE}/ideas/new")
    page.get_by_role("button", name=POST[locale]).click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_violations(page, f"{locale} post an idea, with errors")


@pytest.mark.parametrize("locale", ["es", "ar"])
def test_nothing_sticks_out_sideways_at_320_px(
    browser: Browser, base_url: str, locale: str
) -> None:
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 320, "height": 800},
        extra_http_headers={"Accept-Language": locale},
    )
    page = context.new_page()
    for path in ["/", CHALLENGE, IDEA, f"{CHALLENGE}/results", "/sign-in"]:
        page.goto(path)
        assert_fits(page, f"{locale} {path}")
    sign_in_as(page, "Priya Natarajan")
    for path in ["/settings", f"{CHALLENGE}/ideas/new", "/notifications"]:
        page.goto(path)
        assert_fits(page, f"{locale} {path}, signed in")
    context.close()


def test_a_visitor_switches_language_without_javascript(browser: Browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    page.goto(CHALLENGE)
    switch = page.get_by_role("navigation", name="Language")

    switch.get_by_role("link", name="Español").click()

    expect(page).to_have_url(f"{base_url}{CHALLENGE}")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Retos")
    page.get_by_role("navigation", name="Idioma").get_by_role("link", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    context.close()


def test_a_person_switches_language_without_javascript_and_keeps_it(
    browser: Browser, base_url: str
) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    sign_in_as(page, "Mei Lin")
    page.goto("/notifications")

    page.get_by_role("navigation", name="Language").get_by_role("button", name="Français").click()

    expect(page).to_have_url(f"{base_url}/notifications")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    # Saved with the account: another browser of theirs speaks French too.
    other = browser.new_context(base_url=base_url, java_script_enabled=False)
    second = other.new_page()
    sign_in_as(second, "Mei Lin")
    expect(second.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("navigation", name="Langue").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    other.close()
    context.close()
