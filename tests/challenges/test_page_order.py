"""The challenge page puts the question, the brief's opening and the ideas first; the
phase in one line (the full timeline behind a disclosure); host tools after the ideas."""

from __future__ import annotations

from typing import Any

from ideas.challenges.phases import Phase
from tests.html import Page

LONG_BRIEF = " ".join(["Canteens throw away a third of what they cook."] * 10)


def order(page: Page, *selectors: str) -> list[str]:
    """``selectors`` sorted by where their first element stands in the page."""
    every = list(page.root.iter())
    return sorted(selectors, key=lambda selector: every.index(page.one(selector)))


async def test_the_ideas_come_before_the_host_tools_and_the_rest(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.REVIEW, brief=LONG_BRIEF)
    await make_idea(challenge, await make_user())

    page = Page(await (await sign_in(host)).get(f"/challenges/{challenge.slug}"))

    assert order(
        page, "#host-tools", "#ideas", ".brief", ".challenge__about", ".challenge__question"
    ) == [".challenge__question", ".brief", "#ideas", ".challenge__about", "#host-tools"]
    # At the top, one line says where the host's tools are.
    assert [a.get("href") for a in page.select(".challenge__hosting a")] == [
        "#host-heading",
        f"/challenges/{challenge.slug}/dashboard",
    ]
    assert page.select("#host-tools .phase-switch button")


async def test_the_phase_is_one_line_and_the_timeline_is_behind_a_disclosure(
    make_user: Any, make_challenge: Any, visitor: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=Phase.REVIEW)

    page = Page(await visitor.get(f"/challenges/{challenge.slug}"))

    assert page.text(".challenge__when .time-left").startswith("Review phase ends and Teams begins")
    timeline = page.one(".challenge__when details.timeline-more")
    assert timeline.get("open") is None
    assert timeline.cssselect("summary")[0].text_content() == "Full timeline"
    assert len(timeline.cssselect("ol.timeline li")) == 5


async def test_a_long_brief_shows_its_opening_and_the_rest_on_demand(
    make_user: Any, make_challenge: Any, visitor: Any
) -> None:
    long = await make_challenge(await make_user(host=True), brief=LONG_BRIEF)
    short = await make_challenge(await make_user(host=True), brief="Cut waste by half.")

    long_page = Page(await visitor.get(f"/challenges/{long.slug}"))
    short_page = Page(await visitor.get(f"/challenges/{short.slug}"))

    opening = long_page.text(".brief .brief__opening")
    assert opening.startswith("Canteens throw away a third")
    assert opening.endswith("…")
    assert len(opening) <= 161
    whole = long_page.one(".brief details.brief__whole")
    assert whole.cssselect("summary")[0].text_content() == "Read the whole brief"
    assert " ".join(whole.text_content().split()).endswith(LONG_BRIEF)
    assert short_page.text(".brief").endswith("Cut waste by half.")
    assert short_page.select(".brief details") == []
