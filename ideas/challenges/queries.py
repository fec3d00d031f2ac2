"""Reading challenges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from ideas.accounts.models import User
from ideas.challenges.models import Challenge, ChallengeHost
from ideas.challenges.phases import Phase, next_change
from ideas.policy import Action, challenge_roles, may

_WITH_HOSTS = selectinload(Challenge.hosts).joinedload(ChallengeHost.user)


async def by_slug(session: AsyncSession, slug: str) -> Challenge | None:
    challenge: Challenge | None = await session.scalar(
        select(Challenge).options(_WITH_HOSTS).where(Challenge.slug == slug)
    )
    return challenge


async def by_id(session: AsyncSession, challenge_id: int) -> Challenge | None:
    challenge: Challenge | None = await session.scalar(
        select(Challenge).options(_WITH_HOSTS).where(Challenge.id == challenge_id)
    )
    return challenge


@dataclass(frozen=True)
class Listed:
    challenge: Challenge
    phase: Phase
    next_change: tuple[Phase, datetime] | None


@dataclass(frozen=True)
class HomeListing:
    open: Sequence[Listed]
    closed: Sequence[Listed]
    drafts: Sequence[Listed]


async def for_home(session: AsyncSession, viewer: User | None, now: datetime) -> HomeListing:
    """Open rounds first (soonest deadline first), then closed ones; drafts only for their hosts."""
    challenges = (
        await session.scalars(select(Challenge).options(_WITH_HOSTS).order_by(Challenge.id))
    ).all()
    open_: list[Listed] = []
    closed: list[Listed] = []
    drafts: list[Listed] = []
    for challenge in challenges:
        if not may(Action.SEE_CHALLENGE, challenge, challenge_roles(viewer, challenge), now):
            continue
        phase = challenge.phase_at(now)
        listed = Listed(challenge, phase, next_change(challenge.schedule, phase, now))
        {Phase.DRAFT: drafts, Phase.CLOSED: closed}.get(phase, open_).append(listed)
    far_future = datetime.max.replace(tzinfo=now.tzinfo)
    open_.sort(key=lambda item: item.next_change[1] if item.next_change else far_future)
    closed.sort(
        key=lambda item: item.challenge.closes_at or item.challenge.updated_at, reverse=True
    )
    return HomeListing(open=open_, closed=closed, drafts=drafts)
