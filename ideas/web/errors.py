"""Error pages, and where domain errors become HTTP responses."""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ExceptionHandler

from ideas.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from ideas.web import context
from ideas.web.htmx import is_htmx, redirect

logger = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    403: "You are not allowed to do that.",
    404: "There is nothing here. The page may have moved, or it was never public.",
    405: "That page cannot be used that way.",
    409: "That conflicts with something that was already done.",
    413: "That is more than this site accepts at once.",
    429: "That was a lot of requests in a short time. Wait a minute, then try again.",
    500: "Something went wrong on our side. It has been logged; please try again.",
}
DOMAIN_STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    Invalid: 400,
}


def error_response(
    request: Request,
    status: int,
    message: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    from ideas.web.templating import render

    extra = dict(headers or {})
    if is_htmx(request):
        # htmx swaps error responses too; show the message where the page's content is.
        extra.update({"HX-Retarget": "#main", "HX-Reswap": "innerHTML"})
    return render(
        request,
        "errors/error.html",
        {
            "status": status,
            "title": HTTPStatus(status).phrase,
            "message": message or MESSAGES.get(status, HTTPStatus(status).description),
        },
        block="content",
        status_code=status,
        headers=extra,
    )


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else None
    return error_response(request, exc.status_code, detail, dict(exc.headers or {}))


def sign_in_first(request: Request) -> Response:
    """Off to sign in, and back to the page asked for afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    sign_in = context.path_for(request, "sign_in")
    return redirect(request, f"{sign_in}?next={quote(here, safe='/')}")


def _visitor_reading(request: Request) -> bool:
    """A page asked for by someone not signed in: a refusal means "sign in first".

    Posts keep their 403: a form cannot be sent again after a detour.
    """
    return request.method in {"GET", "HEAD"} and getattr(request.state, "user", None) is None


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if isinstance(exc, Forbidden) and _visitor_reading(request):
        return sign_in_first(request)
    status = next(code for kind, code in DOMAIN_STATUS.items() if isinstance(exc, kind))
    message = exc.message if status != 404 else None
    return error_response(request, status, message)


async def server_error(request: Request, exc: Exception) -> Response:
    logger.exception("Unhandled error on %s %s", request.method, request.url.path)
    # The request's loaded objects may be in any state now: render without them.
    request.state.user = None
    request.state.web_session = None
    return error_response(request, 500)


def exception_handlers() -> dict[int | type[Exception], ExceptionHandler]:
    return {
        HTTPException: http_exception,
        DomainError: domain_error,
        Exception: server_error,
    }
