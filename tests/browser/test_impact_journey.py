"""After the round: a round closes; its winning team posts an update with a figure and
a picture; a follower of the round is told; three people pledge to the team on the
condition that two others do too, and the third pledge meets it; the host opens a
follow-up round carrying the winner, whose lineage now spans two challenges.

Run with JavaScript and without. Each run plays a round of its own on the demo site.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.factories.browser import sign_in_as, switch

pytestmark = pytest.mark.browser

HOST, LEAD, FOLLOWER = "Hamid Rahimi", "Mei Lin", "Priya Natarajan"
PLEDGERS = ("Tomás Ferreira", "Kwame Mensah", "Lena Novak")


def _round_with_a_winner(host: Page, lead: Page, marker: str) -> tuple[str, str]:
    """Hamid runs a round to its teams phase with Mei's idea shortlisted and named a
    winner. Returns the challenge's address and the idea's title."""
    sign_in_as(host, HOST)
    host.goto("/challenges/new")
    host.get_by_label("Title").fill(f"Quieter streets {marker}")
    host.get_by_label("Question").fill("How might we slow the traffic past the school?")
    host.get_by_label("Brief").fill("Cars cut through at the school run.")
    host.get_by_role("button", name="Create the draft").click()
    expect(host.get_by_role("heading", level=1)).to_contain_text(marker)
    challenge_url = host.url
    switch(host, "Open for ideas now", "Ideas")

    sign_in_as(lead, LEAD)
    lead.goto(f"{challenge_url}/ideas/new")
    title = f"A school street on weekday mornings {marker}"
    lead.get_by_label("Title").fill(title)
    lead.get_by_label("Summary").fill("Close the road to cars for forty minutes at drop-off.")
    lead.get_by_label("The idea in full").fill("Parents volunteer as stewards.")
    lead.get_by_role("button", name="Post the idea").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text(title)

    host.get_by_role("link", name="Shortlist").click()
    row = host.locator(".host-row", has_text=title)
    row.get_by_role("button", name="Shortlist").click()
    expect(row.get_by_role("button", name="Remove from the shortlist")).to_be_visible()
    host.goto(challenge_url)
    host.get_by_label("Or switch to").select_option(label="Teams")
    switch(host, "Switch phase", "Teams")
    host.goto(f"{challenge_url}/winners")
    row = host.locator(".host-row", has_text=title)
    row.get_by_label("Citation").fill("Safer mornings for two hundred children.")
    row.get_by_role("button", name="Name as a winner").click()
    expect(row.get_by_role("button", name="Take the win back")).to_be_visible()
    return challenge_url, title


def test_a_closed_round_reports_progress_gathers_pledges_and_carries_on(
    new_page: Callable[[], Page], tmp_path: Path
) -> None:
    marker = uuid.uuid4().hex[:6]
    host, lead, follower = new_page(), new_page(), new_page()
    challenge_url, title = _round_with_a_winner(host, lead, marker)

    # Priya follows the round; Hamid closes it.
    sign_in_as(follower, FOLLOWER)
    follower.goto(challenge_url)
    follower.get_by_role("button", name="Follow this challenge").click()
    expect(follower.get_by_role("button", name="Unfollow this challenge")).to_be_visible()
    host.goto(challenge_url)
    switch(host, "Close the round now", "Closed")

    # Mei, on the winning team, posts an update with a figure and a picture.
    picture = tmp_path / "street.png"
    Image.new("RGB", (64, 48), (40, 140, 90)).save(picture)
    lead.goto(challenge_url)
    lead.get_by_role("link", name=re.compile("Impact: each team")).click()
    lead.get_by_role("link", name=f"Impact and pledges: {title}").click()
    team_impact = lead.url
    lead.get_by_label("Where the idea stands").select_option("piloted")
    lead.get_by_label("What happened").fill("Six weeks of school-street mornings.")
    lead.get_by_label("Figure 1: the number").fill("210")
    lead.get_by_label("Figure 1: its unit").fill("children")
    lead.get_by_label("Figure 1: what it measures").fill("children walking to school")
    lead.get_by_label("Picture 1: the file").set_input_files(str(picture))
    lead.get_by_label("Picture 1: its description").fill("Children crossing the closed street")
    lead.get_by_role("button", name="Post the update").click()
    expect(lead.locator("#impact-latest")).to_contain_text("piloted")
    expect(lead.locator("#impact-progress")).to_contain_text("children walking to school")
    expect(lead.get_by_role("img", name="Children crossing the closed street")).to_be_visible()

    # Priya is told.
    follower.goto("/notifications")
    expect(follower.locator("main")).to_contain_text(f"posted news of “{title}”: piloted")

    # Three people pledge, each if two others do too: the third pledge meets the condition.
    for n, name in enumerate(PLEDGERS):
        pledger = new_page()
        sign_in_as(pledger, name)
        pledger.goto(team_impact)
        pledger.get_by_label("A skill").check()
        pledger.get_by_label("In a few words").fill(f"Stewarding, morning {n + 1}")
        pledger.get_by_label("Only if this many others pledge too").fill("2")
        pledger.get_by_role("button", name="Pledge", exact=True).click()
        expect(pledger.locator(".notice")).to_contain_text("your pledge is made")
        standing = 3 if n == 2 else 0
        expect(pledger.locator("#pledge-counts")).to_contain_text(f"{standing} standing")
    lead.goto("/notifications")
    expect(lead.locator("main")).to_contain_text("Enough people have pledged")

    # Hamid opens the next round, carrying the winner over.
    host.goto(challenge_url)
    host.get_by_role("link", name=re.compile("Impact: each team")).click()
    host.get_by_label("Title of the new round").fill(f"Quieter streets, round two {marker}")
    host.get_by_label(title).check()
    host.get_by_role("button", name="Open the follow-up round").click()
    expect(host.get_by_role("heading", level=1)).to_contain_text("round two")
    expect(host.locator("#follows-up")).to_contain_text(f"Quieter streets {marker}")
    host.get_by_role("link", name=title).first.click()
    expect(host.locator(".lineage-summary")).to_contain_text("Carried over from the round")
    host.locator(".lineage-summary").get_by_role("link", name=title).click()
    expect(host.get_by_role("heading", level=1)).to_have_text(title)
    host.goto(challenge_url)
    expect(host.locator("#followed-up-by")).to_contain_text("round two")
