"""Duplicates in the browser: two people post nearly the same idea; a host groups them
from the host tools, and the challenge page shows one card naming both.

Run twice: with JavaScript (the tool's section is swapped in place) and without.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories.browser import sign_in_as, switch

pytestmark = pytest.mark.browser


def test_a_host_groups_two_duplicates_and_the_list_shows_one_card(
    new_page: Any, javascript: bool
) -> None:
    marker = uuid.uuid4().hex[:6]
    title = f"Shadier playgrounds {marker}"
    host = new_page()
    sign_in_as(host, "Hamid Rahimi")
    host.goto("/challenges/new")
    host.get_by_label("Title").fill(title)
    host.get_by_label("Question").fill("How might we keep playgrounds cool in summer?")
    host.get_by_role("button", name="Create the draft").click()
    expect(host.get_by_role("heading", level=1)).to_have_text(title)
    challenge_url = host.url
    switch(host, "Open for ideas now", "Ideas")

    ideas = []
    for persona, idea in (
        ("Tomás Ferreira", "Sails over the sandpit"),
        ("Priya Natarajan", "Shade sails for the sandpit"),
    ):
        author = new_page()
        sign_in_as(author, persona)
        author.goto(challenge_url)
        author.get_by_role("link", name="Post an idea").click()
        ideas.append(f"{idea} {marker}")
        author.get_by_label("Title").fill(ideas[-1])
        author.get_by_label("Summary").fill(f"{idea}, in short.")
        author.get_by_role("button", name="Post the idea").click()
        expect(author.get_by_role("heading", level=1)).to_have_text(ideas[-1])

    host.goto(challenge_url)
    host.get_by_role("link", name="Duplicates", exact=True).click()
    expect(host.get_by_role("heading", level=1)).to_have_text("Duplicates")
    if javascript:
        host.evaluate("window.samePage = true")
    for idea in ideas:
        host.get_by_label(idea).check()
    host.get_by_role("button", name="Group the chosen ideas").click()
    cluster = host.locator("#duplicates .cluster")
    expect(cluster).to_have_count(1)
    for idea in ideas:
        expect(cluster.get_by_role("link", name=idea)).to_be_visible()
    if javascript:
        assert host.evaluate("window.samePage") is True

    visitor = new_page()
    visitor.goto(challenge_url)
    cards = visitor.locator("#ideas .idea-card")
    expect(cards).to_have_count(1)
    expect(cards.get_by_role("link", name=ideas[0])).to_be_visible()
    expect(
        cards.locator(".card__cluster-members").get_by_role("link", name=ideas[1])
    ).to_be_visible()
    cards.locator(".card__cluster-members").get_by_role("link", name=ideas[1]).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(ideas[1])
    expect(visitor.locator("#cluster").get_by_role("link", name=ideas[0])).to_be_visible()
