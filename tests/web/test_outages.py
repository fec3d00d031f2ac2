"""A database that cannot do its part answers 503, says why, and logs once.

The SQLite database here is a file of the test's own: it is made read-only
(SQLite's ``query_only``, which fails writes with the same SQLITE_READONLY a
read-only file gives; and a file opened read-only) or full (``max_page_count``
held at the pages it has: SQLITE_FULL) while the site runs, and given back.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from starlette.applications import Starlette

from ideas import migrate
from ideas.app import create_app
from ideas.db import Database
from ideas.settings import load_settings
from ideas.submissions.models import Idea
from tests.factories.accounts import Person
from tests.html import Page
from tests.support.environ import TEST_ENVIRON

UNLIMITED_PAGES = 1_073_741_823


@pytest.fixture
def database_file(tmp_path: Path) -> Path:
    path = tmp_path / "ideas.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
async def database(database_file: Path) -> AsyncIterator[Database]:
    """The site's database: a file of this test's own, where commits are real."""
    database = Database.from_url(f"sqlite:///{database_file}")
    yield database
    await database.dispose()


@pytest.fixture(autouse=True)
async def _stop_watching(app: Starlette) -> AsyncIterator[None]:
    yield
    await app.state.outages.close()


class Storage:
    """What happens to the database file under the running site."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.read_only = False
        self.full = False

    def fill(self) -> None:
        # Give free pages back first, so that nothing new fits anywhere.
        with sqlite3.connect(self.path) as connection:
            connection.execute("VACUUM")
        self.full = True


@pytest.fixture
def storage(database: Database, database_file: Path) -> Storage:
    storage = Storage(database_file)

    @event.listens_for(database.bind.sync_engine, "checkout")
    def _apply(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA query_only={int(storage.read_only)}")
        if storage.full:
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA max_page_count={pages}")
        else:
            cursor.execute(f"PRAGMA max_page_count={UNLIMITED_PAGES}")
        cursor.close()

    return storage


@pytest.fixture
async def round_(make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any) -> Any:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    idea = await make_idea(challenge, await make_user())
    return await sign_in(await make_user()), idea


def outage_log(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "ideas.outages"]


async def comment(person: Person, idea: Idea, body: str = "What about worms?") -> httpx.Response:
    return await person.post(f"/ideas/{idea.id}/comments", {"body": body})


def assert_outage_page(response: httpx.Response, heading: str, says: str) -> None:
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert response.headers["cache-control"] == "no-store"
    page = Page(response)
    assert page.text("main h1") == heading
    assert says in page.text("main")
    assert page.select("link[rel=stylesheet]"), "the page is in the site's look"


async def test_a_read_only_database_answers_503_logs_once_and_recovers(
    round_: Any, storage: Storage, visitor: Person, caplog: pytest.LogCaptureFixture
) -> None:
    person, idea = round_
    caplog.set_level(logging.INFO)
    assert (await comment(person, idea)).status_code == 303

    storage.read_only = True
    refused = [await comment(person, idea) for _ in range(5)]
    ready = await visitor.get("/readyz")
    reading = await visitor.get(f"/ideas/{idea.id}/{idea.slug}")

    for response in refused:
        assert_outage_page(response, "The site is paused for a moment", "accepts no changes")
    assert (ready.status_code, ready.json()["database"]) == (503, "read-only")
    assert reading.status_code == 200, "reading goes on"

    storage.read_only = False
    assert (await visitor.get("/readyz")).status_code == 200
    assert (await comment(person, idea, "Back again")).status_code == 303
    log = outage_log(caplog)
    assert len(log) == 2, log
    assert log[0].startswith("Database outage began (read-only)")
    assert log[1].startswith("Database outage ended (read-only)")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_full_database_answers_503_and_recovers(
    round_: Any, storage: Storage, visitor: Person, caplog: pytest.LogCaptureFixture
) -> None:
    person, idea = round_
    caplog.set_level(logging.INFO)
    storage.fill()
    long = "A long thought about worms. " * 170  # more than a page of 4 KiB

    refused = await comment(person, idea, long)
    ready = await visitor.get("/readyz")

    assert_outage_page(refused, "The site is paused for a moment", "storage is full")
    assert (ready.status_code, ready.json()["database"]) == (503, "full")

    storage.full = False
    assert (await visitor.get("/readyz")).status_code == 200
    assert (await comment(person, idea, long)).status_code == 303
    log = outage_log(caplog)
    assert [line.split(" (")[0] for line in log] == [
        "Database outage began",
        "Database outage ended",
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_database_file_opened_read_only_answers_503(
    database_file: Path, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    idea = await make_idea(challenge, await make_user())
    read_only = Database.from_url(f"sqlite:///file:{database_file}?mode=ro&uri=true")
    app = create_app(load_settings(TEST_ENVIRON), read_only)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
        ) as client:
            ready = await client.get("/readyz")
            page = await client.get(f"/ideas/{idea.id}/{idea.slug}")
    finally:
        await app.state.outages.close()
        await read_only.dispose()
    assert (ready.status_code, ready.json()["database"]) == (503, "read-only")
    assert page.status_code == 200


async def test_an_unreachable_database_answers_503_pages_and_problem_details(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    missing = Database.from_url(f"sqlite:///{tmp_path / 'missing' / 'ideas.db'}")
    app = create_app(load_settings(TEST_ENVIRON), missing)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
        ) as client:
            pages = [await client.get("/") for _ in range(5)]
            fragment = await client.get("/", headers={"HX-Request": "true"})
            api = await client.get("/api/v1/challenges")
            ready = await client.get("/readyz")
    finally:
        await app.state.outages.close()
        await missing.dispose()

    for response in pages:
        assert_outage_page(response, "The site is paused for a moment", "cannot reach its database")
    assert fragment.status_code == 503
    assert fragment.headers["hx-retarget"] == "#main"
    assert api.status_code == 503
    assert api.headers["content-type"] == "application/problem+json"
    assert int(api.headers["retry-after"]) > 0
    problem = api.json()
    assert (problem["status"], problem["title"], problem["outage"]) == (
        503,
        "Service Unavailable",
        "unreachable",
    )
    assert "cannot reach its database" in problem["detail"]
    assert (ready.status_code, ready.json()["database"]) == (503, "unreachable")
    log = outage_log(caplog)
    assert len(log) == 1, log
    assert log[0].startswith("Database outage began (unreachable)")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
