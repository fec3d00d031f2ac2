"""SQLite's writers queue on one lock, across processes as within one.

Two ``WriteLock`` objects on the same file stand for two processes: each opens
the lock file itself, and ``flock`` locks belong to an open file, so they
exclude each other as two processes would.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import time
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


async def test_a_waiting_writer_does_not_hold_the_lock_until_it_can_write(
    lock_path: Path,
) -> None:
    """The waiter learns in a thread that the lock is free and takes it on the loop:
    another process can take the lock in between, and the waiter then waits again."""
    first, second = WriteLock(lock_path), WriteLock(lock_path)
    wrote = asyncio.Event()

    async def write_second() -> None:
        async with second:
            wrote.set()

    async with first:
        waiting = asyncio.create_task(write_second())
        await asyncio.sleep(0.1)
    # A third process, not on this event loop, takes the lock as soon as it is free,
    # while the loop (blocked here) cannot resume the waiter.
    other = os.open(lock_path, os.O_RDWR)
    try:
        deadline = time.monotonic() + 2
        while True:
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    pytest.fail("the waiting writer held the lock while it waited for the loop")
                time.sleep(0.001)  # noqa: ASYNC251 - the loop must not run meanwhile
        await asyncio.sleep(0.2)
        assert not wrote.is_set()
    finally:
        os.close(other)
    await asyncio.wait_for(waiting, 5)
    assert wrote.is_set()
