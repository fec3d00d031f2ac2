"""Backups of the site's database, taken while it runs, and their restore.

SQLite is copied through its online backup API: the copy is one read
transaction, so it is the database as it was at one moment, and under WAL the
site's writers go on meanwhile. Copying the file instead would miss what is
still in the write-ahead log, or catch a page half written.

PostgreSQL is dumped by ``pg_dump`` in its custom format (one snapshot, the
site goes on) and read back by ``pg_restore``, in one transaction. Both come
with Debian's ``postgresql-client``; their major version must be at least the
server's.

A restore goes into an empty database unless ``force`` is given, then brings
the schema up to the newest migration, so a backup of an older version opens in
this one.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Connection, make_url

from ideas import migrate
from ideas.db import Database

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# Alembic's own table says which migration ran, not what people made.
BOOKKEEPING_TABLES = frozenset({"alembic_version"})


class BackupError(Exception):
    """The backup or restore could not be made; the message says why."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("Only a SQLite database in a file can be backed up or restored.")
    return Path(url.database)


def backup(database_url: str, path: Path) -> None:
    """Write a consistent copy of the database at ``database_url`` to ``path``.

    The copy is written beside ``path`` first and moved into place when whole,
    so an interrupted backup never leaves a file that looks like one.
    """
    url = make_url(database_url)
    path = path.resolve()
    if not path.parent.is_dir():
        raise BackupError(f"There is no folder {path.parent} to write the backup in.")
    partial = path.with_name(f".{path.name}.partial")
    try:
        if url.get_backend_name() == "sqlite":
            _backup_sqlite(_sqlite_path(url), partial)
        else:
            _run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file"],
                url,
                str(partial),
            )
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _backup_sqlite(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"There is no database at {source}.")
    target.unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as origin:
        origin.execute("PRAGMA busy_timeout=5000")
        with closing(sqlite3.connect(target)) as copy:
            # All pages in one step: one read transaction, one moment of the database.
            origin.backup(copy)
            # The backup is one self-contained file, without a write-ahead log beside it.
            copy.execute("PRAGMA journal_mode=DELETE")


def restore(database_url: str, path: Path, *, force: bool = False) -> None:
    """Load the backup at ``path`` into the database at ``database_url``, then migrate.

    Refused when the database already holds data, unless ``force``: then what is
    there is replaced.
    """
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}.")
    with path.open("rb") as file:
        start = file.read(len(SQLITE_MAGIC))
    url = make_url(database_url)
    sqlite = url.get_backend_name() == "sqlite"
    if sqlite and not start.startswith(SQLITE_MAGIC):
        raise BackupError(f"{path} is not a backup of a SQLite database.")
    if not sqlite and not start.startswith(PG_DUMP_MAGIC):
        raise BackupError(f"{path} is not a backup of a PostgreSQL database (pg_dump -Fc).")
    tables, filled = asyncio.run(_contents(database_url)) if _exists(url) else ([], [])
    if filled and not force:
        raise BackupError(
            f"The database already holds data (in {', '.join(filled[:5])}"
            f"{' and more' if len(filled) > 5 else ''}); restore into an empty database, "
            "or add --force to replace what is there."
        )
    if sqlite:
        _restore_sqlite(path, _sqlite_path(url))
    else:
        # Tables already there (a migrated, empty database, or --force) make way.
        clean = ["--clean", "--if-exists"] if tables else []
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *clean,
                "--dbname",
            ],
            url,
            str(path),
        )
    migrate.upgrade(database_url)


def _exists(url: URL) -> bool:
    return url.get_backend_name() != "sqlite" or _sqlite_path(url).is_file()


def _restore_sqlite(backup_file: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(f"{backup_file.as_uri()}?mode=ro", uri=True)) as copy:
        problem = copy.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise BackupError(f"{backup_file} is damaged: {problem}")
        with closing(sqlite3.connect(target)) as database:
            database.execute("PRAGMA busy_timeout=5000")
            copy.backup(database)
            database.execute("PRAGMA journal_mode=WAL")


async def _contents(database_url: str) -> tuple[list[str], list[str]]:
    """The database's tables, and those of them that hold at least one row."""
    database = Database.from_url(database_url, pool_size=1, max_overflow=0)

    def names(connection: Connection) -> list[str]:
        return sorted(set(inspect(connection).get_table_names()) - BOOKKEEPING_TABLES)

    try:
        async with database.session() as session:
            connection = await session.connection()
            tables = await connection.run_sync(names)
            filled = []
            for name in tables:
                quoted = connection.dialect.identifier_preparer.quote(name)
                row = await connection.execute(text(f"SELECT 1 FROM {quoted} LIMIT 1"))  # noqa: S608 - a table name from the catalogue, quoted
                if row.first() is not None:
                    filled.append(name)
            return tables, filled
    finally:
        await database.dispose()


def _run(command: list[str], url: URL, target: str) -> None:
    """Run a PostgreSQL client with the database's address; the password goes in
    the environment, where other users of the machine cannot read it."""
    program = command[0]
    if shutil.which(program) is None:
        raise BackupError(
            f"{program} is not installed; it comes with PostgreSQL's client programs "
            "(apt-get install postgresql-client)."
        )
    environ = dict(os.environ)
    address: list[str] = []
    if url.host:
        address += ["--host", url.host]
    if url.port:
        address += ["--port", str(url.port)]
    if url.username:
        address += ["--username", url.username]
    if url.password is not None:
        environ["PGPASSWORD"] = str(url.password)
    database = url.database or ""
    if command[-1] == "--dbname":
        arguments = [*command, database, *address, "--no-password", target]
    else:
        arguments = [*command, target, *address, "--no-password", database]
    done = subprocess.run(arguments, env=environ, capture_output=True, text=True, check=False)  # noqa: S603 - fixed programs, arguments as a list
    if done.returncode != 0:
        raise BackupError(f"{program} failed: {done.stderr.strip() or done.returncode}")
