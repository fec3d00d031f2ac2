"""Cross-site request forgery protection for every unsafe method.

A synchronizer token kept in the server-side session must come back as the
``X-CSRF-Token`` header (htmx) or the ``csrf_token`` form field (plain forms),
and the browser's ``Origin`` and ``Sec-Fetch-Site`` headers must not point
elsewhere. The token never goes into a page as it is: each response carries it
masked with a fresh random pad (``ideas.web.csrf_tokens``), so that a
compressed page's size says nothing about it (BREACH); the check unmasks what
comes back. The session's token itself, as API clients send it, is still
accepted.
A form is read here, once and within the size limits
(``ideas.web.formdata``), and handed to the view (``ideas.web.forms.submitted``);
any other body is read and replayed to the view.
"""

from __future__ import annotations

import logging
import re

from starlette.datastructures import FormData
from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ideas.i18n import _
from ideas.settings import Settings
from ideas.web import context
from ideas.web.csrf_tokens import token_matches
from ideas.web.errors import error_response
from ideas.web.formdata import (
    FORM_TYPES,
    BodyTooLarge,
    MultiPartException,
    read_body,
    read_form,
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
# One-click unsubscribe (RFC 8058): mail programs POST "List-Unsubscribe=One-Click"
# to the link in the List-Unsubscribe header, with no session and no token. The
# HMAC-signed token in the path is the protection there, so this path alone is exempt.
EXEMPT_PATH = re.compile(r"/unsubscribe/[^/]+")

logger = logging.getLogger(__name__)


class CSRFMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.max_body = settings.body_limit
        self.max_picture = settings.max_picture_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or EXEMPT_PATH.fullmatch(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        problem = self._origin_problem(request)
        if problem is None:
            form: FormData | None = None
            replay = _replayer(b"")
            try:
                if request.headers.get("Content-Type", "").startswith(FORM_TYPES):
                    form = await read_form(
                        request, max_body_bytes=self.max_body, max_file_bytes=self.max_picture
                    )
                else:
                    replay = _replayer(await read_body(receive, self.max_body))
            except ClientDisconnect:
                return  # nobody is waiting for an answer
            except BodyTooLarge:
                response = error_response(request, 413, _("That upload is too large."))
                await response(scope, receive, send)
                return
            except MultiPartException as error:
                response = error_response(
                    request,
                    400,
                    _("That form could not be read: %(problem)s", problem=error.message),
                )
                await response(scope, receive, send)
                return
            try:
                problem = self._token_problem(request, form)
                if problem is None:
                    if form is not None:
                        request.state.form = form
                    await self.app(scope, replay, send)
                    return
            finally:
                if form is not None:
                    await form.close()
        logger.warning("CSRF check failed: %s", problem)
        response = error_response(
            request,
            403,
            _(
                "This form has expired or did not come from this site. "
                "Go back, reload the page and try again."
            ),
        )
        await response(scope, receive, send)

    def _origin_problem(self, request: Request) -> str | None:
        fetch_site = request.headers.get("Sec-Fetch-Site")
        if fetch_site is not None and fetch_site != "same-origin":
            return f"Sec-Fetch-Site is {fetch_site}"
        origin = request.headers.get("Origin")
        if origin is None:
            return None
        expected = context.site_origin(request)
        if origin != expected:
            return f"Origin {origin!r} is not {expected!r}"
        return None

    def _token_problem(self, request: Request, form: FormData | None) -> str | None:
        web_session = getattr(request.state, "web_session", None)
        if web_session is None:
            return "no session"
        sent = request.headers.get(HEADER)
        if sent is None and form is not None:
            field = form.get(FIELD)
            sent = field if isinstance(field, str) else None
        if not sent:
            return "no token"
        if not token_matches(sent, web_session.csrf_token):
            return "token does not match"
        return None


def _replayer(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive
