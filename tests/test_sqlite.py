"""SQLite is called in place, on the event loop's thread, whatever driver a URL names.

There is one way to reach it, for the site, the worker, the migrations and
these tests alike (``ideas.sqlite``).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import sqlite
from ideas.db import Database, create_engine, write


@pytest.mark.parametrize("scheme", ["sqlite", "sqlite+aiosqlite", "sqlite+pysqlite"])
async def test_every_sqlite_url_is_served_in_place(tmp_path: Path, scheme: str) -> None:
    engine = create_engine(f"{scheme}:///{tmp_path / 'ideas.db'}")
    try:
        assert engine.dialect.driver == "inline"
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            raw.driver_connection._connection.create_function(  # type: ignore[union-attr]
                "thread_id", 0, threading.get_ident
            )
            ran_on = await connection.scalar(text("SELECT thread_id()"))
        assert ran_on == threading.get_ident()
    finally:
        await engine.dispose()


async def _write_then_fail(session: AsyncSession) -> None:
    async with write(session) as tx:
        await tx.execute(text("INSERT INTO notes VALUES ('half done')"))
        raise LookupError("refused")


async def test_a_write_is_committed_and_a_failed_one_rolled_back(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path / 'ideas.db'}")
    try:
        async with database.session() as session:
            async with write(session) as tx:
                await tx.execute(text("CREATE TABLE notes (text TEXT NOT NULL)"))
            async with write(session) as tx:
                await tx.execute(text("INSERT INTO notes VALUES ('kept')"))
            with pytest.raises(LookupError):
                await _write_then_fail(session)
        async with database.read_session() as session:
            notes = (await session.scalars(text("SELECT text FROM notes"))).all()
        assert notes == ["kept"]
    finally:
        await database.dispose()


def test_the_tests_reach_the_database_as_the_site_does(database: Database) -> None:
    drivers = {"sqlite": "inline", "postgresql": "asyncpg"}
    assert database.bind.dialect.driver == drivers[database.dialect_name]


async def test_statements_and_commits_run_in_place_without_the_drivers_coroutines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The adapter calls sqlite3 itself: awaiting the driver's coroutines from inside
    SQLAlchemy's greenlet would be two switches a statement for nothing."""

    async def awaited(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a driver coroutine was awaited")

    database = Database.from_url(f"sqlite:///{tmp_path / 'ideas.db'}")
    try:
        for name in ("execute", "executemany", "fetchall", "close"):
            monkeypatch.setattr(sqlite._Cursor, name, awaited)
        for name in ("commit", "rollback"):
            monkeypatch.setattr(sqlite._Connection, name, awaited)
        async with database.session() as session:
            async with write(session) as tx:
                await tx.execute(text("CREATE TABLE notes (text TEXT NOT NULL UNIQUE)"))
                await tx.execute(
                    text("INSERT INTO notes VALUES (:text)"), [{"text": "a"}, {"text": "b"}]
                )
            with pytest.raises(IntegrityError):  # the driver's error, as SQLAlchemy's
                async with write(session) as tx:
                    await tx.execute(text("INSERT INTO notes VALUES ('a')"))
        async with database.read_session() as session:
            notes = (await session.scalars(text("SELECT text FROM notes ORDER BY text"))).all()
        assert notes == ["a", "b"]
    finally:
        await database.dispose()


async def test_the_connection_handed_back_last_is_the_next_one_handed_out(tmp_path: Path) -> None:
    """A connection starting a read after another wrote throws its page cache away: the
    pool hands out the one used last, whose cache is the freshest, not the one that has
    waited longest (with every connection in turn, each read found its cache stale)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'ideas.db'}")
    try:
        # Two connections open at once; the block hands back the second, then the first.
        async with engine.connect() as first, engine.connect() as second:
            last_back = (await first.get_raw_connection()).driver_connection
            assert (await second.get_raw_connection()).driver_connection is not last_back
        for _turn in range(3):
            async with engine.connect() as connection:
                raw = await connection.get_raw_connection()
                assert raw.driver_connection is last_back
    finally:
        await engine.dispose()
