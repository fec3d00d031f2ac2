"""A jury in the browser: a host sets the rubric, the weighting and two jurors; the
jurors score blind, one declares a conflict; the host sees the agreement and the
disagreements and publishes; the results page and the API show the combined ranking.

Run twice: with JavaScript and without (every step is a plain form post).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.factories.browser import sign_in_as, switch

pytestmark = pytest.mark.browser


def _score(page: Page, marks: dict[str, str], *, submit: bool = True) -> None:
    for criterion, mark in marks.items():
        page.get_by_role("group", name=criterion).get_by_label(mark, exact=True).check()
    page.get_by_role("button", name="Submit" if submit else "Save as draft").click()


def test_a_jury_scores_blind_and_its_ranking_is_published(new_page: Any) -> None:
    marker = uuid.uuid4().hex[:6]
    title = f"Quieter streets {marker}"

    host = new_page()
    sign_in_as(host, "Hamid Rahimi")
    host.goto("/challenges/new")
    host.get_by_label("Title").fill(title)
    host.get_by_label("Question").fill("How might we make our streets quieter at night?")
    host.get_by_role("button", name="Create the draft").click()
    expect(host.get_by_role("heading", level=1)).to_have_text(title)
    challenge_url = host.url
    switch(host, "Open for ideas now", "Ideas")

    ideas = {}
    for persona, idea in (
        ("Tomás Ferreira", "Night buses on rubber"),
        ("Priya Natarajan", "Quiet hours signs"),
    ):
        author = new_page()
        sign_in_as(author, persona)
        author.goto(challenge_url)
        author.get_by_role("link", name="Post an idea").click()
        ideas[idea] = f"{idea} {marker}"
        author.get_by_label("Title").fill(ideas[idea])
        author.get_by_label("Summary").fill(f"{idea}, in short.")
        author.get_by_role("button", name="Post the idea").click()
        expect(author.get_by_role("heading", level=1)).to_have_text(ideas[idea])

    # The rubric, the weighting and two jurors, before review begins.
    host.goto(challenge_url)
    host.get_by_role("link", name="Jury", exact=True).click()
    first = host.get_by_role("group", name="Criterion 1")
    first.get_by_label("Name").fill("Quiet gained")
    first.get_by_label("What a 1 means").fill("No quieter")
    first.get_by_label("What a 5 means").fill("Much quieter")
    first.get_by_label("Weight").fill("2")
    second = host.get_by_role("group", name="Criterion 2")
    second.get_by_label("Name").fill("Cost")
    second.get_by_label("What a 1 means").fill("Costly")
    second.get_by_label("What a 5 means").fill("Cheap")
    host.get_by_role("button", name="Save the rubric").click()
    expect(host.locator(".rubric")).to_contain_text("Quiet gained")
    host.get_by_label("The jury's share of the final ranking, in per cent").fill("60")
    host.get_by_label("Jurors per idea").fill("2")
    host.get_by_role("button", name="Save the settings").click()
    expect(host.locator("#weighting")).to_contain_text("60%")
    for address in ("mei@example.org", "lena@example.org"):
        host.get_by_label("Invite a juror by e-mail address").fill(address)
        host.get_by_role("button", name="Invite", exact=True).click()
        expect(host.locator("#jurors")).to_contain_text(address)
    host.goto(challenge_url)
    expect(host.locator("#jury-weighting")).to_contain_text("60%")
    switch(host, "Move on to Review now", "Review")

    # Mei scores blind: no votes or rankings until she has submitted.
    mei = new_page()
    sign_in_as(mei, "Mei Lin")
    mei.goto(challenge_url + "/results")
    expect(mei.locator("#blind")).to_be_visible()
    expect(mei.locator("#results")).to_have_count(0)
    mei.goto(challenge_url)
    mei.get_by_role("link", name="Your ideas to score as a juror").click()
    expect(mei.locator("#queue li")).to_have_count(2)
    mei.get_by_role("link", name=ideas["Night buses on rubber"]).click()
    mei.get_by_role("group", name="Quiet gained").get_by_label("5", exact=True).check()
    mei.get_by_role("button", name="Submit").click()
    expect(mei.locator(".score.field--error")).to_have_count(1)
    _score(mei, {"Quiet gained": "5", "Cost": "2"})
    expect(mei.locator("#queue-progress")).to_contain_text("1 of 2")
    mei.get_by_role("link", name=ideas["Quiet hours signs"]).click()
    _score(mei, {"Quiet gained": "2", "Cost": "5"})
    expect(mei.locator("#queue-progress")).to_contain_text("2 of 2")

    # Lena declares a conflict with one idea and scores the other.
    lena = new_page()
    sign_in_as(lena, "Lena Novak")
    lena.goto(challenge_url + "/jury")
    lena.get_by_role("link", name=ideas["Quiet hours signs"]).click()
    lena.get_by_label("Why you should not score this idea").fill("Priya is my flatmate.")
    lena.get_by_role("button", name="Declare a conflict").click()
    expect(lena.locator("#queue li")).to_have_count(1)
    lena.get_by_role("link", name=ideas["Night buses on rubber"]).click()
    _score(lena, {"Quiet gained": "1", "Cost": "4"})
    lena.get_by_role("link", name=ideas["Night buses on rubber"]).click()
    expect(lena.locator(".jury__other")).to_have_count(1)

    # The host sees the agreement, the disagreements and the conflict, and publishes.
    host.goto(challenge_url + "/jury/setup")
    expect(host.locator("#jury-progress")).to_contain_text("3 of 3")
    expect(host.locator("#agreement")).to_be_visible()
    expect(host.locator("#disagreements li")).to_contain_text(ideas["Night buses on rubber"])
    expect(host.locator("#conflicts")).to_contain_text("Priya is my flatmate.")
    host.get_by_role("button", name="Publish the jury's scores").click()
    expect(host.locator(".notice")).to_contain_text("published")

    visitor = new_page()
    visitor.goto(challenge_url + "/results?by=combined")
    expect(visitor.locator("#results th", has_text="Combined rank")).to_have_count(1)
    expect(
        visitor.locator("#results tbody tr").first.locator(".results__combined-rank")
    ).to_have_text("1")
    expect(visitor.locator("#weighting")).to_contain_text("60%")
    numbers = visitor.get_by_role("link", name="The numbers behind every ranking")
    body = visitor.request.get(numbers.get_attribute("href") or "").json()
    assert body["jury_published"] is True
    assert body["methods"]["combined"]["parameters"]["jury_weight"] == 0.6
    assert sorted(item["combined_rank"] for item in body["items"]) == [1, 2]
