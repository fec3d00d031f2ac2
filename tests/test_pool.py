"""The connection pool serves the requests waiting for a connection in turn."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ideas.db import create_engine
from ideas.pool import FairPool


@pytest.fixture
async def one_connection(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine whose pool holds a single connection, on either database."""
    engine = create_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=5)
    yield engine
    await engine.dispose()


async def _waiting(engine: AsyncEngine, name: str, served: list[str]) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        served.append(name)


async def _until_waiting(pool: FairPool, count: int) -> None:
    """Until ``count`` tasks wait for the pool's connection."""
    queue = pool._pool
    for _ in range(100):
        waiting = len(queue._waiters) + len(queue._under_way)  # type: ignore[attr-defined]
        if pool.checkedout() == 1 and waiting == count:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{count} tasks never waited")


async def _held_with_two_waiting(
    engine: AsyncEngine, names: tuple[str, str], served: list[str]
) -> tuple[AsyncConnection, list[asyncio.Task[None]]]:
    """The pool's one connection held, and two tasks waiting for it, in the order named."""
    pool = engine.sync_engine.pool
    assert isinstance(pool, FairPool)
    holding = await engine.connect()
    waiting = [asyncio.create_task(_waiting(engine, name, served)) for name in names]
    await _until_waiting(pool, 2)
    return holding, waiting


async def test_a_connection_given_back_goes_to_the_longest_waiter_not_to_whoever_asks_first(
    one_connection: AsyncEngine,
) -> None:
    served: list[str] = []
    holding, (first, second) = await _held_with_two_waiting(
        one_connection, ("first", "second"), served
    )
    go = asyncio.Event()

    async def newcomer() -> None:
        await go.wait()
        await _waiting(one_connection, "newcomer", served)

    # A request that has just begun, due to run before the waiters wake: it asks for a
    # connection the moment one is given back.
    late = asyncio.create_task(newcomer())
    await asyncio.sleep(0)
    go.set()
    await holding.close()
    await asyncio.gather(first, second, late)

    assert served == ["first", "second", "newcomer"]


async def test_a_request_under_way_asking_again_is_served_before_requests_just_begun(
    one_connection: AsyncEngine,
) -> None:
    served: list[str] = []
    holding, (first, second) = await _held_with_two_waiting(
        one_connection, ("first", "second"), served
    )

    # This request gives its connection back (to the first in line) and asks again, as a
    # vote does between its read and its write.
    await holding.close()
    async with one_connection.connect() as again:
        await again.execute(text("SELECT 1"))
        served.append("under way")
    await asyncio.gather(first, second)

    assert served == ["first", "under way", "second"]


async def test_a_waiter_out_of_time_gives_up_and_the_line_goes_on(
    database_url: str,
) -> None:
    engine = create_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    try:
        pool = engine.sync_engine.pool
        assert isinstance(pool, FairPool)
        served: list[str] = []
        holding = await engine.connect()
        with pytest.raises(exc.TimeoutError):
            await engine.connect()
        late = asyncio.create_task(_waiting(engine, "late", served))
        await _until_waiting(pool, 1)

        await holding.close()
        await late

        assert served == ["late"]
        assert pool.checkedin() == 1
    finally:
        await engine.dispose()


async def test_a_cancelled_waiter_leaves_the_line_and_the_connection_goes_to_the_next(
    one_connection: AsyncEngine,
) -> None:
    served: list[str] = []
    holding, (gone, staying) = await _held_with_two_waiting(
        one_connection, ("gone", "staying"), served
    )

    gone.cancel()
    await asyncio.gather(gone, return_exceptions=True)
    await holding.close()
    await staying

    assert served == ["staying"]
    pool = one_connection.sync_engine.pool
    assert isinstance(pool, FairPool)
    assert (pool.checkedout(), pool.checkedin()) == (0, 1)
