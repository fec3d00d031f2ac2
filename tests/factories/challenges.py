"""Challenges: created by a host while in draft, with a schedule that puts them in a
phase at a given moment."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase, Schedule
from ideas.challenges.services import create_challenge
from ideas.db import utcnow
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
    return await create_challenge(
        session,
        host_id=host.id,
        data=ChallengeInput(
            title=title or f"Challenge {n}",
            slug=f"challenge-{n}",
            question=f"How might we do thing {n}?",
            sponsor="",
            brief="",
            schedule=schedule_for(phase, now),
            **settings,
        ),
        now=now - 30 * DAY,
    )


def moment_in(challenge: Challenge, phase: Phase, now: datetime) -> datetime:
    """A moment when ``challenge`` is in ``phase``: ``now`` if it is, or else the latest
    such moment before ``now``, or failing that the earliest after it.

    The moments tried are those around each start in its schedule and its last hand
    switch, and between them: the phase holds from one of those to the next.
    """
    if challenge.phase_at(now) is phase:
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
    fits = sorted(t for t in tries if challenge.phase_at(t) is phase)
    if not fits:
        raise ValueError(f"{challenge.title} is never in the {phase.label} phase")
    before = [t for t in fits if t <= now]
    return before[-1] if before else fits[0]
