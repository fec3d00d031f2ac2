"""Liveness and readiness, for load balancers and orchestrators."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from ideas.app import create_app
from ideas.db import Database
from ideas.settings import load_settings
from ideas.web import health
from tests.factories.accounts import Person
from tests.support.environ import TEST_ENVIRON


async def probe(database: Database, path: str) -> httpx.Response:
    """``path`` of a site whose database is ``database``; any exception fails the test."""
    app = create_app(load_settings(TEST_ENVIRON), database)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
        ) as client:
            return await client.get(path)
    finally:
        await database.dispose()


async def test_healthz_answers_that_the_process_is_up(visitor: Person) -> None:
    response = await visitor.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_answers_when_the_database_does(visitor: Person) -> None:
    response = await visitor.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok"})


def _unreachable_databases(tmp: Path) -> dict[str, str]:
    return {
        "postgresql-nothing-listening": "postgresql+asyncpg://nobody@127.0.0.1:1/none",
        "sqlite-in-a-missing-folder": f"sqlite:///{tmp / 'missing' / 'ideas.db'}",
    }


@pytest.mark.parametrize("which", ["postgresql-nothing-listening", "sqlite-in-a-missing-folder"])
async def test_readyz_says_503_when_the_database_is_unreachable(tmp_path: Path, which: str) -> None:
    database = Database.from_url(_unreachable_databases(tmp_path)[which])
    response = await probe(database, "/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


async def test_healthz_does_not_depend_on_the_database(tmp_path: Path) -> None:
    database = Database.from_url(_unreachable_databases(tmp_path)["postgresql-nothing-listening"])
    response = await probe(database, "/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """A port that accepts connections and never answers, like a hung database."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port: int = server.sockets[0].getsockname()[1]
    yield port
    for writer in held:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_readyz_gives_up_quickly_on_a_database_that_hangs(
    silent_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "READY_TIMEOUT_SECONDS", 0.2)
    database = Database.from_url(f"postgresql+asyncpg://nobody@127.0.0.1:{silent_server}/none")

    started = time.monotonic()
    response = await probe(database, "/readyz")

    assert time.monotonic() - started < 5
    assert response.status_code == 503
