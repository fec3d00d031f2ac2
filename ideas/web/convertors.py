"""The path convertor for ids: ``{idea_id:id}`` in a route's path.

Ids are 32-bit integers on PostgreSQL and 64-bit on SQLite; a number past the
smaller of the two names nothing on either, and would fail inside the database
driver. The convertor's pattern matches only whole numbers up to ``MAX_ID``, so
the route does not match a larger one and the router answers 404 before any
view or query runs.
"""

from __future__ import annotations

from starlette.convertors import CONVERTOR_TYPES, Convertor, register_url_convertor

MAX_ID = 2**31 - 1


def up_to(limit: int) -> str:
    """A regular expression matching the decimal numbers 0 to ``limit``, without
    leading zeros (``07`` is not an id)."""
    digits = str(limit)
    shorter = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    same_length = []
    for position, digit in enumerate(digits):
        lowest = "1" if position == 0 else "0"
        if int(digit) > int(lowest):
            rest = len(digits) - position - 1
            below = f"[{lowest}-{int(digit) - 1}]"
            tail = f"[0-9]{{{rest}}}" if rest else ""
            same_length.append(digits[:position] + below + tail)
    same_length.append(digits)
    return "(?:" + "|".join(["0", *shorter, *same_length]) + ")"


class IdConvertor(Convertor[int]):
    regex = up_to(MAX_ID)

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        number = int(value)
        assert 0 <= number <= MAX_ID, "An id is a whole number from 0 to 2**31 - 1"
        return str(number)


def register() -> None:
    """Make ``:id`` known to Starlette; routes that use it must be built after this."""
    if not isinstance(CONVERTOR_TYPES.get("id"), IdConvertor):
        register_url_convertor("id", IdConvertor())
