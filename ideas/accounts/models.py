"""People, the accounts they sign in with, and their server-side sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideas.db import Base, UTCDateTime, utcnow


class UserStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETED = "deleted"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    # The picture the person uploaded, kept here (ideas.media): shown before the provider's.
    # A picture names who uploaded it, so the two tables refer to each other: use_alter
    # tells SQLAlchemy which of the two references to add last.
    avatar_id: Mapped[int | None] = mapped_column(
        ForeignKey("pictures.id", ondelete="SET NULL", use_alter=True)
    )
    # The provider's picture (``avatar_url``) last copied here, or tried: it is not
    # fetched again until it changes (ideas.media.copies).
    avatar_copied_from: Mapped[str | None] = mapped_column(String(500))
    bio: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(120), default="")
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_host: Mapped[bool] = mapped_column(Boolean, default=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[UserStatus] = mapped_column(
        Enum(
            UserStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
        ),
        default=UserStatus.ACTIVE,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # How notifications reach the person by e-mail: none, each, daily (a digest).
    email_frequency: Mapped[str] = mapped_column(String(8), default="each")
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The zone the person reads and types times in (an IANA name); None: their browser's.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # The language the person chose for the site and their e-mail (ideas.i18n.LANGUAGES);
    # None: their browser's, else the site's.
    locale: Mapped[str | None] = mapped_column(String(8))

    identities: Mapped[list[Identity]] = relationship(back_populates="user", lazy="raise")
    skills: Mapped[list[Skill]] = relationship(
        secondary="user_skills", lazy="raise", order_by="Skill.name"
    )

    @property
    def is_active(self) -> bool:
        return self.status is UserStatus.ACTIVE

    @property
    def initials(self) -> str:
        return initials_of(self.display_name)


def initials_of(display_name: str) -> str:
    """What a person's picture shows when they have none: up to two initials."""
    parts = [p for p in display_name.split() if p]
    letters = "".join(p[0] for p in parts[:2]).upper()
    return letters or "?"


class Identity(Base):
    """One way to sign in: a (provider, subject) pair, never matched by e-mail."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="identities", lazy="raise")


class WebSession(Base):
    """A browser session. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_last_seen_at", "last_seen_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    # Short-lived data of a sign-in in progress (OAuth state, nonce, PKCE verifier).
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The browser's User-Agent at sign-in, cut short: what the list of one's sessions
    # describes ("Firefox on Linux").
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[User | None] = relationship(lazy="raise")


class Skill(Base):
    """A free tag people use to say what they can do; shared so it can be suggested."""

    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(40), unique=True)  # the name, case-folded


class UserSkill(Base):
    __tablename__ = "user_skills"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True, index=True
    )
