"""The challenge page itself shows what the teams did after the round: each team's
latest status and its latest few updates, linking to the round's full impact page."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ideas.challenges.phases import Phase
from ideas.impact import services
from ideas.impact.forms import UpdateInput
from ideas.impact.models import ImpactStatus
from tests.factories import challenges as rounds
from tests.factories.accounts import Person
from tests.factories.impact import ImpactRound, impact_round
from tests.factories.queries import counting
from tests.html import Page

STATUSES = (
    ImpactStatus.PLANNED,
    ImpactStatus.IN_PROGRESS,
    ImpactStatus.PILOTED,
    ImpactStatus.IMPLEMENTED,
)


async def _round(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> ImpactRound:
    return await impact_round(session, make_user, make_challenge, make_idea, closed=False)


async def _second_team(r: ImpactRound, make_user: Any, make_idea: Any) -> None:
    """Another shortlisted idea whose team reports once."""
    author = await make_user("Second lead")
    idea = await make_idea(r.challenge, author, title="Market stalls")
    await rounds.shortlist(r.session, r.challenge, idea)
    await services.post_update(
        r.session, idea_id=idea.id, author_id=author.id,
        data=UpdateInput(ImpactStatus.PLANNED, "We start in May."), now=r.tick(),
    )  # fmt: skip


async def _page(who: Person, r: ImpactRound) -> Page:
    response = await who.get(f"/challenges/{r.challenge.slug}")
    assert response.status_code == 200
    return Page(response)


async def test_the_closed_round_shows_each_teams_latest_status_and_short_timeline(
    session: AsyncSession,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    visitor: Person,
) -> None:
    r = await _round(session, make_user, make_challenge, make_idea)
    for status in STATUSES:
        await r.post(data=UpdateInput(status, f"Now {status.value}."))
    await _second_team(r, make_user, make_idea)
    await r.switch(Phase.CLOSED)
    await session.commit()

    page = await _page(visitor, r)
    teams = page.select("#team-progress .team-progress__team")
    # The team with the latest news comes first.
    assert [t.cssselect("h3 a")[0].text_content() for t in teams] == [
        "Market stalls",
        "Canteen leftovers",
    ]
    canteen = teams[1]
    assert canteen.cssselect(".impact-status")[0].text_content() == "implemented"
    steps = [li.text_content() for li in canteen.cssselect(".team-progress__steps li")]
    assert [step.rsplit("· ", 1)[1] for step in steps] == ["implemented", "piloted", "in progress"]
    assert "4 updates in all" in canteen.text_content()
    assert canteen.cssselect("h3 a")[0].get("href") == f"/teams/{r.team.id}/impact"
    full = [a.get("href") for a in page.select("#team-progress > p a")]
    assert full == [f"/challenges/{r.challenge.slug}/impact"]


async def test_the_section_shows_in_the_teams_phase_too(
    session: AsyncSession,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    visitor: Person,
) -> None:
    r = await _round(session, make_user, make_challenge, make_idea)
    await r.post()
    await session.commit()
    page = await _page(visitor, r)
    assert page.text("#team-progress .impact-status") == "piloted"


async def test_no_section_before_the_round_reaches_its_teams(
    session: AsyncSession,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    visitor: Person,
) -> None:
    r = await _round(session, make_user, make_challenge, make_idea)
    await r.post()
    await r.switch(Phase.REVIEW)
    await session.commit()
    assert not (await _page(visitor, r)).select("#team-progress")


async def test_a_round_with_no_updates_says_so(
    session: AsyncSession,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    visitor: Person,
) -> None:
    r = await _round(session, make_user, make_challenge, make_idea)
    await r.switch(Phase.CLOSED)
    await session.commit()
    page = await _page(visitor, r)
    assert page.select("#team-progress .empty")
    assert not page.select("#team-progress .team-progress__team")


async def test_the_section_runs_one_query_however_many_teams_report(
    engine: AsyncEngine,
    session: AsyncSession,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    visitor: Person,
) -> None:
    r = await _round(session, make_user, make_challenge, make_idea)
    await r.switch(Phase.CLOSED)
    await session.commit()
    await _page(visitor, r)  # the first request sets up what every later one reuses
    with counting(engine) as before:
        await _page(visitor, r)
    await r.switch(Phase.TEAMS)
    for status in STATUSES:
        await r.post(data=UpdateInput(status, "News."))
    await _second_team(r, make_user, make_idea)
    await r.switch(Phase.CLOSED)
    await session.commit()
    with counting(engine) as after:
        page = await _page(visitor, r)
    assert len(page.select("#team-progress .team-progress__team")) == 2
    assert len(after) == len(before)
