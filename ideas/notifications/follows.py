"""Whether the viewer follows the challenge or idea a page shows: for its follow button."""

from __future__ import annotations

from starlette.requests import Request

from ideas.notifications import queries
from ideas.web import context


async def idea_followed(request: Request, idea_id: int) -> bool | None:
    viewer = context.viewer(request)
    if viewer is None:
        return None
    return await queries.follows_idea(context.db(request), viewer.id, idea_id)
