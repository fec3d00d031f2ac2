"""Serving pictures to whoever may see what they belong to.

A picture is served only if the viewer may see one of its owners (a challenge's
cover, an idea's picture, a person's own picture), by the policy's rule for the
page that shows it;
otherwise, and for a picture that belongs to nothing (a replaced cover), 404.

What a picture's address shows never changes, so browsers keep it for a year
(``immutable``) when its owner is public: a copy there only shows again to
someone who saw it. Shared caches (a proxy, a CDN) keep it for five minutes
and then ask again with its ETag, so once the owner is hidden, withdrawn or a
draft again, the address stops being served everywhere within five minutes,
and at once here. Pictures of what only some may see are never stored, like
everything else made for a signed-in person.
"""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from ideas import policy
from ideas.accounts.models import User
from ideas.db import utcnow
from ideas.errors import NotFound
from ideas.media import queries
from ideas.media.pictures import CONTENT_TYPE, SERVED_SIZES, file_of
from ideas.web import context

YEAR = 60 * 60 * 24 * 365
SHARED_CACHE_SECONDS = 5 * 60
PUBLIC = f"public, max-age={YEAR}, s-maxage={SHARED_CACHE_SECONDS}, immutable"
PRIVATE = "private, no-store"


def _visible(owners: queries.Owners, viewer: User | None, now: datetime) -> bool:
    return (
        any(policy.may_see_picture_of(viewer, challenge, None, now) for challenge in owners.covers)
        or any(
            policy.may_see_picture_of(viewer, idea.challenge, idea, now) for idea in owners.ideas
        )
        or any(policy.may_see_avatar_of(person) for person in owners.people)
    )


async def picture(request: Request) -> Response:
    size = request.path_params["size"]
    picture_id: int = request.path_params["picture_id"]
    if size not in SERVED_SIZES:
        raise NotFound()
    db = context.db(request)
    now = utcnow()
    public = _visible(await queries.owners(db, picture_id, for_people=False), None, now)
    if not public:
        viewer = context.viewer(request)
        if viewer is None:
            raise NotFound()
        if not _visible(await queries.owners(db, picture_id, for_people=True), viewer, now):
            raise NotFound()
    headers = {
        "ETag": f'"picture-{picture_id}-{size}"',
        "Cache-Control": PUBLIC if public else PRIVATE,
    }
    if not public:
        headers["Vary"] = "Cookie"
    if request.headers.get("If-None-Match") == headers["ETag"] and await queries.has_file(
        db, picture_id, size
    ):
        return Response(status_code=304, headers=headers)
    found = await file_of(db, picture_id, size)
    if found is None:
        raise NotFound()
    return Response(found.data, media_type=found.content_type or CONTENT_TYPE, headers=headers)
