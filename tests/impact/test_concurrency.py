"""Two people pledging at the same moment: the condition they meet is met once, by the
pledge counted last, and told once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from ideas.db import Database
from ideas.impact import services
from ideas.impact.forms import PledgeInput
from ideas.impact.models import Pledge, PledgeKind
from ideas.notifications.models import Notification
from tests.factories.impact import impact_round, makers


async def test_two_pledges_at_once_meet_a_condition_once(
    committing_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each pledge dwells between its insert and its count, so that without the team's
    # lock the two would overlap there, and each would count without the other.
    counting = services._meet_conditions

    async def slowly(*args: Any, **kwargs: Any) -> None:
        await asyncio.sleep(0.3)
        await counting(*args, **kwargs)

    monkeypatch.setattr(services, "_meet_conditions", slowly)
    database = Database.from_url(committing_database_url)
    try:
        async with database.session() as session:
            r = await impact_round(session, *makers(session), people=3)
            waiting = await r.pledge(r.people[0], 2)
        moment = r.tick()

        async def pledge(n: int) -> None:
            async with database.session() as tab:
                await services.pledge(
                    tab, team_id=r.team.id, user_id=r.people[n].id,
                    data=PledgeInput(PledgeKind.SKILL, "Bookkeeping"), now=moment,
                )  # fmt: skip

        await asyncio.gather(pledge(1), pledge(2))
        async with database.session() as session:
            found = await session.get(Pledge, waiting.id)
            assert found is not None
            assert found.met_at is not None
            told = list(
                await session.scalars(
                    select(Notification.user_id).where(Notification.kind == "pledge.met")
                )
            )
            assert told.count(r.people[0].id) == 1
            assert told.count(r.lead.id) == 1
    finally:
        await database.dispose()
