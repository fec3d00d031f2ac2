"""After a round: the progress teams report, the dates hosts ask for it, the pledges
people make to teams, and the follow-up rounds opened from a closed one."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideas.accounts.models import User
from ideas.db import Base, UTCDateTime, utcnow
from ideas.i18n import lazy_gettext


def _enum(kind: type[StrEnum]) -> Enum:
    return Enum(kind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])


class ImpactStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in progress"
    PILOTED = "piloted"
    IMPLEMENTED = "implemented"
    STOPPED = "stopped"


# The statuses in words: templates translate a status's value, found in the catalogs
# through these.
STATUS_WORDS = (
    lazy_gettext("planned"),
    lazy_gettext("in progress"),
    lazy_gettext("piloted"),
    lazy_gettext("implemented"),
    lazy_gettext("stopped"),
)

# How far along each status is, for "ideas built on this have reached …": stopped
# counts for nothing, implemented for the most.
REACH = {
    ImpactStatus.STOPPED: 0,
    ImpactStatus.PLANNED: 1,
    ImpactStatus.IN_PROGRESS: 2,
    ImpactStatus.PILOTED: 3,
    ImpactStatus.IMPLEMENTED: 4,
}


class ImpactUpdate(Base):
    """A team's report on its idea after the round: where it stands (``status``), what
    happened (Markdown), evidence ``links`` and ``pictures``, and ``figures``
    ({"value", "unit", "measures"}). The updates of an idea are its status history."""

    __tablename__ = "impact_updates"
    __table_args__ = (
        Index("ix_impact_updates_idea_id_created_at", "idea_id", "created_at"),
        Index("ix_impact_updates_challenge_id_created_at", "challenge_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ImpactStatus] = mapped_column(_enum(ImpactStatus))
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list[str]] = mapped_column(JSON, default=list)
    figures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship(lazy="raise")
    pictures: Mapped[list[ImpactPicture]] = relationship(
        lazy="raise", order_by="ImpactPicture.position", viewonly=True
    )


class ImpactPicture(Base):
    """A picture shown with an impact update, described for those who cannot see it."""

    __tablename__ = "impact_pictures"

    update_id: Mapped[int] = mapped_column(
        ForeignKey("impact_updates.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    picture_id: Mapped[int] = mapped_column(
        ForeignKey("pictures.id", ondelete="CASCADE"), index=True
    )
    alt: Mapped[str] = mapped_column(String(200), default="")


class CheckIn(Base):
    """A date by which the hosts ask every team of a round for news; a team with no
    update since the check-in before it is reminded once it passes (``reminded_at``)."""

    __tablename__ = "impact_check_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PledgeKind(StrEnum):
    TIME = "time"
    SKILL = "skill"
    THING = "thing"


class Pledge(Base):
    """Something concrete a person promises a team. With a ``condition`` it holds only
    once that many others have pledged to the team too (``met_at``); until then its
    author may withdraw it. The lead marks it ``honoured_at`` once it is kept."""

    __tablename__ = "pledges"
    __table_args__ = (
        CheckConstraint("condition IS NULL OR condition >= 1", name="condition_positive"),
        # One standing pledge per person and team.
        Index(
            "ix_pledges_standing",
            "team_id",
            "user_id",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PledgeKind] = mapped_column(_enum(PledgeKind))
    what: Mapped[str] = mapped_column(String(200))
    condition: Mapped[int | None] = mapped_column(Integer)  # "if N others pledge too"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    honoured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="raise")

    @property
    def waiting(self) -> bool:
        return self.condition is not None and self.met_at is None

    @property
    def standing(self) -> bool:
        return self.withdrawn_at is None


class FollowUp(Base):
    """Challenge ``challenge_id`` was opened from the closed challenge ``from_id``."""

    __tablename__ = "follow_ups"

    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True
    )
    from_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
