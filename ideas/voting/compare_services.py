"""Recording comparisons and refitting a challenge's pairwise ranking.

Recording an answer moves the two ideas' strengths by one online step in the
same transaction, and their pairwise scores with them (against the other
compared ideas as they stand), so the ranking follows the answers at once.
Every so often (``REFIT_AFTER_COMPARISONS`` answers, or ``REFIT_AFTER`` since
the last fit) the whole ranking is fitted again from all the comparisons, which corrects
what single steps cannot see; that runs after the response has gone out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload
from starlette.concurrency import run_in_threadpool

from ideas import policy
from ideas.accounts.models import User
from ideas.challenges import queries as challenge_queries
from ideas.challenges.models import Challenge
from ideas.db import utcnow, write
from ideas.errors import AlreadyDone, Conflict, Forbidden, Invalid, NotFound
from ideas.i18n import _, lazy_gettext, status_word
from ideas.policy import Action
from ideas.submissions.models import VISIBLE_STATUSES, Idea
from ideas.voting import ranking
from ideas.voting.models import Comparison

REFIT_AFTER_COMPARISONS = 25
REFIT_AFTER = timedelta(minutes=5)

ALREADY_ANSWERED = lazy_gettext("You have already answered this pair.")

logger = logging.getLogger(__name__)


def refit_due(since_fit: int, fitted_at: datetime | None, now: datetime) -> bool:
    """Whether the ranking should be fitted again, after a comparison was recorded:
    after enough answers since the last fit, when that fit is old, or when there
    was none yet."""
    return (
        since_fit >= REFIT_AFTER_COMPARISONS or fitted_at is None or now - fitted_at >= REFIT_AFTER
    )


def _answered(kept: int | None, sent: int | None) -> Conflict:
    """The refusal of an answer to a pair answered before: the same answer sent again
    (a double click) was done already; another one conflicts with it."""
    return AlreadyDone(ALREADY_ANSWERED) if kept == sent else Conflict(ALREADY_ANSWERED)


@dataclass(frozen=True)
class Recorded:
    comparison_id: int
    refit_due: bool


async def record_comparison(
    session: AsyncSession,
    *,
    challenge_id: int,
    user_id: int,
    first_id: int,
    second_id: int,
    winner_id: int | None,
    now: datetime,
) -> Recorded:
    """Save a participant's answer to the pair ``first_id`` < ``second_id``.

    ``winner_id`` is one of the two, or None for "can't decide". Refused when
    either idea is not a visible idea of the challenge, is the participant's
    own, or when they answered this pair before.
    """
    if not first_id < second_id:
        raise Invalid({"pair": _("A pair is two different ideas, the smaller id first.")})
    if winner_id not in (None, first_id, second_id):
        raise Invalid({"winner": _("Choose one of the two ideas, or “Can't decide”.")})
    try:
        async with write(session) as tx:
            # The challenge's row first: it orders concurrent answers (and refits)
            # in a challenge, so each online step starts from the previous one's result.
            counted = (
                await tx.execute(
                    update(Challenge)
                    .where(Challenge.id == challenge_id)
                    .values(comparisons_since_fit=Challenge.comparisons_since_fit + 1)
                    .returning(Challenge.comparisons_since_fit, Challenge.ranking_fitted_at)
                )
            ).one_or_none()
            if counted is None:
                raise NotFound()
            ideas = {
                idea.id: idea
                for idea in await tx.scalars(
                    select(Idea)
                    .options(selectinload(Idea.coauthors))
                    .where(Idea.id.in_((first_id, second_id)))
                )
            }
            first, second = ideas.get(first_id), ideas.get(second_id)
            if first is None or second is None:
                raise NotFound()
            person = await tx.get(User, user_id)
            challenge = await challenge_queries.for_policy(tx, challenge_id)
            if challenge is None:
                raise NotFound()
            roles = policy.challenge_roles(person, challenge)
            policy.check(Action.COMPARE, challenge, roles, now)
            for idea in (first, second):
                if idea.challenge_id != challenge_id:
                    raise NotFound()
                if not idea.is_visible:
                    raise Forbidden(
                        _(
                            "“%(title)s” is %(status)s, so it can no longer be compared.",
                            title=idea.title,
                            status=status_word(idea.status),
                        )
                    )
                policy.require_compare_idea(person, idea)
            answered_before = (
                await tx.execute(
                    select(Comparison.winner_id).where(
                        Comparison.user_id == user_id,
                        Comparison.first_id == first_id,
                        Comparison.second_id == second_id,
                    )
                )
            ).one_or_none()
            if answered_before is not None:
                raise _answered(answered_before.winner_id, winner_id)
            comparison = Comparison(
                challenge_id=challenge_id,
                user_id=user_id,
                first_id=first_id,
                second_id=second_id,
                winner_id=winner_id,
                created_at=now,
            )
            tx.add(comparison)
            await tx.flush()
            outcome = None if winner_id is None else (0 if winner_id == first_id else 1)
            strengths = ranking.online_step(
                first.strength,
                second.strength,
                outcome,
                first_count=first.comparison_count + 1,
                second_count=second.comparison_count + 1,
            )
            # What people see is the pairwise score, not the strength: move the two
            # scores too, or the ranking would stand still until the next refit.
            others = (
                await tx.scalars(
                    select(Idea.strength).where(
                        Idea.challenge_id == challenge_id,
                        Idea.status.in_(VISIBLE_STATUSES),
                        Idea.comparison_count > 0,
                        Idea.id.not_in((first_id, second_id)),
                    )
                )
            ).all()
            scores = (
                ranking.pairwise_score(strengths[0], [strengths[1], *others]),
                ranking.pairwise_score(strengths[1], [strengths[0], *others]),
            )
            for idea, strength, score in zip((first, second), strengths, scores, strict=True):
                await tx.execute(
                    update(Idea)
                    .where(Idea.id == idea.id)
                    .values(
                        comparison_count=Idea.comparison_count + 1,
                        strength=strength,
                        pairwise_score=score,
                    )
                )
    except IntegrityError:
        # Two answers to the pair at once: the unique constraint kept one.
        kept = await session.scalar(
            select(Comparison.winner_id).where(
                Comparison.user_id == user_id,
                Comparison.first_id == first_id,
                Comparison.second_id == second_id,
            )
        )
        raise _answered(kept, winner_id) from None
    since_fit, fitted_at = counted
    return Recorded(comparison.id, refit_due(since_fit, fitted_at, now))


# Refitting ----------------------------------------------------------------------


@dataclass(frozen=True)
class Refit:
    comparisons: int  # those the fit used: between two visible ideas
    ideas: int  # ideas ranked


def _rank(outcomes: list[ranking.Outcome]) -> tuple[dict[int, float], dict[int, float]]:
    strengths = ranking.fit(outcomes)
    return strengths, ranking.pairwise_scores(strengths)


async def refit(session: AsyncSession, challenge_id: int, now: datetime) -> Refit:
    """Fit the challenge's ranking anew from all its comparisons, and save it.

    Only comparisons between two ideas that are visible now count. Every
    visible idea they involve gets its fitted strength and pairwise score;
    every other idea of the challenge loses its score until it is compared
    again. The comparisons are read first and fitted outside the write
    transaction (the arithmetic takes a moment on a big round and other
    writers need not wait for it); answers that arrive meanwhile stay counted
    in ``comparisons_since_fit``, for the next fit.
    """
    if session.in_transaction():
        await session.commit()  # read what is committed now
    first, second = aliased(Idea), aliased(Idea)
    rows = (
        await session.execute(
            select(
                Comparison.id,
                Comparison.first_id,
                Comparison.second_id,
                Comparison.winner_id,
                and_(first.status.in_(VISIBLE_STATUSES), second.status.in_(VISIBLE_STATUSES)),
            )
            .join(first, first.id == Comparison.first_id)
            .join(second, second.id == Comparison.second_id)
            .where(Comparison.challenge_id == challenge_id)
            .order_by(Comparison.id)
        )
    ).all()
    seen_up_to = max((row[0] for row in rows), default=0)
    outcomes = [(row[1], row[2], row[3]) for row in rows if row[4]]
    strengths, scores = await run_in_threadpool(_rank, outcomes)
    async with write(session) as tx:
        since = (
            select(func.count())
            .select_from(Comparison)
            .where(Comparison.challenge_id == challenge_id, Comparison.id > seen_up_to)
            .scalar_subquery()
        )
        changed = await tx.execute(
            update(Challenge)
            .where(Challenge.id == challenge_id)
            .values(ranking_fitted_at=now, comparisons_since_fit=since)
        )
        if changed.rowcount == 0:  # type: ignore[attr-defined]
            raise NotFound()
        await tx.execute(
            update(Idea)
            .where(
                Idea.challenge_id == challenge_id,
                (Idea.pairwise_score.is_not(None)) | (Idea.strength != 0.0),
            )
            .values(strength=0.0, pairwise_score=None)
        )
        if strengths:
            await tx.execute(
                update(Idea),
                [
                    {"id": idea_id, "strength": strength, "pairwise_score": scores[idea_id]}
                    for idea_id, strength in strengths.items()
                ],
            )
    return Refit(comparisons=len(outcomes), ideas=len(strengths))


_refitting: set[int] = set()
"""Challenges whose ranking this process is fitting now."""


async def refit_after_response(session: AsyncSession, challenge_id: int) -> None:
    """``refit``, run once the answer that made it due has been sent.

    Answers that come in while a fit is under way would each find a refit due;
    one at a time per challenge is enough, as ``comparisons_since_fit`` keeps
    them counted for the next. Nobody waits for the result, so a failure is
    logged rather than raised; the next answer will try again.
    """
    if challenge_id in _refitting:
        return
    _refitting.add(challenge_id)
    try:
        await refit(session, challenge_id, utcnow())
    except Exception:
        logger.exception("Refitting the ranking of challenge %s failed", challenge_id)
    finally:
        _refitting.discard(challenge_id)
