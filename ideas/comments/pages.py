"""What the comment templates are given: the thread (a part of the idea page, and a page
of its own), and the answers to a comment posted, edited or deleted."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime

from ideas.challenges.models import Challenge
from ideas.comments.models import Comment
from ideas.comments.queries import ShownComment, ThreadItem
from ideas.submissions.models import Idea
from ideas.web.forms import Form
from ideas.web.templating import PageContext


@dataclass(frozen=True)
class CommentPermissions(PageContext):
    """Which of the comments shown the viewer may edit, delete or report."""

    editable_comments: frozenset[int]
    deletable_comments: frozenset[int]
    reportable_comments: frozenset[int]


@dataclass(frozen=True)
class Thread(PageContext):
    """``comments/_thread.html``: an idea's comments with the forms to add to them."""

    idea: Idea
    challenge: Challenge
    thread: list[ThreadItem]
    thread_capped: bool  # more top-level comments than the page shows
    may_comment: bool
    comment_closed_reason: str  # why there is no form; empty when signing in would do
    comment_form: Form
    reply_forms: Mapping[int, Form]
    comment_max: int
    now: datetime
    permissions: CommentPermissions
    # What the whole thread is kept by (ideas.web.fragments): everything it shows, the
    # viewer's rights over each comment included (``loaders.thread_key``); None while
    # one of its forms holds what was typed.
    thread_key: Hashable | None


@dataclass(frozen=True)
class CommentForm(PageContext):
    """``comments/_posted.html`` when the form sent by htmx had a problem: the form again,
    with the problem beside the field and the text as typed."""

    idea: Idea
    form: Form
    parent_id: int | None
    comment_max: int
    item: None = None
    comment: None = None


@dataclass(frozen=True)
class PostedComment(PageContext):
    """``comments/_posted.html`` after a post sent by htmx: an empty form, and the new
    comment for its thread, with the thread's new count."""

    idea: Idea
    form: Form
    parent_id: int | None
    item: ThreadItem | None  # a new top-level comment; None for a reply
    comment: ShownComment
    comment_count: int
    may_comment: bool
    reply_forms: Mapping[int, Form]
    comment_max: int
    now: datetime
    permissions: CommentPermissions


@dataclass(frozen=True)
class ChangedComment(PageContext):
    """``comments/_changed.html``: a comment as it stands after an edit or a delete."""

    idea: Idea
    comment: ShownComment
    comment_count: int
    now: datetime
    permissions: CommentPermissions


@dataclass(frozen=True)
class CommentEditPage(PageContext):
    """``comments/edit.html``: the form to rewrite one's comment."""

    idea: Idea
    challenge: Challenge
    comment: Comment
    form: Form
    comment_max: int
    edit_minutes: int
