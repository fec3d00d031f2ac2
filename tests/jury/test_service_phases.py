"""The jury's services refuse on their own what ``policy`` does not allow, in every phase.

As tests/test_service_rules.py does for the other actions: each case runs in each
phase (a host switches it by hand), calls the service directly, and must refuse
exactly when ``policy.allows`` says no, changing nothing when it does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import policy
from ideas.challenges.phases import Phase
from ideas.db import Base
from ideas.errors import Forbidden, NotFound
from ideas.jury import services
from ideas.jury.forms import SettingsInput
from ideas.policy import Action, Role
from tests.factories.jury import RUBRIC, JuryRound, jury_round

HOST = frozenset({Role.PARTICIPANT, Role.HOST})
JUROR = frozenset({Role.PARTICIPANT, Role.JUROR})


@dataclass(frozen=True)
class Case:
    name: str
    action: Action
    roles: frozenset[Role]
    call: Callable[[JuryRound], Awaitable[object]]
    scored: bool = False  # a score is in before the case runs

    def __str__(self) -> str:
        return self.name


async def _score(r: JuryRound) -> object:
    return await r.score(r.jurors[0], r.ideas[0], (4, 3))


CASES = [
    Case(
        "set the rubric",
        Action.SET_UP_JURY,
        HOST,
        lambda r: services.save_rubric(
            r.session,
            challenge_id=r.challenge.id,
            criteria=RUBRIC[:1],
            actor_id=r.host.id,
            now=r.tick(),
        ),
    ),
    Case(
        "change the settings",
        Action.SET_UP_JURY,
        HOST,
        lambda r: services.save_settings(
            r.session,
            challenge_id=r.challenge.id,
            data=SettingsInput(0.3, 1, "shortlist"),
            actor_id=r.host.id,
            now=r.tick(),
        ),
    ),
    Case(
        "invite a juror",
        Action.SET_UP_JURY,
        HOST,
        lambda r: services.invite_juror(
            r.session,
            challenge_id=r.challenge.id,
            email="new@example.org",
            actor_id=r.host.id,
            now=r.tick(),
        ),
    ),
    Case("score an idea", Action.SCORE_IDEAS, JUROR, _score),
    Case(
        "declare a conflict",
        Action.SCORE_IDEAS,
        JUROR,
        lambda r: services.declare_conflict(
            r.session,
            challenge_id=r.challenge.id,
            idea_id=r.ideas[1].id,
            user_id=r.jurors[1].id,
            reason="I advised its author.",
            now=r.tick(),
        ),
    ),
    Case(
        "publish the scores",
        Action.PUBLISH_JURY,
        HOST,
        lambda r: services.publish(
            r.session, challenge_id=r.challenge.id, actor_id=r.host.id, now=r.tick()
        ),
        scored=True,
    ),
]


async def _everything(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    await session.commit()
    rows = {}
    for table in Base.metadata.sorted_tables:
        result = await session.execute(select(table))
        rows[table.name] = sorted(map(tuple, result.all()), key=repr)
    return rows


def test_every_jury_action_has_a_case() -> None:
    assert {case.action for case in CASES} == {
        Action.SCORE_IDEAS,
        Action.SET_UP_JURY,
        Action.PUBLISH_JURY,
    }


@pytest.mark.parametrize("phase", list(Phase), ids=str)
@pytest.mark.parametrize("case", CASES, ids=str)
async def test_the_jury_service_refuses_exactly_what_the_policy_does(
    case: Case,
    phase: Phase,
    session: AsyncSession,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
) -> None:
    r = await jury_round(session, make_user, make_challenge, make_idea, review=case.scored)
    if case.scored:
        await _score(r)
    if phase is not (Phase.REVIEW if case.scored else Phase.IDEAS):
        await r.switch(phase)
    if policy.allows(case.action, phase, case.roles):
        await case.call(r)
    else:
        before = await _everything(session)
        with pytest.raises((Forbidden, NotFound)):
            await case.call(r)
        assert await _everything(session) == before, "a refusal changed something"
