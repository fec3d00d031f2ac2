"""A migrated, empty database of either kind, dropped afterwards."""

from __future__ import annotations

import asyncio
import contextlib
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
    name = f"ideas_test_{secrets.token_hex(6)}"
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
