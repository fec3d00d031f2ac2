"""Reporting an idea or a comment, and the queue where hosts and admins decide.

A report is a plain form post answered by a redirect back to the item; sent
by htmx, the "Report" disclosure is replaced by a thank-you (or by the reason
it was refused). A decision in the queue answers htmx with the item's row as
it now stands, and a plain form with a redirect back to the queue.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ideas import policy
from ideas.challenges.loaders import visible_challenge
from ideas.challenges.models import Challenge
from ideas.comments import queries as comment_queries
from ideas.db import utcnow
from ideas.errors import NotFound
from ideas.i18n import _, lazy_gettext
from ideas.moderation import forms, queries, services
from ideas.moderation.pages import (
    HidePage,
    Moderating,
    QueuePage,
    QueueRow,
    ReportDisclosure,
    ReportPage,
)
from ideas.moderation.queries import QueueItem
from ideas.moderation.services import Decision, ItemKind
from ideas.policy import Action
from ideas.submissions import queries as idea_queries
from ideas.submissions.models import Idea
from ideas.web import context
from ideas.web.errors import Refusal, answer_refusals
from ideas.web.forms import Form, once, submitted, within_limit
from ideas.web.htmx import is_htmx, redirect
from ideas.web.ratelimit import Limit
from ideas.web.templating import render

# Said after a decision: in the row (htmx) or at the top of the queue (plain forms).
DONE = {
    "restore": lazy_gettext("Restored: it shows again, and its reports are resolved."),
    "keep-hidden": lazy_gettext(
        "Kept hidden: its reports are resolved, and its author sees your reason."
    ),
    "dismiss": lazy_gettext("Reports dismissed: it stays as it is."),
    "suspend": lazy_gettext("Its author is suspended: their sessions have ended."),
}


# Reporting --------------------------------------------------------------------------


async def _visible_idea(request: Request, idea_id: int) -> tuple[Idea, frozenset[policy.Role]]:
    """The idea, if the viewer may see it, and the viewer's roles for it."""
    idea = await idea_queries.by_id(context.db(request), idea_id)
    if idea is None:
        raise NotFound()
    roles = policy.idea_roles(context.viewer(request), idea.challenge, idea)
    policy.check(Action.SEE_CHALLENGE, idea.challenge, roles, utcnow())
    if not policy.can_see_idea(idea, roles):
        raise NotFound()
    return idea, roles


def _idea_path(request: Request, idea: Idea) -> str:
    return context.path_for(request, "idea.detail", idea_id=idea.id, slug=idea.slug)


def _disclosure(
    request: Request,
    kind: ItemKind,
    item_id: int,
    *,
    form: Form | None = None,
    done: str = "",
    refused: str = "",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "moderation/_report.html",
        ReportDisclosure(kind.value, item_id, form, report_done=done, report_refused=refused),
        status_code=status_code,
        headers=headers,
    )


async def _report(
    request: Request,
    kind: ItemKind,
    item_id: int,
    idea: Idea,
    heading: str,
    back: str,
) -> Response:
    """Read the form and file the report: the part both kinds of item share."""
    reporter = context.signed_in(request)
    sent = await submitted(request)
    form, data = forms.parse_report(sent)
    if data is None or not await within_limit(request, Limit.REPORT, form):
        if is_htmx(request):
            return _disclosure(
                request, kind, item_id, form=form, status_code=form.status, headers=form.headers
            )
        disclosure = ReportDisclosure(kind.value, item_id, form, report_done="", report_refused="")
        return render(
            request,
            "moderation/report.html",
            ReportPage(idea=idea, heading=heading, back=back, disclosure=disclosure),
            status_code=form.status,
            headers=form.headers,
        )

    async def refused(refusal: Refusal) -> Response:
        return _disclosure(
            request, kind, item_id, refused=refusal.message, status_code=refusal.status
        )

    answer_refusals(request, refused)
    if kind is ItemKind.IDEA:
        outcome = await services.report_idea(
            context.db(request), idea_id=item_id, reporter_id=reporter.id, report=data,
            now=utcnow(), once=once(request, sent),
        )  # fmt: skip
    else:
        outcome = await services.report_comment(
            context.db(request), comment_id=item_id, reporter_id=reporter.id, report=data,
            now=utcnow(), once=once(request, sent),
        )  # fmt: skip
    if is_htmx(request):
        done = "Thanks — reported."
        if outcome.hidden:
            done += _(" It is now hidden pending review.")
        return _disclosure(request, kind, item_id, done=done)
    if outcome.hidden and kind is ItemKind.IDEA:
        # Hidden now, the idea is no longer there for the reporter to go back to.
        slug = idea.challenge.slug
        return redirect(request, context.path_for(request, "challenge.detail", slug=slug))
    return redirect(request, back)


async def report_idea(request: Request) -> Response:
    idea, _ignored = await _visible_idea(request, request.path_params["idea_id"])
    authors = [idea.author_id, *(c.user_id for c in idea.coauthors)]
    policy.require_report(context.signed_in(request), authors, ItemKind.IDEA)
    return await _report(
        request, ItemKind.IDEA, idea.id, idea, _("Report this idea"), _idea_path(request, idea)
    )


async def report_comment(request: Request) -> Response:
    comment = await comment_queries.by_id(context.db(request), request.path_params["comment_id"])
    if comment is None:
        raise NotFound()
    idea, roles = await _visible_idea(request, comment.idea_id)
    if not policy.can_see_comment(context.viewer(request), comment, roles):
        raise NotFound()
    policy.require_report(context.signed_in(request), [comment.author_id], ItemKind.COMMENT)
    back = f"{_idea_path(request, idea)}#comment-{comment.id}"
    return await _report(
        request, ItemKind.COMMENT, comment.id, idea, _("Report this comment"), back
    )


# On the idea itself ------------------------------------------------------------------


async def _moderated_idea(request: Request) -> Idea:
    """The idea of the URL, if the viewer may see it (404) and moderates its challenge (403)."""
    idea, _ignored = await _visible_idea(request, request.path_params["idea_id"])
    policy.require_moderate(context.viewer(request), idea.challenge)
    return idea


async def hide_idea(request: Request) -> Response:
    """A host or an admin hides an idea from its page, with a reason its author is told.

    A plain form post answered by a redirect back to the idea; without a reason, the
    form comes back on a page of its own with the problem beside the field.
    """
    idea = await _moderated_idea(request)
    form, reason = forms.parse_hidden_reason(await submitted(request))
    if reason is None:
        return _reason_page(request, idea, _("Hide this idea"), form)
    await services.hide_idea(
        context.db(request),
        idea_id=idea.id,
        actor_id=context.signed_in(request).id,
        reason=reason,
        now=utcnow(),
    )
    return redirect(request, _idea_path(request, idea))


async def restore_idea(request: Request) -> Response:
    """A host or an admin shows a hidden idea again, from its page, with a reason (if they
    give one) its author is told along with the news.

    A reason too long comes back, as typed, on a page of its own beside the field.
    """
    idea = await _moderated_idea(request)
    form, reason = forms.parse_hidden_reason(await submitted(request), required=False)
    if reason is None:
        return _reason_page(request, idea, _("Restore this idea"), form)
    await services.restore(
        context.db(request),
        kind=ItemKind.IDEA,
        item_id=idea.id,
        actor_id=context.signed_in(request).id,
        now=utcnow(),
        reason=reason,
    )
    return redirect(request, _idea_path(request, idea))


def _reason_page(request: Request, idea: Idea, heading: str, form: Form) -> Response:
    """The idea's hide or restore form on a page of its own, with the problem in its reason."""
    return render(
        request,
        "moderation/hide.html",
        HidePage(
            idea=idea,
            heading=heading,
            back=_idea_path(request, idea),
            hide_form=form,
            reason_max=forms.HIDDEN_REASON_MAX,
        ),
        status_code=form.status,
    )


# The queue --------------------------------------------------------------------------


def _queue_path(request: Request, challenge: Challenge | None) -> str:
    if challenge is None:
        return context.path_for(request, "admin.moderation")
    return context.path_for(request, "challenge.moderation", slug=challenge.slug)


def _moderating(request: Request, challenge: Challenge | None) -> Moderating:
    return Moderating(queue_challenge=challenge, reason_max=forms.HIDDEN_REASON_MAX)


async def _queue_page(
    request: Request,
    challenge: Challenge | None,
    *,
    row_forms: dict[str, Form] | None = None,
) -> Response:
    found = await queries.queue(
        context.db(request), challenge.id if challenge is not None else None
    )
    done = DONE.get(request.query_params.get("done", ""), "")
    return render(
        request,
        "moderation/queue.html",
        QueuePage(
            moderating=_moderating(request, challenge),
            queue=found,
            row_forms=row_forms or {},
            done=done,
        ),
    )


async def _moderated_challenge(request: Request) -> Challenge:
    """The challenge of the URL, if the viewer moderates it (404 if they cannot see it)."""
    challenge, _ignored = await visible_challenge(request, request.path_params["slug"])
    policy.require_moderate(context.viewer(request), challenge)
    return challenge


async def challenge_queue(request: Request) -> Response:
    """What was reported in one challenge, for its hosts and the admins."""
    return await _queue_page(request, await _moderated_challenge(request))


async def admin_queue(request: Request) -> Response:
    """What was reported anywhere, for the admins."""
    policy.require_admin(context.viewer(request))
    return await _queue_page(request, None)


async def challenge_decide(request: Request) -> Response:
    return await _decide(request, await _moderated_challenge(request))


async def admin_decide(request: Request) -> Response:
    policy.require_admin(context.viewer(request))
    return await _decide(request, None)


def _row(
    request: Request,
    challenge: Challenge | None,
    item: QueueItem,
    *,
    form: Form | None = None,
    message: str = "",
    problem: str = "",
    status_code: int = 200,
) -> Response:
    """For htmx: the item's row of the queue, as it now stands."""
    return render(
        request,
        "moderation/_row.html",
        QueueRow(
            moderating=_moderating(request, challenge),
            item=item,
            row_forms={item.dom_id: form} if form is not None else {},
            row_message=message,
            row_problem=problem,
        ),
        status_code=status_code,
    )


async def _apply(
    request: Request, action: str, kind: ItemKind, item_id: int, submitted: FormData
) -> Decision | Form:
    """Carry out ``action``; a Form back when the reason to keep an item hidden is missing."""
    db, now = context.db(request), utcnow()
    actor = context.signed_in(request)
    if action == "restore":
        return await services.restore(db, kind=kind, item_id=item_id, actor_id=actor.id, now=now)
    if action == "dismiss":
        return await services.dismiss(db, kind=kind, item_id=item_id, actor_id=actor.id, now=now)
    if action == "keep-hidden":
        form, reason = forms.parse_hidden_reason(submitted)
        if reason is None:
            return form
        return await services.keep_hidden(
            db, kind=kind, item_id=item_id, actor_id=actor.id, reason=reason, now=now
        )
    if action == "suspend":
        return await services.suspend_author(
            db, kind=kind, item_id=item_id, actor_id=actor.id, now=now
        )
    raise HTTPException(400, _("Choose to restore, keep hidden, dismiss or suspend."))


async def _decide(request: Request, challenge: Challenge | None) -> Response:
    """One decision on a reported item, from the challenge's queue or the admins' one."""
    try:
        kind = ItemKind(request.path_params["kind"])
    except ValueError:
        raise NotFound() from None
    db = context.db(request)
    item = await queries.queue_item(db, kind, request.path_params["item_id"])
    if item is None or (challenge is not None and item.challenge.id != challenge.id):
        raise NotFound()
    sent = await submitted(request)
    action = str(sent.get("action", ""))

    async def refused(refusal: Refusal) -> Response:
        return _row(request, challenge, item, problem=refusal.message, status_code=refusal.status)

    answer_refusals(request, refused)
    outcome = await _apply(request, action, kind, item.id, sent)
    if isinstance(outcome, Form):
        if is_htmx(request):
            return _row(request, challenge, item, form=outcome)
        return await _queue_page(request, challenge, row_forms={item.dom_id: outcome})
    if not is_htmx(request):
        return redirect(request, f"{_queue_path(request, challenge)}?done={action}")
    fresh = await queries.queue_item(db, kind, item.id)
    if fresh is None:
        raise NotFound()
    return _row(request, challenge, fresh, message=DONE[action])
