"""A migrated, empty database of either kind, dropped afterwards: SQLite in the
test's own temporary folder (one per worker under pytest-xdist), PostgreSQL under a
name of its own.

The migrations run once per test process, into a template; each database is then a
copy of it (a file copy for SQLite, ``CREATE DATABASE … TEMPLATE`` for PostgreSQL),
which takes a few milliseconds where running every migration takes most of a second.
The template is made from this checkout's migrations when the process first needs
one, so it is never older than they are. Data that takes long to make (the
benchmark's generated rounds) is made once per process the same way, into a template
of its own that each test then copies (``filled_database``).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ideas import migrate
from ideas.db import execute_autocommit
from tests.support.environ import IN_CI, POSTGRES_ADMIN_URL

# Each pytest-xdist worker (gw0, gw1, …) makes databases of its own; the name says whose.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
_templates: dict[str, str] = {}
# Templates holding data as well, by kind and name, with what filling them returned.
_filled: dict[tuple[str, str], tuple[str, Any]] = {}
T = TypeVar("T")
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
def new_database(kind: str, folder: Path, *, template: str | None = None) -> Iterator[str]:
    """A migrated, empty database of ``kind`` (sqlite or postgresql); dropped afterwards.
    ``template``: a copy of that one instead (a file for SQLite, a database's name)."""
    if kind == "sqlite":
        path = folder / "ideas-test.db"
        shutil.copyfile(template or _sqlite_template(), path)
        yield f"sqlite:///{path}"
        return
    name = f"ideas_test_{_WORKER}_{secrets.token_hex(6)}"
    _copy(template, name)
    try:
        yield _url_of(name)
    finally:
        _dropping.submit(_drop, name)


def _copy(template: str | None, name: str) -> None:
    """A PostgreSQL database ``name``, a copy of ``template`` (else of the migrated one)."""
    try:
        _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template or _postgresql_template()}"')
    except (TimeoutError, OSError, SQLAlchemyError) as error:
        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@contextlib.contextmanager
def filled_database(
    kind: str, folder: Path, name: str, fill: Callable[[str], Coroutine[Any, Any, T]]
) -> Iterator[tuple[str, T]]:
    """A database of ``kind`` holding what ``fill(url)`` made, and what ``fill`` returned;
    dropped afterwards. ``fill`` runs once per process for each ``name``, into a template
    that each database is then a copy of; it must close every connection it opens (a
    database in use cannot be copied)."""
    if (kind, name) not in _filled:
        if kind == "sqlite":
            kept = Path(tempfile.mkdtemp(prefix="ideas-filled-"))
            atexit.register(shutil.rmtree, kept, True)
            path = kept / "filled.db"
            shutil.copyfile(_sqlite_template(), path)
            made = asyncio.run(fill(f"sqlite:///{path}"))
            assert not path.with_name(path.name + "-wal").exists()
            _filled[kind, name] = (str(path), made)
        else:
            template = f"ideas_filled_{_WORKER}_{secrets.token_hex(6)}"
            _copy(None, template)
            atexit.register(_drop, template)
            made = asyncio.run(fill(_url_of(template)))
            _filled[kind, name] = (template, made)
    template, made = _filled[kind, name]
    with new_database(kind, folder, template=template) as url:
        yield url, made
