"""A host in Lisbon schedules a phase; a participant in Tokyo sees it at their own time.

Each browser reports its zone (static/js/site.js sets a cookie the server reads
from the next request on); neither person chose one on their settings page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.factories.browser import sign_in_as

pytestmark = pytest.mark.browser


@pytest.fixture
def person_in(browser: Browser, base_url: str) -> Iterator[Any]:
    contexts: list[BrowserContext] = []

    def make(zone: str) -> Page:
        context = browser.new_context(base_url=base_url, timezone_id=zone)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_a_phase_scheduled_in_lisbon_shows_at_tokyo_time_in_tokyo(person_in: Any) -> None:
    title = f"Shade for playgrounds {uuid.uuid4().hex[:6]}"

    host = person_in("Europe/Lisbon")
    sign_in_as(host, "Hamid Rahimi")
    host.goto("/challenges/new")
    # The new challenge's zone is the host's, as their browser said.
    expect(host.get_by_label("Time zone")).to_have_value("Europe/Lisbon")
    host.get_by_label("Title").fill(title)
    host.get_by_label("Question").fill("How might we shade our playgrounds?")
    host.get_by_label("Ideas open").fill("2026-01-05T09:00")
    # 10:00 in Lisbon on 1 July 2027 (UTC+1) is 18:00 in Tokyo (UTC+9).
    host.get_by_label("Review starts").fill("2027-07-01T10:00")
    host.get_by_role("button", name="Create the draft").click()
    expect(host.get_by_role("heading", level=1)).to_have_text(title)
    challenge_url = host.url
    review = host.locator(".timeline__step", has_text="Review")
    expect(review).to_contain_text("1 Jul 2027, 10:00 WEST")
    expect(host.locator(".timeline__zones")).to_contain_text("Times are in Europe/Lisbon")

    participant = person_in("Asia/Tokyo")
    sign_in_as(participant, "Priya Natarajan")
    participant.goto(challenge_url)
    review = participant.locator(".timeline__step", has_text="Review")
    expect(review.locator("time")).to_have_text("1 Jul 2027, 18:00 JST")
    expect(review.locator(".timeline__other-zone")).to_contain_text("10:00 WEST")
    expect(participant.locator(".timeline__zones")).to_contain_text("Asia/Tokyo")

    # The host's edit form gives the schedule back as typed, in the challenge's zone.
    host.goto(challenge_url + "/edit")
    expect(host.get_by_label("Review starts")).to_have_value("2027-07-01T10:00")
