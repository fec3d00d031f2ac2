"""A migrated, empty database of either kind, dropped afterwards: SQLite in the
test's own temporary folder (one per worker under pytest-xdist), PostgreSQL under a
name of its own."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ideas import migrate
from ideas.db import execute_autocommit
from tests.support.environ import IN_CI, POSTGRES_ADMIN_URL


@contextlib.contextmanager
def new_database(kind: str, folder: Path) -> Iterator[str]:
    """A migrated, empty database of ``kind`` (sqlite or postgresql); dropped afterwards."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'ideas-test.db'}"
        migrate.upgrade(url)
        yield url
        return
    # Each pytest-xdist worker (gw0, gw1, …) makes databases of its own; the name says whose.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"ideas_test_{worker}_{secrets.token_hex(6)}"
    try:
        asyncio.run(execute_autocommit(POSTGRES_ADMIN_URL, f'CREATE DATABASE "{name}"'))
    except (TimeoutError, OSError, SQLAlchemyError) as error:
        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        asyncio.run(
            execute_autocommit(POSTGRES_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        )
