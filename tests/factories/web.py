"""The application built with other settings than the default, and a client of it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route

from ideas.app import create_app
from ideas.db import Database
from ideas.settings import Settings, load_settings
from ideas.web.sessions import cookie_name
from tests.support.environ import PRODUCTION_ENVIRON, TEST_ENVIRON


@dataclass
class Site:
    """The application built with some settings changed, and a client of it."""

    app: Starlette
    settings: Settings
    client: httpx.AsyncClient

    @property
    def cookie(self) -> str:
        return cookie_name(self.settings)


MakeSite = Callable[..., Site]


@pytest.fixture
async def make_site(database: Database) -> AsyncIterator[MakeSite]:
    """``make_site(IDEAS_ENV="production", ...)`` → a Site on the test's database.

    Production starts from PRODUCTION_ENVIRON, which has the sign-in provider
    production insists on.
    """
    clients: list[httpx.AsyncClient] = []

    def make(
        *,
        base_url: str = "http://127.0.0.1:8000",
        raise_app_exceptions: bool = True,
        **environ: str,
    ) -> Site:
        base = PRODUCTION_ENVIRON if environ.get("IDEAS_ENV") == "production" else TEST_ENVIRON
        settings = load_settings({**base, **environ})
        app = create_app(settings, database)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
        client = httpx.AsyncClient(transport=transport, base_url=base_url)
        clients.append(client)
        return Site(app=app, settings=settings, client=client)

    yield make
    for client in clients:
        await client.aclose()


HTMX = {"HX-Request": "true"}


def routes_of(app: Starlette) -> Iterator[tuple[str, Route]]:
    def walk(table: list[BaseRoute], prefix: str) -> Iterator[tuple[str, Route]]:
        for route in table:
            if isinstance(route, Mount) and route.routes:
                yield from walk(route.routes, prefix + route.path)
            elif isinstance(route, Route):
                yield prefix, route

    return walk(app.routes, "")
