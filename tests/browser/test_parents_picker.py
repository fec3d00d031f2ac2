"""Building on several ideas from the form, and choosing a similar idea, keep what was
typed: with JavaScript (in place) and without (the form comes back)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.factories.browser import sign_in_as

pytestmark = pytest.mark.browser
CHALLENGE = "/challenges/food-waste-in-school-canteens"
WEIGH = "A weigh station with a live leaderboard"
MENU = "Menu voting the week before"
PORTIONS = "Let children choose their portion size"


def named(action: str, title: str) -> re.Pattern[str]:
    """A button's name: what it does, then (for screen readers) which idea."""
    return re.compile(rf"^{re.escape(action)}\s*:\s*{re.escape(title)}$")


def type_the_idea(page: Page, title: str) -> dict[str, str]:
    typed = {
        "Title": title,
        "Summary": "Children choose a small, medium or large plate, and each class weighs what is left.",
        "The idea in full (optional)": "## How\n\nThree plate sizes and a scale by the door.",
    }
    for label, value in typed.items():
        page.get_by_label(label, exact=True).fill(value)
    return typed


def expect_typed(page: Page, typed: dict[str, str]) -> None:
    for label, value in typed.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)


def add_parent(page: Page, search: str, title: str) -> None:
    page.get_by_label("Find an idea to build on").fill(search)
    page.get_by_role("button", name="Find", exact=True).click()
    page.locator("#parent-results").get_by_role("button", name=named("Add", title)).click()
    expect(page.get_by_label(title, exact=True)).to_be_checked()


def note_for(page: Page, title: str) -> Any:
    return page.locator(".builds-on__item", has_text=title).get_by_role("textbox")


def test_an_author_builds_on_two_ideas_found_by_title(new_page: Any, javascript: bool) -> None:
    title = f"Right-sized plates, weighed {uuid.uuid4().hex[:6]}"
    mei = new_page()
    sign_in_as(mei, "Mei Lin")
    mei.goto(f"{CHALLENGE}/ideas/new")
    typed = type_the_idea(mei, title)
    if javascript:
        mei.evaluate("window.samePage = true")

    add_parent(mei, "weigh station", WEIGH)
    note_for(mei, WEIGH).fill("took the scale")
    add_parent(mei, "menu voting", MENU)
    note_for(mei, MENU).fill("menus follow what is eaten")

    expect_typed(mei, typed)
    expect(note_for(mei, WEIGH)).to_have_value("took the scale")
    if javascript:
        assert mei.evaluate("window.samePage") is True
    mei.get_by_role("button", name="Post the idea").click()
    expect(mei.get_by_role("heading", level=1)).to_have_text(title)
    lineage = mei.locator(".lineage-summary")
    expect(lineage).to_contain_text(WEIGH)
    expect(lineage).to_contain_text("took the scale")
    expect(lineage).to_contain_text(MENU)

    # While it may be edited, the author stops building on one of them.
    mei.get_by_role("link", name="Edit", exact=True).click()
    expect(mei.get_by_label(MENU, exact=True)).to_be_checked()
    mei.get_by_label(MENU, exact=True).uncheck()
    mei.get_by_role("button", name="Save changes").click()
    expect(mei.get_by_role("heading", level=1)).to_have_text(title)
    expect(lineage).to_contain_text(WEIGH)
    expect(lineage).not_to_contain_text(MENU)


def test_choosing_a_similar_idea_keeps_what_was_typed(new_page: Any, javascript: bool) -> None:
    title = f"Portion plates for every class {uuid.uuid4().hex[:6]}"
    kwame = new_page()
    sign_in_as(kwame, "Kwame Mensah")
    kwame.goto(f"{CHALLENGE}/ideas/new")
    typed = type_the_idea(kwame, title)
    if javascript:
        kwame.evaluate("window.samePage = true")
    else:
        # Without JavaScript the similar ideas come with the form when it comes back.
        kwame.get_by_role("button", name="Preview", exact=True).click()

    similar = kwame.locator("#similar-ideas")
    similar.get_by_role("button", name=named("Build on this instead", PORTIONS)).click()

    expect(kwame.get_by_label(PORTIONS, exact=True)).to_be_checked()
    expect_typed(kwame, typed)
    if javascript:
        assert kwame.evaluate("window.samePage") is True
    note_for(kwame, PORTIONS).fill("took the plate sizes")
    kwame.get_by_role("button", name="Post the idea").click()
    expect(kwame.get_by_role("heading", level=1)).to_have_text(title)
    expect(kwame.locator(".lineage-summary")).to_contain_text(PORTIONS)
