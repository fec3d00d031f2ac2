"""Reading comments.

An idea's thread is read with SQLAlchemy Core into plain frozen records
(``ShownComment``): no ORM objects, identity map or relationship loading for each
comment of the idea page, which every signed-in request makes anew.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import Integer, Table, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from ideas.accounts.models import User
from ideas.comments.models import Comment, CommentStatus
from ideas.db import rows_of
from ideas.submissions.listing import ListedPerson
from ideas.submissions.models import Idea

# The newest top-level comments shown on an idea, each with all of its replies.
THREAD_LIMIT = 500


@dataclass(frozen=True, slots=True)
class ShownComment:
    """A comment as a thread shows it, with its author."""

    id: int
    idea_id: int
    author_id: int
    parent_id: int | None
    body_html: str
    language: str
    status: CommentStatus
    created_at: datetime
    edited_at: datetime | None
    hidden_reason: str
    author: ListedPerson


def shown(comment: Comment) -> ShownComment:
    """A comment loaded with its author (``by_id``), as a thread shows it."""
    author = comment.author
    return ShownComment(
        id=comment.id,
        idea_id=comment.idea_id,
        author_id=comment.author_id,
        parent_id=comment.parent_id,
        body_html=comment.body_html,
        language=comment.language,
        status=comment.status,
        created_at=comment.created_at,
        edited_at=comment.edited_at,
        hidden_reason=comment.hidden_reason,
        author=ListedPerson(
            author.id, author.display_name, author.status, author.avatar_url, author.avatar_id
        ),
    )


@dataclass
class ThreadItem:
    """A top-level comment and its replies, oldest first."""

    comment: ShownComment
    replies: list[ShownComment] = field(default_factory=list)


_comments = cast(Table, Comment.__table__)
_authors = cast(Table, User.__table__).alias("author")
_IDEA_ID = bindparam("idea_id", type_=Integer)
# The newest top-level comments of the idea (parameter ``idea_id``) ...
_NEWEST = (
    select(_comments.c.id)
    .where(_comments.c.idea_id == _IDEA_ID, _comments.c.parent_id.is_(None))
    .order_by(_comments.c.created_at.desc(), _comments.c.id.desc())
    .limit(THREAD_LIMIT)
    .cte("newest")
)
# ... and they with their replies, with their authors, oldest first.
_THREAD = (
    select(
        _comments.c.id,
        _comments.c.idea_id,
        _comments.c.author_id,
        _comments.c.parent_id,
        _comments.c.body_html,
        _comments.c.language,
        _comments.c.status,
        _comments.c.created_at,
        _comments.c.edited_at,
        _comments.c.hidden_reason,
        _authors.c.display_name,
        _authors.c.status,
        _authors.c.avatar_url,
        _authors.c.avatar_id,
    )
    .select_from(_comments.join(_authors, _authors.c.id == _comments.c.author_id))
    .where(
        _comments.c.idea_id == _IDEA_ID,
        or_(
            _comments.c.id.in_(select(_NEWEST.c.id)),
            _comments.c.parent_id.in_(select(_NEWEST.c.id)),
        ),
    )
    .order_by(_comments.c.created_at, _comments.c.id)
)


async def thread(session: AsyncSession, idea_id: int) -> list[ThreadItem]:
    """An idea's comments as threads, oldest first, with their authors: one query.

    Deleted and hidden comments are included: the page shows placeholders for
    them, so replies keep their place.
    """
    items: dict[int, ThreadItem] = {}
    replies: list[ShownComment] = []
    rows = await rows_of(session, _THREAD, {"idea_id": idea_id})
    for row in rows:
        # The comment's columns in the order of its fields, then its author's.
        author = ListedPerson(row[2], row[10], row[11], row[12], row[13])
        comment = ShownComment(*row[:10], author=author)
        if comment.parent_id is None:
            items[comment.id] = ThreadItem(comment)
        else:
            replies.append(comment)
    for reply in replies:
        if reply.parent_id in items:
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
