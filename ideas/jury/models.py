"""A challenge's jury: its settings and rubric, its jurors, their scores and conflicts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideas.accounts.models import User
from ideas.db import Base, UTCDateTime, utcnow

SCALE_LOW = 1
SCALE_HIGH = 5
"""One scale for every criterion: whole numbers from 1 to 5."""

SCOPE_ALL = "all"
SCOPE_SHORTLIST = "shortlist"
SCOPES = (SCOPE_ALL, SCOPE_SHORTLIST)


class JurySettings(Base):
    """How a challenge's jury works: which ideas it scores, by how many jurors each,
    how much the final ranking weighs it against the crowd, and when it was published."""

    __tablename__ = "jury_settings"
    __table_args__ = (
        CheckConstraint("jury_weight >= 0 AND jury_weight <= 1", name="weight_share"),
        CheckConstraint("jurors_per_idea >= 1", name="jurors_per_idea_positive"),
    )

    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True
    )
    jury_weight: Mapped[float] = mapped_column(Float, default=0.5)
    jurors_per_idea: Mapped[int] = mapped_column(Integer, default=2)
    scope: Mapped[str] = mapped_column(String(16), default=SCOPE_ALL)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    all_scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Criterion(Base):
    __tablename__ = "jury_criteria"
    __table_args__ = (CheckConstraint("weight >= 1", name="weight_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(80))
    low: Mapped[str] = mapped_column(String(200), default="")  # what a 1 means
    high: Mapped[str] = mapped_column(String(200), default="")  # what a 5 means
    weight: Mapped[int] = mapped_column(Integer, default=1)


class Juror(Base):
    """An invitation to the jury, kept by its address: it reaches whoever uses it."""

    __tablename__ = "jurors"
    __table_args__ = (UniqueConstraint("challenge_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    named: Mapped[bool] = mapped_column(Boolean, default=False)  # agreed to be named in exports
    review_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[user_id])


class JuryScore(Base):
    """One juror's scores of one idea: a mark per criterion, a private note; a draft
    until ``submitted_at``. One per juror and idea, whatever tabs send it."""

    __tablename__ = "jury_scores"
    __table_args__ = (UniqueConstraint("idea_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    marks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # criterion id → 1..5
    note: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JuryConflict(Base):
    """A juror's declared conflict of interest with an idea, with a reason the hosts see."""

    __tablename__ = "jury_conflicts"
    __table_args__ = (UniqueConstraint("idea_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
