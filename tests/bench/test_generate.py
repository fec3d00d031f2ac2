"""The benchmark's data agrees with itself, as the services would have left it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bench.generate import BIG_CHALLENGE, generate
from ideas.challenges.models import Challenge
from ideas.comments.models import Comment
from ideas.db import Database
from ideas.submissions import lineage, search
from ideas.submissions.models import Idea, IdeaLink, IdeaRevision
from ideas.voting.models import Vote


def rows_per_idea(idea_id: Any) -> Any:
    """How many rows point at the idea through ``idea_id``, as a column of a query over Idea."""
    return select(func.count()).where(idea_id == Idea.id).scalar_subquery()


async def count_ideas(session: AsyncSession, *where: ColumnElement[bool]) -> int:
    return int(await session.scalar(select(func.count(Idea.id)).where(*where)) or 0)


async def test_generated_data_keeps_its_counters_true(committing_database_url: str) -> None:
    generated = await generate(committing_database_url, scale=0.01)
    database = Database.from_url(committing_database_url)
    try:
        async with database.session() as session:
            ideas = generated.counts["ideas"]
            assert await count_ideas(session) == ideas
            assert await count_ideas(session, Idea.vote_count != rows_per_idea(Vote.idea_id)) == 0
            assert (
                await count_ideas(session, Idea.comment_count != rows_per_idea(Comment.idea_id))
                == 0
            )
            assert (
                await count_ideas(session, Idea.build_count != rows_per_idea(IdeaLink.parent_id))
                == 0
            )
            assert await session.scalar(select(func.count(Vote.id))) == generated.counts["votes"]
            first_revisions = select(func.count(IdeaRevision.id)).where(IdeaRevision.number == 1)
            assert await session.scalar(first_revisions) == ideas
            big = await session.scalar(select(Challenge).where(Challenge.slug == BIG_CHALLENGE))
            assert big is not None
            assert big.idea_count == generated.counts["big challenge ideas"]

            most_influential = await session.scalars(
                select(Idea).order_by(Idea.influence.desc(), Idea.id).limit(5)
            )
            sample = [*most_influential, *await session.scalars(select(Idea).limit(5))]
            assert sample[0].influence > 1
            for idea in sample:
                assert idea.influence == len(await lineage.descendants(session, idea.id))

            found = search.matching(session, sample[0].title)
            assert found is not None
            assert sample[0].id in set(await session.scalars(select(found.c.id)))
    finally:
        await database.dispose()
