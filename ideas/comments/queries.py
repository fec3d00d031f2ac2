"""Reading comments."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from ideas.comments.models import Comment
from ideas.submissions.models import Idea

# The newest top-level comments shown on an idea, each with all of its replies.
THREAD_LIMIT = 500


@dataclass
class ThreadItem:
    """A top-level comment and its replies, oldest first."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


async def thread(session: AsyncSession, idea_id: int) -> list[ThreadItem]:
    """An idea's comments as threads, oldest first, with their authors: two queries at most.

    Deleted and hidden comments are included: the page shows placeholders for
    them, so replies keep their place.
    """
    newest = await session.scalars(
        select(Comment)
        .options(joinedload(Comment.author))
        .where(Comment.idea_id == idea_id, Comment.parent_id.is_(None))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(THREAD_LIMIT)
    )
    items = {comment.id: ThreadItem(comment) for comment in reversed(newest.all())}
    if not items:
        return []
    replies = await session.scalars(
        select(Comment)
        .options(joinedload(Comment.author))
        .where(Comment.idea_id == idea_id, Comment.parent_id.in_(list(items)))
        .order_by(Comment.created_at, Comment.id)
    )
    for reply in replies:
        if reply.parent_id is not None:
            items[reply.parent_id].replies.append(reply)
    return list(items.values())


async def by_id(session: AsyncSession, comment_id: int) -> Comment | None:
    """A comment with its author, as saved now (even if this session loaded it before)."""
    comment: Comment | None = await session.scalar(
        select(Comment)
        .options(joinedload(Comment.author))
        .where(Comment.id == comment_id)
        .execution_options(populate_existing=True)
    )
    return comment


async def comment_count(session: AsyncSession, idea_id: int) -> int:
    """The idea's count of published comments, as kept with every change."""
    count = await session.scalar(select(Idea.comment_count).where(Idea.id == idea_id))
    return int(count or 0)
