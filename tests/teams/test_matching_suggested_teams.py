"""The hosts see suggested teams from the rankings, and nothing is applied until they confirm."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.audit import AuditEntry
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.teams import matching
from ideas.teams.models import (
    Team,
    TeamMember,
)
from tests.factories.accounts import Person
from tests.factories.rounds import switch_phase
from tests.factories.teams import (
    put_on,
    rank,
    suggest_url,
    teams_round,
    texts,
)
from tests.html import Page


async def members(session: AsyncSession, team: Team) -> set[int]:
    await session.commit()
    return set(
        await session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team.id))
    )


async def member_count(session: AsyncSession, team: Team) -> int:
    await session.commit()
    return int(await session.scalar(select(Team.member_count).where(Team.id == team.id)) or 0)


# Suggested teams ---------------------------------------------------------------------


async def test_the_host_sees_the_suggestion_and_nothing_is_applied_until_they_confirm(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, team_capacity=2
    )
    a, b = teams
    ana, ben, cai = [await make_user(name) for name in ("Ana", "Ben", "Cai")]
    await rank(session, challenge, ana, [a, b])
    await rank(session, challenge, ben, [a])
    await rank(session, challenge, cai, [a])
    client = await sign_in(host)

    page = Page(await client.get(suggest_url(challenge)))

    # One seat each: Ben (or Cai) takes A as a first choice, Ana her second choice, B.
    placed_a = page.select(f"#team-{a.id} .suggestion__person")
    placed_b = page.select(f"#team-{b.id} .suggestion__person")
    assert len(placed_a) == 1
    assert placed_a[0].get("data-user-id") in {str(ben.id), str(cai.id)}
    assert [(p.get("data-user-id"), p.get("data-rank")) for p in placed_b] == [(str(ana.id), "2")]
    assert texts(page, f"#team-{b.id} .choice-badge") == ["2nd choice"]
    assert len(page.select(".unplaced__person")) == 1
    assert page.one(".suggestion__confirm button").text_content() == "Confirm and apply"
    assert (await member_count(session, a), await member_count(session, b)) == (1, 1)
    assert (
        await session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "team.suggestion.apply")
        )
        == 0
    )


async def test_confirming_applies_the_suggestion_and_reports_it(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, team_capacity=3
    )
    a, b = teams
    ana, ben, cai = [await make_user(name) for name in ("Ana", "Ben", "Cai")]
    await rank(session, challenge, ana, [a, b])
    await rank(session, challenge, ben, [b])
    await rank(session, challenge, cai, [b, a])
    client = await sign_in(host)

    response = await client.post(suggest_url(challenge))

    assert response.status_code == 303
    assert await members(session, a) == {a.lead_id, ana.id}
    assert await members(session, b) == {b.lead_id, ben.id, cai.id}
    assert (await member_count(session, a), await member_count(session, b)) == (2, 3)
    entry = await session.scalar(
        select(AuditEntry).where(AuditEntry.action == "team.suggestion.apply")
    )
    assert entry is not None
    assert (entry.actor_id, entry.challenge_id) == (host.id, challenge.id)
    assert sorted((p["user_id"], p["team_id"]) for p in entry.data["placed"]) == sorted(
        [(ana.id, a.id), (ben.id, b.id), (cai.id, b.id)]
    )
    page = Page(await client.get(response.headers["location"]))
    assert page.text(".suggestion-report p") == "3 people were placed on a team."
    assert page.select(".suggestion__person") == []
    assert page.select(".suggestion__confirm") == []

    again = await client.post(suggest_url(challenge))
    assert again.status_code == 303
    assert await members(session, b) == {b.lead_id, ben.id, cai.id}


async def test_nobody_is_placed_on_a_team_they_did_not_rank_and_capacity_holds(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, count=3, team_capacity=3
    )
    popular, second, empty = teams
    people = [await make_user(f"Fan {n}") for n in range(6)]
    for person in people[:4]:
        await rank(session, challenge, person, [popular])
    for person in people[4:]:
        await rank(session, challenge, person, [popular, second])

    response = await (await sign_in(host)).post(suggest_url(challenge))

    assert response.status_code == 303
    on_popular = await members(session, popular) - {popular.lead_id}
    on_second = await members(session, second) - {second.lead_id}
    assert len(on_popular) == 2  # capacity 3, the lead included
    assert on_second == {p.id for p in people[4:]}
    assert on_popular <= {p.id for p in people[:4]}
    assert await members(session, empty) == {empty.lead_id}
    assert await member_count(session, popular) == 3


async def test_people_already_on_a_team_are_left_out_of_the_suggestion(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    a, b = teams
    ana = await make_user("Ana")
    await rank(session, challenge, ana, [a, b])
    await put_on(session, b, ana)

    page = Page(await (await sign_in(host)).get(suggest_url(challenge)))

    assert page.select(".suggestion__person") == []
    assert page.select(".unplaced__person") == []
    assert (
        page.text(".suggestion__nobody")
        == "There is nobody to place: nobody ranked a team that has room."
    )


async def test_someone_who_joined_or_whose_team_filled_meanwhile_is_skipped_and_reported(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, team_capacity=2
    )
    a, b = teams
    ana, ben = await make_user("Ana"), await make_user("Ben")
    await rank(session, challenge, ana, [a])
    await rank(session, challenge, ben, [b])
    proposal = await matching.propose(session, challenge)
    assert proposal.placements == {ana.id: a.id, ben.id: b.id}

    await put_on(session, b, ana)  # Ana joins B, which fills B before Ben gets there
    applied = await matching.apply_placements(
        session,
        challenge_id=challenge.id,
        placements=proposal.placements,
        actor_id=host.id,
        now=utcnow(),
    )

    assert applied.placed == []
    assert sorted(applied.skipped) == sorted(
        [(ana.id, a.id, matching.Skip.JOINED), (ben.id, b.id, matching.Skip.FULL)]
    )
    assert await members(session, a) == {a.lead_id}
    assert await members(session, b) == {b.lead_id, ana.id}

    client = await sign_in(host)
    page = Page(
        await client.get(f"{suggest_url(challenge)}?applied=0&joined={ana.id}&full={ben.id}")
    )
    assert page.text(".suggestion-report__joined") == (
        "Not placed, as they joined a team meanwhile: Ana."
    )
    assert (
        page.text(".suggestion-report__full") == "Not placed, as their team filled meanwhile: Ben."
    )


@pytest.mark.parametrize(
    ("who", "phase"),
    [
        ("participant", Phase.TEAMS),
        ("lead", Phase.TEAMS),
        ("other host", Phase.TEAMS),
        ("visitor", Phase.TEAMS),
        ("host", Phase.REVIEW),
        ("host", Phase.CLOSED),
    ],
)
async def test_suggesting_teams_is_for_the_hosts_in_the_teams_phase(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    visitor: Person,
    sign_in: Any,
    session: AsyncSession,
    who: str,
    phase: Phase,
) -> None:
    host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    ana = await make_user("Ana")
    await rank(session, challenge, ana, [teams[0]])
    if phase is not Phase.TEAMS:
        await switch_phase(session, challenge, phase)
    person = {
        "participant": ana,
        "lead": await session.get(User, teams[0].lead_id),
        "other host": await make_user(host=True),
        "host": host,
        "visitor": None,
    }[who]
    client = visitor if person is None else await sign_in(person)

    page = await client.get(suggest_url(challenge))
    response = await client.post(suggest_url(challenge))

    # A visitor is sent to sign in first; a form post is refused all the same.
    assert page.status_code == (303 if who == "visitor" else 403)
    assert response.status_code == 403
    assert await members(session, teams[0]) == {teams[0].lead_id}
