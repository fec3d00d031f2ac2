"""Fitting and storing each challenge's bridging scores, in the background worker.

A request never fits: the results page and the API read the last fit stored
here. Each worker pass looks at every challenge's votes and comparisons (how
many, and the newest of each) and fits again where they changed enough since
the last fit — ``REFIT_AFTER_CHANGES`` votes or comparisons, or any change once
the last fit is ``REFIT_AFTER`` old. The data is read through the export
queries (``ideas.voting.explain``), so the stored numbers are exactly what
anyone recomputes from the exports.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.db import Database, end_reads, write
from ideas.voting import explain
from ideas.voting.models import BridgingFit, BridgingScore, Comparison, Vote

REFIT_AFTER_CHANGES = 10
REFIT_AFTER = timedelta(minutes=10)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Activity:
    """What a fit reads: a challenge's votes and comparisons, counted, with the last of each."""

    votes: int
    last_vote: int
    comparisons: int
    last_comparison: int

    @property
    def total(self) -> int:
        return self.votes + self.comparisons

    @property
    def signature(self) -> str:
        return f"v{self.votes}:{self.last_vote}/c{self.comparisons}:{self.last_comparison}"


async def activity(session: AsyncSession, challenge_id: int | None = None) -> dict[int, Activity]:
    """Every challenge's activity (or one challenge's), by challenge id."""
    found: dict[int, list[int]] = {}
    for model, offset in ((Vote, 0), (Comparison, 2)):
        query = select(model.challenge_id, func.count(), func.max(model.id)).group_by(
            model.challenge_id
        )
        if challenge_id is not None:
            query = query.where(model.challenge_id == challenge_id)
        for found_id, count, last in (await session.execute(query)).all():
            row = found.setdefault(found_id, [0, 0, 0, 0])
            row[offset], row[offset + 1] = count, last or 0
    return {cid: Activity(*row) for cid, row in found.items()}


def due(now: Activity, fit: BridgingFit | None, at: datetime) -> bool:
    """Whether a challenge's bridging should be fitted again."""
    if fit is None:
        return True
    if now.signature == fit.signature:
        return False
    changes = max(abs(now.total - fit.activity), 1)
    return changes >= REFIT_AFTER_CHANGES or at - fit.fitted_at >= REFIT_AFTER


@dataclass(frozen=True)
class Fitted:
    enough: bool
    people: int
    ideas: int
    seconds: float


async def refit(session: AsyncSession, challenge_id: int, now: datetime) -> Fitted:
    """Fit the challenge's bridging anew from its exports' records, and store it."""
    await end_reads(session)
    seen = (await activity(session, challenge_id)).get(challenge_id, Activity(0, 0, 0, 0))
    data = await explain.load(session, challenge_id)
    await end_reads(session)
    started = time.perf_counter()
    fitted = await asyncio.to_thread(explain.bridging_of, data)
    seconds = time.perf_counter() - started
    scores = fitted.ideas if fitted.enough else {}
    async with write(session) as tx:
        await tx.execute(delete(BridgingScore).where(BridgingScore.challenge_id == challenge_id))
        await tx.execute(delete(BridgingFit).where(BridgingFit.challenge_id == challenge_id))
        tx.add(
            BridgingFit(
                challenge_id=challenge_id,
                fitted_at=now,
                signature=seen.signature,
                activity=seen.total,
                enough=fitted.enough,
                people=fitted.people,
                ratings=fitted.ratings,
                groups=list(fitted.groups),
                seconds=round(seconds, 3),
            )
        )
        await tx.flush()
        if scores:
            await tx.execute(
                insert(BridgingScore),
                [
                    {
                        "challenge_id": challenge_id,
                        "idea_id": idea_id,
                        "score": s.score,
                        "low": s.low,
                        "high": s.high,
                        "ratings": s.ratings,
                    }
                    for idea_id, s in sorted(scores.items())
                ],
            )
    return Fitted(fitted.enough, fitted.people, len(scores), seconds)


async def refit_where_due(database: Database, now: datetime) -> int:
    """The worker's job: fit every challenge whose votes and comparisons changed enough.
    Returns how many challenges were fitted; a failure in one is logged, the others go on."""
    done = 0
    async with database.session() as session:
        current = await activity(session)
        fits = {
            fit.challenge_id: fit
            for fit in await session.scalars(
                select(BridgingFit).where(BridgingFit.challenge_id.in_(current))
            )
        }
        waiting = sorted(cid for cid, seen in current.items() if due(seen, fits.get(cid), now))
        await end_reads(session)
        for challenge_id in waiting:
            try:
                await refit(session, challenge_id, now)
            except Exception:
                logger.exception("Fitting the bridging scores of challenge %s failed", challenge_id)
            else:
                done += 1
    return done
