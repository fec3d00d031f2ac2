"""SQLite's writers queue on one lock, across processes as within one.

Two ``WriteLock`` objects on the same file stand for two processes: each opens
the lock file itself, and ``flock`` locks belong to an open file, so they
exclude each other as two processes would.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from ideas.db import WriteLock


@pytest.fixture
def lock_path(tmp_path: Path) -> Path:
    return tmp_path / "ideas.db.write-lock"


async def test_a_second_process_waits_for_the_first_writer(lock_path: Path) -> None:
    first, second = WriteLock(lock_path), WriteLock(lock_path)
    events: list[str] = []

    async def write_second() -> None:
        async with second:
            events.append("second writes")

    async with first:
        waiting = asyncio.create_task(write_second())
        await asyncio.sleep(0.2)
        events.append("first still writing")
    await asyncio.wait_for(waiting, 5)

    assert events == ["first still writing", "second writes"]


async def test_a_writer_cancelled_while_waiting_leaves_the_lock_free(lock_path: Path) -> None:
    first, second = WriteLock(lock_path), WriteLock(lock_path)

    async def write_second() -> None:
        async with second:
            pytest.fail("the cancelled writer must not write")

    async with first:
        waiting = asyncio.create_task(write_second())
        await asyncio.sleep(0.1)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting

    # The cancelled writer's thread took the lock once the first let go, and gave it
    # back: both can write again.
    async with asyncio.timeout(5):
        async with second:
            pass
        async with first:
            pass
