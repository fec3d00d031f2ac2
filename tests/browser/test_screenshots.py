"""Pictures of the main pages at a phone's width and a laptop's, for the README.

Saved to ``test-results/screenshots`` (``IDEAS_SCREENSHOTS`` names another
folder: ``make screenshots`` sets it to ``docs/screenshots``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.factories.browser import sign_in_as

pytestmark = pytest.mark.browser

PAGES = [
    ("home", "/", None),
    ("challenge", "/challenges/food-waste-in-school-canteens", None),
    ("idea", "/ideas/5/choose-your-portion-then-weigh-what-is-left", None),
    ("lineage", "/ideas/1/lineage", None),
    ("compare", "/challenges/food-waste-in-school-canteens/compare", "Kwame Mensah"),
    ("team", "/teams/2", "Priya Natarajan"),
    ("dashboard", "/challenges/warmer-homes-this-winter/dashboard", "Hamid Rahimi"),
    ("results", "/challenges/food-waste-in-school-canteens/results", None),
    ("closed", "/challenges/cleaner-air-at-the-market", None),
    ("notifications", "/notifications", "Priya Natarajan"),
]
WIDTHS = {"phone": 375, "laptop": 1280}


@pytest.fixture(scope="module")
def folder() -> Path:
    path = Path(os.environ.get("IDEAS_SCREENSHOTS", "test-results/screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("width", list(WIDTHS))
def test_main_pages_are_photographed(
    browser: Browser, base_url: str, folder: Path, width: str
) -> None:
    for name, path, persona in PAGES:
        context = browser.new_context(
            base_url=base_url, viewport={"width": WIDTHS[width], "height": 900}
        )
        page = context.new_page()
        if persona:
            sign_in_as(page, persona)
        response = page.goto(path)
        assert response is not None, path
        assert response.status == 200, path
        expect(page.locator("main h1")).to_be_visible()
        # Nothing may stick out sideways on a phone.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px too wide at {WIDTHS[width]}px"
        page.screenshot(path=folder / f"{name}-{width}.png", full_page=width == "laptop")
        context.close()
