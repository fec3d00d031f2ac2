"""SQLite's writers queue on one lock, across processes as within one.

Two ``WriteLock`` objects on the same file stand for two processes: each opens
the lock file itself, and ``flock`` locks belong to an open file, so they
exclude each other as two processes would. A ``Writer`` opens the file too,
so it queues with the ``WriteLock`` of its own process as with any other.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from ideas.db import WriteLock, Writer


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


# The writer thread -----------------------------------------------------------------


@pytest.fixture
async def writer(tmp_path: Path, lock_path: Path) -> AsyncIterator[Writer]:
    database = tmp_path / "ideas.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE notes (text TEXT NOT NULL)")
    writer = Writer(f"sqlite+aiosqlite:///{database}", lock_path)
    yield writer
    writer.close()


def add(note: str) -> Callable[[Connection], int]:
    def work(connection: Connection) -> int:
        connection.execute(text("INSERT INTO notes VALUES (:note)"), {"note": note})
        return int(connection.scalar(text("SELECT count(*) FROM notes")) or 0)

    return work


def notes(connection: Connection) -> list[str]:
    return list(connection.scalars(text("SELECT text FROM notes ORDER BY rowid")))


async def test_the_writer_commits_what_its_work_wrote(writer: Writer) -> None:
    assert await writer.run(add("first")) == 1
    assert await writer.run(add("second")) == 2

    assert await writer.run(notes) == ["first", "second"]


async def test_the_writer_rolls_back_work_that_raises(writer: Writer) -> None:
    def add_then_fail(connection: Connection) -> None:
        add("half done")(connection)
        raise LookupError("refused")

    with pytest.raises(LookupError):
        await writer.run(add_then_fail)

    assert await writer.run(notes) == []


async def test_the_writer_waits_for_a_write_lock_of_its_own_process(
    writer: Writer, lock_path: Path
) -> None:
    lock = WriteLock(lock_path)
    events: list[str] = []

    async with lock:
        writing = asyncio.create_task(writer.run(add("writer")))
        await asyncio.sleep(0.2)
        events.append("lock still held" if not writing.done() else "writer did not wait")
    await asyncio.wait_for(writing, 5)
    events.append("writer wrote")

    assert events == ["lock still held", "writer wrote"]


async def test_a_write_lock_waits_for_the_writer(writer: Writer, lock_path: Path) -> None:
    lock = WriteLock(lock_path)
    started = asyncio.Event()
    release = asyncio.Event()
    loop = asyncio.get_running_loop()

    def slow(connection: Connection) -> int:
        loop.call_soon_threadsafe(started.set)
        asyncio.run_coroutine_threadsafe(release.wait(), loop).result(5)
        return add("writer")(connection)

    writing = asyncio.create_task(writer.run(slow))
    await asyncio.wait_for(started.wait(), 5)
    locking = asyncio.create_task(lock.__aenter__())
    await asyncio.sleep(0.2)
    assert not locking.done()

    release.set()
    await asyncio.wait_for(writing, 5)
    await asyncio.wait_for(locking, 5)
    await lock.__aexit__(None, None, None)
