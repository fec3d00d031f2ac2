"""The connection budget: how many PostgreSQL connections the site's processes hold."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

from ideas.db import Database
from ideas.settings import load_settings
from tests.support.databases import new_database
from tests.support.environ import TEST_ENVIRON

# A default PostgreSQL: max_connections 100, of which 3 are kept for superusers.
DEFAULT_AVAILABLE = 100 - 3


def test_the_pool_comes_from_the_settings() -> None:
    settings = load_settings(
        {
            **TEST_ENVIRON,
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
            "IDEAS_DB_POOL_SIZE": "3",
            "IDEAS_DB_MAX_OVERFLOW": "4",
            "IDEAS_DB_POOL_TIMEOUT": "2.5",
            "IDEAS_DB_POOL_RECYCLE": "60",
        }
    )
    database = Database.from_settings(settings)
    pool = database.bind.sync_engine.pool
    assert isinstance(pool, QueuePool)
    assert (pool.size(), pool._max_overflow, pool.timeout(), pool._recycle) == (3, 4, 2.5, 60)


def test_six_processes_fit_a_default_postgresql_by_default() -> None:
    settings = load_settings({**TEST_ENVIRON, "IDEAS_WORKERS": "5"})
    assert settings.processes is None
    assert settings.connection_budget == 6 * (15 + 0)
    assert settings.connection_budget <= DEFAULT_AVAILABLE


def test_each_process_listens_for_live_pages_on_one_more_connection_without_redis() -> None:
    postgresql = {**TEST_ENVIRON, "DATABASE_URL": "postgresql://postgres@127.0.0.1/ideas"}

    alone = load_settings({**postgresql, "IDEAS_WORKERS": "5"})
    with_redis = load_settings({**postgresql, "IDEAS_WORKERS": "5", "REDIS_URL": "redis://r/0"})

    assert alone.connection_budget == 6 * (15 + 0 + 1)
    assert alone.connection_budget <= DEFAULT_AVAILABLE
    assert with_redis.connection_budget == 6 * (15 + 0)


async def _connections_to(database_name: str) -> int:
    admin = Database.from_url(
        os.environ.get(
            "IDEAS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
        )
    )
    try:
        async with admin.session() as session:
            query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name")
            return int((await session.execute(query, {"name": database_name})).scalar_one())
    finally:
        await admin.dispose()


@pytest.fixture
def postgresql_url(tmp_path: Path) -> Iterator[str]:
    with new_database("postgresql", tmp_path) as url:
        yield url


async def _burst(postgresql_url: str, env: dict[str, str], sessions: int) -> tuple[int, int]:
    """The connections to the database while ``sessions`` sessions each hold one, and
    once they have all closed: (under load, quiet)."""
    name = make_url(postgresql_url).database
    assert name is not None
    database = Database.from_settings(
        load_settings({**TEST_ENVIRON, "DATABASE_URL": postgresql_url, **env})
    )
    started = asyncio.Event()

    async def busy() -> None:
        async with database.session() as session:
            await session.execute(text("SELECT 1"))
            await started.wait()

    try:
        tasks = [asyncio.create_task(busy()) for _ in range(sessions)]
        for _ in range(100):
            if await _connections_to(name) >= sessions:
                break
            await asyncio.sleep(0.05)
        under_load = await _connections_to(name)
        started.set()
        await asyncio.gather(*tasks)
        return under_load, await _connections_to(name)
    finally:
        await database.dispose()


async def test_connections_opened_under_load_are_given_back(postgresql_url: str) -> None:
    pool = {"IDEAS_DB_POOL_SIZE": "2", "IDEAS_DB_MAX_OVERFLOW": "6"}
    assert await _burst(postgresql_url, pool, 8) == (8, 2)


async def test_by_default_connections_opened_under_load_are_kept(postgresql_url: str) -> None:
    # A busy process needs them again at once: opening a PostgreSQL connection for each
    # request beyond a small pool starts a server process for each.
    assert await _burst(postgresql_url, {}, 8) == (8, 8)


def _check(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("IDEAS_", "DATABASE_URL", "SECRET_KEY"))
    }
    return subprocess.run(
        [sys.executable, "-m", "ideas", "check"],
        env={**base, **TEST_ENVIRON, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_warns_when_the_processes_may_open_more_than_the_server_allows(
    committing_database_url: str, tmp_path: Path
) -> None:
    url = {"DATABASE_URL": committing_database_url}
    fits = _check({**url, "IDEAS_PROCESSES": "4"}, tmp_path)
    too_many = _check({**url, "IDEAS_PROCESSES": "40"}, tmp_path)
    assert fits.returncode == 0, fits.stdout + fits.stderr
    assert too_many.returncode == 0, too_many.stdout + too_many.stderr
    if committing_database_url.startswith("sqlite"):
        assert "connections:" not in fits.stdout + too_many.stdout
        return
    # Without Redis, each process listens for live pages on one connection more.
    assert (
        "connections: ok (4 processes x (15 kept + 0 under load + 1 for live pages) = 64"
        in fits.stdout
    )
    assert "warning" not in fits.stdout
    assert (
        "connections: warning: 40 processes x (15 kept + 0 under load + 1 for live pages) = 640"
        in too_many.stdout
    )
    assert "max_connections (100)" in too_many.stdout


async def test_a_request_that_finds_no_free_connection_answers_503_busy(
    postgresql_url: str,
) -> None:
    import httpx

    from ideas.app import create_app
    from tests.html import Page

    settings = load_settings(
        {
            **TEST_ENVIRON,
            "DATABASE_URL": postgresql_url,
            "IDEAS_DB_POOL_SIZE": "1",
            "IDEAS_DB_MAX_OVERFLOW": "0",
            "IDEAS_DB_POOL_TIMEOUT": "0.2",
        }
    )
    database = Database.from_settings(settings)
    app = create_app(settings, database)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
        ) as client:
            async with database.session() as holding:
                await holding.execute(text("SELECT 1"))  # the only connection, taken
                busy = await client.get("/")
            free = await client.get("/")
    finally:
        await app.state.outages.close()
        await database.dispose()
    assert busy.status_code == 503
    assert int(busy.headers["retry-after"]) > 0
    assert Page(busy).text("main h1") == "The site is very busy"
    assert free.status_code == 200
