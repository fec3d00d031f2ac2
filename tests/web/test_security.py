"""Security headers on every response; no inline script or style in any page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ideas.accounts.services import DEVELOPMENT_PROVIDER, create_user
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from tests.factories.accounts import Person
from tests.factories.web import MakeSite
from tests.html import Page

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
SOME_RESPONSES = [
    ("GET", "/"),
    ("GET", "/sign-in"),
    ("GET", "/no-such-page"),
    ("GET", "/static/css/site.css"),
    ("GET", "/static/js/htmx-4.0.1.min.js"),
    ("GET", "/static/no-such-file.js"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("HEAD", "/"),
    ("GET", "/sign-out"),  # 405
    ("POST", "/sign-out"),  # 403: no session, no token
]


def assert_security_headers(response: httpx.Response, csp: str = CSP) -> None:
    assert response.headers["Content-Security-Policy"] == csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert len(response.headers["X-Request-ID"]) == 16


@pytest.mark.parametrize(("method", "path"), SOME_RESPONSES)
async def test_every_response_carries_the_security_headers_and_a_request_id(
    visitor: Person, method: str, path: str
) -> None:
    response = await visitor.client.request(method, path)
    assert_security_headers(response)
    assert "Strict-Transport-Security" not in response.headers


async def test_a_server_error_carries_the_security_headers_too(
    make_site: MakeSite,
) -> None:
    site = make_site(raise_app_exceptions=False)
    site.app.router.routes.insert(0, Route("/test/fail", _fail))
    response = await site.client.get("/test/fail")
    assert response.status_code == 500
    assert_security_headers(response)


async def test_each_request_gets_its_own_request_id(visitor: Person) -> None:
    ids = {(await visitor.get("/healthz")).headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5


@pytest.mark.parametrize("environment", ["development", "test"])
async def test_strict_transport_security_is_not_sent_outside_production(
    make_site: MakeSite, environment: str
) -> None:
    site = make_site(IDEAS_ENV=environment)
    response = await site.client.get("/")
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize(("method", "path"), SOME_RESPONSES)
async def test_production_adds_strict_transport_security_to_every_response(
    make_site: MakeSite, method: str, path: str
) -> None:
    site = make_site(IDEAS_ENV="production", base_url="https://127.0.0.1")
    response = await site.client.request(method, path)
    # Linking an account posts a form that leads to the provider (GitHub here), and
    # profile pictures come from GitHub's image host: both are named, nothing else.
    github = CSP.replace("form-action 'self'", "form-action 'self' https://github.com").replace(
        "img-src 'self'", "img-src 'self' https://avatars.githubusercontent.com"
    )
    assert_security_headers(response, csp=github)
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"


# No inline script or style ------------------------------------------------------


async def _fail(request: Request) -> Response:
    raise RuntimeError("boom")


def assert_nothing_inline(response: httpx.Response) -> None:
    """What the Content-Security-Policy would block, or what would need it loosened."""
    page = Page(response)
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    assert page.select("script:not([src])") == [], where
    assert page.select("style") == [], where
    assert page.select("[style]") == [], where
    for element in page.root.iter():
        handlers = [name for name in element.attrib if name.lower().startswith("on")]
        assert handlers == [], f"{where}: <{element.tag}> has {handlers}"
        for name in ("href", "src", "action", "formaction"):
            value = (element.get(name) or "").strip().lower()
            assert not value.startswith("javascript:"), f"{where}: {name}={value}"
    for script in page.select("script[src]"):
        assert script.get("src").startswith("/static/"), where
    # Links the browser loads; canonical and feed links only name addresses.
    for link in page.select("link[rel=stylesheet], link[rel=icon], link[rel~=preload]"):
        assert link.get("href").startswith("/static/"), where


async def test_no_page_has_inline_script_style_or_event_handlers(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    visitor: Person,
    make_site: MakeSite,
    session: AsyncSession,
) -> None:
    host = await make_user("Hamid", host=True)
    challenge = await make_challenge(host, phase=Phase.IDEAS)
    draft = await make_challenge(host, phase=Phase.DRAFT)
    idea = await make_idea(challenge, await make_user())
    hamid = await sign_in(host)
    priya = await sign_in(await make_user("Priya"))
    await create_user(
        session,
        display_name="Dev Persona",
        email=None,
        provider=DEVELOPMENT_PROVIDER,
        subject="dev-persona",
        now=utcnow(),
    )
    development = make_site(IDEAS_ENV="development")
    failing = make_site(raise_app_exceptions=False)
    failing.app.router.routes.insert(0, Route("/test/fail", _fail))
    challenge_url = f"/challenges/{challenge.slug}"
    idea_form = f"{challenge_url}/ideas/new"

    responses = [
        await visitor.get("/"),
        await visitor.get(challenge_url),
        await visitor.get(challenge_url, headers={"HX-Request": "true"}),
        await visitor.get(f"/ideas/{idea.id}/{idea.slug}"),
        await visitor.get("/sign-in"),
        await visitor.get("/nowhere"),
        await visitor.get("/nowhere", headers={"HX-Request": "true"}),
        await visitor.post("/sign-out"),
        await hamid.get("/"),
        await hamid.get("/challenges/new"),
        await hamid.post("/challenges/new", {"title": ""}),
        await hamid.get(challenge_url),
        await hamid.get(f"/challenges/{draft.slug}"),
        await priya.get(idea_form),
        await priya.post(idea_form, {"title": ""}),
        await priya.post(idea_form, {"title": ""}, headers={"HX-Request": "true"}),
        await priya.get("/challenges/new"),  # 403
        await development.client.get("/sign-in"),
        await failing.client.get("/test/fail"),
    ]

    assert Page(responses[-2]).select("form[action='/dev/sign-in']"), "no persona listed"
    assert responses[-1].status_code == 500
    for response in responses:
        assert_nothing_inline(response)
