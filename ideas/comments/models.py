"""Comments on ideas: a thread of top-level comments, each with its replies."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideas.accounts.models import User
from ideas.db import Base, UTCDateTime, utcnow

# Authors may fix their comment for this long after posting it.
EDIT_WINDOW = timedelta(minutes=15)


class CommentStatus(StrEnum):
    PUBLISHED = "published"
    DELETED = "deleted"  # kept as a placeholder so the thread keeps its shape
    HIDDEN = "hidden"  # hidden pending review after reports


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_idea_id_created_at", "idea_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # A reply names the top-level comment it answers; replies to replies join that thread.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    status: Mapped[CommentStatus] = mapped_column(
        Enum(
            CommentStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=CommentStatus.PUBLISHED,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    report_count: Mapped[int] = mapped_column(Integer, default=0)  # distinct open reports
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")

    author: Mapped[User] = relationship(lazy="raise")
