"""The team pages and fragments, and the queries they run."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.teams import services
from ideas.teams.forms import RoleInput
from ideas.teams.models import (
    JoinRequest,
    RequestKind,
    Team,
    TeamMember,
)
from tests.factories.accounts import Person
from tests.factories.queries import counting
from tests.factories.rounds import set_phase
from tests.factories.teams import add_team, ask
from tests.factories.web import HTMX
from tests.html import Page

# Pages and fragments ----------------------------------------------------------------


async def test_accepting_in_place_answers_with_the_changed_parts(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    request = await ask(session, r.team, maria)
    response = await (await sign_in(r.lead)).post(
        f"{r.url}/requests/{request.id}/accept", headers=HTMX
    )
    assert response.status_code == 200
    part = Page(response)
    assert part.select("h1") == []
    assert part.one("#team-lead").get("data-hx-swap-oob") is None
    assert part.one("#team-members").get("data-hx-swap-oob") == "true"
    assert part.text("#team-members h2") == "Members 2 of 6"
    assert part.text("#team-status") == "Maria joined the team."
    assert part.select(".request-card") == []


async def test_asking_in_place_answers_with_the_join_part(
    make_round: Any, make_user: Any, sign_in: Any
) -> None:
    r = await make_round()
    response = await (await sign_in(await make_user())).post(
        f"{r.url}/ask", {"message": "Hello"}, headers=HTMX
    )
    part = Page(response)
    assert response.status_code == 200
    assert part.select("h1") == []
    assert part.select("#team-join form") == []
    assert "You asked to join" in part.text("#team-join p")
    assert part.text("#team-status") == "Your request was sent to the lead."


async def test_the_team_page_fragment_has_no_heading_of_its_own(
    make_round: Any, visitor: Person
) -> None:
    r = await make_round()
    page = await visitor.get(r.url)
    fragment = await visitor.get(r.url, headers=HTMX)
    assert Page(page).text("h1") == "The team working on “Compost the leftovers”"
    assert Page(fragment).select("h1") == []
    assert Page(fragment).select("#team-members")
    assert "HX-Request" in [v.strip() for v in fragment.headers["vary"].split(",")]


async def test_the_idea_and_challenge_pages_link_to_the_teams(
    make_round: Any, visitor: Person, session: AsyncSession
) -> None:
    r = await make_round()
    idea_page = Page(await visitor.get(f"/ideas/{r.idea.id}/{r.idea.slug}"))
    challenge_page = Page(await visitor.get(f"/challenges/{r.challenge.slug}"))
    await set_phase(session, r.challenge, Phase.REVIEW)
    in_review = Page(await visitor.get(f"/challenges/{r.challenge.slug}"))

    assert idea_page.one(".idea__team a").get("href") == r.url
    teams_link = f"/challenges/{r.challenge.slug}/teams"
    assert [a for a in challenge_page.select(".challenge__head a") if a.get("href") == teams_link]
    assert not [a for a in in_review.select(".challenge__head a") if a.get("href") == teams_link]


async def test_the_teams_of_a_challenge_with_leads_sizes_and_open_roles(
    make_round: Any, make_user: Any, make_idea: Any, visitor: Person, session: AsyncSession
) -> None:
    r = await make_round()
    await services.add_role(
        session,
        team_id=r.team.id,
        actor_id=r.lead.id,
        data=RoleInput("Designer", "", ["design"]),
        now=utcnow(),
    )
    await make_idea(r.challenge, await make_user(), title="Not shortlisted")
    page = Page(await visitor.get(f"/challenges/{r.challenge.slug}/teams"))
    card = f"#team-{r.team.id}"
    assert [a.text for a in page.select(".team-card h2 a")] == ["Compost the leftovers"]
    assert page.text(f"{card} .team-card__size") == "1 of 6 members"
    assert "Led by Ada" in page.text(f"{card} .card__stats")
    assert page.text(f"{card} .team-card__roles li") == "Designer, skills: design"


async def test_my_requests_needs_signing_in(visitor: Person) -> None:
    response = await visitor.get("/teams/requests")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/teams/requests"


# Queries ------------------------------------------------------------------------------


async def _team_page_queries(engine: AsyncEngine, person: Person, url: str) -> int:
    with counting(engine) as statements:
        response = await person.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("viewer", ["lead", "participant"])
async def test_the_team_page_runs_the_same_queries_with_2_or_20_members(
    engine: AsyncEngine,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
    viewer: str,
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.TEAMS, team_capacity=30)
    people = [await make_user() for _ in range(20)]
    lead = await make_user("Lead")
    small = await add_team(session, challenge, await make_idea(challenge, lead))
    large = await add_team(session, challenge, await make_idea(challenge, lead))
    now = utcnow()
    for team, size in ((small, 1), (large, 19)):
        await session.execute(
            insert(TeamMember),
            [
                {
                    "team_id": team.id,
                    "user_id": p.id,
                    "challenge_id": challenge.id,
                    "joined_at": now,
                }
                for p in people[:size]
            ],
        )
        await session.execute(update(Team).where(Team.id == team.id).values(member_count=size + 1))
        for n in range(3):
            role = await services.add_role(
                session,
                team_id=team.id,
                actor_id=lead.id,
                data=RoleInput(f"Role {n}", "", [f"skill {n}", "common"]),
                now=now,
            )
            await services.post_update(
                session, team_id=team.id, author_id=lead.id, body=f"Update {n}", now=now
            )
            del role
    await session.commit()
    for team in (small, large):
        session.add(
            JoinRequest(
                team_id=team.id,
                user_id=(await make_user()).id,
                kind=RequestKind.REQUEST,
                created_at=now,
            )
        )
    await session.commit()
    person = await sign_in(lead if viewer == "lead" else await make_user())

    queries = {
        await _team_page_queries(engine, person, f"/teams/{team.id}") for team in (small, large)
    }

    # Session and user; the idea with its author and challenge; the challenge's hosts; the
    # idea's co-authors; the team with its lead; members; roles; their skills; updates.
    # The lead also reads the open requests and who is looking for a team; anyone else
    # reads their own request, another team they are on and their profile skills.
    # The lead's page lists people looking for a team who match its roles instead of
    # the visitor's own join state.
    assert queries == {12}
    assert await session.scalar(select(func.count()).select_from(TeamMember)) == 22
