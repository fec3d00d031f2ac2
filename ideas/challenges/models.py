"""Challenge rounds and their hosts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideas.accounts.models import User
from ideas.challenges.phases import HandSwitch, Phase, Schedule, current_phase
from ideas.db import Base, UTCDateTime, utcnow

DEFAULT_TEAM_CAPACITY = 6
DEFAULT_REPORT_THRESHOLD = 3

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

    # Settings: None means no vote budget; the rest have defaults a host may change.
    vote_budget: Mapped[int | None] = mapped_column(Integer)
    team_capacity: Mapped[int] = mapped_column(Integer, default=DEFAULT_TEAM_CAPACITY)
    one_team_per_participant: Mapped[bool] = mapped_column(Boolean, default=True)
    report_threshold: Mapped[int] = mapped_column(Integer, default=DEFAULT_REPORT_THRESHOLD)
    allow_self_votes: Mapped[bool] = mapped_column(Boolean, default=False)
    cover_id: Mapped[int | None] = mapped_column(ForeignKey("pictures.id", ondelete="SET NULL"))
    cover_alt: Mapped[str] = mapped_column(String(200), default="")
    # When the pairwise ranking was last fitted, and how many comparisons came since.
    ranking_fitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comparisons_since_fit: Mapped[int] = mapped_column(Integer, default=0)

    # The zone its hosts type its schedule in (None: the site's), and its main language.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")

    idea_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User] = relationship(lazy="raise")
    hosts: Mapped[list[ChallengeHost]] = relationship(
        back_populates="challenge", lazy="raise", order_by="ChallengeHost.added_at"
    )
    tags: Mapped[list[ChallengeTag]] = relationship(
        lazy="raise", order_by="ChallengeTag.position", cascade="all, delete-orphan"
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


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # the person it reached deleted their account


class HostInvitation(Base):
    """A host's invitation to co-host a challenge, sent to an e-mail address.

    ``user_id`` is the person it reached: the one who uses the address when it was
    sent, or who signs in with it, verified, later; None until then. The hosts see
    the address either way, so the page tells them nothing about who has an account.
    """

    __tablename__ = "host_invitations"
    __table_args__ = (
        Index(
            "ix_host_invitations_pending",
            "challenge_id",
            "email",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[InvitationStatus] = mapped_column(
        Enum(
            InvitationStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=InvitationStatus.PENDING,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    challenge: Mapped[Challenge] = relationship(lazy="raise")
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id], lazy="raise")


class ChallengeTag(Base):
    """A tag the host offers for ideas of the challenge, in the host's order."""

    __tablename__ = "challenge_tags"
    __table_args__ = (UniqueConstraint("challenge_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer, default=0)


class ChallengeTranslation(Base):
    """A challenge's title, question and brief in another language, written by its hosts."""

    __tablename__ = "challenge_translations"
    __table_args__ = (UniqueConstraint("challenge_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(120))
    question: Mapped[str] = mapped_column(String(300))
    brief: Mapped[str] = mapped_column(Text, default="")
    brief_html: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
