"""Every sort of a challenge's list reads its first page from an index in order: it
never sorts all the challenge's ideas to show twenty of them (a round of 10,000 ideas
would pay that on every page)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection

from ideas.submissions import queries
from ideas.submissions.queries import LISTED_STATUSES, PAGE_SIZE, Sort

LISTED_SORTS = [sort for sort in Sort if sort is not Sort.RELEVANCE]
# A key of each sort's type, for a later page.
AFTER_KEYS: dict[Sort, Any] = {
    Sort.NEWEST: datetime(2026, 1, 1, tzinfo=UTC),
    Sort.TRENDING: datetime(2026, 1, 1, tzinfo=UTC),
    Sort.PAIRWISE: 0.5,
}
SORTING_ALL = re.compile(r"(->\s+)?Sort\s+\(")


@contextlib.contextmanager
def explained(connection: AsyncConnection, prefix: str) -> Iterator[None]:
    """Statements run in the block are explained instead: their plans come back."""

    def explain(*args: Any) -> tuple[str, Any]:
        _conn, _cursor, statement, parameters, _context, _many = args
        return prefix + statement, parameters

    sync = connection.sync_connection
    assert sync is not None
    event.listen(sync, "before_cursor_execute", explain, retval=True)
    try:
        yield
    finally:
        event.remove(sync, "before_cursor_execute", explain)


@pytest.mark.parametrize("paged", [False, True], ids=["first page", "later page"])
@pytest.mark.parametrize("sort", LISTED_SORTS, ids=[sort.value for sort in LISTED_SORTS])
async def test_a_sorted_list_reads_an_index_in_order(
    connection: AsyncConnection, sort: Sort, paged: bool
) -> None:
    query = queries._listing(sort, tuple(LISTED_STATUSES), False, False, paged, True)
    params = {
        "challenge_id": 1,
        "tag_id": None,
        "theme_id": None,
        "after_key": AFTER_KEYS.get(sort, 0) if paged else None,
        "after_id": 1 if paged else None,
        "limit": PAGE_SIZE + 1,
    }
    if connection.dialect.name == "sqlite":
        with explained(connection, "EXPLAIN QUERY PLAN "):
            plan = [row[-1] for row in (await connection.execute(query, params)).all()]
        assert not [step for step in plan if "TEMP B-TREE FOR ORDER BY" in step], plan
        assert [step for step in plan if step.startswith("SEARCH ideas USING INDEX")], plan
    else:
        # PostgreSQL's planner sorts a small table rather than read an index; told that
        # sorting costs the earth, it reads an index in order if one gives the order.
        # (The tie-break on id comes from an incremental sort of each key's few ties.)
        await connection.execute(text("SET LOCAL enable_sort = off"))
        with explained(connection, "EXPLAIN "):
            plan = [row[0].strip() for row in (await connection.execute(query, params)).all()]
        await connection.execute(text("RESET enable_sort"))
        assert not [step for step in plan if SORTING_ALL.match(step)], plan
