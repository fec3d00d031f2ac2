"""A migrated, empty database of either kind, dropped afterwards: SQLite in the
test's own temporary folder (one per worker under pytest-xdist), PostgreSQL under a
name of its own.

The migrations run once per test process, into a template; each database is then a
copy of it (a file copy for SQLite, ``CREATE DATABASE … TEMPLATE`` for PostgreSQL),
which takes a few milliseconds where running every migration takes most of a second.
The template is made from this checkout's migrations when the process first needs
one, so it is never older than they are.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ideas import migrate
from ideas.db import execute_autocommit
from tests.support.environ import IN_CI, POSTGRES_ADMIN_URL

# Each pytest-xdist worker (gw0, gw1, …) makes databases of its own; the name says whose.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
_templates: dict[str, str] = {}
# Databases are dropped on a thread of their own while the tests go on (a drop waits for
# the server to write its files away); the process waits for the last one before it ends.
_dropping = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-database")
atexit.register(_dropping.shutdown)


def _url_of(name: str) -> str:
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _admin(statement: str) -> None:
    asyncio.run(execute_autocommit(POSTGRES_ADMIN_URL, statement))


def _drop(name: str) -> None:
    with contextlib.suppress(TimeoutError, OSError, SQLAlchemyError):
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sqlite_template() -> Path:
    if "sqlite" not in _templates:
        folder = Path(tempfile.mkdtemp(prefix="ideas-template-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "template.db"
        migrate.upgrade(f"sqlite:///{path}")
        # Every connection is closed, so the write-ahead log is folded into the file.
        assert not path.with_name(path.name + "-wal").exists()
        _templates["sqlite"] = str(path)
    return Path(_templates["sqlite"])


def _postgresql_template() -> str:
    if "postgresql" not in _templates:
        name = f"ideas_template_{_WORKER}_{secrets.token_hex(6)}"
        _admin(f'CREATE DATABASE "{name}"')
        atexit.register(_drop, name)
        migrate.upgrade(_url_of(name))
        _templates["postgresql"] = name
    return _templates["postgresql"]


@contextlib.contextmanager
def new_database(kind: str, folder: Path) -> Iterator[str]:
    """A migrated, empty database of ``kind`` (sqlite or postgresql); dropped afterwards."""
    if kind == "sqlite":
        path = folder / "ideas-test.db"
        shutil.copyfile(_sqlite_template(), path)
        yield f"sqlite:///{path}"
        return
    name = f"ideas_test_{_WORKER}_{secrets.token_hex(6)}"
    try:
        template = _postgresql_template()
        _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    except (TimeoutError, OSError, SQLAlchemyError) as error:
        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield _url_of(name)
    finally:
        _dropping.submit(_drop, name)
