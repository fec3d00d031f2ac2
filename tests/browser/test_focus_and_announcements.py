"""Where focus lands when htmx replaces part of a list, and what a character counter
says aloud: only at its thresholds, while the count shown follows every key."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Browser, Page, expect

from bench.generate import BIG_CHALLENGE, generate
from tests.factories.browser import run_ideas, serving, sign_in_as
from tests.support.ports import free_port

pytestmark = pytest.mark.browser

CHALLENGE = "/challenges/food-waste-in-school-canteens"
IDEA = "/ideas/1/let-children-choose-their-portion-size"


@pytest.fixture(scope="module")
def many_ideas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A site whose big challenge lists more ideas than one page holds."""
    folder = tmp_path_factory.mktemp("many-ideas")
    run_ideas(folder, "migrate")
    url = f"sqlite:///{folder / 'data' / 'ideas.db'}"
    # In a thread of its own: Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, generate(url, scale=0.003)).result()
    with serving(folder, free_port(), IDEAS_RATE_LIMITS="false") as site:
        yield site


def test_after_more_ideas_focus_is_on_the_first_new_idea(browser: Browser, many_ideas: str) -> None:
    context = browser.new_context(base_url=many_ideas)
    page = context.new_page()
    page.goto(f"/challenges/{BIG_CHALLENGE}")
    cards = page.locator(".idea-list > li.idea-card")
    shown = cards.count()
    assert shown == 20
    more = page.get_by_role("link", name="More ideas")
    more.focus()
    page.keyboard.press("Enter")
    expect(cards).not_to_have_count(shown)
    first_new = cards.nth(shown).locator(".card__title a")
    expect(first_new).to_be_focused()
    expect(page.get_by_role("link", name="More ideas")).to_have_count(0)
    context.close()


def test_after_a_sort_or_a_search_focus_is_on_the_lists_heading(page: Page) -> None:
    page.goto(CHALLENGE)
    page.evaluate("window.samePage = true")
    heading = page.locator("#ideas-heading")

    page.get_by_role("navigation", name="Sort ideas").get_by_role("link", name="Newest").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"sort=newest"))
    expect(heading).to_be_focused()
    expect(page.get_by_role("link", name="Newest")).to_have_attribute("aria-current", "true")

    page.get_by_role("searchbox", name="Search ideas").fill("plates")
    page.get_by_role("button", name="Find ideas").click()
    expect(page.locator(".idea-filters__result")).to_be_visible()
    expect(heading).to_be_focused()
    assert page.evaluate("window.samePage") is True


def test_the_comment_counter_speaks_only_at_its_thresholds(page: Page) -> None:
    sign_in_as(page, "Mei Lin")
    page.goto(IDEA)
    field = page.locator(".comments__new .comment-form textarea[data-maxlength]")
    limit = int(field.get_attribute("data-maxlength") or "0")
    field_id = field.get_attribute("id")
    counter = page.locator(f"#{field_id}-count")
    news = page.locator(f"#{field_id}-count-news")
    expect(news).to_have_attribute("aria-live", "polite")
    assert counter.get_attribute("aria-live") is None, "the count shown is not read at every key"
    page.evaluate(
        """(id) => {
          window.spoken = [];
          const news = document.getElementById(id);
          new MutationObserver(() => window.spoken.push(news.textContent))
            .observe(news, {childList: true, characterData: true, subtree: true});
        }""",
        f"{field_id}-count-news",
    )

    field.fill("a" * (limit - 105))
    expect(counter).to_have_text("Characters left: 105")
    field.press_sequentially("bcdefgh")  # 105 → 98: passes 100 once
    expect(counter).to_have_text("Characters left: 98")
    field.fill("a" * (limit - 22))
    field.press_sequentially("xyz")  # 22 → 19: passes 20 once
    expect(counter).to_have_text("Characters left: 19")
    field.fill("a" * limit)
    expect(counter).to_have_text("Characters left: 0")
    field.press_sequentially("!")
    expect(counter).to_have_text("Characters over the limit: 1")
    field.press("Backspace")
    expect(counter).to_have_text("Characters left: 0")

    assert page.evaluate("window.spoken") == [
        "100 characters left.",
        "20 characters left.",
        "No characters left.",
        "Over the limit: shorten the text.",
        "Back within the limit.",
    ]
