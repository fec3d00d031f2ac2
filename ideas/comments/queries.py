"""Reading comments."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from sqlalchemy import Integer, Select, bindparam, select
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


@functools.cache
def _thread_statements() -> tuple[Select[Comment], Select[Comment]]:
    """The newest comments of an idea (parameter ``idea_id``) and the replies to some
    (``parent_ids``), with their authors. Built once, as the idea page reads them for
    every request; on first use, not on import, as the loader options need every
    model mapped."""
    idea_id = bindparam("idea_id", type_=Integer)
    newest = (
        select(Comment)
        .options(joinedload(Comment.author))
        .where(Comment.idea_id == idea_id, Comment.parent_id.is_(None))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(THREAD_LIMIT)
    )
    replies = (
        select(Comment)
        .options(joinedload(Comment.author))
        .where(
            Comment.idea_id == idea_id,
            Comment.parent_id.in_(bindparam("parent_ids", type_=Integer, expanding=True)),
        )
        .order_by(Comment.created_at, Comment.id)
    )
    return newest, replies


async def thread(session: AsyncSession, idea_id: int) -> list[ThreadItem]:
    """An idea's comments as threads, oldest first, with their authors: two queries at most.

    Deleted and hidden comments are included: the page shows placeholders for
    them, so replies keep their place.
    """
    newest_of, replies_to = _thread_statements()
    newest = await session.scalars(newest_of, {"idea_id": idea_id})
    items = {comment.id: ThreadItem(comment) for comment in reversed(newest.all())}
    if not items:
        return []
    replies = await session.scalars(replies_to, {"idea_id": idea_id, "parent_ids": list(items)})
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
