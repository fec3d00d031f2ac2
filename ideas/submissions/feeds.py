"""The Atom feed of a challenge's newest ideas.

A feed is read by programs on behalf of anyone, so, like the JSON API, it
shows what a visitor may see whoever asks: a draft challenge has no feed,
and withdrawn or hidden ideas are never in it. It lists a challenge's ideas
as a visitor, through the read model of the challenge page and the API, and
links them as the API does, so all show the same ideas at the same addresses.
"""

from __future__ import annotations

import hashlib
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime

from starlette.requests import Request
from starlette.responses import Response

from ideas.api import queries, serializers
from ideas.api.http import Links
from ideas.challenges.models import Challenge
from ideas.db import utcnow
from ideas.errors import NotFound
from ideas.i18n import _
from ideas.submissions import queries as idea_queries
from ideas.submissions.listing import ListedIdea
from ideas.web import context

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
FEED_SIZE = 50
# Feed readers poll; five minutes keeps them close to the site without asking every time.
CACHE_CONTROL = "public, max-age=300"
# Characters XML 1.0 does not allow anywhere, not even escaped.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


async def challenge_feed(request: Request) -> Response:
    db = context.db(request)
    now = utcnow()
    challenge = await queries.public_challenge(db, request.path_params["slug"], now)
    if challenge is None:
        raise NotFound()
    page = await idea_queries.challenge_ideas(
        db,
        challenge,
        queries.VISITOR,
        now,
        sort=idea_queries.Sort.NEWEST,
        limit=FEED_SIZE,
        with_coauthors=True,
        collapse_clusters=False,  # each new idea is news, a duplicate too
    )
    document = atom_feed(challenge, page.ideas, Links(request))
    tag = '"' + hashlib.sha256(document).hexdigest()[:32] + '"'
    headers = {
        "Cache-Control": CACHE_CONTROL,
        "ETag": tag,
        "Last-Modified": format_datetime(last_change(challenge, page.ideas), usegmt=True),
    }
    if _etags(request.headers.get("if-none-match", "")) & {tag, "*"}:
        return Response(status_code=304, headers=headers)
    return Response(document, headers=headers, media_type=MEDIA_TYPE)


def _etags(header: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in header.split(",")}


def last_change(challenge: Challenge, ideas: Sequence[ListedIdea]) -> datetime:
    return max([challenge.updated_at, *(idea.updated_at for idea in ideas)])


def atom_feed(challenge: Challenge, ideas: Sequence[ListedIdea], links: Links) -> bytes:
    """An Atom 1.0 document: the challenge, then its ideas, newest first.

    Needs each idea's author, co-authors with their users, and tags loaded.
    """
    challenge_url = links.page("challenge.detail", slug=challenge.slug)
    # Names stay unqualified under a default namespace declared on the root, so
    # the document reads as plain Atom without prefixes.
    feed = ET.Element("feed", xmlns=ATOM)
    _add(feed, "id", challenge_url)
    _add(feed, "title", _("New ideas: %(title)s", title=challenge.title), type="text")
    _add(feed, "subtitle", challenge.question, type="text")
    _add(feed, "updated", serializers.timestamp(last_change(challenge, ideas)))
    _add(
        feed,
        "link",
        rel="self",
        type="application/atom+xml",
        href=links.page("challenge.feed", slug=challenge.slug),
    )
    _add(feed, "link", rel="alternate", type="text/html", href=challenge_url)
    _add(feed, "generator", "Ideas")
    for idea in ideas:
        _entry(feed, idea, links)
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


def _entry(feed: ET.Element, idea: ListedIdea, links: Links) -> None:
    entry = _add(feed, "entry")
    # The short address stays the same when the title, and with it the slug, changes.
    _add(entry, "id", links.page("idea.short", idea_id=idea.id))
    _add(entry, "title", idea.title, type="text")
    _add(entry, "updated", serializers.timestamp(idea.updated_at))
    _add(entry, "published", serializers.timestamp(idea.created_at))
    for person in serializers.authors(idea, links):
        author = _add(entry, "author")
        _add(author, "name", person["name"])
        if person["url"] is not None:
            _add(author, "uri", person["url"])
    _add(entry, "link", rel="alternate", type="text/html", href=serializers.idea_url(idea, links))
    for tag in idea.tags:
        _add(entry, "category", term=tag.name)
    _add(entry, "summary", idea.summary, type="text")
    # Readers show the content in full; an idea without a body is its summary.
    content = idea.body_html or f"<p>{html.escape(idea.summary)}</p>"
    _add(entry, "content", content, type="html")


def _add(parent: ET.Element, local: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(
        parent, local, {name: _xml_text(value) for name, value in attributes.items()}
    )
    if text is not None:
        element.text = _xml_text(text)
    return element


def _xml_text(text: str) -> str:
    return NOT_XML.sub("", text)
