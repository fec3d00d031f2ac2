"""Pages run a fixed number of queries, whatever the amount of data."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@contextlib.contextmanager
def counting(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")):
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def _queries_for(engine: AsyncEngine, person: Any, url: str) -> int:
    with counting(engine) as statements:
        response = await person.get(url)
    assert response.status_code == 200
    return len(statements)


async def test_challenge_and_idea_pages_run_the_same_queries_with_3_or_30_ideas(
    engine: AsyncEngine, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    authors = [await make_user() for _ in range(5)]
    small, large = await make_challenge(host), await make_challenge(host)
    for n in range(3):
        first = await make_idea(small, authors[n % 5])
    for n in range(30):
        await make_idea(large, authors[n % 5])
    priya = await sign_in(authors[0])

    small_page = await _queries_for(engine, priya, f"/challenges/{small.slug}")
    large_page = await _queries_for(engine, priya, f"/challenges/{large.slug}")
    idea_page = await _queries_for(engine, priya, f"/ideas/{first.id}/{first.slug}")
    home = await _queries_for(engine, priya, "/")

    # Session and user; challenge; its hosts; the page of ideas with their authors.
    assert small_page == large_page == 4
    # Session and user; the idea with author and challenge; the challenge's hosts.
    assert idea_page == 3
    assert home == 3
