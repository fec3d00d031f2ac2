"""Reading comments."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Integer, bindparam, select
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


# Built once, as the idea page reads them for every request.
_IDEA_ID = bindparam("idea_id", type_=Integer)
_NEWEST = (
    select(Comment)
    .options(joinedload(Comment.author))
    .where(Comment.idea_id == _IDEA_ID, Comment.parent_id.is_(None))
    .order_by(Comment.created_at.desc(), Comment.id.desc())
    .limit(THREAD_LIMIT)
)
_REPLIES = (
    select(Comment)
    .options(joinedload(Comment.author))
    .where(
        Comment.idea_id == _IDEA_ID,
        Comment.parent_id.in_(bindparam("parent_ids", type_=Integer, expanding=True)),
    )
    .order_by(Comment.created_at, Comment.id)
)


async def thread(session: AsyncSession, idea_id: int) -> list[ThreadItem]:
    """An idea's comments as threads, oldest first, with their authors: two queries at most.

    Deleted and hidden comments are included: the page shows placeholders for
    them, so replies keep their place.
    """
    newest = await session.scalars(_NEWEST, {"idea_id": idea_id})
    items = {comment.id: ThreadItem(comment) for comment in reversed(newest.all())}
    if not items:
        return []
    replies = await session.scalars(_REPLIES, {"idea_id": idea_id, "parent_ids": list(items)})
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
