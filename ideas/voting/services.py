"""Casting and withdrawing votes. Each function is one transaction.

A participant has one vote per idea (the unique constraint on votes backs it)
and, when the challenge sets a vote budget, that many votes in the challenge.
The budget holds under concurrency: the voter's own row is locked before
their votes are counted, so two votes by the same person are decided one
after the other (on SQLite the write lock already does this). An idea's
``vote_count`` moves in the same transaction as the vote, by an UPDATE that
adds to the column, never by a count read into Python and written back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from ideas import policy
from ideas.accounts.models import User
from ideas.db import write
from ideas.errors import Conflict, Forbidden, NotFound
from ideas.notifications import events as notification_events
from ideas.submissions.models import VISIBLE_STATUSES, Idea
from ideas.voting.models import Vote

ALREADY_VOTED = "You have already voted for this idea."
NOT_VOTED = "You have not voted for this idea, so there is no vote to withdraw."
OWN_IDEA = "You cannot vote for your own idea."


def budget_spent(budget: int) -> str:
    """Why the vote over the budget is refused, and what to do about it."""
    if budget == 1:
        return (
            "You have used your only vote in this challenge. Withdraw it to vote for another idea."
        )
    return (
        f"You have used all {budget} of your votes in this challenge. "
        "Withdraw one to vote for another idea."
    )


def no_votes_for(status: str) -> str:
    return f"This idea is {status}, so it takes no votes."


@dataclass(frozen=True)
class Ballot:
    """A participant's vote on an idea as it stands after a change."""

    idea_id: int
    voted: bool
    vote_count: int
    # The votes the participant has spent in the challenge and how many they have;
    # both None when the challenge sets no budget.
    votes_used: int | None
    vote_budget: int | None

    @property
    def votes_left(self) -> int | None:
        if self.vote_budget is None or self.votes_used is None:
            return None
        return max(0, self.vote_budget - self.votes_used)


def counted_votes(challenge_id: int, user_id: int) -> Select[int]:
    """The votes of ``user_id`` that count against the budget of a challenge.

    A vote for an idea that was since withdrawn or hidden does not count: its
    voter can no longer reach the idea to take the vote back.
    """
    return (
        select(func.count())
        .select_from(Vote)
        .join(Idea, Idea.id == Vote.idea_id)
        .where(
            Vote.challenge_id == challenge_id,
            Vote.user_id == user_id,
            Idea.status.in_(VISIBLE_STATUSES),
        )
    )


async def _lock_voter(tx: AsyncSession, user_id: int) -> User:
    """The voter's row, locked until the transaction ends: one person's votes queue here."""
    voter = await tx.scalar(select(User).where(User.id == user_id).with_for_update(key_share=True))
    if voter is None or not voter.is_active:
        raise Forbidden("Sign in to do that.")
    return voter


async def _idea(tx: AsyncSession, idea_id: int, challenge_id: int | None) -> Idea:
    idea = await tx.scalar(
        select(Idea)
        .options(joinedload(Idea.challenge), selectinload(Idea.coauthors))
        .where(Idea.id == idea_id)
    )
    if idea is None or (challenge_id is not None and idea.challenge_id != challenge_id):
        raise NotFound()
    return idea


async def _used(
    tx: AsyncSession, challenge_id: int, user_id: int, budget: int | None
) -> int | None:
    if budget is None:
        return None
    return int(await tx.scalar(counted_votes(challenge_id, user_id)) or 0)


async def cast_vote(
    session: AsyncSession,
    *,
    idea_id: int,
    user_id: int,
    now: datetime,
    challenge_id: int | None = None,
) -> Ballot:
    """Vote for a visible idea of someone else (or one's own, where the challenge allows it).

    ``challenge_id``, when given, is the challenge the idea must belong to.
    Refused with ``Conflict`` when the participant already voted for the idea
    or has spent the challenge's vote budget; nothing changes then.
    """
    async with write(session) as tx:
        voter = await _lock_voter(tx, user_id)
        idea = await _idea(tx, idea_id, challenge_id)
        challenge = idea.challenge
        if idea.status not in VISIBLE_STATUSES:
            raise Conflict(no_votes_for(idea.status.value))
        if not policy.may_vote_for(voter, challenge, idea):
            raise Forbidden(OWN_IDEA)
        already = await tx.scalar(
            select(Vote.id).where(Vote.idea_id == idea_id, Vote.user_id == user_id)
        )
        if already is not None:
            raise Conflict(ALREADY_VOTED)
        budget = challenge.vote_budget
        used = await _used(tx, challenge.id, user_id, budget)
        if budget is not None and used is not None and used >= budget:
            raise Conflict(budget_spent(budget))
        tx.add(Vote(idea_id=idea_id, user_id=user_id, challenge_id=challenge.id, created_at=now))
        try:
            await tx.flush()
        except IntegrityError:
            # Another transaction of the same person got there first.
            raise Conflict(ALREADY_VOTED) from None
        vote_count = await tx.scalar(
            update(Idea)
            .where(Idea.id == idea_id)
            .values(vote_count=Idea.vote_count + 1, last_activity_at=now)
            .returning(Idea.vote_count)
            .execution_options(synchronize_session=False)
        )
        await notification_events.on_vote_cast(tx, idea_id, int(vote_count or 0), now)
    return Ballot(
        idea_id=idea_id,
        voted=True,
        vote_count=int(vote_count or 0),
        votes_used=None if used is None else used + 1,
        vote_budget=budget,
    )


async def withdraw_vote(
    session: AsyncSession,
    *,
    idea_id: int,
    user_id: int,
    now: datetime,
    challenge_id: int | None = None,
) -> Ballot:
    """Take back one's vote for an idea; ``Conflict`` if there is none to take back."""
    async with write(session) as tx:
        await _lock_voter(tx, user_id)
        idea = await _idea(tx, idea_id, challenge_id)
        removed = await tx.scalar(
            delete(Vote)
            .where(Vote.idea_id == idea_id, Vote.user_id == user_id)
            .returning(Vote.id)
            .execution_options(synchronize_session=False)
        )
        if removed is None:
            raise Conflict(NOT_VOTED)
        vote_count = await tx.scalar(
            update(Idea)
            .where(Idea.id == idea_id)
            .values(vote_count=Idea.vote_count - 1)
            .returning(Idea.vote_count)
            .execution_options(synchronize_session=False)
        )
        budget = idea.challenge.vote_budget
        used = await _used(tx, idea.challenge_id, user_id, budget)
    return Ballot(
        idea_id=idea_id,
        voted=False,
        vote_count=int(vote_count or 0),
        votes_used=used,
        vote_budget=budget,
    )
