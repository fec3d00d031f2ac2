"""Pledges: conditions met once and told, and each refusal clear and changing nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import policy
from ideas.accounts.models import User, UserStatus
from ideas.db import Base
from ideas.errors import Conflict, Forbidden, Invalid
from ideas.impact import services
from ideas.impact.forms import PledgeInput, parse_pledge
from ideas.impact.models import Pledge, PledgeKind
from tests.factories.impact import ImpactRound, impact_round, notified


@pytest.fixture
async def r(session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any) -> Any:
    return await impact_round(session, make_user, make_challenge, make_idea)


async def _everything(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    await session.commit()
    rows = {}
    for table in Base.metadata.sorted_tables:
        result = await session.execute(select(table))
        rows[table.name] = sorted(map(tuple, result.all()), key=repr)
    return rows


async def _fresh(session: AsyncSession, pledge: Pledge) -> Pledge:
    await session.commit()
    found = await session.get(Pledge, pledge.id, populate_existing=True)
    assert found is not None
    return found


async def test_the_pledge_that_meets_a_condition_tells_everyone_in_it_once(
    r: ImpactRound, session: AsyncSession
) -> None:
    first = await r.pledge(r.people[0], 2)
    second = await r.pledge(r.people[1], 2)
    assert (await _fresh(session, first)).met_at is None
    assert await notified(session, "pledge.met") == []
    third = await r.pledge(r.people[2], 2)
    for made in (first, second, third):
        assert (await _fresh(session, made)).met_at is not None
    told = await notified(session, "pledge.met")
    assert told == sorted([r.people[0].id, r.people[1].id, r.people[2].id, r.lead.id])
    await r.pledge(r.people[3], 1)  # met on arrival; the others are told nothing again
    assert len(await notified(session, "pledge.met")) == len(told) + 2


async def test_an_unconditional_pledge_counts_for_the_others(
    r: ImpactRound, session: AsyncSession
) -> None:
    waiting = await r.pledge(r.people[0], 1)
    await r.pledge(r.people[1])
    assert (await _fresh(session, waiting)).met_at is not None


@pytest.mark.parametrize("condition", [0, -3, policy.PLEDGE_CONDITION_MAX + 1, 10**9])
async def test_a_condition_below_one_or_absurdly_large_is_refused(
    r: ImpactRound, session: AsyncSession, condition: int
) -> None:
    before = await _everything(session)
    with pytest.raises(Invalid) as refused:
        await r.pledge(r.people[0], condition)
    assert "condition" in refused.value.errors
    assert await _everything(session) == before


@pytest.mark.parametrize("condition", ["0", "101", "lots"])
def test_the_form_says_so_beside_the_field_and_keeps_what_was_typed(condition: str) -> None:
    form, data = parse_pledge({"kind": "time", "what": "A van", "condition": condition})
    assert data is None
    assert "condition" in form.errors
    assert form.values["what"] == "A van"


async def test_pledging_twice_to_one_team_is_refused(r: ImpactRound, session: AsyncSession) -> None:
    await r.pledge(r.people[0], 3)
    before = await _everything(session)
    with pytest.raises(Conflict, match="already pledged"):
        await r.pledge(r.people[0])
    assert await _everything(session) == before


async def test_a_withdrawn_pledge_can_be_made_again(r: ImpactRound, session: AsyncSession) -> None:
    made = await r.pledge(r.people[0], 3)
    await services.withdraw_pledge(session, pledge_id=made.id, user_id=r.people[0].id,
                                   now=r.tick())  # fmt: skip
    assert (await _fresh(session, made)).withdrawn_at is not None
    await r.pledge(r.people[0])


async def test_withdrawing_a_met_pledge_is_refused(r: ImpactRound, session: AsyncSession) -> None:
    made = await r.pledge(r.people[0], 1)
    await r.pledge(r.people[1])
    before = await _everything(session)
    with pytest.raises(Conflict, match="others count on it"):
        await services.withdraw_pledge(
            session, pledge_id=made.id, user_id=r.people[0].id, now=r.tick()
        )
    assert await _everything(session) == before


async def test_nobody_withdraws_someone_else_s_pledge(
    r: ImpactRound, session: AsyncSession
) -> None:
    made = await r.pledge(r.people[0], 3)
    before = await _everything(session)
    with pytest.raises(Forbidden):
        await services.withdraw_pledge(session, pledge_id=made.id, user_id=r.lead.id, now=r.tick())
    assert await _everything(session) == before


async def test_a_suspended_person_cannot_pledge(r: ImpactRound, session: AsyncSession) -> None:
    await session.execute(
        update(User).where(User.id == r.people[0].id).values(status=UserStatus.SUSPENDED)
    )
    before = await _everything(session)
    with pytest.raises(Forbidden, match="suspended"):
        await r.pledge(r.people[0])
    assert await _everything(session) == before


async def test_only_the_lead_marks_a_pledge_honoured(r: ImpactRound, session: AsyncSession) -> None:
    made = await r.pledge(r.people[0])
    before = await _everything(session)
    with pytest.raises(Forbidden):
        await services.honour_pledge(session, pledge_id=made.id, actor_id=r.member.id,
                                     now=r.tick())  # fmt: skip
    assert await _everything(session) == before
    await services.honour_pledge(session, pledge_id=made.id, actor_id=r.lead.id, now=r.tick())
    assert (await _fresh(session, made)).honoured_at is not None


async def test_a_waiting_pledge_is_not_honoured_yet(r: ImpactRound, session: AsyncSession) -> None:
    made = await r.pledge(r.people[0], 3)
    with pytest.raises(Conflict):
        await services.honour_pledge(session, pledge_id=made.id, actor_id=r.lead.id, now=r.tick())


async def test_a_pledge_by_a_kind_and_a_sentence(r: ImpactRound, session: AsyncSession) -> None:
    made = await services.pledge(
        session, team_id=r.team.id, user_id=r.people[0].id,
        data=PledgeInput(PledgeKind.THING, "A van on Saturdays"), now=r.tick(),
    )  # fmt: skip
    fresh = await _fresh(session, made)
    assert (fresh.kind, fresh.what, fresh.condition) == (
        PledgeKind.THING,
        "A van on Saturdays",
        None,
    )
