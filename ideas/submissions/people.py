"""Who took part in an idea: the people who may become its co-authors."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User, UserStatus
from ideas.comments.models import Comment, CommentStatus


async def commenters(
    session: AsyncSession, idea_id: int, *, leaving_out: Sequence[int] = ()
) -> Sequence[User]:
    """Active people with a published comment on the idea, by name."""
    rows = await session.scalars(
        select(User)
        .where(
            User.id.in_(
                select(Comment.author_id).where(
                    Comment.idea_id == idea_id, Comment.status == CommentStatus.PUBLISHED
                )
            ),
            User.status == UserStatus.ACTIVE,
            User.id.not_in(leaving_out),
        )
        .order_by(User.display_name, User.id)
    )
    return rows.all()
