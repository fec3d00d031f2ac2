"""Visitors' pages are reused for a moment; nothing personal or unsafe ever is."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ideas import zones
from ideas.accounts import sessions
from ideas.app import create_app
from ideas.challenges.models import Challenge
from ideas.db import Database, utcnow
from ideas.settings import load_settings
from ideas.web.cache import PageCache
from ideas.web.sessions import cookie_name
from tests.html import Page
from tests.support.environ import PRODUCTION_ENVIRON, TEST_ENVIRON


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def cached_site(database: Database, clock: Clock) -> AsyncIterator[Any]:
    """The real site with a 2-second cache on a clock the test moves."""
    settings = load_settings({**TEST_ENVIRON, "IDEAS_PAGE_CACHE_SECONDS": "2"})
    app = create_app(settings, database)
    stack = app.build_middleware_stack()
    cache = stack
    while not isinstance(cache, PageCache):
        cache = cache.app  # type: ignore[attr-defined]
    cache.clock = clock
    app.middleware_stack = stack
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
    ) as client:
        yield client


async def rename(session: AsyncSession, challenge: Challenge, title: str) -> None:
    await session.execute(update(Challenge).where(Challenge.id == challenge.id).values(title=title))
    await session.commit()


async def test_a_visitor_gets_the_same_page_until_it_expires(
    cached_site: httpx.AsyncClient,
    make_user: Any,
    make_challenge: Any,
    session: AsyncSession,
    clock: Clock,
) -> None:
    challenge = await make_challenge(await make_user(host=True), title="Before")
    url = f"/challenges/{challenge.slug}"

    first = await cached_site.get(url)
    await rename(session, challenge, "After")
    again = await cached_site.get(url)
    clock.now += 2.5
    later = await cached_site.get(url)

    assert Page(first).text("h1") == Page(again).text("h1") == "Before"
    assert Page(later).text("h1") == "After"
    assert again.headers["content-security-policy"]  # headers are added to every answer
    assert again.headers["x-request-id"] != first.headers["x-request-id"]


async def test_the_fragment_and_the_page_are_kept_apart(
    cached_site: httpx.AsyncClient, make_user: Any, make_challenge: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    url = f"/challenges/{challenge.slug}"
    page = await cached_site.get(url)
    fragment = await cached_site.get(url, headers={"HX-Request": "true"})
    assert Page(page).select("h1")
    assert not Page(fragment).select("h1")


async def test_visitors_in_other_time_zones_get_pages_of_their_own(
    cached_site: httpx.AsyncClient, make_user: Any, make_challenge: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    url = f"/challenges/{challenge.slug}"

    tokyo = await cached_site.get(url, headers={"Cookie": f"{zones.COOKIE}=Asia/Tokyo"})
    lisbon = await cached_site.get(url, headers={"Cookie": f"{zones.COOKIE}=Europe/Lisbon"})

    assert "Asia/Tokyo" in Page(tokyo).text(".timeline__zones")
    assert "Europe/Lisbon" in Page(lisbon).text(".timeline__zones")


async def test_signed_in_people_always_get_a_fresh_page(
    cached_site: httpx.AsyncClient,
    make_user: Any,
    make_challenge: Any,
    session: AsyncSession,
    settings: Any,
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, title="Before")
    url = f"/challenges/{challenge.slug}"
    token, _ = await sessions.start(session, host, now=utcnow(), replacing=None)
    await cached_site.get(url)  # a visitor fills the cache
    await rename(session, challenge, "After")

    cached_site.cookies.set(cookie_name(settings), token)
    own = await cached_site.get(url)

    assert Page(own).text("h1") == "After"


def _app(clock: Clock, response: Response) -> tuple[PageCache, list[int]]:
    calls: list[int] = []

    async def endpoint(request: Request) -> Response:
        calls.append(1)
        return response

    inner = Starlette(routes=[Route("/thing", endpoint, methods=["GET", "POST"])])
    return PageCache(inner, ttl=2, session_cookie="ideas_session", clock=clock), calls


@pytest.mark.parametrize(
    "response",
    [
        PlainTextResponse("<p>x</p>", media_type="text/html", headers={"Set-Cookie": "a=b"}),
        PlainTextResponse("<p>x</p>", media_type="text/html", status_code=404),
        PlainTextResponse("<p>x</p>", media_type="text/html", headers={"Cache-Control": "private"}),
        PlainTextResponse("a,b", media_type="text/csv"),
    ],
    ids=["sets a cookie", "not found", "private", "a download"],
)
async def test_what_is_not_for_everyone_is_never_kept(clock: Clock, response: Response) -> None:
    cache, calls = _app(clock, response)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=cache), base_url="http://testserver"
    ) as client:
        await client.get("/thing")
        await client.get("/thing")
    assert len(calls) == 2


async def test_posts_are_never_answered_from_the_cache(clock: Clock) -> None:
    cache, calls = _app(clock, PlainTextResponse("<p>x</p>", media_type="text/html"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=cache), base_url="http://testserver"
    ) as client:
        await client.get("/thing")
        await client.post("/thing")
        await client.get("/thing")
    assert len(calls) == 2  # the second GET came from the cache; the POST did not


def test_the_cache_is_on_in_production_and_off_elsewhere() -> None:
    assert load_settings(PRODUCTION_ENVIRON).page_cache_ttl == 2.0
    assert load_settings(TEST_ENVIRON).page_cache_ttl == 0.0
    assert (
        load_settings({**PRODUCTION_ENVIRON, "IDEAS_PAGE_CACHE_SECONDS": "0"}).page_cache_ttl == 0
    )


async def test_a_page_is_made_once_while_many_wait_for_it(clock: Clock) -> None:
    release = asyncio.Event()
    calls: list[int] = []

    async def slow(request: Request) -> Response:
        calls.append(1)
        await release.wait()
        return PlainTextResponse(f"<p>{len(calls)}</p>", media_type="text/html")

    inner = Starlette(routes=[Route("/thing", slow)])
    cache = PageCache(inner, ttl=2, session_cookie="ideas_session", clock=clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=cache), base_url="http://testserver"
    ) as client:
        first = [asyncio.create_task(client.get("/thing")) for _ in range(5)]
        await asyncio.sleep(0.05)
        release.set()
        fresh = await asyncio.gather(*first)
        clock.now += 3  # expired: one request makes it again, the others get the old page
        release.clear()
        again = [asyncio.create_task(client.get("/thing")) for _ in range(5)]
        await asyncio.sleep(0.05)
        stale = [task for task in again if task.done()]
        release.set()
        await asyncio.gather(*again)

    assert {r.text for r in fresh} == {"<p>1</p>"}
    assert len(calls) == 2
    assert len(stale) == 4
    assert {task.result().text for task in stale} == {"<p>1</p>"}
