"""Comments on an idea: the thread, posting and replying, editing and deleting.

Every action is a plain form post answered by a redirect to the comment on the
idea page. Sent by htmx, it is answered in place instead: a post with a fresh
form and the new comment (added to the list out of band), an edit or a delete
with the comment as it now stands, and a form with a problem with that form,
the problem beside the field and the text as typed.
"""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from ideas import policy
from ideas.challenges.models import Challenge
from ideas.comments import forms, queries, services
from ideas.comments.loaders import _closed_reason, _may_comment, _permissions, thread_context
from ideas.comments.models import EDIT_WINDOW, Comment
from ideas.comments.pages import (
    ChangedComment,
    CommentEditPage,
    CommentForm,
    PostedComment,
)
from ideas.comments.queries import ThreadItem, shown
from ideas.db import utcnow
from ideas.errors import Forbidden, NotFound
from ideas.policy import Action, Role
from ideas.submissions import queries as idea_queries
from ideas.submissions.models import Idea
from ideas.web import context
from ideas.web.forms import Form, once, submitted, within_limit
from ideas.web.htmx import is_htmx, redirect
from ideas.web.ratelimit import Limit
from ideas.web.templating import render


def comment_path(request: Request, idea: Idea, comment_id: int) -> str:
    """Where a comment is read: on its idea's page."""
    path = context.path_for(request, "idea.detail", idea_id=idea.id, slug=idea.slug)
    return f"{path}#comment-{comment_id}"


async def _idea(request: Request, idea_id: int) -> tuple[Idea, Challenge, frozenset[Role]]:
    """The idea, if the viewer may see it, with its challenge and the viewer's roles."""
    idea = await idea_queries.by_id(context.db(request), idea_id)
    if idea is None:
        raise NotFound()
    challenge = idea.challenge
    roles = policy.idea_roles(context.viewer(request), challenge, idea)
    if not policy.can_see_idea(idea, roles):
        raise NotFound()
    return idea, challenge, roles


async def _comment(request: Request) -> tuple[Comment, Idea, Challenge, frozenset[Role]]:
    """The comment, if the viewer may see it, with its idea, challenge and their roles."""
    comment = await queries.by_id(context.db(request), request.path_params["comment_id"])
    if comment is None:
        raise NotFound()
    idea, challenge, roles = await _idea(request, comment.idea_id)
    if not policy.can_see_comment(context.viewer(request), comment, roles):
        raise NotFound()
    return comment, idea, challenge, roles


def _require_open(challenge: Challenge, idea: Idea, roles: frozenset[Role], now: datetime) -> None:
    """Commenting (and changing a comment) needs the phase and a visible idea."""
    policy.check(Action.COMMENT, challenge, roles, now)
    if not idea.is_visible:
        raise Forbidden(_closed_reason(challenge, idea, roles, now))


# The thread -------------------------------------------------------------------


async def thread_page(request: Request) -> Response:
    """An idea's comments as a page of their own; for htmx, the thread section alone."""
    idea, challenge, roles = await _idea(request, request.path_params["idea_id"])
    policy.check(Action.SEE_CHALLENGE, challenge, roles, utcnow())
    return render(
        request,
        "comments/thread.html",
        await thread_context(request, idea, challenge, roles),
        block="thread",
    )


async def post_comment(request: Request) -> Response:
    """Post a comment, or (with ``parent_id``) a reply in a top-level comment's thread."""
    idea, challenge, roles = await _idea(request, request.path_params["idea_id"])
    now = utcnow()
    _require_open(challenge, idea, roles, now)
    author = context.signed_in(request)
    data = await submitted(request)
    form, body, parent_id = forms.parse(data)
    if body is None or not await within_limit(request, Limit.COMMENT, form):
        if is_htmx(request):
            return _form_in_place(request, idea, form, parent_id)
        return render(
            request,
            "comments/thread.html",
            await thread_context(
                request,
                idea,
                challenge,
                roles,
                comment_form=None if parent_id else form,
                reply_forms={parent_id: form} if parent_id else None,
            ),
            status_code=form.status,
            headers=form.headers,
        )
    comment = await services.post_comment(
        context.db(request),
        idea_id=idea.id,
        author_id=author.id,
        body=body,
        parent_id=parent_id,
        now=now,
        once=once(request, data),
        language=forms.language_of(form, body),
    )
    if not is_htmx(request):
        return redirect(request, comment_path(request, idea, comment.id))
    db = context.db(request)
    found = await queries.by_id(db, comment.id)
    if found is None:
        raise NotFound()
    posted = shown(found)
    return render(
        request,
        "comments/_posted.html",
        PostedComment(
            idea=idea,
            form=forms.blank(),
            parent_id=posted.parent_id,
            item=ThreadItem(posted) if posted.parent_id is None else None,
            comment=posted,
            comment_count=await queries.comment_count(db, idea.id),
            may_comment=True,
            reply_forms={},
            comment_max=forms.BODY_MAX,
            now=now,
            permissions=_permissions(author, [posted], True, now),
        ),
    )


def _form_in_place(request: Request, idea: Idea, form: Form, parent_id: int | None) -> Response:
    """The form sent by htmx, back with its problem beside the field."""
    return render(
        request,
        "comments/_posted.html",
        CommentForm(idea=idea, form=form, parent_id=parent_id, comment_max=forms.BODY_MAX),
        status_code=form.status,
        headers=form.headers,
    )


# Changing one's own comment ----------------------------------------------------


async def _changed(
    request: Request, idea: Idea, comment_id: int, *, may_comment: bool, now: datetime
) -> Response:
    """For htmx: the comment as it now stands, and the thread's new count."""
    db = context.db(request)
    found = await queries.by_id(db, comment_id)
    if found is None:
        raise NotFound()
    comment = shown(found)
    return render(
        request,
        "comments/_changed.html",
        ChangedComment(
            idea=idea,
            comment=comment,
            comment_count=await queries.comment_count(db, idea.id),
            now=now,
            permissions=_permissions(context.viewer(request), [comment], may_comment, now),
        ),
    )


async def edit_comment(request: Request) -> Response:
    """The author rewrites their comment, for a short while after posting it."""
    comment, idea, challenge, roles = await _comment(request)
    now = utcnow()
    _require_open(challenge, idea, roles, now)
    user = context.signed_in(request)
    policy.require_edit_comment(user, comment, now)
    form = forms.filled(comment.body, comment.language)
    if request.method == "POST":
        form, body, _ = forms.parse(await submitted(request))
        if body is not None and await within_limit(request, Limit.COMMENT, form):
            await services.edit_comment(
                context.db(request),
                comment_id=comment.id,
                editor_id=user.id,
                body=body,
                now=now,
                language=forms.language_of(form, body),
            )
            if not is_htmx(request):
                return redirect(request, comment_path(request, idea, comment.id))
            return await _changed(request, idea, comment.id, may_comment=True, now=now)
    return render(
        request,
        "comments/edit.html",
        CommentEditPage(
            idea=idea,
            challenge=challenge,
            comment=comment,
            form=form,
            comment_max=forms.BODY_MAX,
            edit_minutes=int(EDIT_WINDOW.total_seconds() // 60),
        ),
        block="form",
        status_code=form.status,
        headers=form.headers,
    )


async def delete_comment(request: Request) -> Response:
    """The author takes their comment down; its replies stay in place."""
    comment, idea, challenge, roles = await _comment(request)
    now = utcnow()
    policy.check(Action.SEE_CHALLENGE, challenge, roles, now)
    user = context.signed_in(request)
    await services.delete_comment(
        context.db(request), comment_id=comment.id, actor_id=user.id, now=now
    )
    if not is_htmx(request):
        return redirect(request, comment_path(request, idea, comment.id))
    return await _changed(
        request, idea, comment.id, may_comment=_may_comment(challenge, idea, roles, now), now=now
    )
