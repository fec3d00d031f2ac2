"""Ideas posted to a challenge."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.db import Base, UTCDateTime, utcnow


class IdeaStatus(StrEnum):
    PUBLISHED = "published"
    SHORTLISTED = "shortlisted"
    WINNER = "winner"
    WITHDRAWN = "withdrawn"
    HIDDEN = "hidden"


VISIBLE_STATUSES = (IdeaStatus.PUBLISHED, IdeaStatus.SHORTLISTED, IdeaStatus.WINNER)


class Idea(Base):
    __tablename__ = "ideas"
    __table_args__ = (
        Index("ix_ideas_challenge_id_created_at", "challenge_id", "created_at"),
        Index("ix_ideas_challenge_id_vote_count", "challenge_id", "vote_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(80))
    summary: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[IdeaStatus] = mapped_column(
        Enum(
            IdeaStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
        ),
        default=IdeaStatus.PUBLISHED,
    )
    vote_count: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    build_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    challenge: Mapped[Challenge] = relationship(lazy="raise")
    author: Mapped[User] = relationship(lazy="raise")

    @property
    def is_visible(self) -> bool:
        return self.status in VISIBLE_STATUSES
