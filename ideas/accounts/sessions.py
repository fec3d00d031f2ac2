"""Server-side sessions: the cookie carries a random token, the row its hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from ideas.accounts.models import User, WebSession
from ideas.db import write

# Refreshing last_seen_at on every request would make every page view a write.
TOUCH_INTERVAL = timedelta(minutes=5)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


# Every signed-in request runs it: built once (and its cache key computed once).
_LOAD = (
    select(WebSession)
    .options(joinedload(WebSession.user))
    .where(WebSession.id == bindparam("token_hash", type_=String))
)


async def load(
    session: AsyncSession, token: str, *, now: datetime, idle: timedelta
) -> WebSession | None:
    """The live session for ``token``, with its user, or None."""
    web_session = await session.scalar(_LOAD, {"token_hash": hash_token(token)})
    if web_session is None:
        return None
    expired = web_session.last_seen_at + idle <= now
    if expired or (web_session.user is not None and not web_session.user.is_active):
        async with write(session) as tx:
            await tx.execute(delete(WebSession).where(WebSession.id == web_session.id))
        return None
    return web_session


async def touch(session: AsyncSession, web_session: WebSession, now: datetime) -> bool:
    """Slide the idle expiry forward; True when the row was written."""
    if now - web_session.last_seen_at < TOUCH_INTERVAL:
        return False
    async with write(session) as tx:
        await tx.execute(
            update(WebSession).where(WebSession.id == web_session.id).values(last_seen_at=now)
        )
    web_session.last_seen_at = now
    return True


async def start(
    session: AsyncSession, user: User | None, *, now: datetime, replacing: WebSession | None
) -> tuple[str, WebSession]:
    """A new session (new id, new CSRF token); the one it replaces is deleted."""
    token = new_token()
    web_session = WebSession(
        id=hash_token(token),
        user_id=user.id if user else None,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
    )
    async with write(session) as tx:
        if replacing is not None:
            await tx.execute(delete(WebSession).where(WebSession.id == replacing.id))
        tx.add(web_session)
    return token, web_session


async def end(session: AsyncSession, web_session: WebSession) -> None:
    async with write(session) as tx:
        await tx.execute(delete(WebSession).where(WebSession.id == web_session.id))


async def end_all_for(session: AsyncSession, user_id: int) -> None:
    """Used inside a caller's write transaction (sign out everywhere, suspension)."""
    await session.execute(delete(WebSession).where(WebSession.user_id == user_id))


async def save_data(session: AsyncSession, web_session: WebSession, data: dict[str, Any]) -> None:
    async with write(session) as tx:
        await tx.execute(
            update(WebSession).where(WebSession.id == web_session.id).values(data=data)
        )
