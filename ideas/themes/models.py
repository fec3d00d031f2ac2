"""A challenge's themes, the theme of each idea, and the fit that found them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ColumnElement, ForeignKey, Index, String, func
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from ideas.db import Base, UTCDateTime, utcnow

NAME_MAX_LENGTH = 80


class ThemeFit(Base):
    """The last grouping of a challenge's ideas into themes (``ideas.themes.services``).

    ``ideas`` and ``last_change`` are what it read (how many listed ideas, and the
    latest change of any idea), so the worker knows when enough changed to fit again.
    """

    __tablename__ = "theme_fits"

    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True
    )
    fitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ideas: Mapped[int] = mapped_column(default=0)  # listed ideas read
    last_change: Mapped[datetime | None] = mapped_column(UTCDateTime)
    themes: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[float] = mapped_column(default=0.0)


class Theme(Base):
    """What a group of a challenge's ideas is about: named by its words (``name``,
    ``words``), or by a host (``host_name``, kept over later fits)."""

    __tablename__ = "themes"
    __table_args__ = (Index("ix_themes_challenge_id_position", "challenge_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH * 3))
    host_name: Mapped[str | None] = mapped_column(String(NAME_MAX_LENGTH))
    words: Mapped[list[str]] = mapped_column(JSON, default=list)  # most telling first
    position: Mapped[int] = mapped_column(default=0)  # largest first
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @hybrid_property
    def shown_name(self) -> str:
        """The name people see: the hosts', or the one its words make. (A host who
        clears their name sets ``host_name`` to None, never to "".)"""
        return self.host_name or self.name

    @shown_name.inplace.expression
    @classmethod
    def _shown_name_expression(cls) -> ColumnElement[str]:
        return func.coalesce(cls.host_name, cls.name)


class IdeaTheme(Base):
    """An idea's theme. The idea is the primary key: an idea is in one theme at most."""

    __tablename__ = "idea_themes"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)
