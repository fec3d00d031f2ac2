"""Reports of ideas and comments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideas.accounts.models import User
from ideas.db import Base, UTCDateTime, utcnow


class ReportReason(StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off-topic"
    OTHER = "other"


class Report(Base):
    """One person's report of an idea or a comment (exactly one of the two)."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("reporter_id", "idea_id"),
        UniqueConstraint("reporter_id", "comment_id"),
        CheckConstraint("(idea_id IS NULL) <> (comment_id IS NULL)", name="idea_or_comment"),
        Index("ix_reports_challenge_id_resolved_at", "challenge_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[ReportReason] = mapped_column(
        Enum(
            ReportReason,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a host or admin decided on the reported item.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    reporter: Mapped[User] = relationship(lazy="raise")
