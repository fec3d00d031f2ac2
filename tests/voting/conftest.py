"""Fixtures for the voting tests: the host, an author and a participant of a round."""

from __future__ import annotations

from typing import Any

import pytest

from ideas.accounts.models import User
from tests.factories.accounts import author, host


@pytest.fixture
async def tomas(make_user: Any) -> User:
    user: User = await make_user("Tomás")
    return user


@pytest.fixture
async def round_(make_user: Any, make_challenge: Any, make_idea: Any) -> dict[str, Any]:
    """A challenge taking ideas (no vote budget) with one idea by Amara."""
    hamid = await make_user("Hamid", host=True)
    amara = await make_user("Amara")
    challenge = await make_challenge(hamid)
    idea = await make_idea(challenge, amara, title="Compost club")
    return {"host": hamid, "author": amara, "challenge": challenge, "idea": idea}


__all__ = ["author", "host", "round_", "tomas"]
