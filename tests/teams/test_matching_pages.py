"""The team matching pages: a fixed number of queries, and the links to them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.factories.accounts import Person
from tests.factories.queries import counting
from tests.factories.teams import (
    add_role,
    give_skills,
    look,
    looking_url,
    preferences_url,
    rank,
    suggest_url,
    teams_round,
)
from tests.html import Page

# Query counts ----------------------------------------------------------------------------


async def test_the_pages_run_the_same_queries_for_2_or_12_people(
    engine: AsyncEngine,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, count=3
    )
    for team in teams:
        await add_role(session, team, "Map maker", "Maps", "Design")
    viewer = await make_user("Viewer")
    await give_skills(session, viewer, "Maps")
    as_viewer, as_host = await sign_in(viewer), await sign_in(host)

    async def add_people(how_many: int) -> None:
        for _ in range(how_many):
            person = await make_user()
            await give_skills(session, person, "Maps", "Cooking")
            await look(session, challenge, person, "A note.")
            await rank(session, challenge, person, teams[::-1])
        await session.commit()

    async def queries_for(client: Person, url: str) -> int:
        with counting(engine) as statements:
            assert (await client.get(url)).status_code == 200
        return len(statements)

    await add_people(2)
    few = [
        await queries_for(as_viewer, looking_url(challenge)),
        await queries_for(as_host, suggest_url(challenge)),
        await queries_for(as_viewer, preferences_url(challenge)),
    ]
    await add_people(10)
    many = [
        await queries_for(as_viewer, looking_url(challenge)),
        await queries_for(as_host, suggest_url(challenge)),
        await queries_for(as_viewer, preferences_url(challenge)),
    ]

    assert few == many


# Links from the challenge page ----------------------------------------------------------


async def test_the_challenge_page_links_to_team_matching_in_the_teams_phase(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    visitor: Person,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    host, challenge, _teams = await teams_round(make_user, make_challenge, make_idea, session)
    url = f"/challenges/{challenge.slug}"

    as_participant = Page(await (await sign_in(await make_user())).get(url))
    as_host = Page(await (await sign_in(host)).get(url))
    as_visitor = Page(await visitor.get(url))

    assert [a.get("href") for a in as_participant.select(".challenge__teams a")] == [
        looking_url(challenge),
        preferences_url(challenge),
    ]
    assert as_participant.select(f".host-tools a[href='{suggest_url(challenge)}']") == []
    assert len(as_host.select(f".host-tools a[href='{suggest_url(challenge)}']")) == 1
    assert as_visitor.select(".challenge__teams") == []
