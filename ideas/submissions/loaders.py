"""Loading an idea for a request, as the viewer may see it, and where it is read."""

from __future__ import annotations

from starlette.requests import Request

from ideas import policy
from ideas.challenges.loaders import viewer_roles
from ideas.challenges.models import Challenge
from ideas.errors import NotFound
from ideas.submissions import queries
from ideas.submissions.models import Idea
from ideas.web import context


def idea_path(request: Request, idea: Idea) -> str:
    return context.path_for(request, "idea.detail", idea_id=idea.id, slug=idea.slug)


async def visible_idea(request: Request) -> tuple[Idea, Challenge, frozenset[policy.Role]]:
    """The idea of the URL with the viewer's roles; 404 if they may not see it."""
    idea = await queries.by_id(context.db(request), request.path_params["idea_id"])
    if idea is None:
        raise NotFound()
    challenge = idea.challenge
    viewer_roles(request, challenge)
    roles = policy.idea_roles(context.viewer(request), challenge, idea)
    if not policy.can_see_idea(idea, roles):
        raise NotFound()
    return idea, challenge, roles
