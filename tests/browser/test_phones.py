"""On a phone: every main page reflows at 320 px, the header is one row with a menu
that works with and without JavaScript, in both directions and colour schemes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Literal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.factories.browser import sign_in_as

pytestmark = pytest.mark.browser

Scheme = Literal["light", "dark"]
NARROWEST = 320
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
CHALLENGE = "/challenges/food-waste-in-school-canteens"
IDEA = "/ideas/1/let-children-choose-their-portion-size"
# Each main page, by who sees it: the challenge page in each of its five phases.
PAGES: dict[str | None, list[str]] = {
    None: [
        "/",
        CHALLENGE,  # ideas
        "/challenges/warmer-homes-this-winter",  # review
        "/challenges/welcoming-newcomers",  # teams
        "/challenges/cleaner-air-at-the-market",  # closed
        IDEA,
        "/ideas/1/history",
        "/ideas/5/lineage",
        f"{CHALLENGE}/results",
        f"{CHALLENGE}/results?by=pairwise",
        "/search?q=portion",
        "/sign-in",
        "/people/3",
        "/challenges/welcoming-newcomers/teams",
        "/challenges/cleaner-air-at-the-market/impact",
        "/no-such-page",
    ],
    "Priya Natarajan": [
        f"{CHALLENGE}/ideas/new",
        f"{CHALLENGE}/ideas/new?builds_on=2&builds_on=3",
        "/ideas/1/edit",
        f"{CHALLENGE}/compare",
        "/notifications",
        "/settings",
        "/teams/requests",
        "/challenges/welcoming-newcomers/looking",
        "/challenges/welcoming-newcomers/preferences",
    ],
    "Ada Okafor": ["/admin/people", "/admin/audit", "/admin/moderation"],
    "Hamid Rahimi": [
        "/challenges/safer-walks-to-school",  # draft
        "/challenges/new",
        "/challenges/safer-walks-to-school/edit",
        "/challenges/safer-walks-to-school/hosts",
        "/challenges/safer-walks-to-school/translations",
        "/hosting",
        "/challenges/warmer-homes-this-winter/shortlist",
        "/challenges/warmer-homes-this-winter/dashboard",
        "/challenges/warmer-homes-this-winter/moderation",
        "/challenges/warmer-homes-this-winter/jury/setup",
        "/challenges/warmer-homes-this-winter/results",
        "/challenges/cleaner-air-at-the-market/winners",
    ],
    "Kwame Mensah": [
        "/challenges/warmer-homes-this-winter/jury",
        "/challenges/warmer-homes-this-winter/jury/ideas/8",
    ],
}

# Elements reaching past the screen's edge that no scrollable region of their own holds.
STRAYS = """(width) => {
  const strays = [];
  for (const element of document.body.querySelectorAll('*')) {
    if (element.closest('[role=region][tabindex="0"]')) continue;
    if (element.closest('.visually-hidden, [hidden]')) continue;
    const box = element.getBoundingClientRect();
    if (box.width && box.right > width + 1) strays.push(element.outerHTML.slice(0, 80));
  }
  return strays.slice(0, 5);
}"""
# Every scrollable region has a name, from an element that is there.
UNNAMED_REGIONS = """() => [...document.querySelectorAll('[role=region][tabindex="0"]')]
  .filter(region => !(document.getElementById(region.getAttribute('aria-labelledby') || '')
                      || region.getAttribute('aria-label')))
  .map(region => region.outerHTML.slice(0, 80))"""


@pytest.fixture
def phone(browser: Browser, base_url: str) -> Iterator[Callable[..., Page]]:
    contexts: list[BrowserContext] = []

    def make(width: int = NARROWEST, *, javascript: bool = True, scheme: Scheme = "light") -> Page:
        context = browser.new_context(
            base_url=base_url,
            viewport={"width": width, "height": 640},
            java_script_enabled=javascript,
            color_scheme=scheme,
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("person", list(PAGES), ids=lambda person: person or "visitor")
def test_every_main_page_reflows_at_320_px(phone: Callable[..., Page], person: str | None) -> None:
    page = phone()
    if person is not None:
        sign_in_as(page, person)
    for path in PAGES[person]:
        response = page.goto(path)
        assert response is not None, path
        assert response.status in (200, 404), path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= NARROWEST, f"{path} is {width} px wide at {NARROWEST} px"
        assert page.evaluate(STRAYS, NARROWEST) == [], path
        assert page.evaluate(UNNAMED_REGIONS) == [], path


def test_a_wide_table_scrolls_in_its_own_named_region(phone: Callable[..., Page]) -> None:
    page = phone()
    sign_in_as(page, "Ada Okafor")
    page.goto("/admin/people")
    region = page.get_by_role("region", name="People, their roles and status")
    expect(region).to_have_attribute("tabindex", "0")
    assert region.evaluate("element => element.scrollWidth > element.clientWidth")
    region.focus()
    page.keyboard.press("ArrowRight")
    expect(region).not_to_have_js_property("scrollLeft", 0)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without"])
def test_on_a_phone_the_header_is_one_row_and_a_menu_opens_the_rest(
    phone: Callable[..., Page], javascript: bool
) -> None:
    page = phone(375, javascript=javascript)
    sign_in_as(page, "Priya Natarajan")
    page.goto(CHALLENGE)
    header = page.locator(".site-header")
    assert (header.bounding_box() or {"height": 999})["height"] <= 72
    settings = page.get_by_role("link", name="Settings")
    expect(settings).to_be_hidden()
    expect(page.get_by_role("searchbox", name="Search challenges and ideas")).to_be_hidden()

    toggle = page.locator("summary.site-menu__toggle")
    expect(toggle).to_have_text("Menu")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.locator("details.site-menu")).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(page.get_by_role("searchbox", name="Search challenges and ideas")).to_be_focused()
    expect(settings).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    settings.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")

    page.goto(CHALLENGE)
    page.locator("summary.site-menu__toggle").click()
    expect(page.locator("details.site-menu")).to_have_attribute("open", "")
    page.locator("summary.site-menu__toggle").click()
    expect(page.locator("details.site-menu")).not_to_have_attribute("open", "")
    expect(settings).to_be_hidden()


def test_on_a_wide_screen_the_menu_is_open_in_the_header_row(phone: Callable[..., Page]) -> None:
    page = phone(1280)
    sign_in_as(page, "Hamid Rahimi")
    page.goto("/")
    expect(page.locator("summary.site-menu__toggle")).to_be_hidden()
    expect(page.get_by_role("link", name="Settings")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search challenges and ideas")).to_be_visible()
    assert (page.locator(".site-header").bounding_box() or {"height": 999})["height"] <= 72


def test_the_menu_toggle_sits_at_the_end_of_the_line_in_right_to_left_pages(
    phone: Callable[..., Page],
) -> None:
    page = phone(375)
    page.goto("/language/ar?next=/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    brand = page.locator(".site-header .brand").bounding_box()
    toggle = page.locator("summary.site-menu__toggle").bounding_box()
    assert brand is not None
    assert toggle is not None
    assert toggle["x"] + toggle["width"] < brand["x"], "the toggle is on the left in Arabic"
    page.locator("summary.site-menu__toggle").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_open_menu_has_no_accessibility_violations(
    phone: Callable[..., Page], scheme: Scheme
) -> None:
    page = phone(375, scheme=scheme)
    sign_in_as(page, "Ada Okafor")
    page.goto(CHALLENGE)
    page.locator("summary.site-menu__toggle").click()
    expect(page.get_by_role("link", name="Admin", exact=True)).to_be_visible()
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    page.goto("/admin/audit")
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
