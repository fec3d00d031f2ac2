"""SQLite for asyncio, called in place.

SQLite is a library, not a server: a statement by key takes microseconds.
aiosqlite runs each connection on a thread of its own, so every statement is
a trip to that thread and back, and the coroutine waits for its turn on the
busy event loop before it goes on; a write transaction holds SQLite's one
write lock through all of those waits. Here the standard library's sqlite3
is called directly, on the event loop's thread: a statement costs what SQLite
spends on it, and a write transaction holds the lock only as long as it works.

The price is that a statement blocks the loop while it runs, which is why
only SQLite goes this way: writers queue for the write lock before they begin
(``ideas.db.WriteLock``), never inside SQLite's busy handler, and under WAL a
reader never waits for a writer.

SQLAlchemy's asyncio layer drives the connection through its own async
adapter (``sqlalchemy.connectors.asyncio``); the coroutines below finish
without suspending.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any, Literal, cast

from sqlalchemy import pool
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.engine.url import URL

from ideas.pool import FairPool


class _Cursor:
    """A sqlite3 cursor with the coroutine methods of an asyncio DBAPI cursor."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def __aenter__(self) -> _Cursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    async def execute(self, operation: str, parameters: Sequence[Any] = ()) -> _Cursor:
        self._cursor.execute(operation, parameters)
        return self

    async def executemany(self, operation: str, rows: Iterable[Sequence[Any]]) -> _Cursor:
        self._cursor.executemany(operation, rows)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def __aiter__(self) -> AsyncIterator[Any]:
        for row in self._cursor:
            yield row


class _Connection:
    """A sqlite3 connection with the coroutine methods of an asyncio DBAPI connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        # Named as aiosqlite names it: SQLAlchemy's adapter looks for it.
        self._connection: sqlite3.Connection | None = connection

    @property
    def _open(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    @property
    def isolation_level(self) -> str | None:
        return self._open.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: Any) -> None:
        self._open.isolation_level = value

    def cursor(self, *_args: Any, **_kwargs: Any) -> _Cursor:
        return _Cursor(self._open.cursor())

    async def execute(self, operation: str, parameters: Sequence[Any] = ()) -> _Cursor:
        return await self.cursor().execute(operation, parameters)

    def begin(self, *, immediate: bool) -> None:
        """Begin a transaction (``immediate``: taking the write lock at once)."""
        self._open.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._open.create_function(*args, **kwargs)

    async def commit(self) -> None:
        self._open.commit()

    async def rollback(self) -> None:
        self._open.rollback()

    async def close(self) -> None:
        self.close_now()

    def close_now(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class _AdaptedCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's cursor for an asyncio driver, calling sqlite3 in place.

    The adapter awaits each of the driver's coroutines from inside its greenlet,
    a switch to the event loop's side and back for every statement; these
    coroutines finish without suspending, so the cursor calls what they call.
    """

    __slots__ = ()
    # Closing is a call in place too: nothing to await when a result goes back to
    # the asyncio side.
    _awaitable_cursor_close = False

    def execute(self, operation: Any, parameters: Any = None) -> None:
        cursor = cast(_Cursor, self._cursor)._cursor
        try:
            cursor.execute(operation, () if parameters is None else parameters)
            if cursor.description is not None:
                self._rows = collections.deque(cursor.fetchall())
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> None:
        try:
            cast(_Cursor, self._cursor)._cursor.executemany(operation, seq_of_parameters)
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def close(self) -> None:
        self._rows.clear()
        cast(_Cursor, self._cursor)._cursor.close()


class _AdaptedConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    _cursor_cls = _AdaptedCursor

    def commit(self) -> None:
        self._end("commit")

    def rollback(self) -> None:
        self._end("rollback")

    def _end(self, how: Literal["commit", "rollback"]) -> None:
        """Commit or roll back in place, as the adapter would after awaiting it; nothing
        once the connection is closed."""
        connection = cast(_Connection, self._connection)._connection
        if connection is not None:
            try:
                getattr(connection, how)()
            except Exception as error:
                self._handle_exception(error)

    def close(self) -> None:
        """Close in place (a connection the pool does not keep, given back)."""
        cast(_Connection, self._connection).close_now()

    @property
    def isolation_level(self) -> str | None:
        return self._connection.isolation_level  # type: ignore[no-any-return]

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._connection.isolation_level = value


class _DBAPI(AsyncAdapt_aiosqlite_dbapi):
    def __init__(self) -> None:
        # The standard library's module stands for aiosqlite, which re-exports its errors.
        super().__init__(sqlite3, sqlite3)

    def connect(self, *args: Any, **kwargs: Any) -> _AdaptedConnection:
        kwargs["check_same_thread"] = False  # made in the pool, used on the loop's thread
        connection = _Connection(sqlite3.connect(*args, **kwargs))
        # It has the methods SQLAlchemy's adapter calls, not the whole protocol.
        return _AdaptedConnection(self, cast(Any, connection))


class SQLiteDialectInline(SQLiteDialect_aiosqlite):
    driver = "inline"
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> _DBAPI:
        return _DBAPI()

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        if cls._is_url_file_db(url):
            return FairPool
        return pool.StaticPool


dialect = SQLiteDialectInline
