"""Impact updates, check-in reminders and follow-up rounds, through their services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.errors import Forbidden, Invalid
from ideas.impact import queries, services
from ideas.impact.forms import FollowUpInput, UpdateInput
from ideas.impact.models import FollowUp, ImpactStatus
from ideas.notifications.models import ChallengeFollow
from ideas.submissions import lineage
from ideas.submissions.models import Idea
from tests.factories.impact import ImpactRound, impact_round, notified

UTC_ZONE = ZoneInfo("UTC")


@pytest.fixture
async def r(session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any) -> Any:
    return await impact_round(session, make_user, make_challenge, make_idea)


async def test_a_member_posts_and_followers_are_told(r: ImpactRound, session: AsyncSession) -> None:
    session.add(ChallengeFollow(user_id=r.people[0].id, challenge_id=r.challenge.id))
    await session.commit()
    posted = await r.post()
    assert posted.figures == [{"value": 340, "unit": "meals", "measures": "meals saved per week"}]
    assert await notified(session, "impact.update") == [r.people[0].id]


async def test_only_the_team_posts_updates(r: ImpactRound, session: AsyncSession) -> None:
    with pytest.raises(Forbidden):
        await r.post(r.people[0])
    assert await queries.updates_of(session, r.idea.id) == []


async def test_statuses_move_freely_and_each_is_kept(r: ImpactRound, session: AsyncSession) -> None:
    for status in (ImpactStatus.PILOTED, ImpactStatus.PLANNED, ImpactStatus.IMPLEMENTED):
        await r.post(data=UpdateInput(status, f"Now {status.value}."))
    history = await queries.updates_of(session, r.idea.id)
    assert [u.status for u in history] == [
        ImpactStatus.IMPLEMENTED,
        ImpactStatus.PLANNED,
        ImpactStatus.PILOTED,
    ]


async def test_a_quiet_team_is_reminded_once_when_a_check_in_passes(
    r: ImpactRound, session: AsyncSession
) -> None:
    day = (r.clock + timedelta(days=1)).date()
    await services.set_check_ins(
        session, challenge_id=r.challenge.id, days=[day], actor_id=r.host.id, now=r.tick(),
        site_zone=UTC_ZONE,
    )  # fmt: skip
    database = session.info["database"]
    later = r.clock + timedelta(days=3)
    assert await services.remind_check_ins(database, r.clock, UTC_ZONE) == 0
    assert await services.remind_check_ins(database, later, UTC_ZONE) == 1
    assert await services.remind_check_ins(database, later, UTC_ZONE) == 0
    assert await notified(session, "impact.check_in") == sorted([r.lead.id, r.member.id])


async def test_a_team_that_posted_is_not_reminded(r: ImpactRound, session: AsyncSession) -> None:
    day = (r.clock + timedelta(days=1)).date()
    await services.set_check_ins(
        session, challenge_id=r.challenge.id, days=[day], actor_id=r.host.id, now=r.tick(),
        site_zone=UTC_ZONE,
    )  # fmt: skip
    await r.post()
    assert (
        await services.remind_check_ins(
            session.info["database"], r.clock + timedelta(days=3), UTC_ZONE
        )
        == 0
    )


async def test_a_follow_up_carries_the_winner_with_its_lineage(
    r: ImpactRound, session: AsyncSession
) -> None:
    follow = await services.open_follow_up(
        session, challenge_id=r.challenge.id, actor_id=r.host.id,
        data=FollowUpInput("Canteens, round two", (r.idea.id,)), now=r.tick(),
    )  # fmt: skip
    await session.commit()
    carried = (await session.scalars(select(Idea).where(Idea.challenge_id == follow.id))).one()
    assert (carried.title, carried.author_id) == (r.idea.title, r.lead.id)
    assert await lineage.ancestors(session, carried.id) == {r.idea.id}
    family = await lineage.family(session, carried.id, viewer=r.host, now=r.clock)
    assert {idea.challenge_id for idea in family.ideas.values()} == {r.challenge.id, follow.id}
    link = await session.get(FollowUp, follow.id)
    assert link is not None
    assert link.from_id == r.challenge.id
    assert await notified(session, "impact.follow_up") == sorted([r.member.id, r.lead.id])


async def test_only_shortlisted_and_winning_ideas_carry_over(
    r: ImpactRound, session: AsyncSession, make_idea: Any
) -> None:
    with pytest.raises(Invalid):
        await services.open_follow_up(
            session, challenge_id=r.challenge.id, actor_id=r.host.id,
            data=FollowUpInput("Next", (r.idea.id + 1000,)), now=r.tick(),
        )  # fmt: skip


async def test_credit_flows_back_along_the_lineage(r: ImpactRound, session: AsyncSession) -> None:
    follow = await services.open_follow_up(
        session, challenge_id=r.challenge.id, actor_id=r.host.id,
        data=FollowUpInput("Round two", (r.idea.id,)), now=r.tick(),
    )  # fmt: skip
    await session.commit()
    carried = (await session.scalars(select(Idea).where(Idea.challenge_id == follow.id))).one()
    assert await queries.reach_of_descendants(session, r.idea, viewer=None, now=r.clock) is None
    await r.post(data=UpdateInput(ImpactStatus.IMPLEMENTED, "Done."))
    assert await queries.led_to_implemented(session, r.lead.id, viewer=None, now=r.clock) == 1
    assert await queries.reach_of_descendants(session, carried, viewer=None, now=r.clock) is None
