"""Reading notifications and follows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ideas.accounts.models import User, UserStatus
from ideas.accounts.names import Someone, public_name_capitalised
from ideas.challenges.models import Challenge
from ideas.notifications.models import Notification
from ideas.submissions.models import Idea

PAGE_SIZE = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Item:
    """A notification with the names and titles it mentions, ready to be shown."""

    id: int
    kind: str
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None
    actor_name: str
    idea_id: int | None
    idea_title: str
    challenge_id: int | None
    challenge_title: str
    challenge_slug: str

    @property
    def unread(self) -> bool:
        return self.read_at is None


def display_name(name: str | None, status: UserStatus | None) -> str:
    """The actor's name where a notification's sentence starts; "Someone" when the
    notification names nobody."""
    if name is None or status is None:
        return "Someone"
    return public_name_capitalised(Someone(name, status))


def link_path(path_for: Callable[..., Any], item: Item) -> str:
    """Where a notification leads: its team, idea (at the comment) or challenge.

    ``path_for`` is the site's URL builder (``ideas.routes.path_builder``), which
    raises a LookupError for a route the site does not have.
    """
    if item.kind == "host.invitation":
        return str(path_for("hosting.invitations"))
    if item.kind.startswith("jury.") and item.challenge_slug:
        name = "jury.setup" if item.kind == "jury.all_scored" else "jury.queue"
        return str(path_for(name, slug=item.challenge_slug))
    team_id = item.data.get("team_id")
    if isinstance(team_id, int):
        try:
            return str(path_for("team.detail", team_id=team_id))
        except LookupError:  # a site without team pages: the idea is the place
            pass
    if item.idea_id is not None:
        comment_id = item.data.get("comment_id")
        anchor = f"#comment-{comment_id}" if isinstance(comment_id, int) else ""
        return str(path_for("idea.short", idea_id=item.idea_id)) + anchor
    if item.challenge_slug:
        return str(path_for("challenge.detail", slug=item.challenge_slug))
    return str(path_for("notifications"))


def _items_query() -> Select[Notification, str, UserStatus, str, str, str]:
    actor = aliased(User)
    return (
        select(
            Notification,
            actor.display_name,
            actor.status,
            Idea.title,
            Challenge.title,
            Challenge.slug,
        )
        .outerjoin(actor, actor.id == Notification.actor_id)
        .outerjoin(Idea, Idea.id == Notification.idea_id)
        .outerjoin(Challenge, Challenge.id == Notification.challenge_id)
    )


def _item(row: Any) -> Item:
    notification, actor_name, actor_status, idea_title, challenge_title, challenge_slug = row
    data = dict(notification.data or {})
    return Item(
        id=notification.id,
        kind=notification.kind,
        data=data,
        created_at=notification.created_at,
        read_at=notification.read_at,
        actor_name=display_name(actor_name, actor_status),
        idea_id=notification.idea_id,
        idea_title=idea_title or str(data.get("idea_title", "")),
        challenge_id=notification.challenge_id,
        challenge_title=challenge_title or str(data.get("challenge_title", "")),
        challenge_slug=challenge_slug or str(data.get("challenge_slug", "")),
    )


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Item]:
    rows = await session.execute(_items_query().where(Notification.id.in_(ids)))
    return sorted((_item(row) for row in rows), key=lambda item: item.id)


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after the notification made at ``at`` with ``id``."""

    at: datetime
    id: int

    def encode(self) -> str:
        return f"{(self.at - EPOCH) // MICROSECOND}.{self.id}"

    @classmethod
    def decode(cls, text: str) -> Cursor | None:
        micro, _, raw_id = text.partition(".")
        if not (micro.isdigit() and raw_id.isdigit()) or len(micro) > 20 or len(raw_id) > 18:
            return None
        try:
            at = EPOCH + int(micro) * MICROSECOND
        except OverflowError:
            return None
        return cls(at=at, id=int(raw_id))


@dataclass(frozen=True)
class Page:
    items: list[Item]
    next_cursor: Cursor | None


async def page(
    session: AsyncSession, user_id: int, *, after: Cursor | None = None, size: int = PAGE_SIZE
) -> Page:
    """The person's notifications, newest first, read and unread, ``size`` at a time."""
    query = _items_query().where(Notification.user_id == user_id)
    if after is not None:
        query = query.where(
            or_(
                Notification.created_at < after.at,
                and_(Notification.created_at == after.at, Notification.id < after.id),
            )
        )
    rows = (
        await session.execute(
            query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(size + 1)
        )
    ).all()
    items = [_item(row) for row in rows[:size]]
    more = len(rows) > size and items
    return Page(
        items=items,
        next_cursor=Cursor(at=items[-1].created_at, id=items[-1].id) if more else None,
    )


async def digest_items(
    session: AsyncSession, user_id: int, *, since: datetime | None, until: datetime, size: int
) -> tuple[list[Item], int]:
    """The newest ``size`` unread notifications made after ``since``, and how many there are."""
    conditions = [
        Notification.user_id == user_id,
        Notification.read_at.is_(None),
        Notification.created_at <= until,
    ]
    if since is not None:
        conditions.append(Notification.created_at > since)
    total = int(
        await session.scalar(select(func.count()).select_from(Notification).where(*conditions)) or 0
    )
    rows = await session.execute(
        _items_query()
        .where(*conditions)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(size)
    )
    return [_item(row) for row in rows], total


async def unread_count(session: AsyncSession, user_id: int) -> int:
    """One indexed count (user_id, read_at)."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


async def person(session: AsyncSession, user_id: int) -> User | None:
    """Someone who can still be e-mailed: not a deleted account."""
    found = await session.get(User, user_id)
    if found is None or found.status is UserStatus.DELETED:
        return None
    return found
