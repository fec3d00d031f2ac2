"""A team's page suggests people whose skills its open roles ask for."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.applications import Starlette

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.db import write
from ideas.teams import matching
from ideas.teams.models import (
    JoinRequest,
    RequestKind,
    Team,
)
from tests.factories.accounts import Person
from tests.factories.queries import counting
from tests.factories.teams import (
    add_role,
    give_skills,
    look,
    looking_url,
    put_on,
    teams_round,
    texts,
)
from tests.factories.web import HTMX
from tests.html import Page


def suggestions_url(challenge: Challenge, team: Team) -> str:
    return f"/challenges/{challenge.slug}/looking/teams/{team.id}"


# Suggestions on a team's page ---------------------------------------------------------


async def test_suggested_people_have_skills_the_open_roles_ask_for(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    team, other = teams
    await add_role(session, team, "Map maker", "Illustration", "Maps")
    await add_role(session, team, "Cook", "Cooking", filled_by=await make_user())
    both, one, cook, placed, silent = [
        await make_user(name) for name in ("Both", "One", "Cook", "Placed", "Silent")
    ]
    await give_skills(session, both, "maps", "Illustration", "Singing")
    await give_skills(session, one, "Illustration")
    await give_skills(session, cook, "Cooking")
    await give_skills(session, placed, "Maps")
    await give_skills(session, silent, "Maps")  # never says they are looking
    for person in (one, both, cook, placed):
        await look(session, challenge, person, f"Note of {person.display_name}")
    await put_on(session, other, placed)

    suggested = await matching.suggested_people(session, team)

    assert [(s.user.display_name, [k.name for k in s.skills]) for s in suggested] == [
        ("Both", ["Illustration", "Maps"]),  # the role named it first
        ("One", ["Illustration"]),
    ]
    assert [s.note for s in suggested] == ["Note of Both", "Note of One"]


async def test_people_on_another_team_are_suggested_where_several_teams_are_allowed(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, one_team_per_participant=False
    )
    team, other = teams
    await add_role(session, team, "Map maker", "Maps")
    await add_role(session, other, "Map maker", "Maps")
    mei = await make_user("Mei")
    await give_skills(session, mei, "Maps")
    await look(session, challenge, mei)
    await put_on(session, other, mei)

    assert [s.user.id for s in await matching.suggested_people(session, team)] == [mei.id]
    assert await matching.suggested_people(session, other) == []


async def test_at_most_ten_people_are_suggested_in_a_fixed_number_of_queries(
    engine: AsyncEngine,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    team = teams[0]
    await add_role(session, team, "Map maker", "Maps", "Design")
    people = [await make_user(f"Seeker {n}") for n in range(12)]
    for person in people[:2]:
        await give_skills(session, person, "Maps")
        await look(session, challenge, person)
    await session.commit()
    with counting(engine) as few:
        assert len(await matching.suggested_people(session, team)) == 2
    for person in people[2:]:
        await give_skills(session, person, "Maps", "Design")
        await look(session, challenge, person)
    await session.commit()
    with counting(engine) as many:
        suggested = await matching.suggested_people(session, team)

    assert len(suggested) == 10
    assert all(len(s.skills) == 2 for s in suggested)  # the best matches first
    assert len(few) == len(many) == 4


async def test_the_suggestions_fragment_lists_matches_and_offers_invitations_only_to_the_lead(
    app: Starlette,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    visitor: Person,
    session: AsyncSession,
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    team = teams[0]
    await add_role(session, team, "Map maker", "Maps")
    mei, lena = await make_user("Mei"), await make_user("Lena")
    for person in (mei, lena):
        await give_skills(session, person, "Maps")
        await look(session, challenge, person, "Evenings only.")
    async with write(session) as tx:
        tx.add(JoinRequest(team_id=team.id, user_id=lena.id, kind=RequestKind.INVITATION))
    lead = await session.get(User, team.lead_id)
    assert lead is not None
    # The invitation form posts to the team pages' own route, where the site has it.
    has_invite_route = any(getattr(route, "name", None) == "team.invite" for route in app.routes)

    fragment = await visitor.get(suggestions_url(challenge, team), headers=HTMX)
    as_visitor = Page(fragment)
    as_lead = Page(await (await sign_in(lead)).get(suggestions_url(challenge, team), headers=HTMX))
    plain = await visitor.get(suggestions_url(challenge, team))

    assert "HX-Request" in [v.strip() for v in fragment.headers["Vary"].split(",")]
    assert as_visitor.select("h1") == []  # a fragment, not a page
    assert as_visitor.text("h2") == "People looking for a team"
    assert texts(as_visitor, ".seeker__who a") == ["Mei", "Lena"]
    assert texts(as_visitor, f"#suggested-{mei.id} .tag") == ["Maps"]
    assert as_visitor.select(".seeker__note") == []
    assert as_visitor.select("form") == []
    assert texts(as_lead, ".seeker__note") == ["Evenings only.", "Evenings only."]
    invites = as_lead.select("form.seeker__invite")
    if has_invite_route:
        assert [f.get("action") for f in invites] == [f"/teams/{team.id}/invite"]
        assert as_lead.one("form.seeker__invite [name=user_id]").get("value") == str(mei.id)
        assert as_lead.text(f"#suggested-{lena.id} .seeker__pending") == (
            "A request or invitation is open."
        )
        assert plain.headers["location"] == f"/teams/{team.id}"
    else:
        assert invites == []
        assert plain.headers["location"] == looking_url(challenge)
    assert plain.status_code == 303


async def test_the_suggestions_of_a_team_of_another_challenge_are_not_found(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person, session: AsyncSession
) -> None:
    _host, challenge, _teams = await teams_round(make_user, make_challenge, make_idea, session)
    _other_host, _other, foreign = await teams_round(make_user, make_challenge, make_idea, session)
    response = await visitor.get(suggestions_url(challenge, foreign[0]), headers=HTMX)
    assert response.status_code == 404
