"""Ideas posted to a challenge."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideas.accounts.models import User
from ideas.challenges.models import Challenge, ChallengeTag
from ideas.media.models import Picture

if TYPE_CHECKING:
    from ideas.teams.models import Team
from ideas.db import Base, UTCDateTime, utcnow


class IdeaStatus(StrEnum):
    PUBLISHED = "published"
    SHORTLISTED = "shortlisted"
    WINNER = "winner"
    WITHDRAWN = "withdrawn"
    HIDDEN = "hidden"


VISIBLE_STATUSES = (IdeaStatus.PUBLISHED, IdeaStatus.SHORTLISTED, IdeaStatus.WINNER)
SHORTLISTED_STATUSES = (IdeaStatus.SHORTLISTED, IdeaStatus.WINNER)

UNRANKED = -1.0
"""The pairwise sort key of an idea never compared: below every score, which lie in (0, 1)."""


class Idea(Base):
    __tablename__ = "ideas"
    __table_args__ = (
        Index("ix_ideas_challenge_id_created_at", "challenge_id", "created_at"),
        Index("ix_ideas_challenge_id_vote_count", "challenge_id", "vote_count"),
        Index("ix_ideas_challenge_id_status", "challenge_id", "status"),
        Index("ix_ideas_challenge_id_build_count", "challenge_id", "build_count"),
        Index("ix_ideas_challenge_id_influence", "challenge_id", "influence"),
        Index("ix_ideas_challenge_id_last_activity_at", "challenge_id", "last_activity_at"),
        # The pairwise sort's key is indexed as an expression, coalesce(pairwise_score,
        # UNRANKED), by the migrations only (migrations/env.py says why).
        Index("ix_ideas_challenge_id_comparison_count", "challenge_id", "comparison_count"),
        # The change stamp of a challenge's ideas (ideas.similarity): its latest update.
        Index("ix_ideas_challenge_id_updated_at", "challenge_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(80))
    summary: Mapped[str] = mapped_column(String(300))
    # The language it is written in (ideas.languages): its search document is made in it.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
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
    build_count: Mapped[int] = mapped_column(Integer, default=0)  # ideas that build on it directly
    influence: Mapped[int] = mapped_column(Integer, default=0)  # ideas descending from it
    # Pairwise ranking: how often it was compared, its fitted strength (log scale) and
    # the estimated chance it beats a randomly chosen other idea (None until compared).
    image_id: Mapped[int | None] = mapped_column(ForeignKey("pictures.id", ondelete="SET NULL"))
    image_alt: Mapped[str] = mapped_column(String(200), default="")
    report_count: Mapped[int] = mapped_column(Integer, default=0)  # distinct open reports
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")
    comparison_count: Mapped[int] = mapped_column(Integer, default=0)
    strength: Mapped[float] = mapped_column(Float, default=0.0)
    pairwise_score: Mapped[float | None] = mapped_column(Float)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The host's word to the authors when shortlisting, and the citation of a winner.
    shortlist_note: Mapped[str] = mapped_column(Text, default="")
    shortlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    citation: Mapped[str] = mapped_column(String(300), default="")
    won_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    challenge: Mapped[Challenge] = relationship(lazy="raise")
    author: Mapped[User] = relationship(lazy="raise")
    tags: Mapped[list[ChallengeTag]] = relationship(
        secondary="idea_tags", lazy="raise", order_by="ChallengeTag.position", viewonly=True
    )
    coauthors: Mapped[list[IdeaCoauthor]] = relationship(
        lazy="raise", order_by="IdeaCoauthor.added_at", viewonly=True
    )
    # The team working on it, once it is shortlisted.
    team: Mapped[Team | None] = relationship(lazy="raise", viewonly=True)
    # Its size, for the page to hold the picture's place before it loads.
    image: Mapped[Picture | None] = relationship(lazy="raise", viewonly=True)

    @property
    def is_visible(self) -> bool:
        return self.status in VISIBLE_STATUSES

    @property
    def tag_names(self) -> tuple[str, ...]:
        """The names of its tags, in order: what a kept part that shows them is keyed by."""
        return tuple(tag.name for tag in self.tags)

    @property
    def is_shortlisted(self) -> bool:
        """Shortlisted, or a winner (winners come from the shortlist and keep their team)."""
        return self.status in SHORTLISTED_STATUSES


class IdeaTag(Base):
    """A tag (offered by the challenge) that an idea carries."""

    __tablename__ = "idea_tags"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("challenge_tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class IdeaRevision(Base):
    """The text of an idea as it stood after each save; number 1 is as first posted."""

    __tablename__ = "idea_revisions"
    __table_args__ = (UniqueConstraint("idea_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    editor: Mapped[User] = relationship(lazy="raise")


class IdeaLink(Base):
    """Idea ``child_id`` builds on idea ``parent_id``; ``note`` says what it took or changed."""

    __tablename__ = "idea_links"
    __table_args__ = (CheckConstraint("child_id <> parent_id", name="not_itself"),)

    child_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    parent_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    child: Mapped[Idea] = relationship(foreign_keys=[child_id], lazy="raise")
    parent: Mapped[Idea] = relationship(foreign_keys=[parent_id], lazy="raise")


class IdeaCoauthor(Base):
    __tablename__ = "idea_coauthors"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="raise")


class IdeaCluster(Base):
    """Ideas of one challenge that say nearly the same thing, grouped by a host (or by
    their authors, one asking and the other agreeing). Every member stays an idea of its
    own, with its authors, comments, history, lineage and votes; lists show the cluster
    as one card, and its ranking by votes counts each supporter once."""

    __tablename__ = "idea_clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[IdeaClusterMember]] = relationship(
        lazy="raise", order_by="IdeaClusterMember.idea_id", viewonly=True
    )


class IdeaClusterMember(Base):
    """An idea in a cluster. The idea is the primary key: no idea is in two clusters,
    whoever groups it at the same moment."""

    __tablename__ = "idea_cluster_members"

    idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True
    )
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("idea_clusters.id", ondelete="CASCADE"), index=True
    )
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    idea: Mapped[Idea] = relationship(lazy="raise", viewonly=True)


class ClusterRequestStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ClusterRequest(Base):
    """An author asks to group their idea (``idea_id``) with another (``other_idea_id``);
    the other idea's author accepts or declines. One request per pair of ideas."""

    __tablename__ = "cluster_requests"
    __table_args__ = (
        UniqueConstraint("idea_id", "other_idea_id"),
        CheckConstraint("idea_id <> other_idea_id", name="not_itself"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenges.id", ondelete="CASCADE"), index=True
    )
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    other_idea_id: Mapped[int] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), index=True
    )
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[ClusterRequestStatus] = mapped_column(
        Enum(
            ClusterRequestStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ClusterRequestStatus.PENDING,
    )
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    idea: Mapped[Idea] = relationship(foreign_keys=[idea_id], lazy="raise", viewonly=True)
    other_idea: Mapped[Idea] = relationship(
        foreign_keys=[other_idea_id], lazy="raise", viewonly=True
    )
