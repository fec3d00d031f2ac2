"""Loading a challenge for a request, as the viewer may see it.

Pages of every concept start here: the challenge of the URL with the
viewer's roles in it, or a 404 when they may not see it.
"""

from __future__ import annotations

from starlette.requests import Request

from ideas import policy
from ideas.challenges import queries
from ideas.challenges.models import Challenge
from ideas.db import utcnow
from ideas.errors import NotFound
from ideas.policy import Action
from ideas.web import context


def viewer_roles(request: Request, challenge: Challenge) -> frozenset[policy.Role]:
    """The viewer's roles in ``challenge``; NotFound if they may not even see it."""
    return _seen(challenge, policy.challenge_roles(context.viewer(request), challenge))


def _seen(challenge: Challenge, roles: frozenset[policy.Role]) -> frozenset[policy.Role]:
    if not policy.may(Action.SEE_CHALLENGE, challenge, roles, utcnow()):
        raise NotFound()
    return roles


async def visible_challenge(
    request: Request, slug: str
) -> tuple[Challenge, frozenset[policy.Role]]:
    """The challenge at ``slug`` and the viewer's roles in it; 404 if they may not see it."""
    challenge = await queries.by_slug(context.db(request), slug)
    if challenge is None:
        raise NotFound()
    return challenge, viewer_roles(request, challenge)


async def visible_challenge_page(
    request: Request, slug: str
) -> tuple[queries.ChallengeOnPage, frozenset[policy.Role]]:
    """As ``visible_challenge``, with what the challenge's own page asks besides."""
    found = await queries.for_page(context.db(request), slug)
    if found is None:
        raise NotFound()
    return found, viewer_roles(request, found.challenge)


async def visible_challenge_alone(
    request: Request, slug: str
) -> tuple[Challenge, frozenset[policy.Role]]:
    """As ``visible_challenge``, in one query, but with none of the challenge's hosts
    and tags loaded: for pages that show neither."""
    viewer = context.viewer(request)
    found = await queries.alone_by_slug(
        context.db(request), slug, None if viewer is None else viewer.id
    )
    if found is None:
        raise NotFound()
    challenge, host = found
    return challenge, _seen(challenge, policy.roles_from(viewer, host=host, author=False))


async def challenge_for(request: Request, action: Action) -> Challenge:
    """The challenge of the URL, if the viewer may do ``action`` to it now (else 404/403)."""
    challenge, roles = await visible_challenge(request, request.path_params["slug"])
    policy.check(action, challenge, roles, utcnow())
    return challenge
