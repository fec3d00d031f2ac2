"""When the database cannot do its part: unreachable, read-only, full or busy.

An outage is not a bug: the site says so with a 503 (``ideas.web.errors``),
logs one line when it begins and one when it ends, and recovers by itself.
``outage_of`` tells an outage from any other error; ``OutageWatch`` keeps
the one log line per outage and, while one lasts, probes the database until
it can write again.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import errno
import logging
import time
from enum import StrEnum

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ideas.db import WRITE_OPTION, Database

logger = logging.getLogger(__name__)


class Outage(StrEnum):
    UNREACHABLE = "unreachable"
    READ_ONLY = "read-only"
    FULL = "full"
    BUSY = "busy"


# SQLite's primary result codes (https://sqlite.org/rescode.html).
SQLITE_OUTAGES = {
    5: Outage.BUSY,  # SQLITE_BUSY
    6: Outage.BUSY,  # SQLITE_LOCKED
    8: Outage.READ_ONLY,  # SQLITE_READONLY
    10: Outage.UNREACHABLE,  # SQLITE_IOERR
    13: Outage.FULL,  # SQLITE_FULL
    14: Outage.UNREACHABLE,  # SQLITE_CANTOPEN
}
# PostgreSQL's SQLSTATEs, by class (the first two characters) or in full.
POSTGRES_OUTAGES = {
    "08": Outage.UNREACHABLE,  # connection exception
    "57P01": Outage.UNREACHABLE,  # admin_shutdown
    "57P02": Outage.UNREACHABLE,  # crash_shutdown
    "57P03": Outage.UNREACHABLE,  # cannot_connect_now (starting up, shutting down)
    "25006": Outage.READ_ONLY,  # read_only_sql_transaction
    "53100": Outage.FULL,  # disk_full
    "53300": Outage.BUSY,  # too_many_connections
}
RETRY_AFTER_SECONDS = {
    Outage.UNREACHABLE: 30,
    Outage.READ_ONLY: 120,
    Outage.FULL: 300,
    Outage.BUSY: 5,
}
PROBE_INTERVAL_SECONDS = 1.0
PROBE_TIMEOUT_SECONDS = 3.0


def _causes(error: BaseException) -> list[BaseException]:
    """The error, what SQLAlchemy wrapped, and what caused either, nearest first."""
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending and len(seen) < 8:
        current = pending.pop(0)
        if current is None or any(current is known for known in seen):
            continue
        seen.append(current)
        pending += [
            getattr(current, "orig", None),
            current.__cause__,
            current.__context__,
        ]
    return seen


def outage_of(error: BaseException) -> Outage | None:
    """What kind of database outage ``error`` shows, or None if it is something else."""
    for cause in _causes(error):
        if isinstance(cause, PoolTimeout):
            return Outage.BUSY
        if isinstance(cause, DBAPIError) and cause.connection_invalidated:
            return Outage.UNREACHABLE
        code = getattr(cause, "sqlite_errorcode", None)
        if isinstance(code, int) and (code & 0xFF) in SQLITE_OUTAGES:
            return SQLITE_OUTAGES[code & 0xFF]
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str):
            found = POSTGRES_OUTAGES.get(state) or POSTGRES_OUTAGES.get(state[:2])
            if found is not None:
                return found
        # SQLite's writers lock a file beside the database (``ideas.db.WriteLock``).
        if isinstance(cause, OSError) and str(cause.filename or "").endswith(".write-lock"):
            if cause.errno == errno.ENOSPC:
                return Outage.FULL
            if cause.errno in {errno.EROFS, errno.EACCES, errno.EPERM}:
                return Outage.READ_ONLY
            return Outage.UNREACHABLE
        # asyncpg raises these itself when it cannot connect at all.
        if isinstance(cause, ConnectionError | TimeoutError):
            return Outage.UNREACHABLE
    return None


async def probe(database: Database) -> Outage | None:
    """Whether the database can read and write now; the outage if not.

    PostgreSQL is asked whether its transactions are read-only. SQLite is asked
    to make a table in a transaction that is rolled back: that needs the file to
    be writable and a free page, so it fails on a read-only or full database.
    """
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
            if database.dialect_name == "postgresql":
                async with database.session() as session:
                    read_only = await session.scalar(text("SHOW transaction_read_only"))
                return Outage.READ_ONLY if read_only == "on" else None
            await database.ping()
            lock = database.write_lock
            async with (
                database.session() as session,
                lock if lock is not None else contextlib.nullcontext(),
            ):
                transaction = await session.begin()
                try:
                    connection = await session.connection(execution_options={WRITE_OPTION: True})
                    await connection.execute(text("CREATE TABLE ideas_write_probe (x INTEGER)"))
                finally:
                    await transaction.rollback()
            return None
    except Exception as error:
        found = outage_of(error)
        if found is None:
            raise
        return found


class OutageWatch:
    """The process's view of the database: fine, or in an outage since when.

    ``saw`` is told of every outage a request meets; the first logs one warning
    and starts a probe that runs until the database can write again, then logs
    one line that it ended. Requests in between log nothing.
    """

    def __init__(self) -> None:
        self.current: Outage | None = None
        self._since = 0.0
        self._prober: asyncio.Task[None] | None = None

    def saw(self, database: Database, outage: Outage, error: BaseException | None = None) -> None:
        if self.current is None:
            self.current = outage
            self._since = time.monotonic()
            # The first line only: SQLAlchemy's message goes on with the whole statement.
            first_line = str(error).strip().partition("\n")[0][:300]
            detail = f": {type(error).__name__}: {first_line}" if error is not None else ""
            logger.warning("Database outage began (%s)%s", outage.value, detail)
        elif outage is not self.current:
            logger.warning("Database outage changed: %s, was %s", outage.value, self.current.value)
            self.current = outage
        if self._prober is None or self._prober.done():
            # A context of its own: the probe is no part of the request that started it
            # (whose id the log would otherwise carry).
            self._prober = asyncio.get_running_loop().create_task(
                self._until_well(database), context=contextvars.Context()
            )

    def well(self) -> None:
        if self.current is not None:
            logger.warning(
                "Database outage ended (%s) after %.1f s",
                self.current.value,
                time.monotonic() - self._since,
            )
            self.current = None

    async def _until_well(self, database: Database) -> None:
        while self.current is not None:
            await asyncio.sleep(PROBE_INTERVAL_SECONDS)
            try:
                found = await probe(database)
            except Exception:  # not an outage we know; the next request will tell
                logger.debug("The database probe failed", exc_info=True)
                continue
            if found is None:
                self.well()
            elif found is not self.current:
                self.saw(database, found)

    async def close(self) -> None:
        if self._prober is not None:
            self._prober.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._prober
