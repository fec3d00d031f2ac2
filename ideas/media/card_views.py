"""The share cards: the picture a link to a challenge, an idea or the site shows
where it is shared (``og:image``), when it has no picture of its own.

A card is served to whoever may see the page it stands for, like the page: a
draft's card only to its hosts, never stored by shared caches. Its words are in
the language of what it shows (the challenge's, the idea's), so one card serves
every reader and a public one is cached for a few minutes, then asked again
with its ETag: a card whose counts changed is a new one.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

from ideas import policy
from ideas.challenges.loaders import visible_challenge_alone
from ideas.db import utcnow
from ideas.i18n import DEFAULT_LOCALE, LANGUAGES, gettext, ngettext, use_locale
from ideas.media import cards, queries
from ideas.submissions.loaders import visible_idea
from ideas.web import context

PUBLIC = "public, max-age=300"
PRIVATE = "private, no-store"


def _locale(language: str) -> str:
    return language if language in LANGUAGES else DEFAULT_LOCALE


async def challenge_card(request: Request) -> Response:
    challenge, _roles = await visible_challenge_alone(request, request.path_params["slug"])
    votes = await queries.vote_total(context.db(request), challenge.id)
    with use_locale(_locale(challenge.language)):
        card = cards.Card(
            title=challenge.title,
            context=gettext("A challenge with %(sponsor)s", sponsor=challenge.sponsor)
            if challenge.sponsor
            else gettext("A challenge"),
            lines=(
                ngettext("%(num)d idea", "%(num)d ideas", challenge.idea_count),
                ngettext("%(num)d vote", "%(num)d votes", votes),
            ),
            site=gettext("Ideas"),
        )
    public = policy.may_see_picture_of(None, challenge, None, utcnow())
    return await _card_response(request, card, public=public)


async def idea_card(request: Request) -> Response:
    idea, challenge, _roles = await visible_idea(request)
    with use_locale(_locale(idea.language)):
        card = cards.Card(
            title=idea.title,
            context=challenge.title,
            lines=(
                ngettext("%(num)d vote", "%(num)d votes", idea.vote_count),
                ngettext("%(num)d comment", "%(num)d comments", idea.comment_count),
                ngettext("%(num)d built on it", "%(num)d built on it", idea.build_count),
            ),
            site=gettext("Ideas"),
        )
    public = policy.may_see_picture_of(None, challenge, idea, utcnow())
    return await _card_response(request, card, public=public)


async def site_card(request: Request) -> Response:
    """The home page's card, in the site's language."""
    with use_locale(context.settings(request).default_locale):
        card = cards.Card(
            title=gettext("Many people's partial ideas, turned into a few strong teams."),
            context="",
            lines=(),
            site=gettext("Ideas"),
        )
    return await _card_response(request, card, public=True)


async def _card_response(request: Request, card: cards.Card, *, public: bool) -> Response:
    headers = {"Cache-Control": PUBLIC if public else PRIVATE}
    if not public:
        headers["Vary"] = "Cookie"
    kept = cards.CARDS.get(card.key)
    etag = f'"card-{card.key}"'
    if request.headers.get("If-None-Match") == etag:
        if kept is not None:
            headers["Last-Modified"] = format_datetime(kept.made_at, usegmt=True)
        return Response(status_code=304, headers={**headers, "ETag": etag})
    # Drawing takes a tenth of a second: off the event loop.
    rendered = kept if kept is not None else await asyncio.to_thread(cards.CARDS.made, card)
    headers["ETag"] = rendered.etag
    headers["Last-Modified"] = format_datetime(rendered.made_at, usegmt=True)
    if _not_modified_since(request, rendered.made_at):
        return Response(status_code=304, headers=headers)
    return Response(rendered.png, media_type=cards.CONTENT_TYPE, headers=headers)


def _not_modified_since(request: Request, made_at: datetime) -> bool:
    since = request.headers.get("If-Modified-Since")
    if since is None or "If-None-Match" in request.headers:
        return False
    try:
        return made_at <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
