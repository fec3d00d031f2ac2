"""A short-lived cache of the pages visitors see.

Visitors (no session cookie) all get the same page for a URL, so each app
process keeps what it rendered for a second or two and serves it again, the
way a caching proxy in front of the site would. Signed-in people, unsafe
methods and any response that sets a cookie, is private, or is not a finished
200 always go to the application. Entries expire on their own: a change shows
to visitors after at most the time-to-live.

When an entry runs out, the first request makes the page again while requests
arriving meanwhile get the page just expired (or, with none yet, wait for the
first), so a popular page is rendered once per period, not once per waiting
request.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ideas import zones
from ideas.i18n import DEFAULT_LOCALE
from ideas.web.language import visitor_locale

CACHEABLE_TYPES = (b"text/html", b"application/json", b"application/atom+xml")
NEVER = ("/static/", "/healthz", "/readyz", "/sign-in", "/sign-out", "/dev/", "/events")
MAX_ENTRIES = 512
# A page's path, query, HX-Request, language and time zone cookie.
Key = tuple[bytes, bytes, bytes, str, bytes]
MAX_BODY = 1_000_000
ZONE_COOKIE = zones.COOKIE.encode()


@dataclass(frozen=True)
class Entry:
    expires: float
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class PageCache:
    def __init__(
        self,
        app: ASGIApp,
        *,
        ttl: float,
        session_cookie: str,
        default_locale: str = DEFAULT_LOCALE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.ttl = ttl
        self.cookie = session_cookie.encode()
        self.clock = clock
        self.default_locale = default_locale
        self.entries: OrderedDict[Key, Entry] = OrderedDict()
        self.making: dict[Key, asyncio.Event] = {}

    def _key(self, scope: Scope) -> Key | None:
        if self.ttl <= 0 or scope["type"] != "http" or scope["method"] not in {"GET", "HEAD"}:
            return None
        if scope["path"].startswith(NEVER):
            return None
        htmx = b""
        zone = b""
        for name, value in scope["headers"]:
            if name == b"cookie":
                if self.cookie + b"=" in value:
                    return None
                zone = _zone_cookie(value)
            if name == b"hx-request":
                htmx = value
        # One copy per language: a visitor gets the page in theirs (ideas.web.language);
        # and per time zone: visitors in different zones read different times.
        language = visitor_locale(scope["headers"], self.default_locale)
        path = scope["raw_path"] or scope["path"].encode()
        return (path, scope["query_string"], htmx, language, zone)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        now = self.clock()
        entry = self.entries.get(key)
        if entry is not None and entry.expires > now:
            self.entries.move_to_end(key)
            await _replay(scope, send, entry)
            return
        making = self.making.get(key)
        if making is not None:
            if entry is None:
                # Nothing to show yet: wait briefly for the request already making it.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(making.wait(), timeout=5)
                entry = self.entries.get(key)
            if entry is not None:
                await _replay(scope, send, entry)
                return
        done = self.making.setdefault(key, asyncio.Event())
        try:
            await self._make(key, scope, receive, send, now)
        finally:
            done.set()
            if self.making.get(key) is done:
                del self.making[key]

    async def _make(
        self,
        key: Key,
        scope: Scope,
        receive: Receive,
        send: Send,
        now: float,
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []
        keep = True

        async def remember(message: Message) -> None:
            nonlocal start, keep
            if message["type"] == "http.response.start":
                start = message
                keep = _cacheable(message)
            elif message["type"] == "http.response.body" and keep:
                chunks.append(message.get("body", b""))
                if sum(map(len, chunks)) > MAX_BODY:
                    keep = False
                elif not message.get("more_body", False) and start is not None:
                    self._store(key, start, b"".join(chunks), now)
            await send(message)

        await self.app(scope, receive, remember if scope["method"] == "GET" else send)

    def _store(self, key: Key, start: Message, body: bytes, now: float) -> None:
        self.entries[key] = Entry(now + self.ttl, start["status"], list(start["headers"]), body)
        self.entries.move_to_end(key)
        while len(self.entries) > MAX_ENTRIES:
            self.entries.popitem(last=False)


def _zone_cookie(header: bytes) -> bytes:
    """The browser's time zone cookie (``ideas.zones.COOKIE``) in a Cookie header, or b""."""
    for part in header.split(b";"):
        name, _, value = part.strip().partition(b"=")
        if name == ZONE_COOKIE:
            return value[:64]
    return b""


async def _replay(scope: Scope, send: Send, entry: Entry) -> None:
    await send({"type": "http.response.start", "status": entry.status, "headers": entry.headers})
    body = b"" if scope["method"] == "HEAD" else entry.body
    await send({"type": "http.response.body", "body": body})


def _cacheable(start: Message) -> bool:
    if start["status"] != 200:
        return False
    content_type = b""
    for name, value in start["headers"]:
        lowered = name.lower()
        if lowered == b"set-cookie":
            return False
        if lowered == b"cache-control" and (b"private" in value or b"no-store" in value):
            return False
        if lowered == b"content-type":
            content_type = value
    return content_type.startswith(CACHEABLE_TYPES)
