"""Answers that take the same time whatever they found.

Inviting by e-mail address answers the same words whether anyone uses the
address; the work behind it is not the same (an invitation that reaches
someone also tells them). The answer waits until ``EVEN_SECONDS`` have passed
since the work began, so how long it took does not tell the two apart either.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

EVEN_SECONDS = 0.25


@contextlib.asynccontextmanager
async def evenly(seconds: float | None = None) -> AsyncIterator[None]:
    """Run the block, then wait until ``seconds`` (``EVEN_SECONDS`` unless given) have
    passed since it began (also when it raised)."""
    seconds = EVEN_SECONDS if seconds is None else seconds
    started = time.monotonic()
    try:
        yield
    finally:
        left = seconds - (time.monotonic() - started)
        if left > 0:
            await asyncio.sleep(left)
