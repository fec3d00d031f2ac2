"""On PostgreSQL every writer locks a challenge's row before any of its ideas' rows.

An answer to the compare page and a refit update the challenge, then its
ideas; withdrawing, reporting (which may hide) and restoring an idea change
the idea, then the challenge's count. Taken in opposite orders, two of them
could each hold the row the other waits for. Each test holds the challenge's
row, as an answer being recorded would, starts the change and checks that it
waits there: the idea's row is still free to lock.

SQLite needs no such order: its writers run one at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from ideas.db import Database, create_engine, utcnow
from ideas.errors import Conflict
from ideas.moderation import services as moderation
from ideas.moderation.forms import ReportInput
from ideas.moderation.models import ReportReason
from ideas.submissions import services as submissions
from ideas.submissions.models import IdeaStatus
from tests.factories.voting import Round, a_round
from tests.support.databases import new_database


@pytest.fixture
def postgresql_url(tmp_path: Path) -> Iterator[str]:
    with new_database("postgresql", tmp_path) as url:
        yield url


async def waiting_for_a_lock(connection: AsyncConnection) -> bool:
    """Whether a session of this database is waiting for a lock now."""
    waiting = await connection.scalar(
        text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
    )
    await connection.rollback()
    return bool(waiting)


async def waits_for_the_challenge(
    url: str, round_: Round, change: Callable[[Database], Coroutine[Any, Any, Any]]
) -> Any:
    """Run ``change`` while the challenge's row is held; check that it waits without having
    locked the idea; let it go on and give what it returned (or raise what it raised)."""
    [idea] = round_.ideas
    engine = create_engine(url)
    try:
        async with engine.connect() as holder, engine.connect() as prober:
            await holder.begin()
            await holder.execute(
                text("SELECT id FROM challenges WHERE id = :id FOR NO KEY UPDATE"),
                {"id": round_.challenge.id},
            )
            changing = asyncio.create_task(change(round_.database))
            async with asyncio.timeout(10):
                while not await waiting_for_a_lock(prober):
                    assert not changing.done(), "the change did not wait for the challenge's row"
                    await asyncio.sleep(0.02)

            # The idea's row is free: the change has not taken it before the challenge's.
            await prober.begin()
            await prober.execute(
                text("SELECT id FROM ideas WHERE id = :id FOR UPDATE NOWAIT"), {"id": idea.id}
            )
            await prober.rollback()

            await holder.rollback()
            return await asyncio.wait_for(changing, 10)
    finally:
        await engine.dispose()


async def test_withdrawing_an_idea_locks_its_challenge_first(postgresql_url: str) -> None:
    async with a_round(postgresql_url, voters=0, ideas=1, vote_budget=None) as round_:
        [idea] = round_.ideas

        async def withdraw(database: Database) -> None:
            async with database.session() as session:
                await submissions.withdraw_idea(
                    session, idea_id=idea.id, actor_id=idea.author_id, now=utcnow()
                )

        await waits_for_the_challenge(postgresql_url, round_, withdraw)

        async with round_.database.session() as session:
            status = await session.scalar(
                text("SELECT status FROM ideas WHERE id = :id"), {"id": idea.id}
            )
        assert status == IdeaStatus.WITHDRAWN.value


async def test_reporting_an_idea_locks_its_challenge_first(postgresql_url: str) -> None:
    async with a_round(postgresql_url, voters=1, ideas=1, vote_budget=None) as round_:
        [idea], [reporter] = round_.ideas, round_.voters

        async def report(database: Database) -> Any:
            async with database.session() as session:
                return await moderation.report_idea(
                    session,
                    idea_id=idea.id,
                    reporter_id=reporter.id,
                    report=ReportInput(reason=ReportReason.SPAM, note=""),
                    now=utcnow(),
                )

        assert await waits_for_the_challenge(postgresql_url, round_, report) is not None


async def test_restoring_an_idea_locks_its_challenge_first(postgresql_url: str) -> None:
    async with a_round(postgresql_url, voters=1, ideas=1, vote_budget=None) as round_:
        [idea], host_id = round_.ideas, round_.challenge.created_by_id

        async def restore(database: Database) -> None:
            async with database.session() as session:
                await moderation.restore(
                    session,
                    kind=moderation.ItemKind.IDEA,
                    item_id=idea.id,
                    actor_id=host_id,
                    now=utcnow(),
                )

        # The idea is not hidden: once it has its locks, restoring it is refused.
        with pytest.raises(Conflict):
            await waits_for_the_challenge(postgresql_url, round_, restore)
