"""Challenges: created by a host while in draft, with a schedule that puts them in a
phase at a given moment."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from ideas import policy
from ideas.accounts.models import User
from ideas.challenges import services
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase, Schedule
from ideas.db import utcnow
from ideas.policy import Action, Role
from ideas.submissions.models import Idea
from ideas.teams.models import Team
from tests.factories.people import give_host_role

DAY = timedelta(days=1)


def schedule_for(phase: Phase, now: datetime) -> Schedule:
    """A schedule that puts a challenge in ``phase`` at ``now``, with later phases ahead."""
    offsets = {  # days from now at which ideas, review, teams and closed start
        Phase.DRAFT: (2, 4, 6, 8),
        Phase.IDEAS: (-1, 4, 6, 8),
        Phase.REVIEW: (-3, -1, 6, 8),
        Phase.TEAMS: (-5, -3, -1, 8),
        Phase.CLOSED: (-7, -5, -3, -1),
    }[phase]
    return Schedule(*(now + offset * DAY for offset in offsets))


async def challenge(
    session: AsyncSession,
    host: User,
    n: int,
    *,
    phase: Phase = Phase.IDEAS,
    title: str | None = None,
    **settings: Any,
) -> Challenge:
    """The ``n``-th challenge of a test, in ``phase`` now, created by ``host`` a month ago
    (while it was a draft). ``host`` is given the host role first if they lack it, as
    only hosts create challenges. ``settings``: any other field of ChallengeInput."""
    await give_host_role(session, host)
    now = utcnow()
    return await services.create_challenge(
        session,
        host_id=host.id,
        data=ChallengeInput(
            title=title or f"Challenge {n}",
            slug=f"challenge-{n}",
            question=f"How might we do thing {n}?",
            schedule=schedule_for(phase, now),
            **{"sponsor": "", "brief": "", **settings},
        ),
        now=now - 30 * DAY,
    )


async def current(session: AsyncSession, challenge: Challenge) -> Challenge:
    """``challenge`` as it stands now, with its hosts: a host may have switched its
    phase since it was loaded."""
    fresh = await session.scalar(
        select(Challenge)
        .options(selectinload(Challenge.hosts))
        .where(Challenge.id == challenge.id)
        .execution_options(populate_existing=True)
    )
    assert fresh is not None
    return fresh


def moment_for(
    challenge: Challenge, action: Action, roles: frozenset[Role], now: datetime | None = None
) -> datetime:
    """A moment when ``policy`` lets ``roles`` do ``action`` in ``challenge``: ``now`` if
    it does then, or else the latest such moment before ``now``, or failing that the
    earliest after it.

    The moments tried are those around each start in its schedule and its last hand
    switch, and between them: a phase holds from one of those to the next.
    """
    now = now or utcnow()

    def allowed(moment: datetime) -> bool:
        return policy.may(action, challenge, roles, moment)

    if allowed(now):
        return now
    starts = [s for s in (challenge.schedule.start_of(p) for p in Phase) if s is not None]
    if challenge.phase_switched_at is not None:
        starts.append(challenge.phase_switched_at)
    starts.sort()
    minute = timedelta(minutes=1)
    tries = {b + d for b in starts for d in (-minute, minute)}
    tries.update(a + (b - a) / 2 for a, b in itertools.pairwise(starts))
    tries.update(b - DAY for b in starts[:1])
    tries.update(b + DAY for b in starts[-1:])
    fits = sorted(t for t in tries if allowed(t))
    if not fits:
        raise ValueError(f"{challenge.title} never allows {action.value!r} to {set(roles)}")
    before = [t for t in fits if t <= now]
    return before[-1] if before else fits[0]


HOSTS = frozenset({Role.PARTICIPANT, Role.HOST})


async def shortlist(
    session: AsyncSession, challenge: Challenge, idea: Idea, *, note: str = ""
) -> Team:
    """Its creator shortlists ``idea`` while the hosts may (in review, or else while it
    takes ideas); the idea's team, led by its author, comes back."""
    challenge = await current(session, challenge)
    await services.shortlist(
        session,
        challenge_id=challenge.id,
        idea_id=idea.id,
        note=note,
        actor_id=challenge.created_by_id,
        now=moment_for(challenge, Action.SHORTLIST, HOSTS),
    )
    team = await session.scalar(select(Team).where(Team.idea_id == idea.id))
    assert team is not None
    return team


async def pick_winner(
    session: AsyncSession, challenge: Challenge, idea: Idea, *, citation: str = ""
) -> None:
    """Its creator names the shortlisted ``idea`` a winner, while the hosts may."""
    challenge = await current(session, challenge)
    await services.pick_winner(
        session,
        challenge_id=challenge.id,
        idea_id=idea.id,
        citation=citation,
        actor_id=challenge.created_by_id,
        now=moment_for(challenge, Action.ANNOUNCE_WINNERS, HOSTS),
    )
