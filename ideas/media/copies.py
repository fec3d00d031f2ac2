"""Local copies of the pictures sign-in providers give people.

A provider's picture lives on the provider's server; shown from there, every
page tells that server who read it, and the Content-Security-Policy must let
the page load images from it. The worker fetches each picture once, from the
providers' picture hosts only (``avatar_origins``), checks and re-encodes it
as any upload (``pictures.prepare_avatar``) and keeps it as the person's
picture unless they uploaded one of their own. A picture that cannot be
fetched or used is not tried again until the provider gives another address.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

import httpx
from sqlalchemy import or_, select

from ideas.accounts import services as accounts
from ideas.accounts.models import User, UserStatus
from ideas.db import Database
from ideas.errors import Invalid
from ideas.media import pictures

logger = logging.getLogger(__name__)

Fetch = Callable[[str], Awaitable[bytes]]
# People whose picture a pass copies at most: a first pass after an upgrade copies
# everyone's, a few at a time.
PER_PASS = 20
TIMEOUT_SECONDS = 5.0


class TooLong(ValueError):
    pass


def fetcher(limit: int, *, transport: httpx.AsyncBaseTransport | None = None) -> Fetch:
    """Fetch a picture over https, at most ``limit`` bytes, following no redirect."""

    async def fetch(url: str) -> bytes:
        async with (
            httpx.AsyncClient(
                timeout=TIMEOUT_SECONDS, follow_redirects=False, transport=transport
            ) as client,
            client.stream("GET", url) as response,
        ):
            response.raise_for_status()
            if response.status_code != 200:
                raise TooLong(f"answered {response.status_code}")
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > limit:
                    raise TooLong(f"longer than {limit} bytes")
            return bytes(data)

    return fetch


async def copy_provider_pictures(
    database: Database, *, origins: Sequence[str], fetch: Fetch, most: int = PER_PASS
) -> int:
    """Copy the pictures of up to ``most`` people not copied yet; how many were kept."""
    allowed = tuple(f"{origin}/" for origin in origins)
    async with database.session() as session:
        waiting = (
            await session.execute(
                select(User.id, User.avatar_url)
                .where(
                    User.status == UserStatus.ACTIVE,
                    User.avatar_id.is_(None),
                    User.avatar_url.is_not(None),
                    or_(
                        User.avatar_copied_from.is_(None),
                        User.avatar_copied_from != User.avatar_url,
                    ),
                )
                .order_by(User.id)
                .limit(most)
            )
        ).all()
        kept = 0
        for user_id, url in waiting:
            if not url:
                continue
            picture = await _fetched(url, allowed, fetch)
            if await accounts.keep_provider_picture(
                session, user_id=user_id, source=url, picture=picture
            ):
                kept += 1
    return kept


async def _fetched(url: str, allowed: tuple[str, ...], fetch: Fetch) -> pictures.Prepared | None:
    if not url.startswith(allowed):
        return None
    try:
        data = await fetch(url)
        return await asyncio.to_thread(pictures.prepare_avatar, data, field="picture")
    except (httpx.HTTPError, TooLong, Invalid) as problem:
        logger.info("A provider's picture could not be copied: %s", problem)
        return None
