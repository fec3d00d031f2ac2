"""Security headers on every response; no inline script or style in any page."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette

from ideas.app import create_app
from ideas.challenges.phases import Phase
from ideas.db import Database
from ideas.settings import load_settings
from tests.conftest import TEST_ENVIRON
from tests.html import Page

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


@pytest.mark.parametrize("path", ["/", "/no-such-page", "/static/css/site.css", "/healthz"])
async def test_every_response_carries_the_security_headers(visitor: Any, path: str) -> None:
    response = await visitor.get(path)
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert len(response.headers["X-Request-ID"]) == 16
    assert "Strict-Transport-Security" not in response.headers


async def test_production_adds_strict_transport_security(database: Database) -> None:
    import httpx

    settings = load_settings({**TEST_ENVIRON, "IDEAS_ENV": "production"})
    app: Starlette = create_app(settings, database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
    ) as client:
        response = await client.get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


async def test_no_page_has_inline_script_style_or_event_handlers(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, visitor: Any
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.IDEAS)
    idea = await make_idea(challenge, await make_user())
    hamid = await sign_in(host)
    pages = [
        await visitor.get("/"),
        await visitor.get(f"/challenges/{challenge.slug}"),
        await visitor.get(f"/ideas/{idea.id}/{idea.slug}"),
        await visitor.get("/sign-in"),
        await visitor.get("/nowhere"),
        await hamid.get("/challenges/new"),
        await hamid.get(f"/challenges/{challenge.slug}"),
        await hamid.post("/challenges/new", {"title": ""}),
    ]
    for response in pages:
        page = Page(response)
        assert page.select("script:not([src])") == []
        assert page.select("[style]") == []
        assert page.select("style") == []
        for element in page.root.iter():
            assert not any(name.startswith("on") for name in element.attrib), element.attrib
        for script in page.select("script[src]"):
            assert script.get("src").startswith("/static/")
        for link in page.select("link[href]"):
            assert link.get("href").startswith("/static/")
