"""Database access: the declarative base, the engine and the write transaction.

Reads happen in the request's session; every state change goes through
``write(session)``, which is one transaction. That is the one way to write,
on SQLite as on PostgreSQL.

SQLite is reached through the standard library's driver, called in place on
the event loop's thread (``ideas.sqlite``): a statement costs what SQLite
spends on it, with no trip to another thread. SQLite allows one writer at a
time; writers queue for it on ``WriteLock``, in the process and across
processes, before they begin, so no statement ever waits inside SQLite's
busy handler (which would block the loop), and a write transaction holds
SQLite's lock only while it works.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import json
import os
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Self, TypeVar, TypeVarTuple, overload
from uuid import uuid4

from sqlalchemy import BindParameter, DateTime, Integer, MetaData, Text, event, text
from sqlalchemy.dialects import registry
from sqlalchemy.engine import Connection, Dialect, Engine, Row, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapper, Session
from sqlalchemy.orm.base import instance_state, manager_of_class
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import TypedReturnsRows, _OffsetLimitParam
from sqlalchemy.types import TypeDecorator

from ideas.pool import FairPool

if TYPE_CHECKING:
    from ideas.live.hub import Hub
    from ideas.notifications.mail import MailSetup
    from ideas.settings import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    @classmethod
    def of_columns(cls, **values: Any) -> Self:
        """An object holding ``values``, in no session, made as the ORM's loading makes
        one: without the constructor's event for each attribute it sets. For what a
        statement of columns read and a page or ``policy`` only reads; an attribute
        not given reads as None."""
        made: Self = manager_of_class(cls).new_instance()
        made.__dict__.update(values)
        return made

    @classmethod
    def detached(cls, **values: Any) -> Self:
        """As ``of_columns``, given every column, with the object's identity: detached, as
        a session that loaded it and closed leaves it. A session it is added to takes it
        as loaded, and a relationship not given raises rather than reads as empty."""
        made = cls.of_columns(**values)
        state = instance_state(made)
        mapper = state.mapper
        key = tuple([values[name] for name in _primary_key_names(mapper)])
        state.key = mapper.identity_key_from_primary_key(key)
        return made


@functools.cache
def _primary_key_names(mapper: Mapper[Any]) -> tuple[str, ...]:
    """The names of the attributes holding a mapped class's primary key: the mapper's own
    way to the key (``identity_key_from_instance``) reads them back through the object's
    state, two fifths of what ``Base.detached`` cost."""
    return tuple(mapper.get_property_by_column(column).key for column in mapper.primary_key)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class _Rows(TypeDecorator[tuple[tuple[Any, ...], ...]]):
    """A JSON array of arrays, read as a tuple of tuples (which a row may be unique by)."""

    impl = Text
    cache_ok = True

    def process_result_value(
        self, value: str | None, dialect: Dialect
    ) -> tuple[tuple[Any, ...], ...]:
        return tuple(map(tuple, json.loads(value))) if value else ()


class json_rows(FunctionElement[tuple[tuple[Any, ...], ...]]):
    """The rows a correlated select finds, as one JSON array of arrays of ``columns``:
    the few rows that belong to each row of a list (an idea's tags) read with it, in
    its query, not by another. Read as a tuple of tuples, in no order (SQLite keeps
    none in its aggregates): the caller sorts. Empty for none."""

    type = _Rows()
    inherit_cache = True


@compiles(json_rows, "sqlite")
def _json_rows_sqlite(element: json_rows, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


@compiles(json_rows, "postgresql")
def _json_rows_postgresql(element: json_rows, compiler: SQLCompiler, **kw: Any) -> str:
    # json_agg of no rows is NULL, not an empty array.
    columns = compiler.process(element.clauses, **kw)
    return f"coalesce(json_agg(json_build_array({columns})), '[]'::json)::text"


class _Limit(BindParameter[int]):
    """A LIMIT given as each execution's parameter (``limit_parameter``)."""

    inherit_cache = True


# On PostgreSQL a LIMIT (or OFFSET) is written into the statement, not sent beside it.
# As a parameter, a prepared statement's generic plan guesses a tenth of the rows for
# it and costs itself far above a plan made for 21 rows, so PostgreSQL planned the
# statement anew at every execution: for a challenge's page of ideas, 1-2 ms of its CPU
# against 0.5 ms to run it. Written in, the plan is made once per connection. The
# compiled statement stays cached as one; the number is put in as each execution is
# sent, which costs Python about 1.6% of a page: SQLite, which plans no differently
# for a number, keeps the parameter.
@compiles(_OffsetLimitParam, "postgresql")
@compiles(_Limit, "postgresql")
def _limit_written_in(element: BindParameter[int], compiler: SQLCompiler, **kw: Any) -> str:
    kw["literal_execute"] = True
    return str(compiler.visit_bindparam(element, **kw))  # type: ignore[no-untyped-call]


def limit_parameter(name: str = "limit") -> BindParameter[int]:
    """A LIMIT given as each execution's parameter ``name``: written into the statement
    on PostgreSQL, as a number's is (above)."""
    return _Limit(name, type_=Integer)


WRITE_OPTION = "ideas_write"
AFTER_COMMIT = "ideas_after_commit"
READ_OPTION = "ideas_read"


def utcnow() -> datetime:
    return datetime.now(UTC)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin,
        # so that SAVEPOINT and transactional DDL behave.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A write transaction takes SQLite's write lock at once, waiting up to the busy
        # timeout for another process to finish; a plain BEGIN would fail with "database
        # is locked" when it first writes after reading, if another process wrote meanwhile.
        options = connection.get_execution_options()
        if options.get(READ_OPTION):
            # A request's reads: each statement is its own read transaction, as on
            # PostgreSQL under READ COMMITTED, without the BEGIN and ROLLBACK.
            return
        # Sent by the driver itself (``ideas.sqlite``), as sqlite3 sends its own BEGIN: through
        # SQLAlchemy's execution it cost what a whole statement costs, inside the write lock.
        connection.connection.driver_connection.begin(immediate=bool(options.get(WRITE_OPTION)))


registry.register("sqlite.inline", "ideas.sqlite", "dialect")


def _unique_statement_name() -> str:
    return f"__asyncpg_{uuid4().hex}__"


def pgbouncer_connect_args() -> dict[str, Any]:
    """What asyncpg needs behind PgBouncer in transaction pooling mode.

    PgBouncer hands each transaction whichever server connection is free, so a
    statement prepared on one may be looked for on another. Neither SQLAlchemy's
    cache of prepared statements nor asyncpg's own is kept, and every statement
    gets a name of its own, so two clients sharing a server connection never
    ask for the same name (SQLAlchemy's documented way: "Prepared Statement
    Name with PGBouncer").
    """
    return {
        "statement_cache_size": 0,
        "prepared_statement_cache_size": 0,
        "prepared_statement_name_func": _unique_statement_name,
    }


def create_engine(url: str, *, pgbouncer: bool = False, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        # Whatever driver the URL names, SQLite is called in place (``ideas.sqlite``).
        url = make_url(url).set(drivername="sqlite+inline").render_as_string(hide_password=False)
        kwargs.setdefault("pool_size", 20)
        kwargs.setdefault("max_overflow", 20)
        # The connection handed back last goes out next. One that starts a read after
        # another connection wrote throws its page cache away; taken in turn, every
        # connection was stale, and a request's read and write often took two of them.
        kwargs.setdefault("pool_use_lifo", True)
        engine = create_async_engine(url, **kwargs)
        _configure_sqlite(engine.sync_engine)
        return engine
    # Connections are kept once opened, up to pool_size; any beyond it (max_overflow) are
    # closed when handed back. The site passes its budget (``Settings.pool_options``).
    kwargs.setdefault("pool_size", 15)
    kwargs.setdefault("max_overflow", 0)
    if pgbouncer:
        kwargs["connect_args"] = {**kwargs.get("connect_args", {}), **pgbouncer_connect_args()}
    # No ping before each checkout: it is a round trip on every request. A connection
    # that died with a server restart fails its next statement once; SQLAlchemy then
    # sees the disconnect and replaces the whole pool.
    return create_async_engine(url, poolclass=FairPool, **kwargs)


class WriteLock:
    """SQLite's one writer at a time, as a queue rather than a busy loop.

    In a process, writers queue on an ``asyncio.Lock``. Across processes (the
    site's workers, ``ideas worker``) the one holding it also holds an exclusive
    ``flock`` on a file beside the database. A writer that finds it taken waits
    in a thread for the kernel to say it is free, then tries again on the
    loop: it never holds the lock while it waits for the loop to come round.
    Left to SQLite, a waiting writer would sleep and retry (1, 2, 5, 10 ms ...)
    inside a statement, blocking the event loop all that time.
    """

    def __init__(self, path: Path | None) -> None:
        self._in_process = asyncio.Lock()
        self._path = path
        self._fd: int | None = None

    async def __aenter__(self) -> None:
        await self._in_process.acquire()
        if self._path is None:
            return
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fd = self._fd
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return  # it was free: no need to wait in a thread
        except BlockingIOError:
            pass  # another process writes: wait below
        except BaseException:
            self._in_process.release()
            raise
        try:
            while True:
                await asyncio.to_thread(_wait_until_free, self._path)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    continue  # taken again meanwhile
        except BaseException:
            self._in_process.release()
            raise

    async def __aexit__(self, *_exc: object) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._in_process.release()


def _lock_file(url: str) -> Path | None:
    """The file beside a SQLite database that its writers lock; None in memory."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(f"{database}.write-lock")


class _InPlaceSession(AsyncSession):
    """A session on SQLite, which closes in place.

    AsyncSession closes in a task of its own, shielded from cancellation, so
    that giving a connection back to its pool cannot stop halfway. SQLite is
    called in place (``ideas.sqlite``): closing never suspends, so nothing can
    interrupt it, and the task would only cost a turn of the event loop, with
    the connection held until the loop comes round to it. Nor does closing need
    the greenlet that lets SQLAlchemy's synchronous side await the driver: the
    rollback that gives a connection back, and closing one the pool does not
    keep, are calls in place too.
    """

    async def close(self) -> None:
        self.sync_session.close()

    async def __aexit__(self, type_: Any, value: Any, traceback: Any) -> None:
        await self.close()


class Database:
    """The engine, a session factory and, for SQLite, the write lock.

    It also carries what services that queue e-mail need (``mail``) and where live
    events go (``live``), reached through ``session.info["database"]``: whoever
    opens the database (the app, ``ideas worker``, a test) sets them; None, the
    default, queues no e-mail and tells no open page.
    """

    def __init__(
        self,
        bind: AsyncEngine | AsyncConnection,
        *,
        serialize_writes: bool,
        lock_file: Path | None = None,
        pgbouncer: bool = False,
    ) -> None:
        self.bind = bind
        self.write_lock: WriteLock | None = WriteLock(lock_file) if serialize_writes else None
        self.mail: MailSetup | None = None
        # Where changes are told to open pages (``ideas.live``); None tells nobody.
        self.live: Hub | None = None
        options: dict[str, Any] = {"expire_on_commit": False, "autoflush": False}
        if isinstance(bind, AsyncConnection):
            # Tests: every commit becomes a savepoint release inside the test's
            # own transaction, which is rolled back afterwards. Closing a session then
            # rolls back to its savepoint, a statement, which needs SQLAlchemy's
            # greenlet: such sessions close as AsyncSession does.
            options["join_transaction_mode"] = "create_savepoint"
        elif bind.dialect.name == "sqlite":
            options["class_"] = _InPlaceSession
        self.sessionmaker: async_sessionmaker[AsyncSession] = async_sessionmaker(bind, **options)
        self.read_sessionmaker = self.sessionmaker
        # Where a statement sent outside a transaction commits by itself (``write``'s
        # ``alone``): the connection the requests read on, when they read so.
        self.autocommit_bind: AsyncEngine | None = None
        if isinstance(bind, AsyncEngine):
            # Under READ COMMITTED each statement sees what was committed when it began,
            # inside a transaction or not: a request's reads gain nothing from BEGIN and
            # ROLLBACK but two round trips. Its writes go through ``write``. Behind
            # PgBouncer they do: a statement is prepared and then run in two steps,
            # which only a transaction keeps on the same server connection.
            if bind.dialect.name == "postgresql" and not pgbouncer:
                reads = self.autocommit_bind = bind.execution_options(isolation_level="AUTOCOMMIT")
            else:
                reads = bind.execution_options(**{READ_OPTION: True})
            self.read_sessionmaker = async_sessionmaker(reads, **options)

    @classmethod
    def from_url(cls, url: str, *, pgbouncer: bool = False, **kwargs: Any) -> Database:
        """``pgbouncer``: PostgreSQL is reached through PgBouncer in transaction pooling mode."""
        sqlite = url.startswith("sqlite")
        lock_file = _lock_file(url) if sqlite else None
        pgbouncer = pgbouncer and not sqlite
        return cls(
            create_engine(url, pgbouncer=pgbouncer, **kwargs),
            serialize_writes=sqlite,
            lock_file=lock_file,
            pgbouncer=pgbouncer,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """The site's database, with the connection budget its settings give."""
        return cls.from_url(
            settings.effective_database_url,
            pgbouncer=settings.db_pgbouncer,
            **settings.pool_options,
        )

    @property
    def dialect_name(self) -> str:
        return self.bind.dialect.name

    def session(self) -> AsyncSession:
        session = self.sessionmaker()
        session.info["database"] = self
        return session

    def read_session(self) -> AsyncSession:
        """A web request's session: for reading; ``write(session)`` makes its changes."""
        session = self.read_sessionmaker()
        session.info["database"] = self
        return session

    async def ping(self) -> None:
        async with self.session() as session:
            await session.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        if isinstance(self.bind, AsyncEngine):
            await self.bind.dispose()


async def server_connection_limit(database: Database) -> int | None:
    """PostgreSQL's ``max_connections``; None on SQLite, which has no such limit."""
    if database.dialect_name != "postgresql":
        return None
    async with database.session() as session:
        return int((await session.execute(text("SHOW max_connections"))).scalar_one())


_T = TypeVar("_T")
_Ts = TypeVarTuple("_Ts")
_P = ParamSpec("_P")


@overload
async def rows_of(
    session: AsyncSession,
    statement: TypedReturnsRows[*_Ts],
    params: Mapping[str, Any] | None = None,
) -> Sequence[Row[*_Ts]]: ...


@overload
async def rows_of(
    session: AsyncSession, statement: Executable, params: Mapping[str, Any] | None = None
) -> Sequence[Row[*tuple[Any, ...]]]: ...


async def rows_of(
    session: AsyncSession, statement: Executable, params: Mapping[str, Any] | None = None
) -> Sequence[Row[*tuple[Any, ...]]]:
    """The rows of ``statement``, a select of columns (not of objects), in the session's
    transaction: what ``(await session.execute(statement, params)).all()`` gives, without
    the ORM's work for each statement, which is for statements that load objects. On the
    challenge page that work cost more than SQLite spent on its small reads."""

    def run(sync_session: Session) -> Sequence[Row[*tuple[Any, ...]]]:
        # The sessions here never flush on their own (autoflush is off), so the session
        # has nothing to send first that the ORM's execute would.
        return sync_session.connection().execute(statement, params).all()

    return await session.run_sync(run)


async def on_connection(
    session: AsyncSession,
    function: Callable[Concatenate[Connection, _P], _T],
    *args: _P.args,
    **kwargs: _P.kwargs,
) -> _T:
    """``function(connection, *args, **kwargs)`` on the session's connection, in its
    transaction: what ``(await session.connection()).run_sync(function, ...)`` does,
    without making an asyncio proxy of the connection for each call."""

    def run(sync_session: Session) -> _T:
        return function(sync_session.connection(), *args, **kwargs)

    return await session.run_sync(run)


def _begin_writing(sync_session: Session) -> None:
    sync_session.connection(execution_options={WRITE_OPTION: True})


async def end_reads(session: AsyncSession) -> None:
    """End the request's read transaction before it writes: what it reads next is then
    fresh, and its connection goes back to the pool while it waits for the write lock
    (the writer holding that lock may need a connection from the same pool)."""
    if session.in_transaction():
        await session.commit()


@contextlib.asynccontextmanager
async def write(session: AsyncSession, *, alone: bool = False) -> AsyncIterator[AsyncSession]:
    """One write transaction, in a session of its own; commits when the block ends.

    ``session`` is the request's reading session. Its read transaction is ended
    first, so the write and anything read after it see fresh data. The write
    gets its own session so that a rollback cannot expire the objects the
    request has already loaded (templates would then trigger queries).
    Services therefore pass ids, not loaded objects, into the transaction.

    ``alone``: the block's change is one statement, whole by itself (it may read
    before it). Where the requests read outside a transaction (PostgreSQL, not
    behind PgBouncer) it is sent the same way, on the request's own connection:
    PostgreSQL runs a statement sent so in a transaction of its own and commits
    it, so the change needs no BEGIN and no COMMIT, two round trips, nor a second
    connection. Elsewhere the block is a write transaction like any other.
    """
    database: Database = session.info["database"]
    if alone and database.autocommit_bind is not None:
        # On the request's session when it reads so, else on a session that does. What
        # waited for the commit happens once the block has run, never when it failed:
        # a statement that fails changes nothing. Either way the connection goes back
        # to the pool as the block ends, as a write's does: the request has its answer
        # to make, and needs none for that (held, it kept others waiting for one).
        own = session.bind is not database.autocommit_bind
        alone_session = database.read_session() if own else session
        try:
            yield alone_session
        except BaseException:
            alone_session.info.pop(AFTER_COMMIT, None)
            raise
        finally:
            if own:
                await alone_session.close()
        if not own:
            await end_reads(alone_session)
        for callback in alone_session.info.pop(AFTER_COMMIT, ()):
            callback()
        return
    await end_reads(session)
    lock = database.write_lock
    # The lock is held from BEGIN to COMMIT only: the session closes, and hands its
    # connection back to the pool, after the next writer may go on.
    async with database.session() as transaction, lock or contextlib.nullcontext():
        # Its first use begins the session's transaction: BEGIN, on a connection that
        # writes (``WRITE_OPTION``).
        await transaction.run_sync(_begin_writing)
        try:
            yield transaction
        except BaseException:
            await transaction.rollback()
            raise
        await transaction.commit()
    # Committed: what waited for it (``after_commit``) happens now, and never after
    # a rollback, which leaves the block above by its exception.
    for callback in transaction.info.pop(AFTER_COMMIT, ()):
        callback()


def after_commit(transaction: AsyncSession, callback: Callable[[], None]) -> None:
    """Call ``callback`` once the write transaction ``transaction`` has committed."""
    transaction.info.setdefault(AFTER_COMMIT, []).append(callback)


async def execute_autocommit(url: str, statement: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args=_timeout(url))
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _timeout(url: str) -> dict[str, Any]:
    return {"timeout": 5} if url.startswith("postgresql") else {}


def _wait_until_free(path: Path) -> None:
    """Block (in a thread) until nobody holds the write lock at ``path``.

    The lock is taken and given back at once: held while the writer waits for
    the event loop to resume it, it would keep every other process from
    writing all that time. The file is opened anew, so that this lock is
    apart from the one the writer takes, also if the writer was cancelled and
    another of this process took the lock meanwhile.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    finally:
        os.close(fd)  # closing gives the lock back
