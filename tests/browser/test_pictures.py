"""Pictures where people look: covers on challenge cards, pictures on idea cards and
avatars beside names, each loaded; the pages stay free of axe violations in both
colour schemes; the link of a page without a picture shares a card that answers."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from tests.factories.browser import serving, sign_in_as, site_environ
from tests.factories.pictures import picture_bytes
from tests.support.ports import free_port

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
# What the demo would call once it has made its data (ideas.media.demo_pictures).
ADD_PICTURES = """
from ideas.cli import _settings, _with_database
from ideas.media.demo_pictures import add_demo_pictures
print(_with_database(_settings(), add_demo_pictures))
"""
SETTINGS = {"IDEAS_ENV": "development", "IDEAS_RATE_LIMITS": "false"}


@pytest.fixture(scope="module")
def pictured_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo, with its pictures, served by a site of its own."""
    folder: Path = tmp_path_factory.mktemp("pictures")
    with serving(folder, free_port(), demo=True, **SETTINGS) as url:
        subprocess.run(
            [sys.executable, "-c", ADD_PICTURES],
            env=site_environ(folder, **SETTINGS),
            cwd=folder,
            check=True,
            capture_output=True,
        )
        yield url


@pytest.fixture(params=["light", "dark"])
def scheme_context(
    browser: Browser, pictured_site: str, request: pytest.FixtureRequest
) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=pictured_site, color_scheme=request.param)
    yield context
    context.close()


def assert_no_violations(page: Page, label: str) -> None:
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{label}:\n{results.generate_report()}"


def assert_loaded(page: Page, selector: str) -> int:
    """Every picture ``selector`` finds is shown (scrolled to, as they load lazily)."""
    images = page.locator(selector)
    count = images.count()
    assert count > 0, selector
    for n in range(count):
        image = images.nth(n)
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0, selector
    return count


def test_cards_show_their_pictures_and_pages_stay_accessible(
    scheme_context: BrowserContext,
) -> None:
    page = scheme_context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"} and not re.search(r"favicon", message.text):
            problems.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.goto("/")
    assert_loaded(page, ".challenge-card img.card__cover")
    assert_no_violations(page, "home, with covers")

    challenge = page.locator(".challenge-card--cover .card__title a").first.get_attribute("href")
    assert challenge is not None
    page.goto(challenge)
    assert_loaded(page, ".challenge__head img.cover")
    assert_loaded(page, ".idea-card img.card__picture")
    assert_loaded(page, ".idea-card img.avatar")
    assert_no_violations(page, "challenge, with pictures")

    idea = page.locator(".idea-card--picture .card__title a").first.get_attribute("href")
    assert idea is not None
    page.goto(idea)
    assert_loaded(page, "img.idea__image")
    assert_no_violations(page, "idea, with its picture")

    plain = page.locator(".idea-card:not(.idea-card--picture) .card__title a")
    if plain.count():
        page.goto(challenge)
        href = plain.first.get_attribute("href")
        assert href is not None
        page.goto(href)
        shared = page.locator('meta[property="og:image"]').get_attribute("content")
        assert shared is not None
        assert shared.endswith("/card.png")
        card = page.request.get(shared)
        assert (card.status, card.headers["content-type"]) == (200, "image/png")
    assert problems == []


def test_a_person_uploads_their_picture_and_sees_it(
    scheme_context: BrowserContext, tmp_path: Path
) -> None:
    upload = tmp_path / "me.png"
    upload.write_bytes(picture_bytes((400, 300)))
    page = scheme_context.new_page()
    sign_in_as(page, "Priya Natarajan")
    page.goto("/settings")
    assert_no_violations(page, "settings, picture form")

    page.locator("#f-picture").set_input_files(str(upload))
    page.get_by_role("button", name="Save the picture").click()

    expect(page.locator(".notice--done")).to_contain_text("Your picture is saved.")
    assert_loaded(page, ".site-header .who img.avatar")
    assert_loaded(page, "#picture-form img.avatar")
    assert_no_violations(page, "settings, with a picture")
