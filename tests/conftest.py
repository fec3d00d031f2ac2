"""Test fixtures: a real database per test session, a rolled-back transaction per test.

Every test that asks for ``database`` runs twice: on SQLite and on PostgreSQL.
The schema is built by the Alembic migrations, never from the models. Without
a reachable PostgreSQL the PostgreSQL runs are skipped with the reason shown,
except under CI=true, where they fail instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from starlette.applications import Starlette

from ideas.accounts import sessions
from ideas.accounts.models import User
from ideas.app import create_app
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.db import Database, create_engine, utcnow
from ideas.settings import Settings, load_settings
from ideas.submissions.models import Idea
from ideas.web.sessions import cookie_name
from tests.factories import challenges, people, submissions
from tests.factories.accounts import Person
from tests.support.databases import new_database
from tests.support.environ import TEST_ENVIRON
from tests.support.parallel import shares_a_module_fixture

# The folder pytest-xdist's workers share (a conftest may not hold a second hook of the
# same name); browser tests acting on loaded pages only.
pytest_plugins = ["tests.support.sites", "tests.support.loaded_pages"]

# Databases -----------------------------------------------------------------


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated, empty database for this test session."""
    with new_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def committing_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database of this test's own, where commits are real: for tests of concurrent
    requests, which need transactions of their own on separate connections."""
    with new_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One connection whose outer transaction is rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


@pytest.fixture
def database(connection: AsyncConnection) -> Database:
    return Database(connection, serialize_writes=True)


@pytest.fixture
async def session(database: Database) -> AsyncIterator[AsyncSession]:
    """A session for arranging data and checking what was saved."""
    async with database.session() as session:
        yield session


# The application -----------------------------------------------------------


@pytest.fixture
def settings() -> Settings:
    return load_settings(TEST_ENVIRON)


@pytest.fixture
def app(settings: Settings, database: Database) -> Starlette:
    return create_app(settings, database)


@pytest.fixture
async def make_client(app: Starlette) -> AsyncIterator[Any]:
    clients: list[httpx.AsyncClient] = []

    def make(raise_app_exceptions: bool = True) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
        client = httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def visitor(make_client: Any) -> Person:
    return Person(client=make_client(), csrf="", user=None)


@pytest.fixture
def sign_in(make_client: Any, session: AsyncSession, settings: Settings) -> Any:
    """``await sign_in(user)`` → a Person with a live session for ``user``."""

    async def sign_in(user: User) -> Person:
        token, web_session = await sessions.start(session, user, now=utcnow(), replacing=None)
        client = make_client()
        client.cookies.set(cookie_name(settings), token)
        return Person(client=client, csrf=web_session.csrf_token, user=user)

    return sign_in


# Factories -----------------------------------------------------------------


@pytest.fixture
def make_user(session: AsyncSession) -> Any:
    counter = iter(range(1, 10_000))

    async def make(name: str | None = None, *, host: bool = False, admin: bool = False) -> User:
        return await people.person(session, next(counter), name=name, host=host, admin=admin)

    return make


@pytest.fixture
def make_challenge(session: AsyncSession) -> Any:
    counter = iter(range(1, 10_000))

    async def make(
        host: User, *, phase: Phase = Phase.IDEAS, title: str | None = None, **settings: Any
    ) -> Challenge:
        """``settings``: any other field of ChallengeInput (tags, vote_budget, …)."""
        return await challenges.challenge(
            session, host, next(counter), phase=phase, title=title, **settings
        )

    return make


@pytest.fixture
def make_idea(session: AsyncSession) -> Any:
    counter = iter(range(1, 10_000))

    async def make(challenge: Challenge, author: User, *, title: str | None = None) -> Idea:
        return await submissions.idea(session, challenge, author, next(counter), title=title)

    return make


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def _drives_a_browser(item: pytest.Item) -> bool:
    return (
        "tests/browser/" in item.path.as_posix() or item.get_closest_marker("browser") is not None
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop running in
    this thread for the rest of the session, where asyncio tests cannot run.
    Among them, first the groups with a site or deployment of their own, the longest
    to run: on several workers the short ones are left to even out the end.

    Coverage does not trace what a browser test calls (``no_cover``): the site runs in a
    server process of its own, which coverage does not follow, and what the test's own
    process runs meanwhile is Playwright's client, which the tracer only slows down."""
    for item in items:
        if _drives_a_browser(item):
            item.add_marker(pytest.mark.no_cover)
    items.sort(
        key=lambda item: (
            _drives_a_browser(item),
            _drives_a_browser(item) and not shares_a_module_fixture(item),
        )
    )
