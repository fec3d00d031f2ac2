"""Joining a team, the one step every way in goes through.

A request accepted by the lead, an invitation accepted by the invitee, and a
host's confirmed team suggestion all end here, inside the caller's write
transaction. The team's row is locked first, then the person's, always in that
order: the team's lock makes its capacity hold when its lead accepts several
people at once, the person's lock makes "one team per challenge" hold when two
leads accept the same person at once, and the fixed order cannot deadlock.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.errors import Conflict, NotFound
from ideas.teams.models import JoinRequest, RequestStatus, Team, TeamMember


async def lock_team(tx: AsyncSession, team_id: int) -> Team:
    team = await tx.scalar(select(Team).where(Team.id == team_id).with_for_update())
    if team is None:
        raise NotFound()
    return team


async def is_on_a_team(tx: AsyncSession, challenge_id: int, user_id: int) -> bool:
    return bool(
        await tx.scalar(
            select(
                exists().where(
                    TeamMember.challenge_id == challenge_id, TeamMember.user_id == user_id
                )
            )
        )
    )


async def join(
    tx: AsyncSession, *, team: Team, user_id: int, now: datetime, role_title: str = ""
) -> None:
    """Add ``user_id`` to ``team`` (locked by ``lock_team``), or raise Conflict.

    Pending requests and invitations that can no longer be accepted expire:
    the person's others in this challenge when it allows one team each, and
    all of this team's when it is now full.
    """
    await tx.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))
    challenge = await tx.get(Challenge, team.challenge_id)
    if challenge is None:
        raise NotFound()
    if await tx.get(TeamMember, (team.id, user_id)) is not None:
        raise Conflict("They are already on this team.")
    if challenge.one_team_per_participant and await is_on_a_team(tx, challenge.id, user_id):
        raise Conflict("They are already on another team in this challenge.")
    if team.member_count >= challenge.team_capacity:
        raise Conflict(f"The team is full: it has {challenge.team_capacity} members.")
    tx.add(
        TeamMember(
            team_id=team.id,
            user_id=user_id,
            challenge_id=challenge.id,
            role_title=role_title,
            joined_at=now,
        )
    )
    team.member_count += 1
    await tx.flush()
    if challenge.one_team_per_participant:
        other_teams = select(Team.id).where(Team.challenge_id == challenge.id)
        await tx.execute(
            update(JoinRequest)
            .where(
                JoinRequest.user_id == user_id,
                JoinRequest.status == RequestStatus.PENDING,
                JoinRequest.team_id.in_(other_teams),
                JoinRequest.team_id != team.id,
            )
            .values(status=RequestStatus.EXPIRED, decided_at=now)
        )
    if team.member_count >= challenge.team_capacity:
        await tx.execute(
            update(JoinRequest)
            .where(JoinRequest.team_id == team.id, JoinRequest.status == RequestStatus.PENDING)
            .values(status=RequestStatus.EXPIRED, decided_at=now)
        )


async def leave(tx: AsyncSession, *, team: Team, user_id: int) -> None:
    """Take ``user_id`` off ``team`` (locked). The lead hands over before leaving."""
    member = await tx.get(TeamMember, (team.id, user_id))
    if member is None:
        raise Conflict("They are not on this team.")
    if team.lead_id == user_id:
        raise Conflict("The lead hands the team over to another member before leaving.")
    await tx.delete(member)
    team.member_count -= 1
