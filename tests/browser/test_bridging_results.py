"""The results page shows bridging beside votes and pairwise once the worker has fitted it,
and stays accessible."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from tests.factories.browser import run_ideas, serving, site_environ
from tests.support.ports import free_port

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
RESULTS = "/challenges/challenge-1/results"
SETTINGS = {"IDEAS_ENV": "development"}


@pytest.fixture(scope="module")
def planted_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A site with two opinion groups planted, and the worker's bridging fit made."""
    folder = tmp_path_factory.mktemp("bridging")
    with serving(folder, free_port(), IDEAS_ENV="development") as url:
        subprocess.run(
            [sys.executable, "-m", "tests.support.planted_site"],
            env=site_environ(folder, **SETTINGS),
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        assert "1 bridging fits" in run_ideas(folder, "worker", "--once", **SETTINGS)
        yield url


def test_the_results_page_shows_bridging_beside_votes_and_pairwise(
    browser: Browser, planted_site: str
) -> None:
    context = browser.new_context(base_url=planted_site)
    page = context.new_page()
    page.goto(RESULTS)

    table = page.locator("#results")
    for name in ("Votes", "Pairwise score", "Bridging score"):
        expect(table.get_by_role("columnheader", name=name, exact=True)).to_be_visible()
    shared = table.get_by_role("row").filter(has_text="Safer crossings for everyone")
    expect(shared.locator(".results__bridging-rank")).to_have_text("1")
    expect(shared.locator(".results__bridging .results__interval")).to_be_visible()
    expect(page.locator("#bridging-status")).to_contain_text("opinion groups of 8 and 6 people")
    expect(page.locator("#method-bridging")).to_contain_text("Community Notes")

    table.get_by_role("link", name="Bridging score", exact=True).click()
    expect(table.get_by_role("row").nth(1)).to_contain_text("Safer crossings for everyone")
    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]},
            "resultTypes": ["violations"],
        },
    )
    assert results.violations_count == 0, results.generate_report()
    context.close()
