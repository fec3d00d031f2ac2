"""Reading ideas."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from ideas.challenges.models import Challenge, ChallengeHost
from ideas.submissions.models import VISIBLE_STATUSES, Idea


class Sort(StrEnum):
    TOP = "top"
    NEWEST = "newest"
    MOST_BUILT_ON = "built-on"

    @property
    def label(self) -> str:
        return {"top": "Top", "newest": "Newest", "built-on": "Most built on"}[self.value]


_ORDER: dict[Sort, tuple[ColumnElement[Any], ...]] = {
    Sort.TOP: (Idea.vote_count.desc(), Idea.id.desc()),
    Sort.NEWEST: (Idea.created_at.desc(), Idea.id.desc()),
    Sort.MOST_BUILT_ON: (Idea.build_count.desc(), Idea.id.desc()),
}


async def for_challenge(
    session: AsyncSession, challenge_id: int, *, sort: Sort, limit: int = 20
) -> Sequence[Idea]:
    """Visible ideas of a challenge, with their authors, in one query."""
    rows = await session.scalars(
        select(Idea)
        .options(joinedload(Idea.author))
        .where(Idea.challenge_id == challenge_id, Idea.status.in_(VISIBLE_STATUSES))
        .order_by(*_ORDER[sort])
        .limit(limit)
    )
    return rows.all()


async def by_id(session: AsyncSession, idea_id: int) -> Idea | None:
    """An idea with its author and its challenge (and the challenge's hosts)."""
    idea: Idea | None = await session.scalar(
        select(Idea)
        .options(
            joinedload(Idea.author),
            joinedload(Idea.challenge).selectinload(Challenge.hosts).joinedload(ChallengeHost.user),
        )
        .where(Idea.id == idea_id)
    )
    return idea
