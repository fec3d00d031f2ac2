"""Fixtures for the teams tests: a round in the teams phase with a team on its idea."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges.phases import Phase
from tests.factories.rounds import set_phase
from tests.factories.teams import (
    Round,
    add_team,
)


@pytest.fixture
def make_round(make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession) -> Any:
    async def make(phase: Phase = Phase.TEAMS, **settings: Any) -> Round:
        host = await make_user("Hamid", host=True)
        challenge = await make_challenge(host, phase=Phase.TEAMS, **settings)
        lead = await make_user("Ada")
        idea = await make_idea(challenge, lead, title="Compost the leftovers")
        team = await add_team(session, challenge, idea)
        if phase is not Phase.TEAMS:
            await set_phase(session, challenge, phase)
        return Round(host, challenge, lead, idea, team)

    return make
