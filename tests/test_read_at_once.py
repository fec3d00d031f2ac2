"""Reads at once: on SQLite the lookups every request makes skip aiosqlite's thread.

``Database.read_at_once`` runs a short read on the event loop's own thread
with a plain sqlite3 connection; on PostgreSQL it runs in the request's session.
Either way it sees what was committed when it runs.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import inspect, update
from sqlalchemy.orm import Session

from ideas.accounts.models import User
from ideas.accounts.services import create_user
from ideas.db import Database, utcnow, write


@pytest.fixture
async def database(committing_database_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(committing_database_url)
    try:
        yield database
    finally:
        await database.dispose()


async def a_person(database: Database) -> int:
    async with database.session() as session:
        user = await create_user(
            session,
            display_name="Ada",
            email="ada@example.org",
            provider="test",
            subject="ada",
            now=utcnow(),
        )
        return user.id


async def test_a_read_at_once_runs_on_this_thread_on_sqlite_and_in_the_session_elsewhere(
    database: Database,
) -> None:
    user_id = await a_person(database)
    seen: list[tuple[Session, int]] = []

    def read(reads: Session) -> User | None:
        seen.append((reads, threading.get_ident()))
        return reads.get(User, user_id)

    async with database.read_session() as session:
        user = await database.read_at_once(session, read)

        [(reads, thread)] = seen
        assert user is not None
        assert user.display_name == "Ada"
        if database.dialect_name == "sqlite":
            assert reads is not session.sync_session
            assert thread == threading.get_ident()
            # Its objects are detached, with what was loaded: nothing can load lazily.
            assert inspect(user).detached
        else:
            assert reads is session.sync_session
            assert inspect(user).persistent


async def test_a_read_at_once_sees_each_commit(database: Database) -> None:
    """No read transaction is left open between two reads: the second sees the change."""
    user_id = await a_person(database)

    def name(reads: Session) -> str:
        user = reads.get(User, user_id, populate_existing=True)
        assert user is not None
        return user.display_name

    async with database.read_session() as session:
        assert await database.read_at_once(session, name) == "Ada"
        async with write(session) as tx:
            await tx.execute(update(User).where(User.id == user_id).values(display_name="Ada L."))
        assert await database.read_at_once(session, name) == "Ada L."
