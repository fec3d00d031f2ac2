"""The Atom feed of a challenge's impact updates: what a visitor may see, whoever asks."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from ideas.accounts.names import public_name_capitalised
from ideas.api import queries as api_queries
from ideas.api import serializers
from ideas.api.http import Links
from ideas.db import utcnow
from ideas.errors import NotFound
from ideas.impact import queries
from ideas.policy import LISTED_STATUSES
from ideas.submissions.feeds import ATOM, CACHE_CONTROL, MEDIA_TYPE, NOT_XML
from ideas.submissions.models import Idea
from ideas.web import context

FEED_SIZE = 50


def _add(parent: ET.Element, local: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, local, {k: NOT_XML.sub("", v) for k, v in attributes.items()})
    if text is not None:
        element.text = NOT_XML.sub("", text)
    return element


async def impact_feed(request: Request) -> Response:
    db = context.db(request)
    challenge = await api_queries.public_challenge(db, request.path_params["slug"], utcnow())
    if challenge is None:
        raise NotFound()
    updates = await queries.updates_in(db, challenge.id, limit=FEED_SIZE)
    titles = dict(
        (
            await db.execute(
                select(Idea.id, Idea.title).where(
                    Idea.id.in_({u.idea_id for u in updates}), Idea.status.in_(LISTED_STATUSES)
                )
            )
        ).all()
    )
    updates = [u for u in updates if u.idea_id in titles]
    links = Links(request)
    page = links.page("impact.round", slug=challenge.slug)
    feed = ET.Element("feed", xmlns=ATOM)
    _add(feed, "id", page)
    _add(feed, "title", f"Impact: {challenge.title}", type="text")
    updated = updates[0].created_at if updates else challenge.updated_at
    _add(feed, "updated", serializers.timestamp(updated))
    _add(feed, "link", rel="self", type="application/atom+xml",
         href=links.page("impact.feed", slug=challenge.slug))  # fmt: skip
    _add(feed, "link", rel="alternate", type="text/html", href=page)
    _add(feed, "generator", "Ideas")
    for update in updates:
        entry = _add(feed, "entry")
        _add(entry, "id", f"{page}#impact-{update.id}")
        title = titles[update.idea_id]
        _add(entry, "title", f"{title}: {update.status.value}", type="text")
        _add(entry, "updated", serializers.timestamp(update.created_at))
        _add(entry, "link", rel="alternate", type="text/html",
             href=links.page("idea.short", idea_id=update.idea_id))  # fmt: skip
        author = _add(entry, "author")
        _add(author, "name", public_name_capitalised(update.author))
        figures = "".join(
            f"<li>{html.escape(str(f['measures']))}: {html.escape(str(f['value']))} "
            f"{html.escape(str(f['unit']))}</li>"
            for f in update.figures
        )
        _add(entry, "content", update.body_html + (f"<ul>{figures}</ul>" if figures else ""),
             type="html")  # fmt: skip
    document = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(document, headers={"Cache-Control": CACHE_CONTROL}, media_type=MEDIA_TYPE)
