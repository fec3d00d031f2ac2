"""Teams, their roles and members, and people looking for a team."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import Skill, User
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.challenges.services import shortlist
from ideas.db import utcnow, write
from ideas.teams import matching
from ideas.teams.membership import join, lock_team
from ideas.teams.models import (
    Team,
    TeamRole,
    TeamRoleSkill,
)


async def teams_round(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
    count: int = 2,
    **settings: Any,
) -> tuple[User, Challenge, list[Team]]:
    """A host, a challenge in the teams phase and ``count`` teams, each led by its idea's author."""
    host = await make_user("Hamid", host=True)
    challenge = await make_challenge(host, phase=Phase.TEAMS, **settings)
    teams = [
        await team_for(
            session, challenge, await make_user(f"Lead {n}"), make_idea, f"Team idea {n}"
        )
        for n in range(count)
    ]
    return host, challenge, teams


async def add_role(
    session: AsyncSession,
    team: Team,
    title: str,
    *skills: str,
    filled_by: User | None = None,
) -> TeamRole:
    wanted = [await skill(session, name) for name in skills]
    async with write(session) as tx:
        role = TeamRole(
            team_id=team.id, title=title, filled_by_id=filled_by.id if filled_by else None
        )
        tx.add(role)
        await tx.flush()
        tx.add_all(TeamRoleSkill(role_id=role.id, skill_id=s.id) for s in wanted)
    return role


async def put_on(session: AsyncSession, team: Team, user: User) -> None:
    async with write(session) as tx:
        locked = await lock_team(tx, team.id)
        await join(tx, team=locked, user_id=user.id, now=utcnow())


async def look(session: AsyncSession, challenge: Challenge, user: User, note: str = "") -> None:
    await matching.start_looking(
        session, challenge_id=challenge.id, user_id=user.id, note=note, now=utcnow()
    )


async def team_for(
    session: AsyncSession, challenge: Challenge, author: User, make_idea: Any, title: str
) -> Team:
    """A shortlisted idea by ``author`` and its team, which ``author`` leads."""
    idea = await make_idea(challenge, author, title=title)
    await shortlist(
        session,
        challenge_id=challenge.id,
        idea_id=idea.id,
        note="",
        actor_id=challenge.created_by_id,
        now=utcnow(),
    )
    team = await session.scalar(select(Team).where(Team.idea_id == idea.id))
    assert team is not None
    return team


async def skill(session: AsyncSession, name: str) -> Skill:
    """The shared skill with this name's key, created when first used, as profiles do."""
    async with write(session) as tx:
        found = await tx.scalar(select(Skill).where(Skill.key == name.casefold()))
        if found is None:
            found = Skill(name=name, key=name.casefold())
            tx.add(found)
            await tx.flush()
    return found
