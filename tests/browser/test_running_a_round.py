"""A host runs a whole round in the browser: create, preview, edit, co-host, open,
shortlist, move on, pick a winner, close; a visitor reads the result.

Run twice: with JavaScript (htmx works in place) and without (plain posts).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories.browser import sign_in_as, switch

pytestmark = pytest.mark.browser


def test_a_host_runs_a_round_from_draft_to_winners(new_page: Any, javascript: bool) -> None:
    marker = uuid.uuid4().hex[:6]
    title = f"Greener schoolyards {marker}"

    # Hamid drafts the challenge and previews the brief before saving.
    host = new_page()
    sign_in_as(host, "Hamid Rahimi")
    host.goto("/challenges/new")
    host.get_by_label("Title").fill(title)
    host.get_by_label("Question").fill("How might we turn asphalt yards into green ones?")
    host.get_by_label("Brief").fill(
        "Most yards are **asphalt**. <script>window.hacked = 1</script>"
    )
    host.get_by_label("Tags offered to ideas").fill("Plants, Water, Play")
    host.get_by_role("button", name="Preview the brief").click()
    expect(host.locator("#f-brief-preview strong")).to_have_text("asphalt")
    expect(host.get_by_label("Title")).to_have_value(title)
    host.get_by_label("Vote budget per participant").fill("-1")
    host.get_by_role("button", name="Create the draft").click()
    expect(host.locator("#f-vote_budget-error")).to_contain_text("between 1 and 1,000")
    expect(host.get_by_label("Tags offered to ideas")).to_have_value("Plants, Water, Play")
    host.get_by_label("Vote budget per participant").fill("3")
    host.get_by_role("button", name="Create the draft").click()
    expect(host.get_by_role("heading", level=1)).to_have_text(title)
    challenge_url = host.url

    # Edits the question, and asks Ada to co-host.
    host.get_by_role("link", name="Edit the challenge").click()
    expect(host.get_by_label("Vote budget per participant")).to_have_value("3")
    host.get_by_label("Question").fill("How might we turn asphalt schoolyards into green ones?")
    host.get_by_role("button", name="Save changes").click()
    expect(host.locator(".challenge__question")).to_have_text(
        "How might we turn asphalt schoolyards into green ones?"
    )
    host.get_by_role("link", name="Hosts", exact=True).click()
    host.get_by_label("E-mail address").fill("ada@example.org")
    host.get_by_role("button", name="Invite to co-host").click()
    expect(host.locator("#hosts .notice")).to_have_text(
        "If someone uses that address, they have been invited to co-host."
    )
    expect(host.locator(".host-invitations")).to_contain_text("ada@example.org")
    host.goto(challenge_url)
    switch(host, "Open for ideas now", "Ideas")

    # A participant posts an idea.
    participant = new_page()
    sign_in_as(participant, "Priya Natarajan")
    participant.goto(challenge_url)
    participant.get_by_role("link", name="Post an idea").click()
    idea_title = f"Rain gardens by the gutters {marker}"
    participant.get_by_label("Title").fill(idea_title)
    participant.get_by_label("Summary").fill("Break up the asphalt where the rain runs off.")
    participant.get_by_role("button", name="Post the idea").click()
    expect(participant.get_by_role("heading", level=1)).to_have_text(idea_title)

    # The co-host moves the round to review; Hamid shortlists with a note.
    cohost = new_page()
    sign_in_as(cohost, "Ada Okafor")
    cohost.goto("/hosting")
    invitation = cohost.locator(".request-card", has_text=title)
    invitation.get_by_role("button", name=re.compile(r"^Accept")).click()
    expect(cohost).to_have_url(challenge_url)
    switch(cohost, "Move on to Review now", "Review")
    host.goto(challenge_url)
    host.get_by_role("link", name="Shortlist").click()
    row = host.locator(".host-row", has_text=idea_title)
    row.get_by_label("Note to the authors").fill("Which yard would you start with?")
    if javascript:
        host.evaluate("window.samePage = true")
    row.get_by_role("button", name="Shortlist").click()
    expect(row.get_by_role("button", name="Remove from the shortlist")).to_be_visible()
    if javascript:
        assert host.evaluate("window.samePage") is True
    participant.reload()
    expect(participant.get_by_label("Note from the hosts")).to_contain_text("Which yard")

    # Teams, a winner with its citation, then the round closes.
    host.goto(challenge_url)
    switch(host, "Move on to Teams now", "Teams")
    host.get_by_role("link", name="Winners").click()
    row = host.locator(".host-row", has_text=idea_title)
    row.get_by_role("button", name="Name as a winner").click()
    expect(row.locator(".field-error")).to_have_text("Error: Citation is required.")
    row.get_by_label("Citation").fill("Cheap, quick, and the children helped dig.")
    row.get_by_role("button", name="Name as a winner").click()
    expect(row.get_by_role("button", name="Take the win back")).to_be_visible()
    host.goto(challenge_url)
    switch(host, "Close the round now", "Closed")

    # A visitor sees the winner first, on the challenge page and on the home page.
    visitor = new_page()
    visitor.goto(challenge_url)
    expect(visitor.locator(".winner-card")).to_contain_text(idea_title)
    expect(visitor.locator(".winner-card .citation")).to_contain_text("children helped dig")
    visitor.goto("/")
    closed = visitor.locator("section[aria-labelledby=closed-heading] .card", has_text=title)
    expect(closed.locator(".card__winners")).to_contain_text(idea_title)
    if javascript:
        assert visitor.evaluate("window.hacked") is None
