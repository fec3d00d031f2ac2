"""Impact's services refuse on their own what ``policy`` does not allow, in every phase.

As tests/test_service_rules.py does for the other actions: each case runs in each
phase (a host switches it by hand), calls the service directly, and must refuse
exactly when ``policy.allows`` says no, changing nothing when it does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import policy
from ideas.challenges.phases import Phase
from ideas.db import Base
from ideas.errors import Forbidden, NotFound
from ideas.impact import services
from ideas.impact.forms import FollowUpInput
from ideas.impact.models import Pledge
from ideas.policy import Action, Role
from tests.factories.impact import ImpactRound, impact_round

PARTICIPANT = frozenset({Role.PARTICIPANT})
HOST = PARTICIPANT | {Role.HOST}
TEAM_MEMBER = PARTICIPANT | {Role.TEAM_MEMBER}
IMPACT_ACTIONS = {
    Action.POST_IMPACT,
    Action.SET_CHECK_INS,
    Action.PLEDGE,
    Action.HONOUR_PLEDGE,
    Action.OPEN_FOLLOW_UP,
}


@dataclass(frozen=True)
class Case:
    name: str
    action: Action
    roles: frozenset[Role]
    call: Callable[[ImpactRound, Pledge | None], Awaitable[object]]
    pledged: bool = False  # someone pledged to the team, unconditionally, before

    def __str__(self) -> str:
        return self.name


def _pledge_id(pledge: Pledge | None) -> int:
    assert pledge is not None
    return pledge.id


UTC_ZONE = ZoneInfo("UTC")

CASES = [
    Case("post an update", Action.POST_IMPACT, TEAM_MEMBER, lambda r, _p: r.post()),
    Case(
        "set check-ins",
        Action.SET_CHECK_INS,
        HOST,
        lambda r, _p: services.set_check_ins(
            r.session,
            challenge_id=r.challenge.id,
            days=[(r.clock + timedelta(days=30)).date()],
            actor_id=r.host.id,
            now=r.tick(),
            site_zone=UTC_ZONE,
        ),
    ),
    Case("pledge", Action.PLEDGE, PARTICIPANT, lambda r, _p: r.pledge(r.people[1], 2)),
    Case(
        "withdraw a pledge",
        Action.PLEDGE,
        PARTICIPANT,
        lambda r, p: services.withdraw_pledge(
            r.session, pledge_id=_pledge_id(p), user_id=r.people[0].id, now=r.tick()
        ),
        pledged=True,
    ),
    Case(
        "honour a pledge",
        Action.HONOUR_PLEDGE,
        TEAM_MEMBER,
        lambda r, p: services.honour_pledge(
            r.session, pledge_id=_pledge_id(p), actor_id=r.lead.id, now=r.tick()
        ),
        pledged=True,
    ),
    Case(
        "open a follow-up round",
        Action.OPEN_FOLLOW_UP,
        HOST,
        lambda r, _p: services.open_follow_up(
            r.session,
            challenge_id=r.challenge.id,
            actor_id=r.host.id,
            data=FollowUpInput("Next round", (r.idea.id,)),
            now=r.tick(),
        ),
    ),
]


async def _everything(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    await session.commit()
    rows = {}
    for table in Base.metadata.sorted_tables:
        result = await session.execute(select(table))
        rows[table.name] = sorted(map(tuple, result.all()), key=repr)
    return rows


def test_every_impact_action_has_a_case() -> None:
    assert {case.action for case in CASES} == IMPACT_ACTIONS


@pytest.mark.parametrize("phase", list(Phase), ids=str)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_the_impact_service_refuses_exactly_what_the_policy_does(
    case: Case,
    phase: Phase,
    session: AsyncSession,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
) -> None:
    r = await impact_round(session, make_user, make_challenge, make_idea, closed=False)
    pledge = await r.pledge(r.people[0]) if case.pledged else None
    if phase is not Phase.TEAMS:
        await r.switch(phase)
    if policy.allows(case.action, phase, case.roles):
        await case.call(r, pledge)
    else:
        before = await _everything(session)
        with pytest.raises((Forbidden, NotFound)):
            await case.call(r, pledge)
        assert await _everything(session) == before, "a refusal changed something"
