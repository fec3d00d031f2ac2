"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

import httpx

from ideas.app import create_app
from ideas.db import Database
from ideas.settings import load_settings
from tests.conftest import TEST_ENVIRON


async def test_healthz_answers(visitor: Any) -> None:
    response = await visitor.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_reaches_the_database(visitor: Any) -> None:
    response = await visitor.get("/readyz")
    assert (response.status_code, response.json()["database"]) == (200, "ok")


async def test_readyz_says_503_when_the_database_is_unreachable() -> None:
    database = Database.from_url("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    app = create_app(load_settings(TEST_ENVIRON), database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as client:
        response = await client.get("/readyz")
    await database.dispose()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
