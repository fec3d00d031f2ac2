"""Opaque cursors for keyset pagination: where a page of a sorted list ends.

A cursor holds the sort order, the sort key of the last item on the page and
its id, as base64url-encoded JSON. Clients copy it from a ``next`` link and
never build one; anything that does not decode to a position of the given
order is refused.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime

from ideas.api.queries import IdeaSort, Position

MAX_ID = 2**31 - 1  # ids and counters are 32-bit integers on PostgreSQL
MAX_LENGTH = 200


class InvalidCursor(ValueError):
    """The text is not a cursor this API made for that sort order."""


def encode(position: Position) -> str:
    key = position.key.isoformat() if isinstance(position.key, datetime) else position.key
    raw = json.dumps([position.sort.value, key, position.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(text: str, sort: IdeaSort) -> Position:
    """The position ``text`` stands for, if it was made for ``sort``."""
    if not text or len(text) > MAX_LENGTH or not text.isascii():
        raise InvalidCursor(text)
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise InvalidCursor(text) from error
    if not isinstance(value, list) or len(value) != 3:
        raise InvalidCursor(text)
    made_for, key, idea_id = value
    if made_for != sort.value or not _is_id(idea_id):
        raise InvalidCursor(text)
    if sort.by_time:
        return Position(sort, _moment(key, text), idea_id)
    if sort is IdeaSort.PAIRWISE:
        # A pairwise score, or -1 for ideas not compared yet.
        if type(key) not in (int, float) or not -1 <= key <= 1:
            raise InvalidCursor(text)
        return Position(sort, float(key), idea_id)
    if not _is_id(key):
        raise InvalidCursor(text)
    return Position(sort, key, idea_id)


def _is_id(value: object) -> bool:
    return type(value) is int and 0 <= value <= MAX_ID


def _moment(value: object, text: str) -> datetime:
    if not isinstance(value, str):
        raise InvalidCursor(text)
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise InvalidCursor(text)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise InvalidCursor(text) from error
