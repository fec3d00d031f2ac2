"""Server-side sessions: the cookie carries a random token, the row its hash.

A session ends after a while without use (the idle time) and, however much it
is used, a fixed time after it started (its lifetime): a stolen cookie is not
good for ever. People see their sessions on the settings page and end any one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Row, String, Table, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User, WebSession
from ideas.db import rows_of, write
from ideas.errors import NotFound
from ideas.i18n import _

# Refreshing last_seen_at on every request would make every page view a write.
TOUCH_INTERVAL = timedelta(minutes=5)
USER_AGENT_MAX = 300


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


# Every request with a session cookie runs it: a Core statement, built once, with the
# session's columns and then its user's (none for a visitor's session). The objects are
# made from the row detached, as the request's session used to leave them when it closed.
_sessions = cast(Table, WebSession.__table__)
_users = cast(Table, User.__table__)
_SESSION_COLUMNS = tuple(_sessions.c.keys())
_USER_COLUMNS = tuple(_users.c.keys())
_LOAD = (
    select(*_sessions.c, *_users.c)
    .select_from(_sessions.outerjoin(_users, _users.c.id == _sessions.c.user_id))
    .where(_sessions.c.id == bindparam("token_hash", type_=String))
)


def _web_session(row: Row[Any]) -> WebSession:
    values = tuple(row)
    split = len(_SESSION_COLUMNS)
    user: User | None = None
    if values[split + _USER_COLUMNS.index("id")] is not None:  # none for a visitor
        user = User.detached(**dict(zip(_USER_COLUMNS, values[split:], strict=True)))
    return WebSession.detached(
        **dict(zip(_SESSION_COLUMNS, values[:split], strict=True)), user=user
    )


def is_live(
    web_session: WebSession, *, now: datetime, idle: timedelta, lifetime: timedelta
) -> bool:
    """Used within the idle time, and started less than its lifetime ago."""
    return web_session.last_seen_at + idle > now and web_session.created_at + lifetime > now


def ends_at(
    web_session: WebSession, *, now: datetime, idle: timedelta, lifetime: timedelta
) -> datetime:
    """When the session ends if it is not used again."""
    return min(now + idle, web_session.created_at + lifetime)


async def load(
    session: AsyncSession, token: str, *, now: datetime, idle: timedelta, lifetime: timedelta
) -> WebSession | None:
    """The live session for ``token``, with its user, or None."""
    rows = await rows_of(session, _LOAD, {"token_hash": hash_token(token)})
    if not rows:
        return None
    web_session = _web_session(rows[0])
    expired = not is_live(web_session, now=now, idle=idle, lifetime=lifetime)
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
    session: AsyncSession,
    user: User | None,
    *,
    now: datetime,
    replacing: WebSession | None,
    user_agent: str = "",
) -> tuple[str, WebSession]:
    """A new session (new id, new CSRF token); the one it replaces is deleted."""
    token = new_token()
    web_session = WebSession(
        id=hash_token(token),
        user_id=user.id if user else None,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        user_agent=user_agent[:USER_AGENT_MAX],
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


# One's own sessions ----------------------------------------------------------


def handle_of(web_session: WebSession) -> str:
    """What names a session in a page and a form: derived from the row's id (itself a
    hash of the cookie's token) by hashing again, so a page never shows anything that
    would find the row, let alone the cookie."""
    return hashlib.sha256(f"session:{web_session.id}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SessionRow:
    """One of a person's sessions, as the settings page lists it."""

    handle: str
    device: str
    started_at: datetime
    last_seen_at: datetime
    current: bool


async def sessions_of(
    session: AsyncSession,
    user_id: int,
    *,
    current: WebSession | None,
    now: datetime,
    idle: timedelta,
    lifetime: timedelta,
) -> list[SessionRow]:
    """The person's live sessions, the one in use first, then the latest used."""
    rows = await session.scalars(
        select(WebSession)
        .where(
            WebSession.user_id == user_id,
            WebSession.last_seen_at > now - idle,
            WebSession.created_at > now - lifetime,
        )
        .order_by(WebSession.last_seen_at.desc())
    )
    listed = [
        SessionRow(
            handle=handle_of(row),
            device=describe_device(row.user_agent),
            started_at=row.created_at,
            last_seen_at=row.last_seen_at,
            current=current is not None and row.id == current.id,
        )
        for row in rows
    ]
    return sorted(listed, key=lambda row: not row.current)


async def end_one_of(session: AsyncSession, user_id: int, handle: str) -> WebSession:
    """End the person's session named ``handle``; NotFound unless it is theirs."""
    async with write(session) as tx:
        rows = await tx.scalars(select(WebSession).where(WebSession.user_id == user_id))
        found = next((row for row in rows if hmac.compare_digest(handle_of(row), handle)), None)
        if found is None:
            raise NotFound()
        await tx.execute(delete(WebSession).where(WebSession.id == found.id))
    return found


# Browsers, coarsely ------------------------------------------------------------

# The first mark found names the browser: Edge and Opera also say "Chrome", and
# Chrome also says "Safari".
BROWSERS = (
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def describe_device(user_agent: str) -> str:
    """The browser and system a User-Agent names, like "Firefox on Linux": no
    versions, nothing finer."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in SYSTEMS if mark in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or _("A browser on %(system)s", system=system)
    return _("An unknown browser")
