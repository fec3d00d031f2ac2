"""Counting: the SQL statements a block runs, and the rows a table holds."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession


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


async def count(session: AsyncSession, model: type[Any]) -> int:
    """How many rows of ``model`` are saved (read fresh, outside any cached state)."""

    await session.commit()
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def fresh(session: AsyncSession, model: type[Any], key: Any) -> Any:
    """The row as saved now."""
    await session.commit()
    return await session.get(model, key, populate_existing=True)
