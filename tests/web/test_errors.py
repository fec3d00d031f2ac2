"""Error pages look like the site, carry the request id, and never show a trace."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ideas.errors import Conflict, Forbidden, NotFound
from ideas.logs import RequestIdFilter
from ideas.web.errors import Refusal, answer_refusals
from tests.factories.accounts import Person
from tests.factories.web import HTMX
from tests.html import Page

SECRET_DETAIL = "the database caught fire"


async def _fail(request: Request) -> Response:
    raise RuntimeError(SECRET_DETAIL)


async def _too_many(request: Request) -> Response:
    raise HTTPException(429)


async def _bad(request: Request) -> Response:
    raise HTTPException(400)


@pytest.fixture
def client(app: Starlette, make_client: Any) -> httpx.AsyncClient:
    """A visitor's client of the site with three routes that fail on purpose."""
    app.router.routes[0:0] = [
        Route("/test/bad", _bad),
        Route("/test/too-many", _too_many),
        Route("/test/fail", _fail),
    ]
    result: httpx.AsyncClient = make_client(raise_app_exceptions=False)
    return result


def assert_no_trace(response: httpx.Response) -> None:
    for leak in ("Traceback", 'File "', "RuntimeError", SECRET_DETAIL):
        assert leak not in response.text


ERRORS = [
    (400, "GET", "/test/bad", "Bad Request"),
    (403, "POST", "/challenges/new", "Forbidden"),
    (403, "POST", "/sign-out", "Forbidden"),
    (404, "GET", "/no/such/page", "Not Found"),
    (404, "GET", "/challenges/nothing-here", "Not Found"),
    (405, "GET", "/sign-out", "Method Not Allowed"),
    (429, "GET", "/test/too-many", "Too Many Requests"),
    (500, "GET", "/test/fail", "Internal Server Error"),
]


@pytest.mark.parametrize(("status", "method", "path", "heading"), ERRORS)
async def test_error_pages_are_in_the_site_layout_without_a_trace(
    client: httpx.AsyncClient, status: int, method: str, path: str, heading: str
) -> None:
    response = await client.request(method, path)

    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    page = Page(response)
    assert page.one(".site-header .brand") is not None
    assert page.one(".site-footer") is not None
    main = page.one("main#main")
    assert main.cssselect("h1")[0].text_content().strip() == heading
    assert page.text(".error-page__code") == str(status)
    assert page.text("title").startswith(heading)
    assert main.cssselect("a[href='/']"), "no way back to the home page"
    assert_no_trace(response)


async def test_method_not_allowed_says_which_methods_are(client: httpx.AsyncClient) -> None:
    response = await client.get("/sign-out")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


async def test_a_server_error_shows_the_request_id_and_logs_the_error_with_it(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(RequestIdFilter())

    with caplog.at_level(logging.ERROR):
        response = await client.get("/test/fail")

    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert Page(response).text("main#main .request-id") == request_id
    assert_no_trace(response)
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors, "the error was not logged"
    assert {getattr(record, "request_id", None) for record in errors} == {request_id}
    assert any(record.exc_info and SECRET_DETAIL in str(record.exc_info[1]) for record in errors), (
        "the log does not say what went wrong"
    )


async def test_two_server_errors_log_two_different_request_ids(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(RequestIdFilter())

    with caplog.at_level(logging.ERROR):
        first = await client.get("/test/fail")
        second = await client.get("/test/fail")

    shown = [Page(r).text(".request-id") for r in (first, second)]
    logged = [getattr(r, "request_id", None) for r in caplog.records if r.levelno >= logging.ERROR]
    assert shown == [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert shown[0] != shown[1]
    assert logged == shown


async def test_a_client_error_page_shows_no_request_id(client: httpx.AsyncClient) -> None:
    assert Page(await client.get("/no/such/page")).select(".request-id") == []


@pytest.mark.parametrize(("status", "method", "path", "heading"), ERRORS)
async def test_an_htmx_error_replaces_only_the_main_content(
    client: httpx.AsyncClient, status: int, method: str, path: str, heading: str
) -> None:
    response = await client.request(method, path, headers={"HX-Request": "true"})

    assert response.status_code == status
    assert response.headers["HX-Retarget"] == "#main"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert "HX-Request" in [v.strip() for v in response.headers["Vary"].split(",")]
    page = Page(response)
    assert page.select("html, head, body, header, main, footer") == []
    assert page.text("h1") == heading
    assert_no_trace(response)


async def test_a_server_error_in_a_signed_in_request_still_shows_the_error_page(
    client: httpx.AsyncClient, make_user: Any, sign_in: Any
) -> None:
    """The 500 page must not need the request's half-used database session."""
    priya = await sign_in(await make_user("Priya"))
    client.cookies = priya.client.cookies
    response = await client.get("/test/fail")
    assert response.status_code == 500
    assert Page(response).text("h1") == "Internal Server Error"


async def test_a_page_that_exists_is_not_an_error(visitor: Person) -> None:
    response = await visitor.get("/")
    assert response.status_code == 200
    assert Page(response).select(".error-page") == []


# Refusals a view answers in place ------------------------------------------------------------


async def _answered_in_place(refusal: Refusal) -> Response:
    return HTMLResponse(
        f'<p class="in-place">{refusal.status}: {refusal.message}</p>', status_code=refusal.status
    )


async def _answered_by_a_lost_subject(refusal: Refusal) -> Response:
    raise NotFound()


def _refusing(error: Exception, **in_place: Any) -> Any:
    """A view that asks for its refusals in place (``in_place``: as answer_refusals
    takes them), then is refused with ``error``."""

    answer = in_place.pop("answer", _answered_in_place)

    async def view(request: Request) -> Response:
        answer_refusals(request, answer, **in_place)
        raise error

    return view


@pytest.fixture
def refusing(app: Starlette, make_client: Any) -> httpx.AsyncClient:
    """A client of the site with views that are refused after asking for it in place."""
    app.router.routes[0:0] = [
        Route("/test/taken", _refusing(Conflict("Already taken."))),
        Route("/test/not-yours", _refusing(Forbidden("Not yours."), statuses=(409,))),
        Route("/test/slow-down", _refusing(HTTPException(429), statuses=(429,))),
        Route("/test/page", _refusing(Conflict("Already taken."), htmx_only=False)),
        Route("/test/gone", _refusing(Conflict("Taken."), answer=_answered_by_a_lost_subject)),
    ]
    result: httpx.AsyncClient = make_client(raise_app_exceptions=False)
    return result


async def test_an_htmx_refusal_is_answered_in_place_with_the_status_of_its_error(
    refusing: httpx.AsyncClient,
) -> None:
    response = await refusing.get("/test/taken", headers=HTMX)

    assert response.status_code == 409
    assert Page(response).text("p.in-place") == "409: Already taken."
    assert "HX-Retarget" not in response.headers


async def test_a_plain_request_refused_gets_the_error_page_unless_the_view_says_otherwise(
    refusing: httpx.AsyncClient,
) -> None:
    plain = await refusing.get("/test/taken")
    page = await refusing.get("/test/page")

    assert plain.status_code == 409
    assert Page(plain).select(".in-place") == []
    assert Page(plain).text(".error-page h1 + p") == "Already taken."
    assert page.status_code == 409
    assert Page(page).text("p.in-place") == "409: Already taken."


async def test_only_the_statuses_asked_for_are_answered_in_place(
    refusing: httpx.AsyncClient, sign_in: Any, make_user: Any
) -> None:
    # Signed in: a visitor refused a page is sent to sign in instead.
    refusing.cookies = (await sign_in(await make_user("Priya"))).client.cookies
    forbidden = await refusing.get("/test/not-yours", headers=HTMX)
    too_many = await refusing.get("/test/slow-down", headers=HTMX)

    assert forbidden.status_code == 403
    assert Page(forbidden).select(".in-place") == []
    assert Page(forbidden).text("h1") == "Forbidden"
    assert too_many.status_code == 429
    assert Page(too_many).text("p.in-place").startswith("429: That was a lot of requests")


async def test_a_subject_gone_while_answering_in_place_gets_the_error_page(
    refusing: httpx.AsyncClient,
) -> None:
    response = await refusing.get("/test/gone", headers=HTMX)

    assert response.status_code == 404
    assert Page(response).text("h1") == "Not Found"
