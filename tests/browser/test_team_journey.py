"""A team forms and works on its idea: a participant says they are looking for a
team, is shown a team whose open role wants their skills, asks to join, the lead
accepts, and the new member edits the team's idea, which the lead then reads.

Run twice: with JavaScript (htmx answers in place, with a status line) and
without (plain form posts that land back on the right page). Each run sets up a
round of its own on the shared demo site, so that nobody else's test changes
who is looking or who is on which team, and neither run changes theirs.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.factories.browser import sign_in_as, switch

pytestmark = pytest.mark.browser

HOST, LEAD, NEWCOMER = "Hamid Rahimi", "Mei Lin", "Tomás Ferreira"


def at(part: str, url: str) -> re.Pattern[str]:
    """The page at ``url``, scrolled to ``part`` of it (after a plain post) or not."""
    return re.compile(rf"^{re.escape(url)}(#{part})?$")


def a_round_in_the_teams_phase(host: Page, lead: Page, marker: str) -> tuple[str, str]:
    """Hamid runs a round up to its teams phase, with Mei's idea shortlisted.
    Returns the idea's title and address."""
    sign_in_as(host, HOST)
    host.goto("/challenges/new")
    host.get_by_label("Title").fill(f"Welcoming newcomers to Elm Street {marker}")
    host.get_by_label("Question").fill("How might we help new neighbours feel at home?")
    host.get_by_label("Brief").fill("Three families moved in this spring.")
    host.get_by_role("button", name="Create the draft").click()
    expect(host.get_by_role("heading", level=1)).to_contain_text(marker)
    challenge_url = host.url
    switch(host, "Open for ideas now", "Ideas")

    sign_in_as(lead, LEAD)
    lead.goto(f"{challenge_url}/ideas/new")
    title = f"A street map drawn by neighbours {marker}"
    lead.get_by_label("Title").fill(title)
    lead.get_by_label("Summary").fill("The places we love, on one sheet for every new door.")
    lead.get_by_label("The idea in full").fill("Each neighbour marks **one** favourite place.")
    lead.get_by_role("button", name="Post the idea").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text(title)
    idea_url = lead.url

    # Hosts may shortlist while ideas still come in: the round skips its review.
    host.get_by_role("link", name="Shortlist").click()
    row = host.locator(".host-row", has_text=title)
    row.get_by_role("button", name="Shortlist").click()
    expect(row.get_by_role("button", name="Remove from the shortlist")).to_be_visible()
    host.goto(challenge_url)
    host.get_by_label("Or switch to").select_option(label="Teams")
    switch(host, "Switch phase", "Teams")
    return title, idea_url


def test_a_newcomer_joins_a_team_and_edits_its_idea_with_the_lead(
    new_page: Callable[[], Page], javascript: bool
) -> None:
    marker = uuid.uuid4().hex[:6]
    host, lead, newcomer = new_page(), new_page(), new_page()
    idea, idea_url = a_round_in_the_teams_phase(host, lead, marker)
    challenge_url = host.url

    # Mei, who leads the team of her idea, asks for an illustrator.
    lead.goto(idea_url)
    lead.get_by_role("link", name="The team working on it").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text(f"The team working on “{idea}”")
    team_url = lead.url
    roles = lead.locator("#team-roles")
    expect(roles).to_contain_text("No roles listed yet.")
    roles.get_by_text("Add a role").click()
    roles.get_by_label("Role", exact=True).fill("Map illustrator")
    roles.get_by_label("Skills wanted").fill("Illustration, Design")
    roles.get_by_role("button", name="Add the role").click()
    if javascript:
        expect(lead.locator("#team-status")).to_have_text("The role “Map illustrator” is open.")
    else:
        expect(lead).to_have_url(at("team-roles", team_url))
    role = lead.locator("#team-roles .team-role", has_text="Map illustrator")
    expect(role.locator(".team-role__state")).to_have_text("Open")

    # Tomás, not on the team, cannot edit the idea yet.
    sign_in_as(newcomer, NEWCOMER)
    newcomer.goto(idea_url)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text(idea)
    expect(newcomer.get_by_role("link", name="Edit", exact=True)).to_have_count(0)

    # He says he is looking for a team, and is shown Mei's: its role wants his skills.
    newcomer.goto(challenge_url)
    newcomer.get_by_role("link", name="People looking for a team").click()
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("People looking for a team")
    seekers = newcomer.locator(".seeker-list")
    expect(seekers).to_contain_text("Nobody has said they are looking for a team yet.")
    note = "I draw maps for the repair café; free on Saturdays."
    newcomer.get_by_label("A note for team leads").fill(note)
    newcomer.get_by_role("button", name="I am looking for a team").click()
    expect(newcomer.get_by_role("status")).to_have_text(
        "You are on the list of people looking for a team."
    )
    expect(newcomer.locator("#seekers-heading .count")).to_have_text("1")
    seeker = seekers.locator(".seeker")
    expect(seeker.locator(".seeker__who")).to_contain_text(NEWCOMER)
    expect(seeker.locator(".seeker__note")).to_have_text(note)
    match = newcomer.locator(".team-match", has_text=idea)
    expect(match).to_contain_text("Led by Mei Lin")
    expect(match.locator(".team-match__roles")).to_contain_text("Map illustrator")
    expect(match.locator(".team-match__score")).to_have_text("2 of your skills wanted")

    # From there he asks to join.
    match.get_by_role("link", name=re.compile(r"^See the team and ask to join")).click()
    expect(newcomer).to_have_url(team_url)
    join = newcomer.locator("#team-join")
    join.get_by_label("Your message to the lead").fill("I would love to draw the map.")
    if javascript:
        newcomer.evaluate("window.samePage = true")
    join.get_by_role("button", name="Ask to join").click()
    if javascript:
        expect(newcomer.locator("#team-status")).to_have_text("Your request was sent to the lead.")
        assert newcomer.evaluate("window.samePage") is True
    else:
        expect(newcomer).to_have_url(at("team-join", team_url))
    expect(join).to_contain_text("You asked to join")
    expect(join.get_by_role("button", name="Ask to join")).to_have_count(0)

    # Mei sees his request with his message and skills, and accepts him.
    lead.goto(team_url)
    expect(lead.locator("#team-requests-heading .count")).to_have_text("1")
    asked = lead.locator(".request-card", has_text=NEWCOMER)
    expect(asked.locator(".request-card__message")).to_have_text("I would love to draw the map.")
    expect(asked.locator(".request-card__skills")).to_contain_text("Illustration")
    members = lead.locator("#team-members")
    expect(members.locator(".count")).to_have_text(re.compile(r"^1 of \d+$"))
    expect(members).not_to_contain_text(NEWCOMER)
    if javascript:
        lead.evaluate("window.samePage = true")
    asked.get_by_role("button", name=f"Accept {NEWCOMER}").click()
    if javascript:
        expect(lead.locator("#team-status")).to_have_text(f"{NEWCOMER} joined the team.")
        assert lead.evaluate("window.samePage") is True
    else:
        expect(lead).to_have_url(at("team-lead", team_url))
    expect(members.locator(".count")).to_have_text(re.compile(r"^2 of \d+$"))
    expect(members.locator(".member", has_text=NEWCOMER)).to_have_count(1)
    expect(lead.locator(".team-requests")).to_contain_text("No requests are waiting.")

    # Tomás is on the team now, and off the list of people looking.
    newcomer.goto(team_url)
    expect(newcomer.locator("#team-members .member", has_text=NEWCOMER)).to_have_count(1)
    expect(newcomer.get_by_role("heading", name="Join this team")).to_have_count(0)
    newcomer.goto(f"{challenge_url}/looking")
    expect(newcomer.locator(".looking-me")).to_contain_text(
        "You are on a team in this challenge, so you are not looking for another."
    )
    expect(newcomer.locator("#seekers-heading .count")).to_have_text("0")

    # As a member he edits the team's idea, and lands back on it with his change.
    newcomer.goto(team_url)
    newcomer.locator(".team__idea").get_by_role("link", name=idea).click()
    expect(newcomer).to_have_url(idea_url)
    newcomer.get_by_role("link", name="Edit", exact=True).click()
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Edit the idea")
    body = newcomer.get_by_label("The idea in full")
    expect(body).to_have_value("Each neighbour marks **one** favourite place.")
    body.fill("Each neighbour marks **one** favourite place; Tomás draws them in _ink_.")
    newcomer.get_by_role("button", name="Save changes").click()
    expect(newcomer).to_have_url(idea_url)
    expect(newcomer.locator(".idea__body")).to_have_text(
        "Each neighbour marks one favourite place; Tomás draws them in ink."
    )
    expect(newcomer.locator(".idea__body em")).to_have_text("ink")

    # Mei reads the change on the idea, and who made it in its history.
    lead.goto(idea_url)
    expect(lead.locator(".idea__body")).to_contain_text("Tomás draws them in ink.")
    lead.locator("#authors").get_by_role("link", name=re.compile(r"^edited")).click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("History of changes")
    expect(lead.locator(".revision-list li").first).to_contain_text(f"Revision 2 by {NEWCOMER}")
    expect(lead.locator("#diff .diff__text ins")).to_have_text("place; Tomás draws them in _ink_.")
