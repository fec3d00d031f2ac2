"""Participants rank the teams they would join."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.submissions.models import Idea, IdeaStatus
from ideas.teams import matching
from ideas.teams.models import (
    TeamPreference,
)
from tests.factories.accounts import Person
from tests.factories.rounds import switch_phase
from tests.factories.teams import (
    preferences_url,
    put_on,
    rank,
    teams_round,
)
from tests.html import Page


async def ranking(session: AsyncSession, challenge: Challenge, user: User) -> list[int]:
    await session.commit()
    return await matching.ranking_of(session, challenge.id, user.id)


# Ranking teams -----------------------------------------------------------------------


async def test_a_participant_ranks_three_teams_and_changes_their_mind(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, count=4
    )
    priya = await make_user("Priya")
    client = await sign_in(priya)
    a, b, c, d = teams

    response = await client.post(
        preferences_url(challenge), {"first": str(c.id), "second": str(a.id), "third": str(d.id)}
    )

    assert response.status_code == 303
    assert await ranking(session, challenge, priya) == [c.id, a.id, d.id]
    page = Page(await client.get(response.headers["location"]))
    assert page.text("[role=status]") == "Your choices are saved."
    assert [
        page.one(f"#f-{n} option[selected]").get("value") for n in ("first", "second", "third")
    ] == [str(c.id), str(a.id), str(d.id)]

    await client.post(preferences_url(challenge), {"first": str(b.id), "second": "", "third": ""})
    assert await ranking(session, challenge, priya) == [b.id]
    await client.post(preferences_url(challenge), {"first": "", "second": "", "third": ""})
    assert await ranking(session, challenge, priya) == []


async def test_the_same_team_twice_comes_back_beside_the_field_with_the_choices_kept(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    priya = await make_user("Priya")
    a, b = teams
    client = await sign_in(priya)
    await rank(session, challenge, priya, [b])

    response = await client.post(
        preferences_url(challenge), {"first": str(a.id), "second": str(a.id), "third": ""}
    )

    assert response.status_code == 200
    page = Page(response)
    assert page.text("#f-second-error") == (
        "Error: You chose this team already as your first choice; choose another, or none."
    )
    assert page.one("#f-first option[selected]").get("value") == str(a.id)
    assert page.one("#f-second option[selected]").get("value") == str(a.id)
    assert await ranking(session, challenge, priya) == [b.id]


async def test_a_later_choice_needs_the_earlier_ones(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    priya = await make_user("Priya")
    response = await (await sign_in(priya)).post(
        preferences_url(challenge), {"first": "", "second": str(teams[0].id), "third": ""}
    )
    assert response.status_code == 200
    assert Page(response).text("#f-second-error") == (
        "Error: Choose a first choice before a second one."
    )
    assert await ranking(session, challenge, priya) == []


async def test_a_team_of_another_challenge_cannot_be_ranked(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    _other_host, _other, foreign = await teams_round(make_user, make_challenge, make_idea, session)
    priya = await make_user("Priya")

    response = await (await sign_in(priya)).post(
        preferences_url(challenge), {"first": str(teams[0].id), "second": str(foreign[0].id)}
    )

    assert response.status_code == 200
    page = Page(response)
    assert page.text("#f-second-error") == "Error: Choose one of this challenge's teams."
    assert page.one("#f-second option[selected]").get("value") == str(foreign[0].id)
    assert await ranking(session, challenge, priya) == []


@pytest.mark.parametrize("value", ["abc", "-3", "99999999999999999999"])
async def test_a_choice_that_is_no_team_id_comes_back_beside_its_field(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
    value: str,
) -> None:
    _host, challenge, _teams = await teams_round(make_user, make_challenge, make_idea, session)
    priya = await make_user("Priya")
    response = await (await sign_in(priya)).post(preferences_url(challenge), {"first": value})
    assert response.status_code == 200
    assert Page(response).text("#f-first-error") == "Error: Choose a team from the list."
    assert await ranking(session, challenge, priya) == []


async def test_a_team_whose_idea_left_the_shortlist_cannot_be_ranked(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    await session.execute(
        update(Idea).where(Idea.id == teams[1].idea_id).values(status=IdeaStatus.HIDDEN)
    )
    await session.commit()
    priya = await make_user("Priya")
    client = await sign_in(priya)

    page = Page(await client.get(preferences_url(challenge)))
    response = await client.post(preferences_url(challenge), {"first": str(teams[1].id)})

    assert [o.get("value") for o in page.select("#f-first option")] == ["", str(teams[0].id)]
    assert Page(response).text("#f-first-error") == "Error: Choose one of this challenge's teams."
    assert await ranking(session, challenge, priya) == []


@pytest.mark.parametrize(
    ("who", "phase"),
    [("visitor", Phase.TEAMS), ("participant", Phase.REVIEW), ("participant", Phase.CLOSED)],
)
async def test_ranking_teams_is_for_participants_in_the_teams_phase(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    visitor: Person,
    sign_in: Any,
    session: AsyncSession,
    who: str,
    phase: Phase,
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    if phase is not Phase.TEAMS:
        await switch_phase(session, challenge, phase)
    priya = await make_user("Priya")
    client = visitor if who == "visitor" else await sign_in(priya)

    page = await client.get(preferences_url(challenge))
    response = await client.post(preferences_url(challenge), {"first": str(teams[0].id)})

    # A visitor is sent to sign in first; a form post is refused all the same.
    assert page.status_code == (303 if who == "visitor" else 403)
    assert response.status_code == 403
    assert await session.scalar(select(func.count()).select_from(TeamPreference)) == 0


async def test_someone_on_a_team_cannot_rank_teams_when_the_challenge_allows_one_team(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    priya = await make_user("Priya")
    await put_on(session, teams[0], priya)
    client = await sign_in(priya)

    page = Page(await client.get(preferences_url(challenge)))
    response = await client.post(preferences_url(challenge), {"first": str(teams[1].id)})

    assert page.select("select") == []
    assert response.status_code == 409
    assert await ranking(session, challenge, priya) == []


async def test_where_several_teams_are_allowed_members_rank_the_other_teams(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, one_team_per_participant=False
    )
    priya = await make_user("Priya")
    await put_on(session, teams[0], priya)
    client = await sign_in(priya)

    own = await client.post(preferences_url(challenge), {"first": str(teams[0].id)})
    other = await client.post(preferences_url(challenge), {"first": str(teams[1].id)})

    assert Page(own).text("#f-first-error") == "Error: You are already on this team."
    assert other.status_code == 303
    assert await ranking(session, challenge, priya) == [teams[1].id]
