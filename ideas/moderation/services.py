"""Reports, and what hosts and admins decide about reported ideas and comments.

Each function is one transaction. An item's ``report_count`` is the number of
its open reports (those no decision has resolved yet); it moves in the same
transaction as the report or the decision that changes it. The item's row is
locked before anything is read, so reports arriving at once are counted one
after another and the item is hidden exactly once, by the report that reaches
the challenge's threshold.

Who may report, moderate and suspend is asked of ``policy`` here, in the
transaction, after the locks: the views ask too, to offer only what a person
may do, but a service refuses on its own.

Hiding an idea remembers, in the audit entry that records it, the status it
had (published, shortlisted, a winner); restoring it reads that back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from ideas import audit, form_tokens, policy
from ideas.accounts.models import User, UserStatus
from ideas.accounts.sessions import end_all_for
from ideas.audit import AuditEntry
from ideas.challenges import queries as challenge_queries
from ideas.challenges.models import Challenge
from ideas.comments.models import Comment, CommentStatus
from ideas.db import write
from ideas.errors import Conflict, NotFound
from ideas.form_tokens import Once
from ideas.i18n import _, status_word
from ideas.moderation.forms import ReportInput
from ideas.moderation.models import Report
from ideas.notifications import services as notifications
from ideas.submissions.models import VISIBLE_STATUSES, Idea, IdeaCoauthor, IdeaStatus
from ideas.submissions.services import lock_idea

# Audit actions; the log can be narrowed to them all with the prefix "moderation.".
REPORTED = "moderation.report"
HIDDEN = "moderation.hide"
RESTORED = "moderation.restore"
KEPT_HIDDEN = "moderation.keep_hidden"
DISMISSED = "moderation.dismiss"
SUSPENDED = "user.suspend"  # the same action as a suspension from the people page

# The notifications an author gets when their item stays hidden, or shows again.
KEPT_HIDDEN_NOTIFICATION = "moderation.kept_hidden"
RESTORED_NOTIFICATION = "moderation.restored"


# Report.idea_id or Report.comment_id: which kind of item a report is about.
ReportColumn = InstrumentedAttribute[int | None]


class ItemKind(StrEnum):
    IDEA = "idea"
    COMMENT = "comment"


@dataclass(frozen=True)
class ReportOutcome:
    report_id: int
    report_count: int
    hidden: bool  # this report took the item to its challenge's threshold


@dataclass(frozen=True)
class Decision:
    """What a decision did, for the moderator's confirmation and the author's notice."""

    kind: ItemKind
    item_id: int
    challenge_id: int
    idea_id: int
    author_id: int
    resolved: int  # reports it resolved


# Reporting ----------------------------------------------------------------------


def _open_reports(column: ReportColumn, item_id: int) -> ColumnElement[bool]:
    return (column == item_id) & Report.resolved_at.is_(None)


async def _count_open(tx: AsyncSession, column: ReportColumn, item_id: int) -> int:
    found = await tx.scalar(
        select(func.count()).select_from(Report).where(_open_reports(column, item_id))
    )
    return int(found or 0)


async def _file(
    tx: AsyncSession,
    report: Report,
    kind: ItemKind,
) -> None:
    """Add the report; the unique constraint refuses a second one by the same person."""
    column = Report.idea_id if kind is ItemKind.IDEA else Report.comment_id
    item_id = report.idea_id if kind is ItemKind.IDEA else report.comment_id
    already = await tx.scalar(
        select(exists().where(column == item_id, Report.reporter_id == report.reporter_id))
    )
    if already:
        raise Conflict(
            _("You have already reported this idea.")
            if kind.value == "idea"
            else _("You have already reported this comment.")
        )
    tx.add(report)
    try:
        await tx.flush()
    except IntegrityError as error:  # the same person, at the same moment, on another request
        raise Conflict(
            _("You have already reported this idea.")
            if kind.value == "idea"
            else _("You have already reported this comment.")
        ) from error


async def _reported_before(tx: AsyncSession, report_id: int) -> ReportOutcome:
    """What a report sent again answers: the report its form filed, and where its item
    stands now."""
    filed = await form_tokens.earlier(tx, Report, report_id)
    if filed.idea_id is not None:
        item: Idea | Comment = await form_tokens.earlier(tx, Idea, filed.idea_id)
        hidden = item.status is IdeaStatus.HIDDEN
    else:
        item = await form_tokens.earlier(tx, Comment, filed.comment_id or 0)
        hidden = item.status is CommentStatus.HIDDEN
    return ReportOutcome(report_id=filed.id, report_count=item.report_count, hidden=hidden)


async def report_idea(
    session: AsyncSession,
    *,
    idea_id: int,
    reporter_id: int,
    report: ReportInput,
    now: datetime,
    once: Once | None = None,
) -> ReportOutcome:
    """Report a visible idea of someone else's; at the threshold it is hidden at once."""
    async with write(session) as tx:
        if (made_id := await form_tokens.claim(tx, once, "report", now)) is not None:
            return await _reported_before(tx, made_id)
        # Its challenge's row first (lock_idea): the report may hide it, which counts there.
        idea = await lock_idea(tx, idea_id)
        if idea is None:
            raise NotFound()
        coauthor_ids = await tx.scalars(
            select(IdeaCoauthor.user_id).where(IdeaCoauthor.idea_id == idea_id)
        )
        policy.require_report(
            await tx.get(User, reporter_id), [idea.author_id, *coauthor_ids], ItemKind.IDEA
        )
        if not idea.is_visible:
            raise Conflict(
                _("A %(status)s idea cannot be reported.", status=status_word(idea.status))
            )
        filed = Report(
            challenge_id=idea.challenge_id,
            reporter_id=reporter_id,
            idea_id=idea_id,
            reason=report.reason,
            note=report.note,
            created_at=now,
        )
        await _file(tx, filed, ItemKind.IDEA)
        await form_tokens.made(tx, once, filed.id)
        idea.report_count = await _count_open(tx, Report.idea_id, idea_id)
        audit.record(
            tx, actor_id=reporter_id, action=REPORTED, subject_type="idea", subject_id=idea_id,
            challenge_id=idea.challenge_id, at=now, reason=report.reason.value, report_id=filed.id,
        )  # fmt: skip
        threshold = await tx.scalar(
            select(Challenge.report_threshold).where(Challenge.id == idea.challenge_id)
        )
        hidden = threshold is not None and idea.report_count >= threshold
        if hidden:
            await _hide_idea(tx, idea, actor_id=None, reason="", now=now)
    return ReportOutcome(report_id=filed.id, report_count=idea.report_count, hidden=hidden)


async def report_comment(
    session: AsyncSession,
    *,
    comment_id: int,
    reporter_id: int,
    report: ReportInput,
    now: datetime,
    once: Once | None = None,
) -> ReportOutcome:
    """Report someone else's published comment; at the threshold it is hidden at once."""
    async with write(session) as tx:
        if (made_id := await form_tokens.claim(tx, once, "report", now)) is not None:
            return await _reported_before(tx, made_id)
        comment = await tx.get(Comment, comment_id, with_for_update=True)
        if comment is None:
            raise NotFound()
        policy.require_report(
            await tx.get(User, reporter_id), [comment.author_id], ItemKind.COMMENT
        )
        if comment.status is not CommentStatus.PUBLISHED:
            raise Conflict(
                _("A %(status)s comment cannot be reported.", status=status_word(comment.status))
            )
        row = (
            await tx.execute(
                select(Idea.challenge_id, Challenge.report_threshold)
                .join(Challenge, Challenge.id == Idea.challenge_id)
                .where(Idea.id == comment.idea_id)
            )
        ).one()
        filed = Report(
            challenge_id=row.challenge_id,
            reporter_id=reporter_id,
            comment_id=comment_id,
            reason=report.reason,
            note=report.note,
            created_at=now,
        )
        await _file(tx, filed, ItemKind.COMMENT)
        await form_tokens.made(tx, once, filed.id)
        comment.report_count = await _count_open(tx, Report.comment_id, comment_id)
        audit.record(
            tx, actor_id=reporter_id, action=REPORTED, subject_type="comment",
            subject_id=comment_id, challenge_id=row.challenge_id, at=now,
            reason=report.reason.value, report_id=filed.id, idea_id=comment.idea_id,
        )  # fmt: skip
        hidden = comment.report_count >= row.report_threshold
        if hidden:
            await _hide_comment(tx, comment, row.challenge_id, actor_id=None, reason="", now=now)
    return ReportOutcome(report_id=filed.id, report_count=comment.report_count, hidden=hidden)


# Hiding and showing again ---------------------------------------------------------


async def _hide_idea(
    tx: AsyncSession, idea: Idea, *, actor_id: int | None, reason: str, now: datetime
) -> None:
    """Take a visible idea out of sight; the audit entry remembers its status."""
    previous = idea.status
    idea.status = IdeaStatus.HIDDEN
    idea.hidden_reason = reason
    await tx.execute(
        update(Challenge)
        .where(Challenge.id == idea.challenge_id)
        .values(idea_count=Challenge.idea_count - 1)
    )
    data: dict[str, Any] = {"previous_status": previous.value, "report_count": idea.report_count}
    if reason:
        data["reason"] = reason
    audit.record(
        tx, actor_id=actor_id, action=HIDDEN, subject_type="idea", subject_id=idea.id,
        challenge_id=idea.challenge_id, at=now, **data,
    )  # fmt: skip


async def _hide_comment(
    tx: AsyncSession,
    comment: Comment,
    challenge_id: int,
    *,
    actor_id: int | None,
    reason: str,
    now: datetime,
) -> None:
    """Replace a published comment by its placeholder; the idea's count leaves it out."""
    comment.status = CommentStatus.HIDDEN
    comment.hidden_reason = reason
    await tx.execute(
        update(Idea).where(Idea.id == comment.idea_id).values(comment_count=Idea.comment_count - 1)
    )
    data: dict[str, Any] = {"idea_id": comment.idea_id, "report_count": comment.report_count}
    if reason:
        data["reason"] = reason
    audit.record(
        tx, actor_id=actor_id, action=HIDDEN, subject_type="comment", subject_id=comment.id,
        challenge_id=challenge_id, at=now, **data,
    )  # fmt: skip


async def _status_before_hiding(tx: AsyncSession, idea_id: int) -> IdeaStatus:
    """The status the idea had when it was last hidden; published if that is not known."""
    data = await tx.scalar(
        select(AuditEntry.data)
        .where(
            AuditEntry.subject_type == "idea",
            AuditEntry.subject_id == idea_id,
            AuditEntry.action == HIDDEN,
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(1)
    )
    try:
        status = IdeaStatus((data or {}).get("previous_status", ""))
    except ValueError:
        return IdeaStatus.PUBLISHED
    return status if status in VISIBLE_STATUSES else IdeaStatus.PUBLISHED


async def _resolve(tx: AsyncSession, column: ReportColumn, item_id: int, now: datetime) -> int:
    """Close the item's open reports; how many there were."""
    result = await tx.execute(
        update(Report)
        .where(_open_reports(column, item_id))
        .values(resolved_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # CursorResult of an UPDATE


@dataclass
class _Locked:
    """A reported item, locked for the decision, with what every decision needs."""

    kind: ItemKind
    idea: Idea
    comment: Comment | None

    @property
    def item(self) -> Idea | Comment:
        return self.comment if self.comment is not None else self.idea

    @property
    def hidden(self) -> bool:
        if self.comment is not None:
            return self.comment.status is CommentStatus.HIDDEN
        return self.idea.status is IdeaStatus.HIDDEN

    def report_column(self) -> ReportColumn:
        return Report.comment_id if self.comment is not None else Report.idea_id

    def decision(self, resolved: int) -> Decision:
        return Decision(
            kind=self.kind,
            item_id=self.item.id,
            challenge_id=self.idea.challenge_id,
            idea_id=self.idea.id,
            author_id=self.item.author_id,
            resolved=resolved,
        )

    def record(
        self, tx: AsyncSession, action: str, actor_id: int, now: datetime, **data: Any
    ) -> None:
        if self.comment is not None:
            data["idea_id"] = self.idea.id
        audit.record(
            tx, actor_id=actor_id, action=action, subject_type=self.kind.value,
            subject_id=self.item.id, challenge_id=self.idea.challenge_id, at=now, **data,
        )  # fmt: skip


async def _lock(tx: AsyncSession, kind: ItemKind, item_id: int, actor_id: int) -> _Locked:
    """The item, locked, once ``actor_id`` is known to moderate its challenge."""
    locked = await _lock_item(tx, kind, item_id)
    challenge = await challenge_queries.for_policy(tx, locked.idea.challenge_id)
    if challenge is None:
        raise NotFound()
    policy.require_moderate(await tx.get(User, actor_id), challenge)
    return locked


async def _lock_item(tx: AsyncSession, kind: ItemKind, item_id: int) -> _Locked:
    if kind is ItemKind.COMMENT:
        comment = await tx.get(Comment, item_id, with_for_update=True)
        if comment is None:
            raise NotFound()
        idea = await tx.get(Idea, comment.idea_id, with_for_update=True)
        if idea is None:
            raise NotFound()
        return _Locked(kind, idea, comment)
    # Hiding or restoring an idea changes its challenge's count: that row first (lock_idea).
    idea = await lock_idea(tx, item_id)
    if idea is None:
        raise NotFound()
    return _Locked(kind, idea, None)


async def restore(
    session: AsyncSession,
    *,
    kind: ItemKind,
    item_id: int,
    actor_id: int,
    now: datetime,
    reason: str = "",
) -> Decision:
    """Show a hidden item again, as it was before; its reports are resolved.

    From the queue, or from the idea itself. Its author is told, with the reason if one
    was given; the audit entry keeps the reason too.
    """
    async with write(session) as tx:
        locked = await _lock(tx, kind, item_id, actor_id)
        if not locked.hidden:
            raise Conflict(
                _("That idea is not hidden, so there is nothing to restore.")
                if kind.value == "idea"
                else _("That comment is not hidden, so there is nothing to restore.")
            )
        resolved = await _resolve(tx, locked.report_column(), item_id, now)
        if locked.comment is not None:
            locked.comment.status = CommentStatus.PUBLISHED
            locked.comment.hidden_reason = ""
            locked.comment.report_count = 0
            locked.idea.comment_count += 1
            status = CommentStatus.PUBLISHED.value
        else:
            restored = await _status_before_hiding(tx, item_id)
            locked.idea.status = restored
            locked.idea.hidden_reason = ""
            locked.idea.report_count = 0
            await tx.execute(
                update(Challenge)
                .where(Challenge.id == locked.idea.challenge_id)
                .values(idea_count=Challenge.idea_count + 1)
            )
            status = restored.value
        data: dict[str, Any] = {"status": status, "resolved": resolved}
        if reason:
            data["reason"] = reason
        locked.record(tx, RESTORED, actor_id, now, **data)
        decision = locked.decision(resolved)
        await _tell_author(
            tx, decision, kind=RESTORED_NOTIFICATION, actor_id=actor_id, reason=reason, now=now
        )
    return decision


async def keep_hidden(
    session: AsyncSession,
    *,
    kind: ItemKind,
    item_id: int,
    actor_id: int,
    reason: str,
    now: datetime,
) -> Decision:
    """Keep an item hidden (or hide it now, reported or not) with a reason its author reads.

    From the queue, or from the idea itself (``hide_idea``). Its open reports are
    resolved: the decision is made.
    """
    async with write(session) as tx:
        locked = await _lock(tx, kind, item_id, actor_id)
        hidden_now = not locked.hidden
        if hidden_now:
            if locked.comment is not None:
                if locked.comment.status is not CommentStatus.PUBLISHED:
                    raise Conflict(
                        _(
                            "A %(status)s comment cannot be hidden.",
                            status=status_word(locked.comment.status),
                        )
                    )
                await _hide_comment(
                    tx, locked.comment, locked.idea.challenge_id, actor_id=actor_id,
                    reason=reason, now=now,
                )  # fmt: skip
            else:
                if not locked.idea.is_visible:
                    raise Conflict(
                        _(
                            "A %(status)s idea cannot be hidden.",
                            status=status_word(locked.idea.status),
                        )
                    )
                await _hide_idea(tx, locked.idea, actor_id=actor_id, reason=reason, now=now)
        resolved = await _resolve(tx, locked.report_column(), item_id, now)
        item = locked.item
        item.hidden_reason = reason
        item.report_count = 0
        locked.record(tx, KEPT_HIDDEN, actor_id, now, reason=reason, resolved=resolved)
        decision = locked.decision(resolved)
        await _tell_author(
            tx, decision, kind=KEPT_HIDDEN_NOTIFICATION, actor_id=actor_id, reason=reason,
            hidden_now=hidden_now, now=now,
        )  # fmt: skip
    return decision


async def hide_idea(
    session: AsyncSession, *, idea_id: int, actor_id: int, reason: str, now: datetime
) -> Decision:
    """A host (in their challenge) or an admin hides an idea from its own page, reported or
    not: the same decision as "keep hidden" in the queue, told to its author and audited."""
    return await keep_hidden(
        session, kind=ItemKind.IDEA, item_id=idea_id, actor_id=actor_id, reason=reason, now=now
    )


async def dismiss(
    session: AsyncSession, *, kind: ItemKind, item_id: int, actor_id: int, now: datetime
) -> Decision:
    """Close the reports on a visible item: nothing is wrong with it."""
    async with write(session) as tx:
        locked = await _lock(tx, kind, item_id, actor_id)
        if locked.hidden:
            raise Conflict(
                _("That idea is hidden: restore it, or keep it hidden with a reason.")
                if kind.value == "idea"
                else _("That comment is hidden: restore it, or keep it hidden with a reason.")
            )
        resolved = await _resolve(tx, locked.report_column(), item_id, now)
        if not resolved:
            raise Conflict(
                _("That idea has no open reports to dismiss.")
                if kind.value == "idea"
                else _("That comment has no open reports to dismiss.")
            )
        locked.item.report_count = 0
        locked.record(tx, DISMISSED, actor_id, now, resolved=resolved)
    return locked.decision(resolved)


async def suspend_author(
    session: AsyncSession, *, kind: ItemKind, item_id: int, actor_id: int, now: datetime
) -> Decision:
    """Suspend the author of a reported item: their sessions end at once and they can no
    longer sign in, post, comment or vote. The item itself waits for its own decision."""
    async with write(session) as tx:
        locked = await _lock(tx, kind, item_id, actor_id)
        author = await tx.get(User, locked.item.author_id, with_for_update=True)
        policy.require_suspend(await tx.get(User, actor_id), None if author is None else author.id)
        if author is None or author.status is UserStatus.DELETED:
            raise Conflict(_("Its author deleted their account."))
        if author.status is UserStatus.SUSPENDED:
            raise Conflict(_("%(name)s is already suspended.", name=author.display_name))
        author.status = UserStatus.SUSPENDED
        await end_all_for(tx, author.id)
        audit.record(
            tx, actor_id=actor_id, action=SUSPENDED, subject_type="user", subject_id=author.id,
            challenge_id=locked.idea.challenge_id, at=now,
            **{f"{kind.value}_id": item_id},
        )  # fmt: skip
    return locked.decision(0)


async def _tell_author(
    tx: AsyncSession,
    decision: Decision,
    *,
    kind: str,
    actor_id: int,
    reason: str,
    hidden_now: bool = False,
    now: datetime,
) -> None:
    """Let the author know, in the decision's transaction, that their item is hidden
    (``hidden_now``), stays hidden or shows again (``kind``), and why."""
    data: dict[str, Any] = {"reason": reason, "item": decision.kind.value}
    if hidden_now:
        data["hidden_now"] = True
    if decision.kind is ItemKind.COMMENT:
        data["comment_id"] = decision.item_id
    await notifications.notify(
        tx,
        user_ids=[decision.author_id],
        kind=kind,
        actor_id=actor_id,
        challenge_id=decision.challenge_id,
        idea_id=decision.idea_id,
        data=data,
        now=now,
    )


async def record_audit_export(
    session: AsyncSession, *, actor_id: int, filters: dict[str, str], now: datetime
) -> None:
    """Note in the audit log who took a copy of it, and which part."""
    async with write(session) as tx:
        audit.record(
            tx, actor_id=actor_id, action="audit.export", subject_type="audit_log",
            subject_id=None, at=now, filters=filters,
        )  # fmt: skip
