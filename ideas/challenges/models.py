"""Challenge rounds and their hosts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideas.accounts.models import User
from ideas.challenges.phases import HandSwitch, Phase, Schedule, current_phase
from ideas.db import Base, UTCDateTime, utcnow

PhaseColumn = Enum(
    Phase, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
)


class Challenge(Base):
    __tablename__ = "challenges"
    __table_args__ = (Index("ix_challenges_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    question: Mapped[str] = mapped_column(String(300))
    brief: Mapped[str] = mapped_column(Text, default="")
    brief_html: Mapped[str] = mapped_column(Text, default="")
    sponsor: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    ideas_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    teams_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phase_switched_to: Mapped[Phase | None] = mapped_column(PhaseColumn)
    phase_switched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    idea_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User] = relationship(lazy="raise")
    hosts: Mapped[list[ChallengeHost]] = relationship(
        back_populates="challenge", lazy="raise", order_by="ChallengeHost.added_at"
    )

    @property
    def schedule(self) -> Schedule:
        return Schedule(
            ideas=self.ideas_opens_at,
            review=self.review_opens_at,
            teams=self.teams_opens_at,
            closed=self.closes_at,
        )

    @property
    def hand_switch(self) -> HandSwitch | None:
        if self.phase_switched_to is None or self.phase_switched_at is None:
            return None
        return HandSwitch(self.phase_switched_to, self.phase_switched_at)

    def phase_at(self, now: datetime) -> Phase:
        return current_phase(self.schedule, self.hand_switch, now)


class ChallengeHost(Base):
    __tablename__ = "challenge_hosts"

    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    challenge: Mapped[Challenge] = relationship(back_populates="hosts", lazy="raise")
    user: Mapped[User] = relationship(lazy="raise")
