"""Per-request context: a database session, the browser session and the user.

A pure ASGI middleware so the state is set before any view runs and the
session cookie can be added to whatever response goes out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ideas import zones
from ideas.accounts import sessions
from ideas.accounts.models import User, WebSession
from ideas.db import Database, utcnow
from ideas.settings import Settings

STATIC_PREFIX = "/static/"
NEVER_STORED = "private, no-store"
_NEVER_STORED = NEVER_STORED.encode("latin-1")


def idle_time(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.session_idle_minutes)


def lifetime(settings: Settings) -> timedelta:
    return timedelta(days=settings.session_max_age_days)


def cookie_name(settings: Settings) -> str:
    # The __Host- prefix pins the cookie to this host, path / and HTTPS.
    return "__Host-ideas_session" if settings.secure_cookies else "ideas_session"


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.cookie = cookie_name(settings)
        self.idle = idle_time(settings)
        self.lifetime = lifetime(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(STATIC_PREFIX):
            # Static files are the same for everyone: no session, no database.
            await self.app(scope, receive, send)
            return
        database: Database = scope["app"].state.database
        state = scope.setdefault("state", {})
        async with database.read_session() as db:
            state.update(db=db, web_session=None, user=None, set_cookie=None)
            cookies = Request(scope).cookies
            token = cookies.get(self.cookie)
            now = utcnow()
            if token:
                web_session = await sessions.load(
                    db, token, now=now, idle=self.idle, lifetime=self.lifetime
                )
                if web_session is None:
                    if _navigating(scope):
                        state["set_cookie"] = ""
                else:
                    state.update(web_session=web_session, user=web_session.user)
                    if await sessions.touch(db, web_session, now):
                        state["set_cookie"] = token

            # Short-lived data of a sign-in in progress, as request.session (Authlib keeps
            # its OAuth state there); saved with the session row if it changed.
            current = state["web_session"]
            scope["session"] = dict(current.data) if current is not None else {}
            loaded = _fingerprint(scope["session"])

            async def send_with_cookie(message: Message) -> None:
                if message["type"] == "http.response.start":
                    current = state["web_session"]
                    if current is not None and _fingerprint(scope["session"]) != loaded:
                        await sessions.save_data(db, current, scope["session"])
                    message["headers"] = self._with_cookie(
                        message.get("headers", ()), state["set_cookie"], current, now
                    )
                await send(message)

            # Times are shown and read in the viewer's zone (ideas.zones).
            user = state["user"]
            zone = zones.request_zone(
                user.time_zone if user is not None else None,
                cookies.get(zones.COOKIE),
                self.settings.zone,
            )
            with zones.use_zone(zone):
                await self.app(scope, receive, send_with_cookie)

    def _with_cookie(
        self,
        headers: Sequence[tuple[bytes, bytes]],
        set_cookie: str | None,
        current: WebSession | None,
        now: datetime,
    ) -> Sequence[tuple[bytes, bytes]]:
        """An answer's headers (ASGI's: lower-case names) with the session's cookie when
        it is set, and saying how the answer may be kept; as they were when there is
        nothing to say."""
        kept = next((value for name, value in headers if name == b"cache-control"), None)
        added: list[tuple[bytes, bytes]] = []
        if set_cookie is not None:
            cookie = self._cookie_header(set_cookie, current, now)
            added.append((b"set-cookie", cookie.encode("latin-1")))
            control = _NEVER_STORED
        elif current is not None and current.user_id is not None:
            # Made for a signed-in person: what is theirs (their name, their
            # notifications, their drafts) must not stay on a shared computer or in
            # any cache. Only what is the same for everyone says so.
            if kept is not None and kept.startswith(b"public"):
                return headers
            control = _NEVER_STORED
        elif current is not None and kept is None:
            # A visitor's page made for them alone (it carries their CSRF token).
            control = b"private, no-cache"
        else:
            return headers
        return [
            *(header for header in headers if header[0] != b"cache-control"),
            *added,
            (b"cache-control", control),
        ]

    def _cookie_header(self, token: str, web_session: WebSession | None, now: datetime) -> str:
        max_age = 0
        if token and web_session is not None:
            ends = sessions.ends_at(web_session, now=now, idle=self.idle, lifetime=self.lifetime)
            max_age = max(0, int((ends - now).total_seconds()))
        parts = [f"{self.cookie}={token}", "Path=/", f"Max-Age={max_age}", "HttpOnly"]
        parts.append("SameSite=Lax")
        if self.settings.secure_cookies:
            parts.append("Secure")
        return "; ".join(parts)


def _navigating(scope: Scope) -> bool:
    """Whether the browser asked for a page to show, rather than for a picture, a fragment
    or an event stream of one (``Sec-Fetch-Mode``; a client that does not say is taken
    to navigate).

    A cookie naming no session is forgotten only on the answer to a page. Those other
    requests may have left with the cookie that signing in has just replaced: told to
    forget it, the browser would forget the new one, and sign out at once.
    """
    for name, value in scope["headers"]:
        if name == b"sec-fetch-mode":
            return bool(value == b"navigate")
    return True


def _fingerprint(data: dict[str, Any]) -> str:
    # Most requests' data is empty: that needs no encoding to be told apart.
    return json.dumps(data, sort_keys=True, default=str) if data else ""


async def sign_in(request: Request, user: User) -> None:
    """Start a new session for ``user``: a new id and CSRF token, the old session gone."""
    token, web_session = await sessions.start(
        request.state.db,
        user,
        now=utcnow(),
        replacing=request.state.web_session,
        user_agent=request.headers.get("User-Agent", ""),
    )
    request.scope["session"] = {}
    request.state.web_session = web_session
    request.state.user = user
    request.state.set_cookie = token


async def sign_out(request: Request) -> None:
    if request.state.web_session is not None:
        await sessions.end(request.state.db, request.state.web_session)
    request.state.web_session = None
    request.state.user = None
    request.state.set_cookie = ""


async def ensure_session(request: Request) -> None:
    """Give a visitor a session so a form on the page can carry a CSRF token."""
    if request.state.web_session is None:
        token, web_session = await sessions.start(
            request.state.db, None, now=utcnow(), replacing=None
        )
        request.state.web_session = web_session
        request.state.set_cookie = token
