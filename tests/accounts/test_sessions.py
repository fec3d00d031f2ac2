"""Server-side sessions: renewed at sign-in, gone at sign-out, idle or suspended ones end.

The cookie holds only a random token; the database keeps its hash. The
development sign-in (act as a demo persona) exists only in development.
"""

from __future__ import annotations

import json
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.routing import Route

from ideas.accounts import sessions
from ideas.accounts import views as accounts_views
from ideas.accounts.models import User, UserStatus, WebSession
from ideas.accounts.services import DEVELOPMENT_PROVIDER, create_user
from ideas.accounts.sessions import hash_token
from ideas.db import utcnow
from ideas.routes import routes
from ideas.settings import load_settings
from tests.factories.accounts import Person
from tests.factories.queries import count
from tests.factories.web import MakeSite, Site
from tests.html import Page
from tests.support.environ import PRODUCTION_ENVIRON, TEST_ENVIRON

# Helpers ------------------------------------------------------------------------


async def signed_in_name(client: httpx.AsyncClient) -> str | None:
    """Who the site's header says is signed in, or None when it offers to sign in."""
    page = Page(await client.get("/"))
    who = page.select(".account-nav .who")
    if who:
        return " ".join(who[0].text_content().split())
    assert page.text(".account-nav a[href='/sign-in']") == "Sign in"
    return None


def cookie_attributes(response: httpx.Response, name: str) -> dict[str, str]:
    """The Set-Cookie attributes for ``name`` (lower-cased keys), with its value as ``value``."""
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(headers) == 1, response.headers.get_list("set-cookie")
    parts = [part.strip() for part in headers[0].split(";")]
    attributes = {"value": parts[0].partition("=")[2]}
    for part in parts[1:]:
        key, _, value = part.partition("=")
        attributes[key.lower()] = value or "set"
    return attributes


async def sessions_of(session: AsyncSession, user: User) -> int:
    await session.commit()
    query = select(func.count()).select_from(WebSession).where(WebSession.user_id == user.id)
    return int(await session.scalar(query) or 0)


async def live_session(session: AsyncSession, user: User, *, idle_for: timedelta) -> str:
    """A session for ``user`` last seen ``idle_for`` ago; returns the cookie's token."""
    token, _ = await sessions.start(session, user, now=utcnow() - idle_for, replacing=None)
    return token


# The development sign-in ----------------------------------------------------------


@pytest.fixture
def dev(make_site: MakeSite) -> Site:
    """The site running in development, where the persona sign-in exists."""
    return make_site(IDEAS_ENV="development")


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


async def csrf_from_sign_in_page(client: httpx.AsyncClient) -> str:
    """The token htmx sends with every request, from the body of the sign-in page."""
    page = Page(await client.get("/sign-in"))
    headers = json.loads(page.one("body").get("data-hx-headers:inherited"))
    return str(headers["X-CSRF-Token"])


async def test_development_sign_in_acts_as_a_persona(
    dev: Site, persona: User, session: AsyncSession
) -> None:
    csrf = await csrf_from_sign_in_page(dev.client)

    response = await dev.client.post(
        "/dev/sign-in",
        data={"csrf_token": csrf, "user_id": str(persona.id), "next": "/challenges/x"},
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/challenges/x"
    assert await signed_in_name(dev.client) == "PN Priya Natarajan"
    assert await sessions_of(session, persona) == 1


async def test_signing_in_renews_the_session_id_and_deletes_the_old_one(
    dev: Site, persona: User, session: AsyncSession
) -> None:
    csrf = await csrf_from_sign_in_page(dev.client)
    before = dev.client.cookies[dev.cookie]
    assert await session.get(WebSession, hash_token(before)) is not None

    await dev.client.post("/dev/sign-in", data={"csrf_token": csrf, "user_id": str(persona.id)})

    after = dev.client.cookies[dev.cookie]
    assert after != before
    assert await session.get(WebSession, hash_token(before), populate_existing=True) is None
    renewed = await session.get(WebSession, hash_token(after))
    assert renewed is not None
    assert renewed.user_id == persona.id
    assert renewed.csrf_token != csrf


async def test_a_session_id_fixed_before_sign_in_signs_nobody_in(dev: Site, persona: User) -> None:
    """An attacker who planted a cookie before sign-in holds a dead one afterwards."""
    csrf = await csrf_from_sign_in_page(dev.client)
    planted = dev.client.cookies[dev.cookie]
    await dev.client.post("/dev/sign-in", data={"csrf_token": csrf, "user_id": str(persona.id)})

    attacker = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=dev.app), base_url="http://127.0.0.1:8000"
    )
    async with attacker:
        attacker.cookies.set(dev.cookie, planted)
        assert await signed_in_name(attacker) is None
        refused = await attacker.post("/sign-out", data={"csrf_token": csrf})
    assert refused.status_code == 403


async def test_development_sign_in_needs_the_csrf_token(
    dev: Site, persona: User, session: AsyncSession
) -> None:
    await dev.client.get("/sign-in")  # a session exists, but the form's token is missing

    response = await dev.client.post("/dev/sign-in", data={"user_id": str(persona.id)})

    assert response.status_code == 403
    assert await sessions_of(session, persona) == 0
    assert await signed_in_name(dev.client) is None


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "https://evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
    ],
)
async def test_next_after_sign_in_never_leaves_the_site(
    dev: Site, persona: User, target: str
) -> None:
    csrf = await csrf_from_sign_in_page(dev.client)
    response = await dev.client.post(
        "/dev/sign-in", data={"csrf_token": csrf, "user_id": str(persona.id), "next": target}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil"])
async def test_the_sign_in_page_sends_a_signed_in_person_only_to_this_site(
    make_user: Any, sign_in: Any, target: str
) -> None:
    priya = await sign_in(await make_user("Priya"))
    response = await priya.get("/sign-in", params={"next": target})
    assert response.status_code == 303
    assert response.headers["location"] == "/"


@pytest.mark.parametrize(
    ("given", "kept"), [("/challenges/food", "/challenges/food"), ("https://evil.example", "/")]
)
async def test_the_sign_in_page_carries_next_only_when_it_is_on_this_site(
    dev: Site, persona: User, given: str, kept: str
) -> None:
    page = Page(await dev.client.get("/sign-in", params={"next": given}))
    values = {field.get("value") for field in page.select("form input[name=next]")}
    assert values == {kept}


async def test_development_sign_in_refuses_someone_who_is_not_a_persona(
    dev: Site, make_user: Any, session: AsyncSession
) -> None:
    stranger = await make_user()
    csrf = await csrf_from_sign_in_page(dev.client)

    response = await dev.client.post(
        "/dev/sign-in", data={"csrf_token": csrf, "user_id": str(stranger.id)}
    )

    assert response.status_code == 400
    assert await sessions_of(session, stranger) == 0
    assert await signed_in_name(dev.client) is None


async def test_development_sign_in_refuses_a_suspended_persona(
    dev: Site, persona: User, session: AsyncSession
) -> None:
    async with session.begin():
        await session.execute(
            update(User).where(User.id == persona.id).values(status=UserStatus.SUSPENDED)
        )
    csrf = await csrf_from_sign_in_page(dev.client)

    response = await dev.client.post(
        "/dev/sign-in", data={"csrf_token": csrf, "user_id": str(persona.id)}
    )

    assert response.status_code == 400
    assert await sessions_of(session, persona) == 0


@pytest.mark.parametrize("environment", ["test", "production"])
async def test_development_sign_in_does_not_exist_outside_development(
    make_site: MakeSite,
    persona: User,
    environment: str,
    session: AsyncSession,
) -> None:
    site = make_site(IDEAS_ENV=environment, base_url="https://127.0.0.1")
    someone = await create_user(
        session, display_name="Someone", email=None, provider="test", subject="s", now=utcnow()
    )
    token, web_session = await sessions.start(session, someone, now=utcnow(), replacing=None)
    site.client.cookies.set(site.cookie, token)

    response = await site.client.post(
        "/dev/sign-in", data={"csrf_token": web_session.csrf_token, "user_id": str(persona.id)}
    )
    page = Page(await site.client.get("/sign-in"))

    assert response.status_code == 404
    assert await sessions_of(session, persona) == 0
    assert page.select("form[action='/dev/sign-in']") == []


@pytest.mark.parametrize("environment", ["test", "production"])
def test_outside_development_there_is_no_route_to_the_development_sign_in(
    environment: str,
) -> None:
    environ = PRODUCTION_ENVIRON if environment == "production" else TEST_ENVIRON
    table = routes(load_settings(environ))
    assert "dev.sign_in" not in {getattr(route, "name", None) for route in table}
    assert "/dev/sign-in" not in {getattr(route, "path", None) for route in table}


async def test_the_development_sign_in_refuses_by_itself_outside_development(
    make_site: MakeSite, persona: User, session: AsyncSession
) -> None:
    """A second lock: even if a route led to it, the view answers 404 outside development."""
    site = make_site(IDEAS_ENV="production", base_url="https://127.0.0.1")
    site.app.router.routes.insert(
        0, Route("/dev/sign-in", accounts_views.development_sign_in, methods=["POST"])
    )
    token, web_session = await sessions.start(session, None, now=utcnow(), replacing=None)
    site.client.cookies.set(site.cookie, token)

    response = await site.client.post(
        "/dev/sign-in", data={"csrf_token": web_session.csrf_token, "user_id": str(persona.id)}
    )

    assert response.status_code == 404
    assert await sessions_of(session, persona) == 0


# Sign-out, expiry, suspension ------------------------------------------------------


async def test_sign_out_deletes_the_session_so_a_copied_cookie_stops_working(
    make_user: Any, sign_in: Any, make_client: Any, session: AsyncSession
) -> None:
    priya = await sign_in(await make_user("Priya"))
    cookie = priya.client.cookies["ideas_session"]
    copy = make_client()
    copy.cookies.set("ideas_session", cookie)
    assert await signed_in_name(copy) == "P Priya"

    response = await priya.post("/sign-out")

    assert response.status_code == 303
    assert cookie_attributes(response, "ideas_session")["max-age"] == "0"
    assert await session.get(WebSession, hash_token(cookie), populate_existing=True) is None
    assert await signed_in_name(copy) is None
    assert await signed_in_name(priya.client) is None


async def test_sign_out_needs_the_csrf_token(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    """Otherwise another site could sign people out."""
    priya = await sign_in(await make_user("Priya"))
    response = await priya.post("/sign-out", csrf=False)
    assert response.status_code == 403
    assert await count(session, WebSession) == 1
    assert await signed_in_name(priya.client) == "P Priya"


async def test_a_session_idle_longer_than_the_setting_is_refused_and_deleted(
    make_site: MakeSite, make_user: Any, session: AsyncSession
) -> None:
    site = make_site(IDEAS_SESSION_IDLE_MINUTES="30")
    user = await make_user("Priya")
    token = await live_session(session, user, idle_for=timedelta(minutes=31))
    site.client.cookies.set(site.cookie, token)

    response = await site.client.get("/")

    assert Page(response).select(".account-nav .who") == []
    assert cookie_attributes(response, site.cookie)["max-age"] == "0"
    assert await session.get(WebSession, hash_token(token)) is None


async def test_a_session_idle_for_less_than_the_setting_still_works(
    make_site: MakeSite, make_user: Any, session: AsyncSession
) -> None:
    site = make_site(IDEAS_SESSION_IDLE_MINUTES="30")
    user = await make_user("Priya")
    site.client.cookies.set(
        site.cookie, await live_session(session, user, idle_for=timedelta(minutes=29))
    )
    assert await signed_in_name(site.client) == "P Priya"


async def test_an_active_session_slides_its_expiry(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya = await sign_in(await make_user("Priya"))
    a_while_ago = utcnow() - timedelta(days=1)
    async with session.begin():
        await session.execute(update(WebSession).values(last_seen_at=a_while_ago))

    response = await priya.get("/")

    assert int(cookie_attributes(response, "ideas_session")["max-age"]) == 14 * 24 * 60 * 60
    stored = (await session.scalars(select(WebSession))).one()
    await session.refresh(stored)
    assert stored.last_seen_at > a_while_ago + timedelta(hours=23)


async def test_an_unknown_session_cookie_signs_nobody_in_and_is_cleared(
    visitor: Person,
) -> None:
    visitor.client.cookies.set("ideas_session", "made-up-token")
    response = await visitor.get("/")
    assert Page(response).select(".account-nav .who") == []
    assert cookie_attributes(response, "ideas_session")["max-age"] == "0"


@pytest.mark.parametrize("mode", ["no-cors", "cors", "same-origin"])
async def test_a_cookie_replaced_by_signing_in_is_not_forgotten_by_a_picture_or_fragment(
    visitor: Person, mode: str
) -> None:
    # A picture or a fragment asked for with the cookie of the session that signing in
    # replaces, answered after the sign-in: the browser must keep the new cookie.
    visitor.client.cookies.set("ideas_session", "replaced-by-signing-in")
    response = await visitor.get("/", headers={"Sec-Fetch-Mode": mode})
    assert Page(response).select(".account-nav .who") == []
    assert "ideas_session=" not in response.headers.get("set-cookie", "")

    navigating = await visitor.get("/", headers={"Sec-Fetch-Mode": "navigate"})
    assert cookie_attributes(navigating, "ideas_session")["max-age"] == "0"


@pytest.mark.parametrize("status", [UserStatus.SUSPENDED, UserStatus.DELETED])
async def test_a_suspended_or_deleted_persons_session_stops_working_at_once(
    make_user: Any, sign_in: Any, session: AsyncSession, status: UserStatus
) -> None:
    user = await make_user("Priya")
    priya = await sign_in(user)
    assert await signed_in_name(priya.client) == "P Priya"
    async with session.begin():
        await session.execute(update(User).where(User.id == user.id).values(status=status))

    response = await priya.post(
        "/challenges/new", {"title": "Anything", "question": "How might we?"}
    )

    assert response.status_code == 403
    assert await signed_in_name(priya.client) is None
    assert await sessions_of(session, user) == 0


# The cookie and what is stored ---------------------------------------------------------


async def test_the_cookie_is_httponly_and_lax_without_secure_in_development(
    dev: Site, persona: User
) -> None:
    response = await dev.client.get("/sign-in")
    cookie = cookie_attributes(response, "ideas_session")
    assert cookie["httponly"] == "set"
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert "secure" not in cookie
    assert "domain" not in cookie
    assert int(cookie["max-age"]) == 14 * 24 * 60 * 60


async def test_in_production_the_cookie_is_a_secure_host_cookie(
    make_site: MakeSite, make_user: Any, session: AsyncSession
) -> None:
    site = make_site(IDEAS_ENV="production", base_url="https://127.0.0.1")
    assert site.cookie == "__Host-ideas_session"
    user = await make_user("Priya")
    token, web_session = await sessions.start(
        session, user, now=utcnow() - timedelta(hours=1), replacing=None
    )
    site.client.cookies.set("__Host-ideas_session", token)

    refreshed = await site.client.get("/")  # an hour idle: the cookie is sent again
    signed_out = await site.client.post("/sign-out", data={"csrf_token": web_session.csrf_token})

    for response in (refreshed, signed_out):
        cookie = cookie_attributes(response, "__Host-ideas_session")
        assert cookie["secure"] == "set"
        assert cookie["httponly"] == "set"
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/"
        assert "domain" not in cookie
    assert cookie_attributes(refreshed, "__Host-ideas_session")["value"] == token
    assert cookie_attributes(signed_out, "__Host-ideas_session")["value"] == ""


async def test_in_production_a_cookie_without_the_host_prefix_is_ignored(
    make_site: MakeSite, make_user: Any, session: AsyncSession
) -> None:
    site = make_site(IDEAS_ENV="production", base_url="https://127.0.0.1")
    token = await live_session(session, await make_user("Priya"), idle_for=timedelta(0))
    site.client.cookies.set("ideas_session", token)
    assert await signed_in_name(site.client) is None


async def test_the_database_keeps_a_hash_of_the_token_never_the_token(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya = await sign_in(await make_user("Priya"))
    token = priya.client.cookies["ideas_session"]
    assert len(token) >= 43  # 32 random bytes

    stored = (await session.scalars(select(WebSession))).one()

    assert stored.id == hash_token(token)
    assert stored.id != token
    assert token not in {stored.id, stored.csrf_token}
    assert await session.get(WebSession, token) is None


def test_each_new_session_gets_its_own_random_token() -> None:
    tokens = {sessions.new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(SimpleCookie(f"c={token}")["c"].value == token for token in tokens)


# A session's lifetime -------------------------------------------------------------------


async def session_started(
    session: AsyncSession, user: User, *, ago: timedelta, user_agent: str = ""
) -> str:
    """A session for ``user`` started ``ago`` and used a minute ago; the cookie's token."""
    token, web_session = await sessions.start(
        session, user, now=utcnow() - ago, replacing=None, user_agent=user_agent
    )
    async with session.begin():
        await session.execute(
            update(WebSession)
            .where(WebSession.id == web_session.id)
            .values(last_seen_at=utcnow() - timedelta(minutes=1))
        )
    return token


@pytest.mark.parametrize("age", [timedelta(days=30, minutes=1), timedelta(days=400)])
async def test_a_session_ends_thirty_days_after_sign_in_however_much_it_is_used(
    make_site: MakeSite, make_user: Any, session: AsyncSession, age: timedelta
) -> None:
    site = make_site()
    user = await make_user("Priya")
    token = await session_started(session, user, ago=age)
    site.client.cookies.set(site.cookie, token)

    response = await site.client.get("/")

    assert Page(response).select(".account-nav .who") == []
    assert cookie_attributes(response, site.cookie)["max-age"] == "0"
    assert await session.get(WebSession, hash_token(token)) is None


async def test_the_lifetime_of_sessions_is_a_setting(
    make_site: MakeSite, make_user: Any, session: AsyncSession
) -> None:
    site = make_site(IDEAS_SESSION_MAX_AGE_DAYS="2")
    user = await make_user("Priya")
    young = await session_started(session, user, ago=timedelta(days=1, hours=23))
    old = await session_started(session, user, ago=timedelta(days=2, minutes=1))

    site.client.cookies.set(site.cookie, young)
    assert await signed_in_name(site.client) == "P Priya"
    site.client.cookies.set(site.cookie, old)
    assert await signed_in_name(site.client) is None


async def test_the_cookie_does_not_outlive_the_session(
    make_site: MakeSite, make_user: Any, session: AsyncSession
) -> None:
    site = make_site()
    user = await make_user("Priya")
    token, web_session = await sessions.start(
        session, user, now=utcnow() - timedelta(days=29, hours=12), replacing=None
    )
    async with session.begin():
        await session.execute(
            update(WebSession)
            .where(WebSession.id == web_session.id)
            .values(last_seen_at=utcnow() - timedelta(minutes=10))
        )
    site.client.cookies.set(site.cookie, token)

    response = await site.client.get("/")  # seen a while ago: the expiry slides

    max_age = int(cookie_attributes(response, site.cookie)["max-age"])
    assert 12 * 3600 - 60 <= max_age <= 12 * 3600


# One's sessions on the settings page ----------------------------------------------------

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)


@pytest.mark.parametrize(
    ("user_agent", "device"),
    [
        (FIREFOX_LINUX, "Firefox on Linux"),
        (CHROME_ANDROID, "Chrome on Android"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Safari/605.1.15",
            "Safari on macOS",
        ),
        ("curl/8.5.0", "An unknown browser"),
        ("", "An unknown browser"),
    ],
)
def test_a_session_is_described_by_its_browser_coarsely(user_agent: str, device: str) -> None:
    assert sessions.describe_device(user_agent) == device


async def test_sign_in_keeps_the_browsers_description(
    dev: Site, persona: User, session: AsyncSession
) -> None:
    csrf = await csrf_from_sign_in_page(dev.client)

    await dev.client.post(
        "/dev/sign-in",
        data={"csrf_token": csrf, "user_id": str(persona.id)},
        headers={"User-Agent": FIREFOX_LINUX},
    )

    stored = (
        await session.scalars(select(WebSession).where(WebSession.user_id == persona.id))
    ).one()
    assert stored.user_agent == FIREFOX_LINUX


@pytest.fixture
async def two_devices(make_site: MakeSite, make_user: Any, session: AsyncSession) -> Any:
    """Priya signed in on a laptop (the client at hand) and on a phone; Tomas elsewhere."""
    site = make_site()
    priya = await make_user("Priya")
    laptop = await session_started(session, priya, ago=timedelta(days=3), user_agent=FIREFOX_LINUX)
    phone = await session_started(session, priya, ago=timedelta(days=1), user_agent=CHROME_ANDROID)
    tomas = await session_started(
        session, await make_user("Tomas"), ago=timedelta(hours=1), user_agent=FIREFOX_LINUX
    )
    site.client.cookies.set(site.cookie, laptop)
    return site, priya, laptop, phone, tomas


def session_rows(response: httpx.Response) -> list[str]:
    return [" ".join(li.text_content().split()) for li in Page(response).select("#sessions li")]


async def csrf_of(client: httpx.AsyncClient) -> str:
    page = Page(await client.get("/settings"))
    return str(page.select("#sessions input[name=csrf_token]")[0].get("value"))


async def test_the_settings_page_lists_ones_own_sessions_this_device_first(
    two_devices: Any,
) -> None:
    site, *_ = two_devices

    rows = session_rows(await site.client.get("/settings"))

    assert len(rows) == 2
    assert rows[0].startswith("Firefox on Linux (this device) signed in 3 days ago, last seen")
    assert rows[1].startswith("Chrome on Android signed in 1 day ago, last seen")
    assert all("Sign out this one" in row for row in rows)


async def test_signing_out_another_session_ends_only_that_one(
    two_devices: Any, session: AsyncSession
) -> None:
    site, _priya, laptop, phone, tomas = two_devices
    page = Page(await site.client.get("/settings"))
    form = page.select("#sessions li:not(.session--current) form")[0]

    response = await site.client.post(
        form.get("action"), data={"csrf_token": await csrf_of(site.client)}
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/settings?done=session#sessions"
    assert await session.get(WebSession, hash_token(phone), populate_existing=True) is None
    assert await session.get(WebSession, hash_token(laptop), populate_existing=True) is not None
    assert await session.get(WebSession, hash_token(tomas), populate_existing=True) is not None
    assert [row.split(" (")[0] for row in session_rows(await site.client.get("/settings"))] == [
        "Firefox on Linux"
    ]


async def test_signing_out_this_session_signs_out_here(
    two_devices: Any, session: AsyncSession
) -> None:
    site, _priya, laptop, phone, _tomas = two_devices
    form = Page(await site.client.get("/settings")).one("#sessions li.session--current form")

    response = await site.client.post(
        form.get("action"), data={"csrf_token": await csrf_of(site.client)}
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert cookie_attributes(response, site.cookie)["max-age"] == "0"
    assert await session.get(WebSession, hash_token(laptop), populate_existing=True) is None
    assert await session.get(WebSession, hash_token(phone), populate_existing=True) is not None


async def test_nobody_signs_out_someone_elses_session(
    two_devices: Any, session: AsyncSession
) -> None:
    site, _priya, _laptop, _phone, tomas = two_devices
    theirs = await session.get(WebSession, hash_token(tomas))
    assert theirs is not None
    csrf = await csrf_of(site.client)

    response = await site.client.post(
        f"/settings/sessions/{sessions.handle_of(theirs)}/sign-out", data={"csrf_token": csrf}
    )
    made_up = await site.client.post(
        f"/settings/sessions/{'0' * 32}/sign-out", data={"csrf_token": csrf}
    )

    assert response.status_code == made_up.status_code == 404
    assert await session.get(WebSession, hash_token(tomas), populate_existing=True) is not None


async def test_the_page_never_shows_what_would_find_a_session(
    two_devices: Any, session: AsyncSession
) -> None:
    site, _priya, laptop, phone, _tomas = two_devices

    text = (await site.client.get("/settings")).text

    for token in (laptop, phone):
        assert token not in text
        assert hash_token(token) not in text
