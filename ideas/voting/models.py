"""Votes on ideas (one per participant per idea) and pairwise comparisons."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ideas.db import Base, UTCDateTime, utcnow


class Vote(Base):
    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("idea_id", "user_id"),
        # A participant's votes in one challenge, to count them against the budget.
        Index("ix_votes_challenge_id_user_id", "challenge_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Comparison(Base):
    """A participant's answer to "which of these two better answers the challenge?".

    ``winner_id`` is None for "can't decide". A pair is stored with the smaller id
    first, so one person answers each pair once whichever side it was shown on.
    """

    __tablename__ = "comparisons"
    __table_args__ = (
        UniqueConstraint("user_id", "first_id", "second_id"),
        CheckConstraint("first_id < second_id", name="ordered_pair"),
        Index("ix_comparisons_challenge_id_created_at", "challenge_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    first_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    second_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    winner_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BridgingFit(Base):
    """The last bridging fit of a challenge (``ideas.voting.bridging``): whether there was
    enough data, how many people and ratings it rested on and the opinion groups' sizes.

    ``signature`` is what the fit read (the votes and comparisons: how many, and the
    last of each), so the worker knows when enough has changed to fit again.
    """

    __tablename__ = "bridging_fits"

    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True
    )
    fitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    signature: Mapped[str] = mapped_column(String(80))
    activity: Mapped[int] = mapped_column(default=0)  # votes + comparisons read
    enough: Mapped[bool] = mapped_column(default=False)
    people: Mapped[int] = mapped_column(default=0)
    ratings: Mapped[int] = mapped_column(default=0)
    groups: Mapped[list[int]] = mapped_column(JSON, default=list)  # sizes, largest first
    seconds: Mapped[float] = mapped_column(default=0.0)


class BridgingScore(Base):
    """An idea's bridging score from its challenge's last fit, with its 95% interval."""

    __tablename__ = "bridging_scores"

    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True
    )
    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    score: Mapped[float]
    low: Mapped[float]
    high: Mapped[float]
    ratings: Mapped[int]
