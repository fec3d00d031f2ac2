"""Post an idea → someone builds on it → lineage and influence update → a comment thread.

Run twice: with JavaScript (htmx works in place) and without (plain posts).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories.browser import sign_in_as

pytestmark = pytest.mark.browser
CHALLENGE = "/challenges/food-waste-in-school-canteens"


def test_an_idea_is_built_on_and_discussed(new_page: Any, javascript: bool) -> None:
    marker = uuid.uuid4().hex[:6]
    original = f"Compost the peelings {marker}"

    # Mei posts an idea, with a tag.
    mei = new_page()
    sign_in_as(mei, "Mei Lin")
    mei.goto(f"{CHALLENGE}/ideas/new")
    mei.get_by_label("Title").fill(original)
    mei.get_by_label("Summary").fill("A compost bin behind every canteen.")
    mei.get_by_label("Kitchen").check()
    mei.get_by_role("button", name="Post the idea").click()
    expect(mei.get_by_role("heading", level=1)).to_have_text(original)
    original_url = mei.url
    expect(mei.locator(".idea__head .tag-list")).to_have_text("Kitchen")

    # Tomás builds on it, saying what he took.
    tomas = new_page()
    sign_in_as(tomas, "Tomás Ferreira")
    tomas.goto(original_url)
    tomas.get_by_role("link", name="Build on this idea").click()
    expect(tomas.get_by_role("heading", level=1)).to_have_text("Build on an idea")
    expect(tomas.get_by_label(original)).to_be_checked()
    tomas.get_by_label("What you took or changed").fill("took the bins, adds a school garden")
    child = f"Compost for the school garden {marker}"
    tomas.get_by_label("Title").fill(child)
    tomas.get_by_label("Summary").fill("The canteen's compost feeds a garden the children grow.")
    tomas.get_by_role("button", name="Post the idea").click()
    expect(tomas.get_by_role("heading", level=1)).to_have_text(child)
    expect(tomas.locator(".lineage-summary")).to_contain_text(original)

    # The original now shows who built on it and its influence.
    mei.goto(original_url)
    expect(mei.locator(".lineage-summary")).to_contain_text(child)
    expect(mei.locator(".lineage-summary")).to_contain_text("took the bins")
    expect(mei.locator(".influence")).to_have_text("Influence 1")
    mei.get_by_role("link", name="See the whole family").click()
    expect(mei.locator("section[aria-labelledby=descendants-heading]")).to_contain_text(child)

    # A comment thread: Tomás asks, Mei replies in place.
    tomas.goto(original_url)
    if javascript:
        tomas.evaluate("window.samePage = true")
    tomas.get_by_label("Your comment").fill("Who empties the bins on **Fridays**?")
    tomas.get_by_role("button", name="Post comment").click()
    expect(tomas.locator("#comment-list")).to_contain_text("Who empties the bins on Fridays?")
    expect(tomas.locator("#comment-list strong")).to_have_text("Fridays")
    if javascript:
        assert tomas.evaluate("window.samePage") is True
        expect(tomas.get_by_label("Your comment")).to_have_value("")
    mei.goto(original_url)
    mei.locator("#comment-list summary", has_text="Reply").first.click()
    mei.get_by_label("Your reply").fill("The caretaker offered to.")
    mei.get_by_role("button", name="Post reply").click()
    expect(mei.locator(".comment-replies")).to_contain_text("The caretaker offered to.")
    expect(mei.locator("#comments-heading")).to_have_text("Comments (2)")
