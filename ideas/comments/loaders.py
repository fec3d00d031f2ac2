"""What pages need to show an idea's comment thread, with its forms and what the
viewer may do to each comment.

The idea page borrows ``thread_context``; the comment views answer with the
same rules (``_closed_reason``, ``_permissions``, ``_may_comment``).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from starlette.requests import Request

from ideas import policy
from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.comments import forms, queries, services
from ideas.comments.models import CommentStatus
from ideas.comments.pages import CommentPermissions, Thread
from ideas.comments.queries import ShownComment, ThreadItem
from ideas.db import utcnow
from ideas.i18n import _, format_relative
from ideas.policy import Action, Role
from ideas.submissions.models import Idea
from ideas.web import context
from ideas.web.forms import Form


def _closed_reason(challenge: Challenge, idea: Idea, roles: frozenset[Role], now: datetime) -> str:
    """Why the viewer sees no comment form; empty when signing in would give them one."""
    if not idea.is_visible:
        return services.no_comments_on(idea.status.value)
    phase = challenge.phase_at(now)
    if not policy.ALLOWED[Action.COMMENT][phase]:
        if phase is Phase.DRAFT:
            return _("Comments open when the challenge opens.")
        return _(
            "Comments are closed: the challenge is in its %(phase)s phase.",
            phase=phase.label.lower(),
        )
    if Role.VISITOR in roles:
        return ""
    return _("You cannot comment here.")


def _permissions(
    viewer: User | None, comments: Iterable[ShownComment], may_comment: bool, now: datetime
) -> CommentPermissions:
    """Which of ``comments`` the viewer may edit (while commenting is open), delete, or
    report (a published comment of someone else's)."""
    shown = list(comments)
    return CommentPermissions(
        editable_comments=frozenset(
            c.id for c in shown if may_comment and policy.may_edit_comment(viewer, c, now)
        ),
        deletable_comments=frozenset(c.id for c in shown if policy.may_delete_comment(viewer, c)),
        reportable_comments=frozenset(
            c.id
            for c in shown
            if c.status is CommentStatus.PUBLISHED and policy.may_report(viewer, [c.author_id])
        ),
    )


def _may_comment(challenge: Challenge, idea: Idea, roles: frozenset[Role], now: datetime) -> bool:
    return idea.is_visible and policy.may(Action.COMMENT, challenge, roles, now)


async def thread_context(
    request: Request,
    idea: Idea,
    challenge: Challenge,
    roles: frozenset[Role],
    *,
    comment_form: Form | None = None,
    reply_forms: dict[int, Form] | None = None,
) -> Thread:
    """Everything ``comments/_thread.html`` needs, for the idea page and the thread page.

    ``idea`` needs what ``policy.idea_roles`` needs (its co-authors); ``roles``
    are the viewer's roles for the idea. Runs one query.
    """
    now = utcnow()
    viewer = context.viewer(request)
    items = await queries.thread(context.db(request), idea.id)
    may_comment = _may_comment(challenge, idea, roles, now)
    reason = "" if may_comment else _closed_reason(challenge, idea, roles, now)
    everything = [c for item in items for c in (item.comment, *item.replies)]
    permissions = _permissions(viewer, everything, may_comment, now)
    thread = Thread(
        idea=idea,
        challenge=challenge,
        thread=items,
        thread_capped=len(items) >= queries.THREAD_LIMIT,
        may_comment=may_comment,
        comment_closed_reason=reason,
        comment_form=comment_form or forms.blank(),
        reply_forms=reply_forms or {},
        comment_max=forms.BODY_MAX,
        now=now,
        permissions=permissions,
        thread_key=None,
    )
    if comment_form is not None or reply_forms:
        return thread  # a form with what was typed: made each time
    return replace(thread, thread_key=thread_key(thread, viewer, everything))


def thread_key(thread: Thread, viewer: User | None, everything: Sequence[ShownComment]) -> Hashable:
    """What ``comments/_thread.html`` is kept by: every value it reads, so that a change to
    any of them makes a new key. ``everything``: the thread's comments, replies too.

    The comments are their records (every field, their authors' too) in their nesting,
    with how long ago each was written as it reads now; the viewer's part is what they
    may do to each comment and which hidden comments they may read (their own), so that
    everyone with the same rights over the thread shares it.
    """
    idea = thread.idea
    return (
        idea.id,
        idea.slug,
        idea.author_id,
        idea.comment_count,
        tuple(_nested(thread.thread)),
        tuple(format_relative(c.created_at, thread.now) for c in everything),
        thread.thread_capped,
        thread.may_comment,
        str(thread.comment_closed_reason),
        thread.comment_max,
        thread.permissions,
        frozenset(
            c.id
            for c in everything
            if c.status is CommentStatus.HIDDEN and policy.may_read_hidden_comment(viewer, c)
        ),
    )


def _nested(items: Iterable[ThreadItem]) -> Iterable[tuple[ShownComment, tuple[ShownComment, ...]]]:
    return ((item.comment, tuple(item.replies)) for item in items)
