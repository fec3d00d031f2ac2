"""The notifications page and badge, follow buttons, e-mail choices and unsubscribing."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ideas.challenges.loaders import visible_challenge
from ideas.db import utcnow
from ideas.errors import NotFound
from ideas.i18n import _
from ideas.notifications import mail, queries, services
from ideas.notifications.models import EmailFrequency
from ideas.submissions.loaders import idea_path, visible_idea
from ideas.web import context
from ideas.web.forms import parse_id, submitted
from ideas.web.htmx import is_htmx, redirect
from ideas.web.templating import render

FOLLOW_ACTIONS = {"follow": True, "unfollow": False}


# The notifications page -------------------------------------------------------------


async def notifications_page(request: Request) -> Response:
    """Newest first, read and unread, a page at a time; htmx loads the next page in place."""
    user = context.signed_in(request)
    db = context.db(request)
    raw_after = request.query_params.get("after")
    after = queries.Cursor.decode(raw_after) if raw_after else None
    if raw_after and after is None:
        raise HTTPException(400, _("That link to older notifications is out of date."))
    page = await queries.page(db, user.id, after=after)
    here = context.path_for(request, "notifications")
    more_only = after is not None and is_htmx(request)
    return render(
        request,
        "notifications/list.html",
        {
            "entries": [(item, _target(request, item)) for item in page.items],
            "unread": 0 if more_only else await queries.unread_count(db, user.id),
            "newest_id": page.items[0].id if page.items and after is None else None,
            "more_url": f"{here}?after={page.next_cursor.encode()}" if page.next_cursor else None,
            "first_url": here if after is not None else None,
        },
        block="page" if more_only else None,
    )


def _target(request: Request, item: queries.Item) -> str:
    """What the notification tells of: its link leads straight there."""
    return queries.link_path(lambda name, **p: context.path_for(request, name, **p), item)


async def mark_read(request: Request) -> Response:
    """Mark one of one's notifications read: its button on the list, or, as its link is
    followed, the list's script. Following a link (a GET) changes nothing by itself."""
    user = context.signed_in(request)
    notification_id: int = request.path_params["notification_id"]
    db = context.db(request)
    await services.mark_read(db, user_id=user.id, notification_id=notification_id, now=utcnow())
    if not is_htmx(request):
        here = context.path_for(request, "notifications")
        return redirect(request, f"{here}#notification-{notification_id}")
    items = await queries.by_ids(db, [notification_id])
    if not items:
        raise NotFound()
    return render(
        request,
        "notifications/_item.html",
        {"item": items[0], "href": _target(request, items[0])},
    )


async def mark_all_read(request: Request) -> Response:
    """Mark read everything up to the newest notification the page showed."""
    user = context.signed_in(request)
    form = await submitted(request)
    up_to = parse_id(form.get("up_to"))
    await services.mark_all_read(context.db(request), user_id=user.id, up_to_id=up_to, now=utcnow())
    return redirect(request, context.path_for(request, "notifications"))


async def badge(request: Request) -> Response:
    """The unread count in the header, polled by htmx."""
    user = context.viewer(request)
    unread = await queries.unread_count(context.db(request), user.id) if user is not None else 0
    return render(
        request,
        "notifications/_badge.html",
        {"unread": unread},
        headers={"Cache-Control": "private, no-store"},
    )


# Following --------------------------------------------------------------------------


async def _follow_choice(request: Request) -> bool:
    form = await submitted(request)
    action = form.get("action")
    if not isinstance(action, str) or action not in FOLLOW_ACTIONS:
        raise HTTPException(400, _("Choose to follow or to unfollow."))
    return FOLLOW_ACTIONS[action]


async def follow_challenge(request: Request) -> Response:
    challenge, _ignored = await visible_challenge(request, request.path_params["slug"])
    user = context.signed_in(request)
    following = await _follow_choice(request)
    await services.set_challenge_follow(
        context.db(request),
        user_id=user.id,
        challenge_id=challenge.id,
        following=following,
        now=utcnow(),
    )
    if is_htmx(request):
        return render(
            request,
            "notifications/_follow.html",
            {"subject": "challenge", "challenge": challenge, "following": following},
        )
    return RedirectResponse(
        context.path_for(request, "challenge.detail", slug=challenge.slug), status_code=303
    )


async def follow_idea(request: Request) -> Response:
    idea, _challenge, _roles = await visible_idea(request)
    user = context.signed_in(request)
    following = await _follow_choice(request)
    await services.set_idea_follow(
        context.db(request), user_id=user.id, idea_id=idea.id, following=following, now=utcnow()
    )
    if is_htmx(request):
        return render(
            request,
            "notifications/_follow.html",
            {"subject": "idea", "idea": idea, "following": following},
        )
    return RedirectResponse(idea_path(request, idea), status_code=303)


# E-mail -----------------------------------------------------------------------------


async def email_settings(request: Request) -> Response:
    """Never, each notification, or a daily digest."""
    user = context.signed_in(request)
    form = await submitted(request)
    choice = form.get("email_frequency")
    try:
        frequency = EmailFrequency(choice if isinstance(choice, str) else "")
    except ValueError:
        raise HTTPException(400, _("Choose never, each notification or a daily digest.")) from None
    await services.set_email_frequency(
        context.db(request), user_id=user.id, frequency=frequency, now=utcnow()
    )
    return redirect(request, context.path_for(request, "settings") + "?done=email")


async def unsubscribe(request: Request) -> Response:
    """One-click unsubscribe from a link in an e-mail; no sign-in, the signed token is enough.

    GET asks to confirm (link checkers and previews must not unsubscribe anyone);
    POST, from that button or from a mail program (RFC 8058), stops all e-mail.
    """
    token = request.path_params["token"]
    user_id = mail.user_of_token(context.settings(request).effective_secret_key, token)
    if user_id is None:
        raise NotFound()
    person = await queries.person(context.db(request), user_id)
    if person is None:
        raise NotFound()
    done = False
    if request.method == "POST":
        await services.set_email_frequency(
            context.db(request), user_id=user_id, frequency=EmailFrequency.NONE, now=utcnow()
        )
        done = True
    return render(
        request,
        "notifications/unsubscribe.html",
        {
            "done": done,
            "already": not done and person.email_frequency == EmailFrequency.NONE,
            "action": context.path_for(request, "unsubscribe", token=token),
        },
        headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"},
    )
