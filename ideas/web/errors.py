"""Error pages, and where domain errors become HTTP responses.

This is the one place that knows which status answers which refusal. A view
whose refusals show in place (a vote button, a report disclosure, a row of the
moderation queue) says so with ``answer_refusals`` before it acts: the handlers
here then pick the status and hand the view's answer a ``Refusal`` to render.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, ExceptionHandler, Message, Receive, Scope, Send

from ideas.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from ideas.i18n import lazy_gettext, use_locale
from ideas.outages import RETRY_AFTER_SECONDS, Outage, OutageWatch, outage_of
from ideas.web import context
from ideas.web.htmx import is_htmx, redirect
from ideas.web.language import request_locale

logger = logging.getLogger(__name__)

MESSAGES = {
    400: lazy_gettext("The request could not be understood."),
    403: lazy_gettext("You are not allowed to do that."),
    404: lazy_gettext("There is nothing here. The page may have moved, or it was never public."),
    405: lazy_gettext("That page cannot be used that way."),
    409: lazy_gettext("That conflicts with something that was already done."),
    413: lazy_gettext("That is more than this site accepts at once."),
    429: lazy_gettext("That was a lot of requests in a short time. Wait a minute, then try again."),
    500: lazy_gettext("Something went wrong on our side. It has been logged; please try again."),
}
# The titles of error pages: the HTTP reason phrases, in the reader's language.
TITLES = {
    400: lazy_gettext("Bad Request"),
    403: lazy_gettext("Forbidden"),
    404: lazy_gettext("Not Found"),
    405: lazy_gettext("Method Not Allowed"),
    409: lazy_gettext("Conflict"),
    413: lazy_gettext("Request Entity Too Large"),
    429: lazy_gettext("Too Many Requests"),
    500: lazy_gettext("Internal Server Error"),
    503: lazy_gettext("Service Unavailable"),
}
DOMAIN_STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    Invalid: 400,
}


def status_of(error: DomainError) -> int:
    """The HTTP status that answers ``error``."""
    return next(code for kind, code in DOMAIN_STATUS.items() if isinstance(error, kind))


@dataclass(frozen=True)
class Refusal:
    """A refused request as a view shows it in place: the status it is answered with,
    the sentence the person reads, and any headers the refusal carries (Retry-After)."""

    status: int
    message: str
    headers: Mapping[str, str] = field(default_factory=dict)


RefusalAnswer = Callable[[Refusal], Awaitable[Response]]


@dataclass(frozen=True)
class _InPlace:
    answer: RefusalAnswer
    statuses: frozenset[int]
    htmx_only: bool


def answer_refusals(
    request: Request,
    answer: RefusalAnswer,
    *,
    statuses: Collection[int] = (403, 409),
    htmx_only: bool = True,
) -> None:
    """From here on in this request, a refusal answered with one of ``statuses`` is
    answered by ``answer`` (the view's fragment or page, with the refusal in it)
    instead of the error page. With ``htmx_only``, only for htmx requests: a plain
    form post still gets the error page, with its way back.
    """
    request.state.refusal_answer = _InPlace(answer, frozenset(statuses), htmx_only)


async def _in_place(request: Request, refusal: Refusal) -> Response | None:
    """The view's own answer to ``refusal``, if it asked for one; None otherwise."""
    in_place: _InPlace | None = getattr(request.state, "refusal_answer", None)
    if in_place is None or refusal.status not in in_place.statuses:
        return None
    if in_place.htmx_only and not is_htmx(request):
        return None
    try:
        return await in_place.answer(refusal)
    except DomainError as error:  # the answer found the subject gone meanwhile
        return _error_page(request, error)


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
    # A failure may come after the request's language was let go: it is asked again.
    with use_locale(request_locale(request)):
        return render(
            request,
            "errors/error.html",
            {
                "status": status,
                "title": str(TITLES.get(status, HTTPStatus(status).phrase)),
                "message": message or MESSAGES.get(status, HTTPStatus(status).description),
            },
            block="content",
            status_code=status,
            headers=extra,
        )


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else None
    headers = dict(exc.headers or {})
    message = detail or MESSAGES.get(exc.status_code, HTTPStatus(exc.status_code).description)
    answered = await _in_place(request, Refusal(exc.status_code, message, headers))
    if answered is not None:
        return answered
    return error_response(request, exc.status_code, detail, headers)


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
    # A view that answers its own refusals (the sign-in callback, htmx fragments) does.
    answered = await _in_place(request, Refusal(status_of(exc), exc.message))
    if answered is not None:
        return answered
    if isinstance(exc, Forbidden) and _visitor_reading(request):
        return sign_in_first(request)
    return _error_page(request, exc)


def _error_page(request: Request, error: DomainError) -> Response:
    status = status_of(error)
    # What is not found is not described: it may exist and be hidden from this person.
    return error_response(request, status, error.message if status != 404 else None)


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


# Outages --------------------------------------------------------------------


def _outage_sentence(request: Request, outage: Outage) -> str:
    """The outage page's message, as plain text, for the API's problem details."""
    templates = request.app.state.templates
    template = templates.env.get_template("errors/outage.html")
    values = {"outage": outage.value, "retry_after": RETRY_AFTER_SECONDS[outage]}
    message = "".join(template.blocks["message"](template.new_context(values)))
    return " ".join(message.split())


def outage_response(request: Request, outage: Outage) -> Response:
    """503 with Retry-After: the page in the site's look, or problem details for the API."""
    with use_locale(request_locale(request)):
        retry_after = RETRY_AFTER_SECONDS[outage]
        headers = {"Retry-After": str(retry_after), "Cache-Control": "no-store"}
        if request.url.path.startswith("/api/"):
            detail = _outage_sentence(request, outage)
            return JSONResponse(
                {
                    "type": "about:blank",
                    "title": HTTPStatus.SERVICE_UNAVAILABLE.phrase,
                    "status": 503,
                    "detail": detail,
                    "outage": outage.value,
                    # The API's own error shape, beside RFC 9457's.
                    "error": "unavailable",
                    "message": detail,
                },
                status_code=503,
                headers=headers,
                media_type="application/problem+json",
            )
        from ideas.web.templating import render

        # What the request loaded may be half there: render the page without it.
        request.state.user = None
        request.state.web_session = None
        if is_htmx(request):
            headers.update({"HX-Retarget": "#main", "HX-Reswap": "innerHTML"})
        return render(
            request,
            "errors/outage.html",
            {"outage": outage.value, "retry_after": retry_after},
            block="content",
            status_code=503,
            headers=headers,
        )


class OutageMiddleware:
    """A database outage met anywhere in a request becomes a 503, not a 500.

    It sits inside Starlette's server-error middleware, around the site's own
    middleware (which loads the visitor's session from the database), so that an
    outage is neither a traceback in the log for every request nor a 500. The
    process's ``OutageWatch`` logs when the outage begins and when it ends.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:
            outage = outage_of(error)
            if outage is None or started:
                raise
            request = Request(scope, receive)
            watch: OutageWatch = request.app.state.outages
            watch.saw(request.app.state.database, outage, error)
            await outage_response(request, outage)(scope, receive, send)
