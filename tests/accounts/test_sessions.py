"""Server-side sessions: renewed at sign-in, gone at sign-out, idle ones expire."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User, UserStatus, WebSession
from ideas.accounts.services import DEVELOPMENT_PROVIDER, create_user
from ideas.accounts.sessions import hash_token
from ideas.app import create_app
from ideas.db import Database, utcnow
from ideas.settings import load_settings
from ideas.web.sessions import cookie_name
from tests.conftest import TEST_ENVIRON, count
from tests.html import Page


@pytest.fixture
async def dev_client(database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the site running in development, where the persona sign-in exists."""
    app = create_app(load_settings({**TEST_ENVIRON, "IDEAS_ENV": "development"}), database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
    ) as client:
        yield client


@pytest.fixture
async def persona(session: AsyncSession) -> User:
    return await create_user(
        session,
        display_name="Priya Natarajan",
        email="priya@example.org",
        provider=DEVELOPMENT_PROVIDER,
        subject="priya",
        now=utcnow(),
    )


async def _csrf_from_sign_in_page(client: httpx.AsyncClient) -> str:
    """The token htmx sends with every request, from the body of the sign-in page."""
    page = Page(await client.get("/sign-in"))
    headers = json.loads(page.one("body").get("hx-headers:inherited"))
    return str(headers["X-CSRF-Token"])


async def _signed_in_name(client: httpx.AsyncClient) -> str | None:
    page = Page(await client.get("/"))
    found = page.select(".account-nav .who")
    return " ".join(found[0].text_content().split()) if found else None


async def test_development_sign_in_acts_as_a_persona_and_renews_the_session(
    dev_client: httpx.AsyncClient, persona: User, session: AsyncSession
) -> None:
    csrf = await _csrf_from_sign_in_page(dev_client)
    before = dev_client.cookies["ideas_session"]

    response = await dev_client.post(
        "/dev/sign-in",
        data={"csrf_token": csrf, "user_id": str(persona.id), "next": "/challenges/x"},
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/challenges/x"
    after = dev_client.cookies["ideas_session"]
    assert after != before
    assert await session.get(WebSession, hash_token(before)) is None
    stored = await session.get(WebSession, hash_token(after))
    assert stored is not None
    assert stored.user_id == persona.id
    assert await session.get(WebSession, after) is None  # only the hash is stored
    assert await _signed_in_name(dev_client) == "PN Priya Natarajan"


@pytest.mark.parametrize(
    "target", ["//evil.example", "https://evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
async def test_next_after_sign_in_never_leaves_the_site(
    dev_client: httpx.AsyncClient, persona: User, target: str
) -> None:
    csrf = await _csrf_from_sign_in_page(dev_client)
    response = await dev_client.post(
        "/dev/sign-in", data={"csrf_token": csrf, "user_id": str(persona.id), "next": target}
    )
    assert response.headers["location"] == "/"


async def test_development_sign_in_refuses_someone_who_is_not_a_persona(
    dev_client: httpx.AsyncClient, make_user: Any, session: AsyncSession
) -> None:
    stranger = await make_user()
    csrf = await _csrf_from_sign_in_page(dev_client)
    sessions_before = await count(session, WebSession)

    response = await dev_client.post(
        "/dev/sign-in", data={"csrf_token": csrf, "user_id": str(stranger.id)}
    )

    assert response.status_code == 400
    assert await count(session, WebSession) == sessions_before
    assert await _signed_in_name(dev_client) is None


@pytest.mark.parametrize("environment", ["test", "production"])
async def test_development_sign_in_does_not_exist_outside_development(
    database: Database, persona: User, environment: str, sign_in: Any, make_user: Any
) -> None:
    settings = load_settings({**TEST_ENVIRON, "IDEAS_ENV": environment})
    app = create_app(settings, database)
    someone = await sign_in(await make_user())
    cookies = {cookie_name(settings): someone.client.cookies["ideas_session"]}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000", cookies=cookies
    ) as client:
        response = await client.post(
            "/dev/sign-in", data={"csrf_token": someone.csrf, "user_id": str(persona.id)}
        )
        page = Page(await client.get("/sign-in"))
    assert response.status_code == 404
    assert page.select("form[action='/dev/sign-in']") == []


async def test_sign_out_ends_the_session_so_a_copied_cookie_stops_working(
    make_user: Any, sign_in: Any, make_client: Any, session: AsyncSession
) -> None:
    priya = await sign_in(await make_user("Priya"))
    cookie = priya.client.cookies["ideas_session"]
    copy = make_client()
    copy.cookies.set("ideas_session", cookie)
    assert await _signed_in_name(copy) == "P Priya"

    response = await priya.post("/sign-out")

    assert response.status_code == 303
    assert await session.get(WebSession, hash_token(cookie)) is None
    assert await _signed_in_name(copy) is None
    assert await _signed_in_name(priya.client) is None


async def test_an_idle_session_expires(make_user: Any, sign_in: Any, session: AsyncSession) -> None:
    priya = await sign_in(await make_user("Priya"))
    token = priya.client.cookies["ideas_session"]
    long_ago = utcnow() - timedelta(days=15)
    async with session.begin():
        await session.execute(update(WebSession).values(last_seen_at=long_ago))

    assert await _signed_in_name(priya.client) is None
    assert await session.get(WebSession, hash_token(token), populate_existing=True) is None


async def test_an_active_session_slides_its_expiry(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya = await sign_in(await make_user("Priya"))
    a_while_ago = utcnow() - timedelta(days=1)
    async with session.begin():
        await session.execute(update(WebSession).values(last_seen_at=a_while_ago))

    response = await priya.get("/")

    assert "ideas_session=" in response.headers["set-cookie"]
    stored = (await session.scalars(select(WebSession))).one()
    await session.refresh(stored)
    assert stored.last_seen_at > a_while_ago + timedelta(hours=23)


async def test_a_suspended_persons_session_stops_working_at_once(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    user = await make_user("Priya")
    priya = await sign_in(user)
    async with session.begin():
        await session.execute(
            update(User).where(User.id == user.id).values(status=UserStatus.SUSPENDED)
        )

    assert await _signed_in_name(priya.client) is None
    assert await count(session, WebSession) == 0


async def test_the_cookie_is_httponly_and_lax_and_secure_in_production(
    database: Database, persona: User
) -> None:
    for environment, name, secure in [
        ("development", "ideas_session", False),
        ("production", "__Host-ideas_session", True),
    ]:
        app = create_app(load_settings({**TEST_ENVIRON, "IDEAS_ENV": environment}), database)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://127.0.0.1"
        ) as client:
            response = await client.get("/sign-in")
        if environment == "production":
            # No persona sign-in in production: a visitor needs no session there.
            assert "set-cookie" not in response.headers
            continue
        header = response.headers["set-cookie"]
        assert header.startswith(f"{name}=")
        assert "HttpOnly" in header
        assert "SameSite=Lax" in header
        assert ("Secure" in header) is secure
