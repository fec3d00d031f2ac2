"""Whether the viewer follows the challenge or idea a page shows: for its follow button."""

from __future__ import annotations

from starlette.requests import Request

from ideas.notifications import queries
from ideas.web import context
from ideas.web.htmx import is_htmx


async def challenge_followed(request: Request, challenge_id: int) -> bool | None:
    """True or False for a signed-in viewer, None for a visitor (no button then).

    The challenge page's htmx fragments (more ideas, filters) have no button,
    so they skip the query.
    """
    viewer = context.viewer(request)
    if viewer is None or is_htmx(request):
        return None
    return await queries.follows_challenge(context.db(request), viewer.id, challenge_id)


async def idea_followed(request: Request, idea_id: int) -> bool | None:
    viewer = context.viewer(request)
    if viewer is None:
        return None
    return await queries.follows_idea(context.db(request), viewer.id, idea_id)
