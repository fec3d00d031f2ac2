"""Teams, their members and open roles, requests and invitations, and team matching."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideas.accounts.models import Skill, User
from ideas.db import Base, UTCDateTime, utcnow


def _enum(kind: type[StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class Team(Base):
    """The people working on one shortlisted idea; the lead starts as the idea's author."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), unique=True)
    # None only while the team has nobody: its last member deleted their account.
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    about: Mapped[str] = mapped_column(Text, default="")
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lead: Mapped[User | None] = relationship(lazy="raise")
    members: Mapped[list[TeamMember]] = relationship(
        lazy="raise", order_by="TeamMember.joined_at", viewonly=True
    )
    roles: Mapped[list[TeamRole]] = relationship(
        lazy="raise", order_by="TeamRole.id", viewonly=True
    )


class TeamMember(Base):
    __tablename__ = "team_members"
    __table_args__ = (
        # Who is on which team of a challenge, for the one-team-per-challenge rule.
        Index("ix_team_members_challenge_id_user_id", "challenge_id", "user_id"),
    )

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    role_title: Mapped[str] = mapped_column(String(80), default="")
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")


class TeamRole(Base):
    """A role the team wants filled, with the skills it asks for."""

    __tablename__ = "team_roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(String(300), default="")
    filled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    skills: Mapped[list[Skill]] = relationship(
        secondary="team_role_skills", lazy="raise", order_by="Skill.name", viewonly=True
    )


class TeamRoleSkill(Base):
    __tablename__ = "team_role_skills"

    role_id: Mapped[int] = mapped_column(
        ForeignKey("team_roles.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class RequestKind(StrEnum):
    REQUEST = "request"  # a participant asks to join
    INVITATION = "invitation"  # the lead asks a participant


class RequestStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"  # the team filled up, or the person joined another team


class JoinRequest(Base):
    """A request to join a team, or an invitation from its lead.

    An invitation by e-mail address keeps the ``email`` it was sent to, and is the
    lead's by that address only. ``user_id`` is the person it reached: the one who
    uses the address when it was sent, or who signs in with it, verified, later;
    None until then. The lead is shown the same either way.
    """

    __tablename__ = "join_requests"
    __table_args__ = (
        # At most one open request or invitation per person and team.
        Index(
            "ix_join_requests_pending",
            "team_id",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        # And one open invitation per address and team.
        Index(
            "ix_join_requests_pending_email",
            "team_id",
            "email",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_join_requests_user_id_created_at", "user_id", "created_at"),
        Index("ix_join_requests_email", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    email: Mapped[str | None] = mapped_column(String(320))
    kind: Mapped[RequestKind] = mapped_column(_enum(RequestKind))
    status: Mapped[RequestStatus] = mapped_column(
        _enum(RequestStatus), default=RequestStatus.PENDING
    )
    message: Mapped[str] = mapped_column(String(1000), default="")
    skills: Mapped[str] = mapped_column(String(300), default="")
    reason: Mapped[str] = mapped_column(String(500), default="")  # why it was declined
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship(lazy="raise")
    team: Mapped[Team] = relationship(lazy="raise")


class TeamSeeker(Base):
    """A participant looking for a team in a challenge."""

    __tablename__ = "team_seekers"

    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")


class TeamPreference(Base):
    """A participant's ranking of up to three teams, for "suggest teams"."""

    __tablename__ = "team_preferences"
    __table_args__ = (
        UniqueConstraint("challenge_id", "user_id", "rank"),
        UniqueConstraint("challenge_id", "user_id", "team_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)  # 1 is the first choice


class TeamUpdate(Base):
    """A short post by a member about the team's progress."""

    __tablename__ = "team_updates"
    __table_args__ = (Index("ix_team_updates_team_id_created_at", "team_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship(lazy="raise")
