"""Which errors are database outages (answered 503), and which are not (500, or a
refusal): told apart by SQLite's result codes and PostgreSQL's SQLSTATEs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ideas.outages import Outage, outage_of


def sqlite_error(tmp_path: Path, *statements: str, path: str = ":memory:") -> Exception:
    """The error SQLite really raises for ``statements``, as SQLAlchemy wraps it."""
    try:
        connection = sqlite3.connect(path)
        for statement in statements:
            connection.execute(statement)
    except sqlite3.Error as error:
        return OperationalError(statements[-1] if statements else "connect", {}, error)
    raise AssertionError("no error")


def test_sqlite_errors_that_are_outages(tmp_path: Path) -> None:
    read_only = sqlite_error(tmp_path, "PRAGMA query_only=1", "CREATE TABLE t (x)")
    full = sqlite_error(
        tmp_path,
        "PRAGMA max_page_count=1",
        "CREATE TABLE a (x)",
        "CREATE TABLE b (x)",
    )
    missing = sqlite_error(tmp_path, "SELECT 1", path=str(tmp_path / "missing" / "ideas.db"))
    assert outage_of(read_only) is Outage.READ_ONLY
    assert outage_of(full) is Outage.FULL
    assert outage_of(missing) is Outage.UNREACHABLE


def test_sqlite_errors_that_are_not(tmp_path: Path) -> None:
    syntax = sqlite_error(tmp_path, "SELEKT 1")
    try:
        connection = sqlite3.connect(":memory:")
        connection.execute("CREATE TABLE t (x UNIQUE)")
        connection.execute("INSERT INTO t VALUES (1)")
        connection.execute("INSERT INTO t VALUES (1)")
    except sqlite3.IntegrityError as error:
        duplicate = IntegrityError("INSERT", {}, error)
    assert outage_of(syntax) is None
    assert outage_of(duplicate) is None


@pytest.mark.parametrize(
    ("error", "outage"),
    [
        (asyncpg.exceptions.ReadOnlySQLTransactionError("read-only"), Outage.READ_ONLY),
        (asyncpg.exceptions.AdminShutdownError("shutting down"), Outage.UNREACHABLE),
        (asyncpg.exceptions.CannotConnectNowError("starting up"), Outage.UNREACHABLE),
        (asyncpg.exceptions.ConnectionDoesNotExistError("gone"), Outage.UNREACHABLE),
        (asyncpg.exceptions.DiskFullError("no space"), Outage.FULL),
        (asyncpg.exceptions.TooManyConnectionsError("too many"), Outage.BUSY),
        (ConnectionRefusedError(111, "Connect call failed"), Outage.UNREACHABLE),
        (PoolTimeout("QueuePool limit reached"), Outage.BUSY),
        (asyncpg.exceptions.UniqueViolationError("duplicate"), None),
        (asyncpg.exceptions.UndefinedTableError("no such table"), None),
        (ValueError("a bug"), None),
        (FileNotFoundError(2, "No such file", "static/missing.css"), None),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_postgresql_and_other_errors(error: Exception, outage: Outage | None) -> None:
    assert outage_of(error) is outage
    wrapped = OperationalError("SELECT 1", {}, error)
    assert outage_of(wrapped) is outage
