"""Security headers on every response, and the request id."""

from __future__ import annotations

import logging
import random
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ideas.logs import request_id_var
from ideas.settings import Settings

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)

access_log = logging.getLogger("ideas.access")


def content_security_policy(form_targets: list[str], image_sources: list[str]) -> str:
    """The strict policy; forms may also post to the sign-in providers, and
    profile pictures may come from where those providers keep them."""
    policy = CONTENT_SECURITY_POLICY
    if form_targets:
        extra = " ".join(sorted(set(form_targets)))
        policy = policy.replace("form-action 'self'", f"form-action 'self' {extra}")
    if image_sources:
        extra = " ".join(sorted(set(image_sources)))
        policy = policy.replace("img-src 'self'", f"img-src 'self' {extra}")
    return policy


class SecurityHeadersMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        form_targets: list[str] | None = None,
        image_sources: list[str] | None = None,
    ) -> None:
        self.app = app
        self.headers = {
            "Content-Security-Policy": content_security_policy(
                form_targets or [], image_sources or []
            ),
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "strict-origin-when-cross-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Cross-Origin-Resource-Policy": "same-origin",
            "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        }
        if settings.is_production:
            self.headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        self._raw = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in self.headers.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Each header the response has not set already: one pass over its own,
                # ASGI's lower-case names, against these, encoded once.
                headers = list(message.get("headers", ()))
                present = {name for name, _value in headers}
                headers += [pair for pair in self._raw if pair[0] not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestIdMiddleware:
    """Give each request an id, put it in every log line and the response, and log the request.

    The context variable is left set when the request ends: each request runs in
    its own task, and the server's own error log for this request should carry it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Tells a request apart in the logs and on an error page, and gives nothing
        # away: 64 bits of the process's own generator, without a call to the kernel.
        request_id = f"{random.getrandbits(64):016x}"
        request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", ()),
                    (b"x-request-id", request_id.encode("latin-1")),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "%s %s %s %.1fms",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )
