"""A phase that begins by the clock reaches open pages as a host's switch does: the
worker notices the boundary passing and publishes the same event, once per boundary
(the audit log is the marker every worker reads), for public challenges only."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.db import Database, utcnow
from ideas.impact import services as impact
from ideas.impact.forms import FollowUpInput
from ideas.live.events import phase_topic
from ideas.live.hub import Hub
from ideas.notifications.events import announce_phases
from ideas.submissions.models import Idea
from tests.factories.impact import impact_round
from tests.factories.live import delivered, heard_nothing, next_message
from tests.factories.rounds import switch_phase

pytestmark = pytest.mark.usefixtures("hub")

PHASE_CHANGED = b"event: phase-changed\ndata: \n\n"


async def _starts(session: AsyncSession, challenge_id: int, **starts: datetime) -> None:
    await session.execute(update(Challenge).where(Challenge.id == challenge_id).values(**starts))
    await session.commit()


async def test_a_scheduled_phase_reaches_open_pages_once(
    hub: Hub, round_: dict[str, Any], session: AsyncSession, database: Database
) -> None:
    challenge = round_["challenge"]  # taking ideas, followed by nobody
    now = utcnow()
    await _starts(session, challenge.id, review_opens_at=now + timedelta(hours=1))
    with hub.listening([phase_topic(challenge.id)]) as page:
        assert await announce_phases(database, now) == 0
        assert await heard_nothing(page)

        later = now + timedelta(hours=2)
        assert await announce_phases(database, later) == 1
        assert await next_message(page) == PHASE_CHANGED

        # A second pass, as another worker's would be, finds it told.
        assert await announce_phases(database, later + timedelta(minutes=1)) == 0
        assert await heard_nothing(page)


async def test_a_draft_hears_nothing(
    hub: Hub,
    make_user: Any,
    make_challenge: Any,
    session: AsyncSession,
    database: Database,
) -> None:
    """A round its host took back to its draft after it opened by the clock, and one
    whose opening is still to come."""
    host = await make_user("Host", host=True)
    taken_back = await make_challenge(host, phase=Phase.IDEAS)
    now = utcnow()
    await _starts(session, taken_back.id, ideas_opens_at=now - timedelta(hours=2))
    await switch_phase(session, taken_back, Phase.DRAFT)
    waiting = await make_challenge(host, phase=Phase.DRAFT)
    await delivered()  # the switch back to the draft was told before the page opened
    topics = [phase_topic(taken_back.id), phase_topic(waiting.id)]
    with hub.listening(topics) as page:
        assert await announce_phases(database, now + timedelta(minutes=1)) == 0
        assert await heard_nothing(page)


async def test_a_follow_up_opened_by_the_clock_is_heard_and_its_ideas_count(
    hub: Hub,
    session: AsyncSession,
    database: Database,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
) -> None:
    r = await impact_round(session, make_user, make_challenge, make_idea)
    follow = await impact.open_follow_up(
        session, challenge_id=r.challenge.id, actor_id=r.host.id,
        data=FollowUpInput("Round two", (r.idea.id,)), now=r.tick(),
    )  # fmt: skip
    now = utcnow()
    await _starts(session, follow.id, ideas_opens_at=now + timedelta(hours=1))
    original = select(Idea.build_count, Idea.influence).where(Idea.id == r.idea.id)
    assert (await session.execute(original)).one() == (0, 0)
    with hub.listening([phase_topic(follow.id)]) as page:
        assert await announce_phases(database, now + timedelta(hours=2)) == 1
        assert await next_message(page) == PHASE_CHANGED
    session.expire_all()
    assert (await session.execute(original)).one() == (1, 1)
