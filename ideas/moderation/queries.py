"""Reading the moderation queue and the audit log.

The queue is a fixed handful of queries whatever its length: reported ideas,
reported comments (with their ideas), the open reports on both, and the items
kept hidden. The audit log is read a page at a time, newest first, by keyset.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, joinedload

from ideas.accounts.models import User
from ideas.audit import AuditEntry
from ideas.challenges.models import Challenge
from ideas.comments.models import Comment, CommentStatus
from ideas.db import Database
from ideas.moderation.forms import AuditFilters
from ideas.moderation.models import Report, ReportReason
from ideas.moderation.services import ItemKind
from ideas.submissions.models import Idea, IdeaStatus

QUEUE_LIMIT = 100  # items of each kind waiting for a decision, and kept hidden, per page
AUDIT_PAGE_SIZE = 50
CSV_BATCH_SIZE = 500


# The queue ------------------------------------------------------------------------


@dataclass
class QueueItem:
    """A reported (or hidden) idea or comment, with its open reports.

    ``idea`` is the idea itself or the one the comment is on, with its
    challenge; the item's author is loaded.
    """

    kind: ItemKind
    idea: Idea
    comment: Comment | None = None
    reports: list[Report] = field(default_factory=list)

    @property
    def item(self) -> Idea | Comment:
        return self.comment if self.comment is not None else self.idea

    @property
    def id(self) -> int:
        return self.item.id

    @property
    def dom_id(self) -> str:
        return f"queue-{self.kind.value}-{self.id}"

    @property
    def author(self) -> User:
        return self.item.author

    @property
    def challenge(self) -> Challenge:
        return self.idea.challenge

    @property
    def is_hidden(self) -> bool:
        if self.comment is not None:
            return self.comment.status is CommentStatus.HIDDEN
        return self.idea.status is IdeaStatus.HIDDEN

    @property
    def status(self) -> str:
        return self.item.status.value

    @property
    def report_count(self) -> int:
        return self.item.report_count

    @property
    def hidden_reason(self) -> str:
        return self.item.hidden_reason

    @property
    def reasons(self) -> list[tuple[ReportReason, int]]:
        """Each reason given, with how many reports gave it, most frequent first."""
        counted = Counter(report.reason for report in self.reports)
        order = list(ReportReason)
        return sorted(counted.items(), key=lambda pair: (-pair[1], order.index(pair[0])))

    @property
    def notes(self) -> list[Report]:
        return [report for report in self.reports if report.note]

    @property
    def first_reported_at(self) -> datetime | None:
        return min((report.created_at for report in self.reports), default=None)


@dataclass
class Queue:
    waiting: list[QueueItem]  # open reports; hidden ones first
    kept_hidden: list[QueueItem]  # hidden, decided: they can still be restored

    @property
    def open_reports(self) -> int:
        return sum(item.report_count for item in self.waiting)


def _ideas(challenge_id: int | None) -> Select[Idea]:
    query = select(Idea).options(joinedload(Idea.author), joinedload(Idea.challenge))
    if challenge_id is not None:
        query = query.where(Idea.challenge_id == challenge_id)
    return query


def _comments(challenge_id: int | None) -> Select[Comment, Idea]:
    query = (
        select(Comment, Idea)
        .join(Idea, Idea.id == Comment.idea_id)
        .options(joinedload(Comment.author), joinedload(Idea.challenge))
    )
    if challenge_id is not None:
        query = query.where(Idea.challenge_id == challenge_id)
    return query


def _open_report_ids(challenge_id: int | None, column: Any) -> Select[int | None]:
    query = select(column).where(Report.resolved_at.is_(None), column.is_not(None))
    if challenge_id is not None:
        query = query.where(Report.challenge_id == challenge_id)
    return query


async def _attach_reports(session: AsyncSession, items: Sequence[QueueItem]) -> None:
    """Each item's open reports, oldest first, in one query."""
    idea_ids = [item.id for item in items if item.kind is ItemKind.IDEA]
    comment_ids = [item.id for item in items if item.kind is ItemKind.COMMENT]
    if not idea_ids and not comment_ids:
        return
    reports = await session.scalars(
        select(Report)
        .where(
            Report.resolved_at.is_(None),
            or_(Report.idea_id.in_(idea_ids), Report.comment_id.in_(comment_ids)),
        )
        .order_by(Report.created_at, Report.id)
    )
    by_item: dict[tuple[ItemKind, int], QueueItem] = {(item.kind, item.id): item for item in items}
    for report in reports:
        if report.idea_id is not None:
            key = (ItemKind.IDEA, report.idea_id)
        else:
            assert report.comment_id is not None
            key = (ItemKind.COMMENT, report.comment_id)
        if key in by_item:
            by_item[key].reports.append(report)


def _hidden_first(item: QueueItem) -> tuple[int, int, datetime]:
    first = item.first_reported_at or item.item.created_at
    return (0 if item.is_hidden else 1, -item.report_count, first)


async def queue(session: AsyncSession, challenge_id: int | None = None) -> Queue:
    """What waits for a decision (hidden items first, then the most reported), and what
    was kept hidden, in one challenge or (``None``) everywhere. Five queries."""
    idea_hidden_first = case((Idea.status == IdeaStatus.HIDDEN, 0), else_=1)
    comment_hidden_first = case((Comment.status == CommentStatus.HIDDEN, 0), else_=1)
    ideas = await session.scalars(
        _ideas(challenge_id)
        .where(Idea.id.in_(_open_report_ids(challenge_id, Report.idea_id)))
        .order_by(idea_hidden_first, Idea.report_count.desc(), Idea.id)
        .limit(QUEUE_LIMIT)
    )
    comments = await session.execute(
        _comments(challenge_id)
        .where(Comment.id.in_(_open_report_ids(challenge_id, Report.comment_id)))
        .order_by(comment_hidden_first, Comment.report_count.desc(), Comment.id)
        .limit(QUEUE_LIMIT)
    )
    waiting = [QueueItem(ItemKind.IDEA, idea) for idea in ideas] + [
        QueueItem(ItemKind.COMMENT, idea, comment) for comment, idea in comments
    ]
    await _attach_reports(session, waiting)
    waiting.sort(key=_hidden_first)

    kept_ideas = await session.scalars(
        _ideas(challenge_id)
        .where(Idea.status == IdeaStatus.HIDDEN, Idea.report_count == 0)
        .order_by(Idea.updated_at.desc(), Idea.id.desc())
        .limit(QUEUE_LIMIT)
    )
    kept_comments = await session.execute(
        _comments(challenge_id)
        .where(Comment.status == CommentStatus.HIDDEN, Comment.report_count == 0)
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(QUEUE_LIMIT)
    )
    kept = [QueueItem(ItemKind.IDEA, idea) for idea in kept_ideas] + [
        QueueItem(ItemKind.COMMENT, idea, comment) for comment, idea in kept_comments
    ]
    return Queue(waiting=waiting, kept_hidden=kept)


async def queue_item(session: AsyncSession, kind: ItemKind, item_id: int) -> QueueItem | None:
    """One item as the queue shows it, read fresh (after a decision)."""
    found: QueueItem | None = None
    if kind is ItemKind.IDEA:
        idea = await session.scalar(
            _ideas(None).where(Idea.id == item_id).execution_options(populate_existing=True)
        )
        found = QueueItem(kind, idea) if idea is not None else None
    else:
        row = (
            await session.execute(
                _comments(None)
                .where(Comment.id == item_id)
                .execution_options(populate_existing=True)
            )
        ).one_or_none()
        found = QueueItem(kind, row[1], row[0]) if row is not None else None
    if found is not None:
        await _attach_reports(session, [found])
    return found


# The audit log --------------------------------------------------------------------


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    actor_name: str | None
    challenge_slug: str | None
    challenge_title: str | None


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    next_before: int | None  # the id the next (older) page starts below; None on the last


Actor = aliased(User)
AuditQuery = Select[AuditEntry, str, str, str]


def _audit_query(filters: AuditFilters) -> AuditQuery:
    query = (
        select(AuditEntry, Actor.display_name, Challenge.slug, Challenge.title)
        .outerjoin(Actor, Actor.id == AuditEntry.actor_id)
        .outerjoin(Challenge, Challenge.id == AuditEntry.challenge_id)
    )
    if filters.action:
        escaped = filters.action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(AuditEntry.action.like(f"{escaped}%", escape="\\"))
    if filters.challenge:
        query = query.where(Challenge.slug == filters.challenge)
    if filters.actor:
        query = query.where(_actor_matches(filters.actor, filters.actor_id))
    if filters.since is not None:
        query = query.where(AuditEntry.at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEntry.at < filters.until)
    return query


def _actor_matches(actor: str, actor_id: int | None) -> ColumnElement[bool]:
    """An id, an e-mail address (exactly, any case) or part of a display name."""
    if actor_id is not None:
        return AuditEntry.actor_id == actor_id
    if "@" in actor:
        return func.lower(Actor.email) == actor.lower()
    escaped = actor.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(Actor.display_name).like(f"%{escaped}%", escape="\\")


def _newest_first(query: AuditQuery) -> AuditQuery:
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


async def audit_page(
    session: AsyncSession, filters: AuditFilters, before: int | None = None
) -> AuditPage:
    """One page of the log, newest first, starting below the entry ``before``.

    Keyset paging on (at, id): the page after ``before`` holds the entries that
    sort after it, whatever was added since; ``before`` names the entry, and its
    time is read in the same query.
    """
    query = _audit_query(filters)
    if before is not None:
        before_at = select(AuditEntry.at).where(AuditEntry.id == before).scalar_subquery()
        query = query.where(
            or_(
                AuditEntry.at < before_at,
                and_(AuditEntry.at == before_at, AuditEntry.id < before),
            )
        )
    rows = (await session.execute(_newest_first(query).limit(AUDIT_PAGE_SIZE + 1))).all()
    page = [AuditRow(entry, actor, slug, title) for entry, actor, slug, title in rows]
    more = len(page) > AUDIT_PAGE_SIZE
    page = page[:AUDIT_PAGE_SIZE]
    return AuditPage(rows=page, next_before=page[-1].entry.id if more and page else None)


async def audit_rows(database: Database, filters: AuditFilters) -> AsyncIterator[list[AuditRow]]:
    """Every entry that passes the filters, newest first, in batches, read through a
    server-side cursor in a session of its own (a streamed response outlives the request's)."""
    async with database.session() as session:
        result = await session.stream(
            _newest_first(_audit_query(filters)).execution_options(yield_per=CSV_BATCH_SIZE)
        )
        async for rows in result.partitions():
            yield [AuditRow(entry, actor, slug, title) for entry, actor, slug, title in rows]


async def challenge_choices(session: AsyncSession) -> list[tuple[str, str]]:
    """(slug, title) of every challenge, newest first, for the audit log's filter."""
    rows = await session.execute(
        select(Challenge.slug, Challenge.title).order_by(Challenge.created_at.desc())
    )
    return [(slug, title) for slug, title in rows]


async def open_report_count(session: AsyncSession, challenge_id: int) -> int:
    found = await session.scalar(
        select(func.count())
        .select_from(Report)
        .where(Report.challenge_id == challenge_id, Report.resolved_at.is_(None))
    )
    return int(found or 0)
