"""Addressing something one may not see answers exactly as if it did not exist.

A hidden comment of someone else, a hidden idea and its team, someone else's
notification, join request or way of signing in, a suspended person: each is
put in turn into every route whose path names that kind of thing, and the
answer must be the one the same request gets for an id that names nothing,
GET and POST alike: no 403 that tells that it is there. Routes come from the
site's own table, so a new route is checked without anyone having to remember.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from ideas.accounts.models import Identity, User, UserStatus
from ideas.challenges.phases import Phase
from ideas.comments.models import Comment, CommentStatus
from ideas.comments.services import post_comment
from ideas.db import utcnow
from ideas.notifications.models import Notification
from ideas.submissions.models import Idea, IdeaStatus
from ideas.teams import services as teams
from ideas.teams.forms import AskInput
from ideas.teams.models import Team
from ideas.web.convertors import MAX_ID
from tests.factories import challenges as rounds
from tests.factories.accounts import Person
from tests.factories.web import routes_of
from tests.html import Page

PARAM = re.compile(r"{(\w+)(?::\w+)?}")


@dataclass
class World:
    seen: dict[str, str]  # a thing the viewer sees, for each kind of parameter
    unseen: dict[str, str]  # a thing the viewer may not see, for each kind that has one

    def path(self, template: str, kind: str, value: str) -> str:
        """``template`` with ``value`` for the parameter ``kind``, seen things elsewhere."""

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            return value if name == kind else self.seen.get(name, "1")

        return PARAM.sub(fill, template)


@pytest.fixture
async def world(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> World:
    host = await make_user("Hamid", host=True)
    amara, carla = await make_user("Amara"), await make_user("Carla")
    suspended = await make_user("Sam")
    challenge = await make_challenge(host, phase=Phase.TEAMS)
    seen_idea = await make_idea(challenge, amara)
    hidden_idea = await make_idea(challenge, amara)
    for idea in (seen_idea, hidden_idea):
        await rounds.shortlist(session, challenge, idea)
    seen_comment = await post_comment(
        session, idea_id=seen_idea.id, author_id=amara.id, body="Seen.", parent_id=None,
        now=utcnow(),
    )  # fmt: skip
    hidden_comment = await post_comment(
        session, idea_id=seen_idea.id, author_id=amara.id, body="Reported.", parent_id=None,
        now=utcnow(),
    )  # fmt: skip
    request = await teams.ask_to_join(
        session,
        team_id=(await team_of(session, seen_idea)).id,
        user_id=carla.id,
        data=AskInput("I can help.", ""),
        now=utcnow(),
    )
    notification = await session.scalar(
        insert(Notification)
        .values(user_id=amara.id, kind="idea.vote_milestone", idea_id=seen_idea.id, data={})
        .returning(Notification.id)
    )
    identity = await session.scalar(select(Identity.id).where(Identity.user_id == amara.id))
    await session.execute(
        update(Idea).where(Idea.id == hidden_idea.id).values(status=IdeaStatus.HIDDEN)
    )
    await session.execute(
        update(Comment).where(Comment.id == hidden_comment.id).values(status=CommentStatus.HIDDEN)
    )
    await session.execute(
        update(User).where(User.id == suspended.id).values(status=UserStatus.SUSPENDED)
    )
    await session.commit()
    seen_team = await team_of(session, seen_idea)
    return World(
        seen={
            "slug": challenge.slug,
            "idea_id": str(seen_idea.id),
            "id": str(seen_idea.id),
            "team_id": str(seen_team.id),
            "comment_id": str(seen_comment.id),
            "user_id": str(amara.id),
            "request_id": str(request.id),
            "kind": "comment",
        },
        unseen={
            "comment_id": str(hidden_comment.id),
            "idea_id": str(hidden_idea.id),
            "id": str(hidden_idea.id),
            "item_id": str(hidden_comment.id),
            "team_id": str((await team_of(session, hidden_idea)).id),
            "notification_id": str(notification),
            "request_id": str(request.id),
            "identity_id": str(identity),
            "user_id": str(suspended.id),
        },
    )


async def team_of(session: AsyncSession, idea: Idea) -> Team:
    return (await session.scalars(select(Team).where(Team.idea_id == idea.id))).one()


def answer(response: httpx.Response) -> tuple[int, str]:
    """What a response tells: its status, and the message of an error page."""
    found = Page(response).select("#error-heading + p") if response.text else []
    return response.status_code, " ".join(found[0].text_content().split()) if found else ""


async def test_what_one_may_not_see_is_answered_as_what_does_not_exist(
    app: Starlette, world: World, sign_in: Any, make_user: Any
) -> None:
    bruno: Person = await sign_in(await make_user("Bruno"))
    differences: dict[str, tuple[tuple[int, str], tuple[int, str]]] = {}
    not_found = 0
    for prefix, route in routes_of(app):
        for kind in sorted(set(route.param_convertors) & set(world.unseen)):
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                asked: list[tuple[int, str]] = []
                for value in (world.unseen[kind], str(MAX_ID)):
                    path = world.path(prefix + route.path, kind, value)
                    if method == "GET":
                        response = await bruno.get(path)
                    else:
                        response = await bruno.post(path, {})
                    asked.append(answer(response))
                unseen, missing = asked
                if unseen != missing:
                    path = world.path(prefix + route.path, kind, world.unseen[kind])
                    differences[f"{method} {path}"] = (unseen, missing)
                not_found += unseen[0] == 404
    assert differences == {}
    assert not_found >= 30


async def test_someone_elses_hidden_comment_cannot_be_edited_deleted_or_reported(
    world: World, sign_in: Any, make_user: Any
) -> None:
    bruno: Person = await sign_in(await make_user("Bruno"))
    comment = world.unseen["comment_id"]

    answers = [
        await bruno.get(f"/comments/{comment}/edit"),
        await bruno.post(f"/comments/{comment}/edit", {"body": "Changed."}),
        await bruno.post(f"/comments/{comment}/delete", {}),
        await bruno.post(f"/comments/{comment}/report", {"reason": "spam"}),
    ]

    assert [a.status_code for a in answers] == [404] * 4
