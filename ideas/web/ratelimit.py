"""Rate limits on actions that write, per account and per address.

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

from ideas.settings import Settings


class Limit(StrEnum):
    POST = "post"  # ideas, challenges and, later, comments
    SIGN_IN = "sign-in"
    COMMENT = "comment"
    VOTE = "vote"  # casting and withdrawing votes
    REPORT = "report"  # reporting ideas and comments


PER_ACCOUNT: dict[Limit, list[RateLimitItem]] = {
    Limit.POST: parse_many("10/minute;60/hour"),
    Limit.SIGN_IN: [],
    Limit.COMMENT: parse_many("10/minute;100/hour"),
    Limit.VOTE: parse_many("60/minute;600/hour"),
    Limit.REPORT: parse_many("10/minute;50/hour"),
}
PER_ADDRESS: dict[Limit, list[RateLimitItem]] = {
    Limit.POST: parse_many("30/minute;300/hour"),
    Limit.SIGN_IN: parse_many("10/minute;50/hour"),
    Limit.COMMENT: parse_many("30/minute;300/hour"),
    Limit.VOTE: parse_many("120/minute;1200/hour"),
    Limit.REPORT: parse_many("30/minute;200/hour"),
}


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

    async def hit(self, request: Request, limit: Limit) -> None:
        """Count one ``limit`` action for this request; 429 once over any limit."""
        if not self.enabled:
            return
        user = getattr(request.state, "user", None)
        address = request.client.host if request.client else "unknown"
        checks = [(item, "address", address) for item in PER_ADDRESS[limit]]
        if user is not None:
            checks += [(item, "account", str(user.id)) for item in PER_ACCOUNT[limit]]
        for item, kind, key in checks:
            if not await self.strategy.hit(item, limit.value, kind, key):
                reset, _ = await self.strategy.get_window_stats(item, limit.value, kind, key)
                wait = max(1, math.ceil(reset - time.time()))
                raise HTTPException(
                    429,
                    f"That was a lot in a short time. Wait {wait} seconds, then try again.",
                    headers={"Retry-After": str(wait)},
                )


async def hit(request: Request, limit: Limit) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    await limiter.hit(request, limit)
