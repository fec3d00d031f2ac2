"""What the moderation templates are given: the "Report" disclosure and its page, the
queue where hosts and admins decide (whole, or one row of it for htmx), and the
audit log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ideas.challenges.models import Challenge
from ideas.moderation.queries import AuditRow, Queue, QueueItem
from ideas.submissions.models import Idea
from ideas.web.forms import Form
from ideas.web.templating import PageContext


@dataclass(frozen=True)
class ReportDisclosure(PageContext):
    """``moderation/_report.html``: the "Report" form of one idea or comment, or what
    became of the report."""

    report_kind: str  # "idea" or "comment"
    report_id: int
    report_form: Form | None  # sent back with its problems
    report_done: str  # the thank-you
    report_refused: str  # why the report was refused


@dataclass(frozen=True)
class ReportPage(PageContext):
    """``moderation/report.html``: the report form on a page of its own, for a plain form
    post that came back with a problem."""

    idea: Idea
    heading: str
    back: str  # the item reported
    disclosure: ReportDisclosure


@dataclass(frozen=True)
class HidePage(PageContext):
    """``moderation/hide.html``: the form to hide an idea (or restore it), on a page of its
    own, for a plain form post that came back with a problem in its reason."""

    idea: Idea
    heading: str  # "Hide this idea" or "Restore this idea"
    back: str  # the idea
    hide_form: Form
    reason_max: int


@dataclass(frozen=True)
class Moderating(PageContext):
    """What every row of a queue needs to offer its decisions."""

    queue_challenge: Challenge | None  # None: the admins' queue of every challenge
    reason_max: int


@dataclass(frozen=True)
class QueuePage(PageContext):
    """``moderation/queue.html``: the reported and hidden items waiting for a decision."""

    moderating: Moderating
    queue: Queue
    row_forms: Mapping[str, Form]  # forms sent back with their problems, by row
    done: str  # what the last decision did


@dataclass(frozen=True)
class QueueRow(PageContext):
    """``moderation/_row.html``: one item of the queue as it stands after a decision sent
    by htmx, with how it went."""

    moderating: Moderating
    item: QueueItem
    row_forms: Mapping[str, Form]
    row_message: str
    row_problem: str


@dataclass(frozen=True)
class AuditLogPage(PageContext):
    """``admin/audit.html``: one page of the audit log, newest first, with its filters."""

    form: Form
    rows: list[AuditRow]
    filtered: bool
    older_url: str | None
    newest_url: str | None  # back to the newest entries, from an older page
    csv_url: str  # the whole log as filtered, as CSV
    challenges: list[tuple[str, str]]  # (slug, title) to filter by
    action_prefixes: Sequence[str]
