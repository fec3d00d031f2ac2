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

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import audit
from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.errors import Conflict, NotFound
from ideas.i18n import _, ngettext
from ideas.teams.models import (
    JoinRequest,
    RequestStatus,
    Team,
    TeamMember,
    TeamPreference,
    TeamRole,
    TeamSeeker,
)

LEAD_TITLE = "Lead"


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
        raise Conflict(_("They are already on this team."))
    if challenge.one_team_per_participant and await is_on_a_team(tx, challenge.id, user_id):
        raise Conflict(_("They are already on another team in this challenge."))
    if team.member_count >= challenge.team_capacity:
        raise Conflict(
            ngettext(
                "The team is full: it has %(num)d member.",
                "The team is full: it has %(num)d members.",
                challenge.team_capacity,
            )
        )
    if team.lead_id is None:
        # A team left without anyone (its last member deleted their account) is led
        # again by the first person who joins it.
        team.lead_id = user_id
        role_title = LEAD_TITLE
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
        raise Conflict(_("They are not on this team."))
    if team.lead_id == user_id:
        raise Conflict(_("The lead hands the team over to another member before leaving."))
    await tx.delete(member)
    team.member_count -= 1


async def longest_standing(tx: AsyncSession, team_id: int, *, other_than: int) -> TeamMember | None:
    """The member who joined ``team_id`` first, leaving ``other_than`` aside."""
    member: TeamMember | None = await tx.scalar(
        select(TeamMember)
        .where(TeamMember.team_id == team_id, TeamMember.user_id != other_than)
        .order_by(TeamMember.joined_at, TeamMember.user_id)
        .limit(1)
    )
    return member


async def take_out_everywhere(tx: AsyncSession, *, user_id: int, now: datetime) -> None:
    """Free every place a person holds in teams, inside the caller's transaction (their
    account is being deleted): their seat on each team, the lead of the teams they led,
    the roles they fill, their open requests and invitations, their rankings of teams
    and their "looking for a team".

    A team they led is led by its longest-standing member from then on, or by nobody
    when they were its last member (the next to join leads it). The teams are locked
    first, in order of their ids, as everywhere else.
    """
    team_ids = set(
        await tx.scalars(select(TeamMember.team_id).where(TeamMember.user_id == user_id))
    )
    team_ids |= set(await tx.scalars(select(Team.id).where(Team.lead_id == user_id)))
    team_ids |= set(
        await tx.scalars(
            select(JoinRequest.team_id).where(
                JoinRequest.user_id == user_id, JoinRequest.status == RequestStatus.PENDING
            )
        )
    )
    teams = [await lock_team(tx, team_id) for team_id in sorted(team_ids)]
    for team in teams:
        member = await tx.get(TeamMember, (team.id, user_id))
        if member is None and team.lead_id != user_id:
            continue  # only an open request or invitation, withdrawn below
        data: dict[str, object] = {"user_id": user_id, "reason": "account deleted"}
        if member is not None:
            await tx.delete(member)
            team.member_count -= 1
        if team.lead_id == user_id:
            successor = await longest_standing(tx, team.id, other_than=user_id)
            team.lead_id = successor.user_id if successor is not None else None
            if successor is not None:
                successor.role_title = LEAD_TITLE
            data["lead"] = team.lead_id
        audit.record(
            tx, actor_id=user_id, action="team.leave", subject_type="team",
            subject_id=team.id, challenge_id=team.challenge_id, at=now, **data,
        )  # fmt: skip
    await tx.flush()
    await tx.execute(
        update(TeamRole).where(TeamRole.filled_by_id == user_id).values(filled_by_id=None)
    )
    await tx.execute(
        update(JoinRequest)
        .where(JoinRequest.user_id == user_id, JoinRequest.status == RequestStatus.PENDING)
        .values(status=RequestStatus.WITHDRAWN, decided_at=now)
    )
    await tx.execute(delete(TeamPreference).where(TeamPreference.user_id == user_id))
    await tx.execute(delete(TeamSeeker).where(TeamSeeker.user_id == user_id))
