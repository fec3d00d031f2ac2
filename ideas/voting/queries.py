"""Reading votes: where a viewer stands with the ideas a page shows. One query each."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CompoundSelect, Integer, Select, case, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges.models import Challenge
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
    counted = case((Idea.status.in_(VISIBLE_STATUSES), 1), else_=0)
    votes = (
        select(Vote.idea_id, literal(_VOTED, Integer).label("kind"), counted.label("counted"))
        .join(Idea, Idea.id == Vote.idea_id)
        .where(Vote.user_id == user_id)
    )
    if budget is not None:
        votes = votes.where(Vote.challenge_id == challenge.id)
    else:
        votes = votes.where(Vote.idea_id.in_(ids))
    query: Select[Any] | CompoundSelect[Any] = votes
    if coauthors and ids:
        query = union_all(
            votes,
            select(
                IdeaCoauthor.idea_id,
                literal(_COAUTHOR, Integer).label("kind"),
                literal(0, Integer).label("counted"),
            ).where(IdeaCoauthor.user_id == user_id, IdeaCoauthor.idea_id.in_(ids)),
        )
    rows = (await session.execute(query)).all()
    asked = set(ids)
    return Standing(
        voted_ids=frozenset(row[0] for row in rows if row[1] == _VOTED and row[0] in asked),
        coauthored_ids=frozenset(row[0] for row in rows if row[1] == _COAUTHOR),
        votes_used=None if budget is None else sum(row[2] for row in rows if row[1] == _VOTED),
    )


async def vote_count(session: AsyncSession, idea_id: int) -> int:
    return int(await session.scalar(select(Idea.vote_count).where(Idea.id == idea_id)) or 0)
