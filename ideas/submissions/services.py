"""What participants do with ideas. Each function is one transaction."""

from __future__ import annotations

from datetime import datetime

from slugify import slugify
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import audit, markdown
from ideas.challenges.models import Challenge
from ideas.db import write
from ideas.submissions.forms import IdeaInput
from ideas.submissions.models import Idea


def make_slug(title: str) -> str:
    return slugify(title, max_length=60, word_boundary=True) or "idea"


async def post_idea(
    session: AsyncSession,
    *,
    challenge_id: int,
    author_id: int,
    data: IdeaInput,
    now: datetime,
) -> Idea:
    """Publish an idea; the challenge's idea count moves in the same transaction."""
    async with write(session) as tx:
        idea = Idea(
            challenge_id=challenge_id,
            author_id=author_id,
            title=data.title,
            slug=make_slug(data.title),
            summary=data.summary,
            body=data.body,
            body_html=markdown.render(data.body),
            created_at=now,
            updated_at=now,
        )
        tx.add(idea)
        await tx.execute(
            update(Challenge)
            .where(Challenge.id == challenge_id)
            .values(idea_count=Challenge.idea_count + 1)
        )
        await tx.flush()
        audit.record(
            tx,
            actor_id=author_id,
            action="idea.post",
            subject_type="idea",
            subject_id=idea.id,
            challenge_id=challenge_id,
            at=now,
        )
    return idea
