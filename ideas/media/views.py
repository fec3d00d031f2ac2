"""Serving pictures, with long cache lifetimes: a picture's address never changes content."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ideas.errors import NotFound
from ideas.media.pictures import SIZES, file_of
from ideas.web import context

YEAR = 60 * 60 * 24 * 365


async def picture(request: Request) -> Response:
    size = request.path_params["size"]
    if size not in SIZES:
        raise NotFound()
    found = await file_of(context.db(request), request.path_params["picture_id"], size)
    if found is None:
        raise NotFound()
    return Response(
        found.data,
        media_type=found.content_type,
        headers={"Cache-Control": f"public, max-age={YEAR}, immutable"},
    )
