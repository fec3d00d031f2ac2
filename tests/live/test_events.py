"""Open pages hear of votes, ideas, comments, phase switches and notifications: only
after the change commits, only what everyone who may open the page may see, and
never who did it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges.phases import Phase
from ideas.comments.services import post_comment
from ideas.db import utcnow
from ideas.live import events as live_events
from ideas.live.events import challenge_topic, idea_topic, phase_topic, user_topic
from ideas.live.hub import Hub
from ideas.submissions.models import IdeaStatus
from ideas.voting import services as voting
from tests.factories.live import delivered, heard_nothing, next_message
from tests.factories.rounds import set_status, switch_phase
from tests.factories.voting import tally, vote

pytestmark = pytest.mark.usefixtures("hub")


def voted(idea_id: int) -> bytes:
    return f"event: voted-{idea_id}\ndata: {idea_id}\n\n".encode()


async def test_a_vote_is_heard_on_the_challenge_page_and_the_idea_page(
    hub: Hub, round_: dict[str, Any], make_user: Any, sign_in: Any
) -> None:
    idea, challenge = round_["idea"], round_["challenge"]
    priya = await sign_in(await make_user("Priya"))
    with (
        hub.listening([challenge_topic(challenge.id)]) as challenge_page,
        hub.listening([idea_topic(idea.id)]) as idea_page,
    ):
        assert (await vote(priya, idea)).status_code == 303

        # The idea's public id and nothing else: not who voted, not the count.
        assert await next_message(challenge_page) == voted(idea.id)
        assert await next_message(idea_page) == voted(idea.id)


async def test_a_withdrawn_vote_is_heard(
    hub: Hub, round_: dict[str, Any], make_user: Any, sign_in: Any
) -> None:
    idea = round_["idea"]
    priya = await sign_in(await make_user("Priya"))
    await vote(priya, idea)
    with hub.listening([idea_topic(idea.id)]) as idea_page:
        await vote(priya, idea, "withdraw")

        assert await next_message(idea_page) == voted(idea.id)


async def test_a_page_hearing_two_topics_of_an_event_hears_it_once(
    hub: Hub, round_: dict[str, Any], make_user: Any, sign_in: Any
) -> None:
    idea, challenge = round_["idea"], round_["challenge"]
    priya = await sign_in(await make_user("Priya"))
    with hub.listening([challenge_topic(challenge.id), idea_topic(idea.id)]) as page:
        await vote(priya, idea)

        assert await next_message(page) == voted(idea.id)
        assert await heard_nothing(page)


async def test_a_rolled_back_vote_sends_nothing(
    hub: Hub,
    round_: dict[str, Any],
    make_user: Any,
    session: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    idea, challenge = round_["idea"], round_["challenge"]
    priya = await make_user("Priya")

    queue_event = live_events.vote_changed

    def queued_then_fails(*args: Any, **kwargs: Any) -> None:
        queue_event(*args, **kwargs)
        raise RuntimeError("the transaction fails after the vote was counted")

    # The vote's own transaction fails after the count moved and the event was queued.
    monkeypatch.setattr(live_events, "vote_changed", queued_then_fails)
    with hub.listening([challenge_topic(challenge.id)]) as challenge_page:
        with pytest.raises(RuntimeError):
            await voting.cast_vote(
                session, idea_id=idea.id, user_id=priya.id, now=utcnow(), challenge_id=challenge.id
            )

        assert await tally(session, idea) == (0, 0)
        assert await heard_nothing(challenge_page)


async def test_a_refused_vote_sends_nothing(hub: Hub, round_: dict[str, Any], sign_in: Any) -> None:
    idea = round_["idea"]
    amara = await sign_in(round_["author"])  # one's own idea takes no vote
    with hub.listening([idea_topic(idea.id)]) as idea_page:
        assert (await vote(amara, idea)).status_code == 403

        assert await heard_nothing(idea_page)


async def test_nothing_is_heard_of_a_hidden_idea(
    hub: Hub,
    round_: dict[str, Any],
    make_user: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    idea, challenge = round_["idea"], round_["challenge"]
    priya = await sign_in(await make_user("Priya"))
    await vote(priya, idea)
    await set_status(session, idea, IdeaStatus.HIDDEN)
    await delivered()  # the vote was told before the page opened
    with hub.listening([challenge_topic(challenge.id), idea_topic(idea.id)]) as page:
        # Taking back a vote from a hidden idea changes its count; no page hears of it.
        await voting.withdraw_vote(
            session, idea_id=idea.id, user_id=priya.user.id, now=utcnow(), challenge_id=challenge.id
        )

        assert await tally(session, idea) == (0, 0)
        assert await heard_nothing(page)


async def test_a_new_idea_is_heard_on_the_challenge_page(
    hub: Hub, round_: dict[str, Any], make_user: Any, make_idea: Any
) -> None:
    challenge = round_["challenge"]
    with hub.listening([challenge_topic(challenge.id)]) as challenge_page:
        await make_idea(challenge, await make_user("Priya"))

        assert await next_message(challenge_page) == b"event: idea-posted\ndata: \n\n"


async def test_a_comment_is_heard_on_the_idea_page_and_its_author_is_notified(
    hub: Hub, round_: dict[str, Any], make_user: Any, session: AsyncSession
) -> None:
    idea, amara = round_["idea"], round_["author"]
    priya = await make_user("Priya")
    with (
        hub.listening([idea_topic(idea.id)]) as idea_page,
        hub.listening([user_topic(amara.id)]) as amaras_badge,
        hub.listening([user_topic(priya.id)]) as priyas_badge,
    ):
        await post_comment(
            session, idea_id=idea.id, author_id=priya.id, body="Count me in.", now=utcnow()
        )

        assert (
            await next_message(idea_page)
            == f"event: commented-{idea.id}\ndata: {idea.id}\n\n".encode()
        )
        assert await next_message(amaras_badge) == b"event: notified\ndata: \n\n"
        assert await heard_nothing(priyas_badge)


async def test_a_phase_switch_is_heard(
    hub: Hub, round_: dict[str, Any], session: AsyncSession
) -> None:
    challenge = round_["challenge"]
    with hub.listening([phase_topic(challenge.id)]) as page:
        await switch_phase(session, challenge, Phase.REVIEW)

        assert await next_message(page) == b"event: phase-changed\ndata: \n\n"
