"""How the request's sessions close, and objects made from rows of columns (``ideas.db``)."""

from __future__ import annotations

from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import session as asyncio_session
from sqlalchemy.pool import QueuePool

from ideas.accounts.models import User
from ideas.db import Database, after_commit, write
from ideas.submissions.models import Idea, IdeaStatus


@pytest.fixture
def closes_in_a_task(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the coroutines AsyncSession closes in a task of their own."""
    tasks: list[str] = []
    run_to_completion = getattr(asyncio_session, "_run_to_completion")  # noqa: B009

    async def counted(coroutine: Coroutine[Any, Any, Any]) -> Any:
        tasks.append(getattr(coroutine, "__qualname__"))  # noqa: B009
        return await run_to_completion(coroutine)

    monkeypatch.setattr(asyncio_session, "_run_to_completion", counted)
    return tasks


async def test_a_session_on_sqlite_closes_in_place(
    tmp_path: Path, closes_in_a_task: list[str]
) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path / 'ideas.db'}")
    try:
        async with database.read_session() as session:
            async with write(session) as tx:
                await tx.execute(text("CREATE TABLE notes (text TEXT NOT NULL)"))
            assert (await session.scalar(text("SELECT count(*) FROM notes"))) == 0
            kept = Idea(title="in the session")
            session.add(kept)
            # Still reading: the session holds a connection of the pool.
            assert database.bind.sync_engine.pool.checkedout() == 1  # type: ignore[attr-defined]
        # Closed, the write's session and the request's, neither in a task of its own.
        assert closes_in_a_task == []
        assert database.bind.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        assert list(session.sync_session) == []
        assert inspect(kept).transient
    finally:
        await database.dispose()


async def test_a_session_on_sqlite_closes_without_a_greenlet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pool keeps one connection: the other, given back, is closed.
    database = Database.from_url(f"sqlite:///{tmp_path / 'ideas.db'}", pool_size=1, max_overflow=1)
    spawned: list[str] = []
    spawn = getattr(asyncio_session, "greenlet_spawn")  # noqa: B009

    async def counted(function: Any, *args: Any, **kwargs: Any) -> Any:
        spawned.append(getattr(function, "__qualname__", repr(function)))
        return await spawn(function, *args, **kwargs)

    try:
        first, second = database.session(), database.read_session()
        for session in (first, second):
            assert (await session.scalar(text("SELECT 1"))) == 1
        # The driver's connection (``ideas.sqlite``) under the one given back last.
        dropped: Any = (await second.connection()).sync_connection
        dropped = dropped.connection.driver_connection
        monkeypatch.setattr(asyncio_session, "greenlet_spawn", counted)
        await first.close()
        async with second:
            pass
        assert spawned == []
        pool: Any = database.bind.sync_engine.pool
        assert (pool.checkedout(), pool.checkedin()) == (0, 1)
        assert dropped._connection is None  # closed, not left to the garbage collector
    finally:
        await database.dispose()


async def test_a_session_on_postgresql_closes_as_asyncio_sessions_do() -> None:
    # Giving a connection back to the pool goes to the server: cancelled halfway, it
    # would leave the connection in between. Making the sessions connects to nothing.
    database = Database.from_url("postgresql+asyncpg://ideas@127.0.0.1:1/ideas")
    try:
        for session in (database.session(), database.read_session()):
            assert type(session) is AsyncSession
    finally:
        await database.dispose()


def test_an_object_of_columns_holds_them_in_no_session() -> None:
    idea = Idea.of_columns(id=7, title="A bench by the bus stop", status=IdeaStatus.PUBLISHED)
    assert (idea.id, idea.title, idea.status) == (
        7,
        "A bench by the bus stop",
        IdeaStatus.PUBLISHED,
    )
    assert getattr(idea, "slug") is None  # noqa: B009 (not given: nothing to load it from)
    assert inspect(idea).transient
    # Set as loaded, not as changed: nothing for a session to write.
    assert not inspect(idea).modified


def test_a_detached_object_has_its_identity_and_loads_nothing() -> None:
    columns = dict.fromkeys(User.__table__.columns.keys()) | {"id": 3, "display_name": "Priya"}
    user = User.detached(**columns)
    state = inspect(user)
    assert state.detached
    assert state.identity == (3,)
    assert user.display_name == "Priya"
    with pytest.raises(InvalidRequestError):
        _ = user.identities  # not given: never read as empty


# A change of one statement (``write``'s ``alone``) --------------------------------------


PARKS = "INSERT INTO skills (name, key) VALUES ('Parks', 'parks')"


async def _names(database: Database) -> list[str]:
    """The skills' names, read on a connection of their own: what others see committed."""
    async with database.read_session() as session:
        return list((await session.scalars(text("SELECT name FROM skills ORDER BY name"))).all())


async def test_a_change_alone_is_committed_as_it_is_sent_where_reads_take_no_transaction(
    committing_database_url: str,
) -> None:
    """On PostgreSQL the statement commits as it runs, on the request's own session: others
    see it before the block ends, and nothing is left to commit. On SQLite the block is a
    write transaction like any other: others see the change once it ends. Either way the
    block hands its connection back as it ends."""
    database = Database.from_url(committing_database_url)
    postgresql = database.dialect_name == "postgresql"
    try:
        async with database.read_session() as session:
            async with write(session, alone=True) as tx:
                await tx.execute(text(PARKS))
                assert (tx is session) is postgresql
                assert await _names(database) == (["Parks"] if postgresql else [])
            # Its connection is back in the pool: the request makes its answer without one.
            pool = database.bind.sync_engine.pool
            assert isinstance(pool, QueuePool)
            assert pool.checkedout() == 0
            assert await _names(database) == ["Parks"]
    finally:
        await database.dispose()


async def test_what_waits_for_a_change_alone_happens_after_it_and_never_when_it_failed(
    committing_database_url: str,
) -> None:
    database = Database.from_url(committing_database_url)
    heard: list[str] = []
    try:
        async with database.read_session() as session:
            async with write(session, alone=True) as tx:
                await tx.execute(text(PARKS))
                after_commit(tx, lambda: heard.append("parks"))
                assert heard == []
            assert heard == ["parks"]

            async def again() -> None:
                async with write(session, alone=True) as tx:
                    after_commit(tx, lambda: heard.append("again"))
                    await tx.execute(text(PARKS))

            with pytest.raises(IntegrityError):
                await again()
            async with write(session, alone=True) as tx:
                await tx.execute(text("INSERT INTO skills (name, key) VALUES ('Bees', 'bees')"))
            assert heard == ["parks"]
        assert await _names(database) == ["Bees", "Parks"]
    finally:
        await database.dispose()


async def test_a_change_alone_on_another_session_takes_one_that_reads_outside_a_transaction(
    committing_database_url: str,
) -> None:
    """A service called with a session of its own (``ideas worker``, the demo) gets the
    same: on PostgreSQL, a session whose statements commit as they run."""
    database = Database.from_url(committing_database_url)
    try:
        async with database.session() as session, write(session, alone=True) as tx:
            assert tx is not session
            await tx.execute(text(PARKS))
            seen = await _names(database)
        assert seen == (["Parks"] if database.dialect_name == "postgresql" else [])
    finally:
        await database.dispose()
