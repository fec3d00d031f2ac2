"""Rate limits: what signed-in people do, per account; what visitors do, per address.

Many people often share one address (a venue's Wi-Fi, a school, a mobile
carrier), so an address never limits anything a signed-in person does: a
workshop of a hundred people behind one router posts as a hundred accounts.
Visitors have no account to count by; what they can do (start signing in,
and any other post, such as one-click unsubscribing) is counted per address,
generously. The address is the client's, behind trusted proxies
(``ideas.web.proxies``).

Counters live in Redis when REDIS_URL is set (shared by every app process),
otherwise in the process's memory. A moving window: a burst cannot be doubled
by straddling the edge of a fixed window.
"""

from __future__ import annotations

import math
import time
from enum import StrEnum

from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from ideas.i18n import ngettext
from ideas.settings import Settings
from ideas.web.errors import error_response


class Limit(StrEnum):
    POST = "post"  # ideas, challenges, team posts
    SIGN_IN = "sign-in"  # starting and finishing a sign-in, linking another account
    COMMENT = "comment"
    VOTE = "vote"  # casting and withdrawing votes
    REPORT = "report"  # reporting ideas and comments
    VISITOR_POST = "visitor-post"  # any post by someone not signed in


PER_ACCOUNT: dict[Limit, list[RateLimitItem]] = {
    Limit.POST: parse_many("10/minute;60/hour"),
    Limit.SIGN_IN: parse_many("10/minute;50/hour"),
    Limit.COMMENT: parse_many("10/minute;100/hour"),
    Limit.VOTE: parse_many("60/minute;600/hour"),
    Limit.REPORT: parse_many("10/minute;50/hour"),
}
# Room for a whole room of people signing in at once from one address: each
# sign-in counts twice (the start and the provider's answer).
PER_ADDRESS: dict[Limit, list[RateLimitItem]] = {
    Limit.SIGN_IN: parse_many("300/minute;3000/hour"),
    Limit.VISITOR_POST: parse_many("120/minute;1200/hour"),
}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class TooMany(Exception):
    def __init__(self, wait: int) -> None:
        super().__init__(wait)
        self.wait = wait


class RateLimiter:
    def __init__(self, storage: Storage, *, enabled: bool = True) -> None:
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)
        self.enabled = enabled

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        if settings.redis_url:
            uri = "async+" + settings.redis_url
            storage = storage_from_string(uri, implementation="redispy")
        else:
            storage = storage_from_string("async+memory://")
        assert isinstance(storage, Storage)
        return cls(storage, enabled=settings.rate_limits)

    async def count(self, request: Request, limit: Limit) -> None:
        """Count one ``limit`` action: against the account of a signed-in person, against
        the address of a visitor. TooMany once over any limit."""
        if not self.enabled:
            return
        user = getattr(request.state, "user", None)
        if user is not None:
            kind, key, items = "account", str(user.id), PER_ACCOUNT.get(limit, [])
        else:
            address = request.client.host if request.client else "unknown"
            kind, key, items = "address", address, PER_ADDRESS.get(limit, [])
        for item in items:
            if not await self.strategy.hit(item, limit.value, kind, key):
                reset, _ = await self.strategy.get_window_stats(item, limit.value, kind, key)
                raise TooMany(max(1, math.ceil(reset - time.time())))

    async def hit(self, request: Request, limit: Limit) -> None:
        """As ``count``, with a 429 (and Retry-After) once over any limit."""
        try:
            await self.count(request, limit)
        except TooMany as too_many:
            raise _too_many(too_many.wait) from None


def _too_many(wait: int) -> HTTPException:
    return HTTPException(
        429,
        ngettext(
            "That was a lot in a short time. Wait %(num)d second, then try again.",
            "That was a lot in a short time. Wait %(num)d seconds, then try again.",
            wait,
        ),
        headers={"Retry-After": str(wait)},
    )


async def hit(request: Request, limit: Limit) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    await limiter.hit(request, limit)


class VisitorPostsMiddleware:
    """Count every post of a visitor against their address, whatever it is for.

    Runs once the session is known (inside ``RequestContextMiddleware``) and
    before the CSRF check, so refused posts count too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if getattr(request.state, "user", None) is None:
            limiter: RateLimiter = scope["app"].state.rate_limiter
            try:
                await limiter.count(request, Limit.VISITOR_POST)
            except TooMany as too_many:
                response = error_response(
                    request,
                    429,
                    _too_many(too_many.wait).detail,
                    {"Retry-After": str(too_many.wait)},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
