"""The event stream a page keeps open: opened only by who may see the page, ended when
the browser leaves or the site stops, and the counts it points to fetched as the viewer."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from ideas.challenges.phases import Phase
from ideas.comments.services import post_comment
from ideas.db import utcnow
from ideas.live.hub import Hub
from ideas.submissions.models import IdeaStatus
from tests.factories.accounts import Person
from tests.factories.live import open_stream
from tests.factories.rounds import set_status
from tests.factories.voting import vote
from tests.html import Page

pytestmark = pytest.mark.usefixtures("hub")


def cookies(person: Person) -> dict[str, str]:
    return dict(person.client.cookies.items())


async def test_a_challenge_page_stream_hears_votes_until_the_browser_leaves(
    app: Starlette, hub: Hub, round_: dict[str, Any], make_user: Any, sign_in: Any
) -> None:
    idea, challenge = round_["idea"], round_["challenge"]
    priya = await sign_in(await make_user("Priya"))
    async with open_stream(app, f"/events/challenges/{challenge.slug}") as stream:
        assert stream.status == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-store"
        assert stream.headers["x-accel-buffering"] == "no"
        assert "content-length" not in stream.headers
        await stream.until("retry: ")
        assert hub.stream_count == 1

        await vote(priya, idea)

        sent = await stream.until(f"event: voted-{idea.id}\n")
        assert "Priya" not in sent
        assert f"data: {idea.id}\n" in sent
    assert stream.ended
    assert hub.stream_count == 0


async def test_streams_end_when_the_site_stops(
    app: Starlette, hub: Hub, round_: dict[str, Any]
) -> None:
    async with open_stream(app, f"/events/challenges/{round_['challenge'].slug}") as stream:
        await stream.until("retry: ")

        await hub.close()

        await stream.until_ended()


async def test_a_visitor_cannot_open_the_stream_of_a_draft_but_its_host_can(
    app: Starlette, visitor: Person, make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    hamid = await make_user("Hamid", host=True)
    draft = await make_challenge(hamid, phase=Phase.DRAFT)

    assert (await visitor.get(f"/events/challenges/{draft.slug}")).status_code == 404
    host = await sign_in(hamid)
    async with open_stream(
        app, f"/events/challenges/{draft.slug}", cookies=cookies(host)
    ) as stream:
        assert stream.status == 200


async def test_a_visitor_cannot_open_the_stream_of_a_hidden_idea_but_its_author_can(
    app: Starlette,
    visitor: Person,
    round_: dict[str, Any],
    sign_in: Any,
    session: AsyncSession,
) -> None:
    idea = round_["idea"]
    await set_status(session, idea, IdeaStatus.HIDDEN)

    assert (await visitor.get(f"/events/ideas/{idea.id}")).status_code == 404
    amara = await sign_in(round_["author"])
    async with open_stream(app, f"/events/ideas/{idea.id}", cookies=cookies(amara)) as stream:
        assert stream.status == 200


async def test_a_visitor_on_a_page_about_nothing_opens_no_stream(visitor: Person) -> None:
    response = await visitor.get("/events")

    assert response.status_code == 204


async def test_a_signed_in_persons_stream_hears_of_their_notifications_only(
    app: Starlette,
    round_: dict[str, Any],
    make_user: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    idea = round_["idea"]
    amara = await sign_in(round_["author"])
    priya = await sign_in(await make_user("Priya"))
    async with (
        open_stream(app, "/events", cookies=cookies(amara)) as amaras,
        open_stream(app, "/events", cookies=cookies(priya)) as priyas,
    ):
        await post_comment(
            session, idea_id=idea.id, author_id=priya.user.id, body="Count me in.", now=utcnow()
        )

        await amaras.until("event: notified\n")
        assert "notified" not in priyas.text


async def test_the_count_a_page_fetches_is_the_ideas_as_the_viewer_may_see_it(
    visitor: Person,
    round_: dict[str, Any],
    make_user: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    idea = round_["idea"]
    await vote(await sign_in(await make_user("Priya")), idea)

    response = await visitor.get(f"/ideas/{idea.id}/votes")

    assert response.status_code == 200
    assert Page(response).text(".vote__number") == "1"
    assert response.text.split()[-1] == "vote"
    await set_status(session, idea, IdeaStatus.HIDDEN)
    assert (await visitor.get(f"/ideas/{idea.id}/votes")).status_code == 404


async def test_the_idea_page_names_its_stream_and_what_listens_to_it(
    visitor: Person, round_: dict[str, Any]
) -> None:
    idea = round_["idea"]

    page = Page(await visitor.get(f"/ideas/{idea.id}/{idea.slug}"))

    assert (
        page.one("[data-hx-sse\\:connect]").get("data-hx-sse:connect") == f"/events/ideas/{idea.id}"
    )
    count = page.one(f"#vote-count-{idea.id}")
    assert count.get("data-hx-get") == f"/ideas/{idea.id}/votes"
    assert count.get("data-hx-trigger") == f"voted-{idea.id} from:body"
    assert page.one("#comment-list").get("data-hx-trigger") == f"commented-{idea.id} from:body"
    assert page.one("#phase-news").get("data-live-reveal") == "phase-changed"
    assert page.one("#phase-news").get("hidden") is not None
