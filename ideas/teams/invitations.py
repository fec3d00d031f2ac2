"""Invitations to a team sent to an e-mail address, inside the caller's transaction.

Whoever sends one learns nothing about who uses the address: the invitation is
kept by its address and shown to the lead by it, whatever happens next. It
reaches the person who uses the address, if someone does and it may reach them
now (a notification tells them); otherwise it waits, and reaches whoever signs
in with that address, verified, later (``claim``).

Locks are taken as everywhere in teams: the team, then the person, then the
request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User, UserStatus
from ideas.challenges.models import Challenge
from ideas.errors import Invalid
from ideas.i18n import lazy_gettext
from ideas.notifications import events as notification_events
from ideas.submissions.models import Idea
from ideas.teams.membership import is_on_a_team, lock_team
from ideas.teams.models import JoinRequest, RequestKind, RequestStatus, Team, TeamMember

ALREADY_INVITED = lazy_gettext("That address is already invited and has not answered yet.")


def normalized(address: str) -> str:
    return address.strip().lower()


async def address_owner(tx: AsyncSession, address: str) -> int | None:
    """The active person who uses ``address`` (the first who signed in with it)."""
    user_id: int | None = await tx.scalar(
        select(User.id)
        .where(func.lower(User.email) == address, User.status == UserStatus.ACTIVE)
        .order_by(User.id)
        .limit(1)
    )
    return user_id


async def _may_reach(tx: AsyncSession, team: Team, challenge: Challenge, user_id: int) -> bool:
    """An invitation to ``team`` may reach ``user_id`` now: they are not on it, have no
    open request or invitation of theirs to it, and are on no other team where each
    participant joins one."""
    if await tx.get(TeamMember, (team.id, user_id)) is not None:
        return False
    pending = await tx.scalar(
        select(JoinRequest.id).where(
            JoinRequest.team_id == team.id,
            JoinRequest.user_id == user_id,
            JoinRequest.status == RequestStatus.PENDING,
        )
    )
    if pending is not None:
        return False
    return not (
        challenge.one_team_per_participant and await is_on_a_team(tx, challenge.id, user_id)
    )


async def _reach(
    tx: AsyncSession,
    invitation: JoinRequest,
    team: Team,
    challenge: Challenge,
    user_id: int,
    actor_id: int | None,
    now: datetime,
) -> None:
    """Hand ``invitation`` to ``user_id`` (locked) if it may reach them; they hear of it."""
    if not await _may_reach(tx, team, challenge, user_id):
        return
    invitation.user_id = user_id
    await tx.flush()
    await notification_events.on_team_event(tx, request=invitation, actor_id=actor_id, now=now)


async def invite_address(
    tx: AsyncSession,
    *,
    team: Team,
    challenge: Challenge,
    actor_id: int,
    address: str,
    message: str,
    now: datetime,
) -> JoinRequest:
    """Invite whoever uses ``address`` to ``team`` (locked); Invalid only for what the
    lead knows already: the address is invited and has not answered."""
    address = normalized(address)
    already = await tx.scalar(
        select(JoinRequest.id).where(
            JoinRequest.team_id == team.id,
            JoinRequest.email == address,
            JoinRequest.status == RequestStatus.PENDING,
        )
    )
    if already is not None:
        raise Invalid({"email": ALREADY_INVITED})
    owner = await address_owner(tx, address)
    if owner is not None:
        await tx.execute(select(User.id).where(User.id == owner).with_for_update(key_share=True))
    invitation = JoinRequest(
        team_id=team.id,
        user_id=None,
        email=address,
        kind=RequestKind.INVITATION,
        message=message,
        created_at=now,
    )
    tx.add(invitation)
    try:
        async with tx.begin_nested():
            await tx.flush()
    except IntegrityError:
        # The same address invited at the same moment by another request of the lead.
        raise Invalid({"email": ALREADY_INVITED}) from None
    if owner is not None:
        await _reach(tx, invitation, team, challenge, owner, actor_id, now)
    return invitation


async def claim(tx: AsyncSession, *, user_id: int, address: str, now: datetime) -> int:
    """Invitations sent to ``address`` that reached nobody reach ``user_id``, who has just
    signed in with it, verified. Returns how many reached them."""
    address = normalized(address)
    waiting = list(
        await tx.scalars(
            select(JoinRequest.team_id)
            .where(
                JoinRequest.email == address,
                JoinRequest.user_id.is_(None),
                JoinRequest.kind == RequestKind.INVITATION,
                JoinRequest.status == RequestStatus.PENDING,
            )
            .distinct()
        )
    )
    if not waiting:
        return 0
    teams = [await lock_team(tx, team_id) for team_id in sorted(waiting)]
    await tx.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))
    reached = 0
    for team in teams:
        invitation = await tx.scalar(
            select(JoinRequest)
            .where(
                JoinRequest.team_id == team.id,
                JoinRequest.email == address,
                JoinRequest.user_id.is_(None),
                JoinRequest.status == RequestStatus.PENDING,
            )
            .with_for_update()
        )
        idea = await tx.get(Idea, team.idea_id)
        challenge = await tx.get(Challenge, team.challenge_id)
        if invitation is None or idea is None or not idea.is_shortlisted or challenge is None:
            continue
        await _reach(tx, invitation, team, challenge, user_id, team.lead_id, now)
        reached += invitation.user_id == user_id
    return reached
