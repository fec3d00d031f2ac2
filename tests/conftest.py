"""Test fixtures: a real database per test session, a rolled-back transaction per test.

Every test that asks for ``database`` runs twice: on SQLite and on PostgreSQL.
The schema is built by the Alembic migrations, never from the models. Without
a reachable PostgreSQL the PostgreSQL runs are skipped with the reason shown,
except under CI=true, where they fail instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from starlette.applications import Starlette

from ideas import migrate
from ideas.accounts import sessions
from ideas.accounts.models import User
from ideas.accounts.services import create_user
from ideas.app import create_app
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase, Schedule
from ideas.challenges.services import create_challenge
from ideas.db import Database, create_engine, execute_autocommit, utcnow
from ideas.settings import Settings, load_settings
from ideas.submissions.forms import IdeaInput
from ideas.submissions.models import Idea
from ideas.submissions.services import post_idea
from ideas.web.sessions import cookie_name

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_ADMIN_URL = os.environ.get(
    "IDEAS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
TEST_ENVIRON = {"IDEAS_ENV": "test", "SECRET_KEY": "t" * 40, "IDEAS_TIMEZONE": "UTC"}
# Production needs its public origin and a sign-in provider; this one is never
# contacted by these tests.
PRODUCTION_ENVIRON = {
    **TEST_ENVIRON,
    "IDEAS_ENV": "production",
    "IDEAS_BASE_URL": "https://ideas.example.org",
    "GITHUB_CLIENT_ID": "test-client",
    "GITHUB_CLIENT_SECRET": "test-secret",
}


# Databases -----------------------------------------------------------------


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


@dataclass
class Person:
    """Someone using the site through an HTTP client; ``csrf`` is their form token."""

    client: httpx.AsyncClient
    csrf: str
    user: User | None

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(url, **kwargs)

    async def post(
        self, url: str, data: dict[str, str] | None = None, *, csrf: bool = True, **kwargs: Any
    ) -> httpx.Response:
        form = dict(data or {})
        if csrf and self.csrf:
            form.setdefault("csrf_token", self.csrf)
        return await self.client.post(url, data=form, **kwargs)


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
        n = next(counter)
        return await create_user(
            session,
            display_name=name or f"Person {n}",
            email=f"person{n}@example.org",
            provider="test",
            subject=f"subject-{n}-{secrets.token_hex(4)}",
            is_host=host,
            is_admin=admin,
            now=utcnow(),
        )

    return make


def schedule_for(phase: Phase, now: datetime) -> Schedule:
    """A schedule that puts a challenge in ``phase`` at ``now``, with later phases ahead."""
    day = timedelta(days=1)
    offsets = {  # days from now at which ideas, review, teams and closed start
        Phase.DRAFT: (2, 4, 6, 8),
        Phase.IDEAS: (-1, 4, 6, 8),
        Phase.REVIEW: (-3, -1, 6, 8),
        Phase.TEAMS: (-5, -3, -1, 8),
        Phase.CLOSED: (-7, -5, -3, -1),
    }[phase]
    return Schedule(*(now + offset * day for offset in offsets))


@pytest.fixture
def make_challenge(session: AsyncSession) -> Any:
    counter = iter(range(1, 10_000))

    async def make(
        host: User, *, phase: Phase = Phase.IDEAS, title: str | None = None, **settings: Any
    ) -> Challenge:
        """``settings``: any other field of ChallengeInput (tags, vote_budget, …)."""
        n = next(counter)
        now = utcnow()
        challenge = await create_challenge(
            session,
            host_id=host.id,
            data=ChallengeInput(
                title=title or f"Challenge {n}",
                slug=f"challenge-{n}",
                question=f"How might we do thing {n}?",
                sponsor="",
                brief="",
                schedule=schedule_for(phase, now),
                **settings,
            ),
            now=now - timedelta(days=30),
        )
        return challenge

    return make


@pytest.fixture
def make_idea(session: AsyncSession) -> Any:
    counter = iter(range(1, 10_000))

    async def make(challenge: Challenge, author: User, *, title: str | None = None) -> Idea:
        n = next(counter)
        return await post_idea(
            session,
            challenge_id=challenge.id,
            author_id=author.id,
            data=IdeaInput(title=title or f"Idea {n}", summary=f"Summary of idea {n}.", body=""),
            now=utcnow(),
        )

    return make


async def count(session: AsyncSession, model: type[Any]) -> int:
    """How many rows of ``model`` are saved (read fresh, outside any cached state)."""
    from sqlalchemy import func

    await session.commit()
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture(scope="session")
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop running in
    this thread for the rest of the session, where asyncio tests cannot run."""
    items.sort(
        key=lambda item: (
            "tests/browser/" in item.path.as_posix()
            or item.get_closest_marker("browser") is not None
        )
    )
