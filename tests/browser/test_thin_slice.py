"""A host creates and opens a challenge, a participant posts an idea, a visitor reads it.

Run twice: with JavaScript (htmx enhances the forms) and without (plain posts).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.factories.browser import sign_in_as

pytestmark = pytest.mark.browser


def test_thin_slice_from_challenge_to_idea(new_page: Any, javascript: bool) -> None:
    marker = uuid.uuid4().hex[:6]
    title = f"Quieter streets {marker}"

    # The host creates a draft and opens it.
    host = new_page()
    sign_in_as(host, "Hamid Rahimi")
    host.goto("/")
    host.get_by_role("link", name="Create a challenge").click()
    host.get_by_label("Title").fill(title)
    host.get_by_label("Question").fill("How might we make our streets quieter at night?")
    host.get_by_label("Brief").fill("Traffic is **loud**. <script>window.hacked = 1</script>")
    host.get_by_role("button", name="Create the draft").click()
    expect(host.get_by_role("heading", level=1)).to_have_text(title)
    expect(host.locator(".challenge__head .phase-badge")).to_have_text("Draft")
    expect(host.locator(".brief strong")).to_have_text("loud")
    expect(host.locator(".brief")).to_contain_text("<script>")
    host.get_by_role("button", name="Open for ideas now").click()
    expect(host.locator(".challenge__head .phase-badge")).to_have_text("Ideas")
    challenge_url = host.url
    if javascript:
        assert host.evaluate("window.hacked") is None

    # A participant posts an idea, first forgetting its title.
    participant = new_page()
    sign_in_as(participant, "Priya Natarajan")
    participant.goto(challenge_url)
    participant.get_by_role("link", name="Post an idea").click()
    form_url = participant.url
    if javascript:
        participant.evaluate("window.samePage = true")
    participant.get_by_label("Summary").fill("Night buses with electric engines.")
    participant.get_by_role("button", name="Post the idea").click()
    expect(participant.locator("#f-title-error")).to_have_text("Error: Title is required.")
    expect(participant.get_by_label("Summary")).to_have_value("Night buses with electric engines.")
    expect(participant.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    if javascript:
        # htmx swapped the form in place: no page load happened.
        assert participant.evaluate("window.samePage") is True
        assert participant.url == form_url
    idea_title = f"Electric night buses {marker}"
    participant.get_by_label("Title").fill(idea_title)
    participant.get_by_role("button", name="Post the idea").click()
    expect(participant.get_by_role("heading", level=1)).to_have_text(idea_title)

    # A visitor finds and reads it.
    visitor = new_page()
    visitor.goto("/")
    visitor.get_by_role("link", name=title).click()
    visitor.get_by_role("link", name=idea_title).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(idea_title)
    expect(visitor.locator(".byline")).to_contain_text("Priya Natarajan")


def test_sorting_ideas_happens_in_place(page: Page) -> None:
    page.goto("/challenges/food-waste-in-school-canteens")
    page.evaluate("window.samePage = true")
    page.get_by_role("link", name="Newest").click()
    expect(page.get_by_role("link", name="Newest")).to_have_attribute("aria-current", "true")
    expect(page).to_have_url(re.compile(r"/challenges/food-waste-in-school-canteens\?sort=newest$"))
    assert page.evaluate("window.samePage") is True
    times = page.locator("#ideas .card__stats time").evaluate_all(
        "elements => elements.map(e => e.getAttribute('datetime'))"
    )
    assert len(times) >= 4
    assert times == sorted(times, reverse=True)
