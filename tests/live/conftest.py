"""Fixtures for the live pages: the site's own hub, started, and a round to change."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette

from ideas.live.hub import Hub
from tests.factories.live import running


@pytest.fixture
async def hub(app: Starlette) -> AsyncIterator[Hub]:
    """The hub of the test's site (within the process), started; services publish to it."""
    async with running(app.state.live) as started:
        yield started


@pytest.fixture
async def round_(make_user: Any, make_challenge: Any, make_idea: Any) -> dict[str, Any]:
    """A challenge taking ideas with one idea by Amara."""
    hamid = await make_user("Hamid", host=True)
    amara = await make_user("Amara")
    challenge = await make_challenge(hamid)
    idea = await make_idea(challenge, amara, title="Compost club")
    return {"host": hamid, "author": amara, "challenge": challenge, "idea": idea}
