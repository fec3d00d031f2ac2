"""The lineage graph in a browser: every idea a link with a name, the keyboard reaches
them, no horizontal page scroll at 320 px, and a family of 200 ideas stays readable
(its drawing scrolls inside its frame instead of shrinking), light and dark."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.factories.browser import serving, site_environ
from tests.support.ports import free_port

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NODES = ".lineage-graph svg a[href]"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
# Made through the same factories as the other tests, in the site's own database.
SEED = """
import asyncio
from ideas.db import Database
from ideas.settings import load_settings
from tests.factories.submissions import big_family

async def main() -> None:
    database = Database.from_settings(load_settings())
    async with database.session() as session:
        root = await big_family(session, 200)
        await session.commit()
        print(root.id)
    await database.dispose()

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def big_family_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A site of this module's own whose only family has 200 ideas: its lineage page."""
    folder = tmp_path_factory.mktemp("big-family")
    with serving(folder, free_port(), IDEAS_ENV="development", IDEAS_RATE_LIMITS="false") as url:
        env = site_environ(folder, IDEAS_ENV="development")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        done = subprocess.run(
            [sys.executable, "-c", SEED],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        yield f"{url}/ideas/{done.stdout.split()[-1]}/lineage"


def has_no_page_scroll(page: Page) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def test_the_demo_family_is_a_graph_of_named_links_reached_by_keyboard(page: Page) -> None:
    page.set_viewport_size({"width": 320, "height": 740})
    page.goto("/ideas/5/lineage")
    figure = page.locator(".lineage-graph")
    expect(figure).to_be_visible()
    links = page.locator(NODES)
    count = links.count()
    assert count >= 2
    assert has_no_page_scroll(page)
    # Every box is a link named by its <title>; the idea itself is marked.
    current = figure.locator('a[aria-current="page"]')
    expect(current).to_have_count(1)
    # The frame scrolls; it opens with the idea itself in view.
    frame = page.locator(".lineage-graph__scroll").bounding_box()
    marked = current.bounding_box()
    assert frame is not None
    assert marked is not None
    middle = marked["x"] + marked["width"] / 2
    assert frame["x"] < middle < frame["x"] + frame["width"]
    name = page.locator("h1").inner_text().split("“")[1].rstrip("”")
    expect(figure.get_by_role("link", name=name).first).to_be_visible()
    # The keyboard reaches the scrolling frame (a named region), then the boxes in it.
    reached_frame = False
    for _ in range(60):
        page.keyboard.press("Tab")
        reached_frame = reached_frame or page.evaluate(
            "document.activeElement.matches('.lineage-graph__scroll[role=region]')"
        )
        if page.evaluate("document.activeElement.matches('.lineage-graph a')"):
            break
    assert reached_frame
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused is not None
    assert focused.startswith("/ideas/")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{focused}")
    # The lists are still there for the same family.
    page.goto("/ideas/5/lineage")
    expect(page.locator("#ancestors-heading")).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_family_of_200_ideas_scrolls_in_its_frame_at_320px(
    browser: Browser, big_family_url: str, scheme: Literal["light", "dark"]
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 740}, color_scheme=scheme)
    page = context.new_page()
    response = page.goto(big_family_url)
    assert response is not None
    assert response.status == 200

    expect(page.locator(NODES)).to_have_count(200)
    assert has_no_page_scroll(page)
    frame = page.locator(".lineage-graph__scroll")
    sizes = frame.evaluate("f => [f.scrollWidth, f.clientWidth, f.clientHeight]")
    assert sizes[0] > 3 * sizes[1], f"the drawing should scroll in its frame: {sizes}"
    assert sizes[2] > 200
    box = page.locator(NODES).first.bounding_box()
    assert box is not None
    assert box["width"] > 60, "boxes keep a readable size"
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    context.close()
