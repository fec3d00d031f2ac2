"""The time zone a person reads and types times in.

Chosen once per request (``use_zone``), like the language in ``ideas.i18n``:
the person's own setting; for one who has not chosen, or a visitor, the zone
their browser reported in a cookie (``static/js/site.js`` sets it); else the
site's zone. Times are stored in UTC; only showing and typing them uses a zone.
A challenge has a zone of its own, in which its hosts type its schedule.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

# Set by the browser's script (read by the server only; see static/js/site.js).
COOKIE = "ideas_tz"
NAME_MAX = 64

_UTC = ZoneInfo("UTC")
_zone: ContextVar[ZoneInfo | None] = ContextVar("zone", default=None)


@cache
def names() -> tuple[str, ...]:
    """Every zone a person may choose, by its IANA name, sorted."""
    return tuple(sorted(available_timezones() - {"localtime", "Factory"}))


def zone_named(name: str | None) -> ZoneInfo | None:
    """The zone called ``name`` (an IANA name like Europe/Lisbon), or None for no such zone."""
    if not name or len(name) > NAME_MAX or name not in _known():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@cache
def _known() -> frozenset[str]:
    return frozenset(names())


def current_zone() -> ZoneInfo:
    """The zone of the request at hand; UTC outside any (a command, a worker)."""
    return _zone.get() or _UTC


@contextlib.contextmanager
def use_zone(zone: ZoneInfo) -> Iterator[None]:
    """Show and read times in ``zone`` within the block (one request, one e-mail)."""
    token = _zone.set(zone)
    try:
        yield
    finally:
        _zone.reset(token)


def request_zone(chosen: str | None, from_browser: str | None, site: ZoneInfo) -> ZoneInfo:
    """The zone of one request: the person's choice, else their browser's, else the site's."""
    return zone_named(chosen) or zone_named(from_browser) or site


def zone_of(name: str | None, fallback: ZoneInfo) -> ZoneInfo:
    """A stored zone name (a challenge's), or ``fallback`` for none."""
    return zone_named(name) or fallback


def offset_label(zone: ZoneInfo, at: datetime | None = None) -> str:
    """``Europe/Lisbon (UTC+01:00)``: a zone as a person picks it from a list."""
    moment = (at or datetime.now(UTC)).astimezone(zone)
    offset = moment.strftime("%z")
    return f"{zone.key} (UTC{offset[:3]}:{offset[3:]})"


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """The moment ``day`` is over in ``zone`` (the midnight that ends it), in UTC.

    Where that midnight does not exist (a clock moved on at it), the first moment of
    the next day that does."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def day_ended_at(moment: datetime, zone: ZoneInfo) -> date:
    """The day whose ``end_of_day`` in ``zone`` is ``moment``; for any other moment,
    the day it falls on there."""
    local = moment.astimezone(zone).date()
    before = local - timedelta(days=1)
    return before if end_of_day(before, zone) == moment else local
