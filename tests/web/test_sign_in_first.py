"""A page that needs a signed-in person sends a visitor to sign in, and back after.

Every GET route of the site is tried as a visitor, with real things in its path;
none answers 403: a page a visitor may not read sends them to /sign-in with the
page as ``next``. Posts still answer 403, since a form cannot be sent again
after the detour. The routes come from the site's own table, so a new page is
checked without anyone having to remember it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette
from starlette.routing import Route

from ideas.accounts import sessions
from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.comments.services import post_comment
from ideas.db import utcnow
from ideas.submissions.models import Idea
from ideas.teams.models import Team
from ideas.web.sessions import cookie_name
from tests.factories import challenges as rounds
from tests.factories.accounts import Person
from tests.factories.live import open_stream
from tests.factories.web import HTMX, routes_of
from tests.html import Page

PARAM = re.compile(r"{(\w+)(?::\w+)?}")
# Pages that are only for signed-in people, whatever the phase.
FOR_SIGNED_IN_PEOPLE = {
    "settings",
    "settings.data",
    "settings.delete",
    "notifications",
    "team.requests",
    "challenge.new",
    "admin.people",
    "admin.moderation",
    "admin.audit",
    "admin.audit_csv",
    "challenge.dashboard",
    "challenge.export",
    "challenge.moderation",
    "challenge.edit",
    "challenge.hosts",
    "idea.edit",
    "comment.edit",
}


@dataclass
class World:
    """Something real for every kind of thing a path names."""

    challenge: Challenge
    author: User
    idea: Idea
    comment_id: int
    team: Team

    def path(self, prefix: str, route: Route) -> str:
        values = {
            "slug": self.challenge.slug,
            "idea_id": str(self.idea.id),
            "id": str(self.idea.id),
            "comment_id": str(self.comment_id),
            "team_id": str(self.team.id),
            "user_id": str(self.author.id),
            "kind": "idea",
            "item_id": str(self.idea.id),
            "provider": "github",
            "dataset": "ideas",
            "fmt": "csv",
            "size": "small",
            "token": "token",
            "path": "anything",
        }
        if route.name == "idea.detail":
            values["slug"] = self.idea.slug
        # Anything else in a path (a request, a role, a picture) names one that is not there.
        return prefix + PARAM.sub(lambda m: values.get(m.group(1), "1"), route.path)


@pytest.fixture(params=[Phase.IDEAS, Phase.TEAMS])
async def world(
    request: pytest.FixtureRequest,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
) -> World:
    host = await make_user(host=True)
    author = await make_user()
    challenge = await make_challenge(host, phase=request.param)
    idea = await make_idea(challenge, author)
    comment = await post_comment(
        session, idea_id=idea.id, author_id=author.id, body="A thought.", parent_id=None,
        now=utcnow(),
    )  # fmt: skip
    await rounds.shortlist(session, challenge, idea)
    team = (await session.scalars(select(Team).where(Team.idea_id == idea.id))).one()
    return World(challenge, author, idea, comment.id, team)


def sign_in_target(response: Any) -> str | None:
    """The ``next`` of a redirect to the sign-in page; None for any other answer."""
    if response.status_code not in {302, 303}:
        return None
    location = urlsplit(response.headers["location"])
    if location.path != "/sign-in":
        return None
    return str(parse_qs(location.query).get("next", [""])[0])


async def test_no_page_refuses_a_visitor_it_sends_them_to_sign_in_and_back(
    app: Starlette, world: World, visitor: Person
) -> None:
    refused: list[str] = []
    sent_to_sign_in: set[str] = set()
    for prefix, route in routes_of(app):
        if route.methods is not None and "GET" not in route.methods:
            continue
        path = world.path(prefix, route)
        if route.name is not None and route.name.startswith("live."):
            # An event stream stays open: read how it answers, then leave.
            async with open_stream(app, path) as stream:
                if stream.status == 403:
                    refused.append(path)
                assert stream.status not in {302, 303}, f"{path} redirects an event stream"
            continue
        response = await visitor.get(path)
        if response.status_code == 403:
            refused.append(path)
        target = sign_in_target(response)
        if target is not None:
            assert target == path, f"{path} sends to sign in with next={target!r}"
            assert route.name is not None
            sent_to_sign_in.add(route.name)
    assert refused == []
    assert not FOR_SIGNED_IN_PEOPLE - sent_to_sign_in


async def test_the_query_comes_back_after_signing_in_too(visitor: Person) -> None:
    response = await visitor.get("/notifications?after=5.7")

    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/notifications%3Fafter%3D5.7"
    assert sign_in_target(response) == "/notifications?after=5.7"


async def test_the_sign_in_page_offers_to_come_back(visitor: Person, settings: Any) -> None:
    redirected = await visitor.get("/settings")
    page = Page(await visitor.get(redirected.headers["location"]))

    assert redirected.status_code == 303
    assert page.select("main")


async def test_htmx_is_told_to_go_to_sign_in(visitor: Person) -> None:
    response = await visitor.get("/teams/requests", headers=HTMX)

    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/sign-in?next=/teams/requests"


async def test_posts_by_visitors_are_still_refused_with_403(
    app: Starlette, world: World, make_client: Any, session: AsyncSession, settings: Any
) -> None:
    """A visitor with a session and its form token: every post that needs a signed-in
    person is refused, never redirected."""
    token, web_session = await sessions.start(session, None, now=utcnow(), replacing=None)
    client = make_client()
    client.cookies.set(cookie_name(settings), token)
    visitor = Person(client=client, csrf=web_session.csrf_token, user=None)
    redirected = []
    for prefix, route in routes_of(app):
        if route.methods is None or "POST" not in route.methods or route.name == "sign_out":
            continue
        path = world.path(prefix, route)
        if sign_in_target(await visitor.post(path, {})) is not None:
            redirected.append(path)

    assert redirected == []
    for path in ("/settings/profile", "/settings/delete", "/notifications/read", "/preview"):
        response = await visitor.post(path, {})
        assert response.status_code == 403
        assert Page(response).text("#error-heading + p") == "Sign in to do that."
