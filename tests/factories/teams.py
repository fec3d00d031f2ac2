"""Teams, their roles and members, and people looking for a team."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.forms import ProfileInput
from ideas.accounts.models import Skill, User
from ideas.accounts.services import update_profile
from ideas.audit import AuditEntry
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.db import utcnow, write
from ideas.submissions.models import Idea
from ideas.teams import matching, services
from ideas.teams.forms import AskInput
from ideas.teams.membership import join, lock_team
from ideas.teams.models import (
    JoinRequest,
    RequestStatus,
    Team,
    TeamMember,
    TeamRole,
    TeamRoleSkill,
)
from tests.factories import challenges as rounds
from tests.html import Page


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
    return await rounds.shortlist(session, challenge, idea)


async def skill(session: AsyncSession, name: str) -> Skill:
    """The shared skill with this name's key, created when first used, as profiles do."""
    async with write(session) as tx:
        found = await tx.scalar(select(Skill).where(Skill.key == name.casefold()))
        if found is None:
            found = Skill(name=name, key=name.casefold())
            tx.add(found)
            await tx.flush()
    return found


@dataclass
class Round:
    """A challenge with one shortlisted idea and its team, led by the idea's author."""

    host: User
    challenge: Challenge
    lead: User
    idea: Idea
    team: Team

    @property
    def url(self) -> str:
        return f"/teams/{self.team.id}"


async def add_team(session: AsyncSession, challenge: Challenge, idea: Idea) -> Team:
    return await rounds.shortlist(session, challenge, idea)


async def ask(
    session: AsyncSession, team: Team, person: User, message: str = "I can help."
) -> JoinRequest:
    return await services.ask_to_join(
        session,
        team_id=team.id,
        user_id=person.id,
        data=AskInput(message, ""),
        now=utcnow(),
    )


async def accept(session: AsyncSession, team: Team, request: JoinRequest) -> None:
    assert team.lead_id is not None
    await services.accept_request(
        session, team_id=team.id, request_id=request.id, actor_id=team.lead_id, now=utcnow()
    )


async def add_member(session: AsyncSession, team: Team, person: User) -> None:
    await accept(session, team, await ask(session, team, person))


async def member_ids(session: AsyncSession, team: Team) -> set[int]:
    await session.commit()
    rows = await session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team.id))
    return set(rows)


async def fresh_team(session: AsyncSession, team: Team) -> Team:
    await session.commit()
    fresh = await session.get(Team, team.id, populate_existing=True)
    assert fresh is not None
    return fresh


async def status_of(session: AsyncSession, request: JoinRequest) -> RequestStatus:
    await session.commit()
    fresh = await session.get(JoinRequest, request.id, populate_existing=True)
    assert fresh is not None
    return fresh.status


async def audit_actions(session: AsyncSession) -> list[str]:
    await session.commit()
    rows = await session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.action.startswith("team."))
        .order_by(AuditEntry.id)
    )
    return list(rows)


async def give_skills(session: AsyncSession, user: User, *skills: str) -> None:
    await update_profile(
        session,
        user_id=user.id,
        data=ProfileInput(user.display_name, "", "", list(skills), []),
        now=utcnow(),
    )


async def rank(
    session: AsyncSession, challenge: Challenge, user: User, teams: Sequence[Team]
) -> None:
    await matching.save_preferences(
        session,
        challenge_id=challenge.id,
        user_id=user.id,
        team_ids=[t.id for t in teams],
        now=utcnow(),
    )


def looking_url(challenge: Challenge) -> str:
    return f"/challenges/{challenge.slug}/looking"


def preferences_url(challenge: Challenge) -> str:
    return f"/challenges/{challenge.slug}/preferences"


def suggest_url(challenge: Challenge) -> str:
    return f"/challenges/{challenge.slug}/suggest-teams"


def texts(page: Page, selector: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in page.select(selector)]
