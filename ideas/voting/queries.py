"""Reading votes: where a viewer stands with the ideas a page shows, and what the vote
endpoint needs. One query each."""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Integer,
    Select,
    bindparam,
    case,
    exists,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, load_only

from ideas.challenges.models import Challenge, ChallengeHost
from ideas.db import rows_of
from ideas.submissions.models import VISIBLE_STATUSES, Idea, IdeaCoauthor
from ideas.voting.models import Vote

# What a row of ``standing`` says about an idea.
_VOTED, _COAUTHOR = 1, 2


@dataclass(frozen=True)
class Standing:
    """A participant's votes in one challenge, as far as a page needs them."""

    voted_ids: frozenset[int]  # among the ideas asked about
    coauthored_ids: frozenset[int]  # among the ideas asked about
    votes_used: int | None  # against the challenge's budget; None when it has none

    @classmethod
    def empty(cls) -> Standing:
        return cls(frozenset(), frozenset(), None)


@functools.cache
def standing_parts(budget: bool, coauthors: bool) -> tuple[Select[*tuple[Any, ...]], ...]:
    """The selects of ``standing``'s query, built once for each of its four shapes: rows
    of (idea id, kind, counted), to be read by ``standing_of``. A page that asks more of
    its viewer in the same query adds selects of that shape (kinds of its own above 9)."""
    user_id = bindparam("user_id", type_=Integer)
    ids = bindparam("ids", type_=Integer, expanding=True)
    counted = case((Idea.status.in_(VISIBLE_STATUSES), 1), else_=0)
    votes = (
        select(Vote.idea_id, literal(_VOTED, Integer).label("kind"), counted.label("counted"))
        .join(Idea, Idea.id == Vote.idea_id)
        .where(Vote.user_id == user_id)
    )
    if budget:
        votes = votes.where(Vote.challenge_id == bindparam("challenge_id", type_=Integer))
    else:
        votes = votes.where(Vote.idea_id.in_(ids))
    if not coauthors:
        return (votes,)
    return (
        votes,
        select(
            IdeaCoauthor.idea_id,
            literal(_COAUTHOR, Integer).label("kind"),
            literal(0, Integer).label("counted"),
        ).where(IdeaCoauthor.user_id == user_id, IdeaCoauthor.idea_id.in_(ids)),
    )


@functools.cache
def _standing_query(budget: bool, coauthors: bool) -> Select[Any] | CompoundSelect[Any]:
    parts = standing_parts(budget, coauthors)
    return parts[0] if len(parts) == 1 else union_all(*parts)


def standing_params(user_id: int, challenge: Challenge, idea_ids: list[int]) -> dict[str, Any]:
    return {"user_id": user_id, "challenge_id": challenge.id, "ids": idea_ids}


def standing_of(
    rows: Iterable[Sequence[Any]], challenge: Challenge, idea_ids: Collection[int]
) -> Standing:
    """The standing that rows of ``standing_parts`` tell (rows of other kinds are skipped)."""
    asked = set(idea_ids)
    voted, coauthored, used = set(), set(), 0
    for idea_id, kind, counted in rows:
        if kind == _VOTED:
            used += counted
            if idea_id in asked:
                voted.add(idea_id)
        elif kind == _COAUTHOR:
            coauthored.add(idea_id)
    return Standing(
        voted_ids=frozenset(voted),
        coauthored_ids=frozenset(coauthored),
        votes_used=None if challenge.vote_budget is None else used,
    )


async def standing(
    session: AsyncSession,
    *,
    user_id: int,
    challenge: Challenge,
    idea_ids: Collection[int],
    coauthors: bool = False,
) -> Standing:
    """Which of ``idea_ids`` the participant voted for (and, with ``coauthors``, co-authors),
    and how many votes they have spent in the challenge when it sets a budget.

    One query, whatever the number of ideas: with a budget it reads the
    participant's votes in the whole challenge, which the budget keeps few;
    without one, only their votes among ``idea_ids``.
    """
    budget = challenge.vote_budget
    ids = list(idea_ids)
    if budget is None and not ids:
        return Standing.empty()
    query = _standing_query(budget is not None, coauthors and bool(ids))
    rows = await rows_of(session, query, standing_params(user_id, challenge, ids))
    return standing_of(rows, challenge, ids)


@dataclass(frozen=True)
class Target:
    """An idea someone votes on, its challenge, and how the voter stands to it."""

    idea: Idea
    challenge: Challenge
    host: bool  # the voter hosts the challenge
    author: bool  # the voter is the idea's author or a co-author


def _target() -> Select[Idea, bool, bool]:
    viewer = bindparam("viewer", type_=Integer)
    host = exists().where(
        ChallengeHost.challenge_id == Idea.challenge_id, ChallengeHost.user_id == viewer
    )
    coauthor = exists().where(IdeaCoauthor.idea_id == Idea.id, IdeaCoauthor.user_id == viewer)
    # Only the columns a vote needs: not the texts of the idea and of the brief.
    idea_columns = load_only(
        Idea.id,
        Idea.challenge_id,
        Idea.author_id,
        Idea.title,
        Idea.slug,
        Idea.status,
        Idea.vote_count,
        raiseload=True,
    )
    challenge_columns = load_only(
        Challenge.id,
        Challenge.slug,
        Challenge.ideas_opens_at,
        Challenge.review_opens_at,
        Challenge.teams_opens_at,
        Challenge.closes_at,
        Challenge.phase_switched_to,
        Challenge.phase_switched_at,
        Challenge.vote_budget,
        Challenge.allow_self_votes,
        raiseload=True,
    )
    return (
        select(Idea, host, or_(Idea.author_id == viewer, coauthor))
        .join(Idea.challenge)
        .options(idea_columns, contains_eager(Idea.challenge).options(challenge_columns))
        .where(Idea.id == bindparam("idea_id", type_=Integer))
    )


# Built once: the vote endpoint is the busiest of all.
_TARGET = _target()


async def target(session: AsyncSession, idea_id: int, user_id: int | None) -> Target | None:
    """One query for what the vote endpoint needs: the idea with its challenge (no other
    relations loaded) and whether the voter hosts the challenge or co-authors the idea."""
    params = {"idea_id": idea_id, "viewer": -1 if user_id is None else user_id}
    row = (await session.execute(_TARGET, params)).one_or_none()
    if row is None:
        return None
    idea = row[0]
    return Target(idea, idea.challenge, host=bool(row[1]), author=bool(row[2]))


async def vote_count(session: AsyncSession, idea_id: int) -> int:
    return int(await session.scalar(select(Idea.vote_count).where(Idea.id == idea_id)) or 0)
