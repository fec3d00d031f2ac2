"""Error pages look like the site, carry the request id, and never show a trace."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ideas.logs import RequestIdFilter
from tests.html import Page


def add_route(app: Starlette, path: str, endpoint: Any) -> None:
    app.router.routes.insert(0, Route(path, endpoint))


async def _fail(request: Request) -> Response:
    raise RuntimeError("the database caught fire")


async def _too_many(request: Request) -> Response:
    raise HTTPException(429)


async def _bad(request: Request) -> Response:
    raise HTTPException(400)


@pytest.mark.parametrize(
    ("status", "path", "method", "heading"),
    [
        (400, "/test/bad", "GET", "Bad Request"),
        (403, "/challenges/new", "GET", "Forbidden"),
        (404, "/no/such/page", "GET", "Not Found"),
        (405, "/sign-out", "GET", "Method Not Allowed"),
        (429, "/test/too-many", "GET", "Too Many Requests"),
    ],
)
async def test_error_pages_are_in_the_site_layout(
    app: Starlette, visitor: Any, status: int, path: str, method: str, heading: str
) -> None:
    add_route(app, "/test/bad", _bad)
    add_route(app, "/test/too-many", _too_many)

    response = await visitor.client.request(method, path)

    assert response.status_code == status
    page = Page(response)
    assert page.text("h1") == heading
    assert page.one(".site-header .brand") is not None
    assert page.one("main#main") is not None
    assert "Traceback" not in response.text


async def test_a_server_error_shows_the_request_id_and_logs_it(
    app: Starlette, make_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    add_route(app, "/test/fail", _fail)
    client: httpx.AsyncClient = make_client(raise_app_exceptions=False)
    caplog.handler.addFilter(RequestIdFilter())

    with caplog.at_level(logging.ERROR):
        response = await client.get("/test/fail")

    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    page = Page(response)
    assert page.text("h1") == "Internal Server Error"
    assert page.text(".request-id") == request_id
    assert "caught fire" not in response.text
    assert "Traceback" not in response.text
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors
    assert all(getattr(r, "request_id", None) == request_id for r in errors)
    assert "caught fire" in caplog.text


async def test_an_htmx_error_is_shown_in_place_of_the_main_content(visitor: Any) -> None:
    response = await visitor.get("/challenges/nothing-here", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#main"
    assert response.headers["HX-Reswap"] == "innerHTML"
    page = Page(response)
    assert page.select("html") == []
    assert page.text("h1") == "Not Found"
