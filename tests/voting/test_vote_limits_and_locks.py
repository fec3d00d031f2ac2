"""Votes are rate limited, and the locks a vote takes keep one person's votes in order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.db import utcnow
from ideas.submissions.models import Idea
from ideas.voting import services
from ideas.web.ratelimit import PER_ACCOUNT, Limit
from tests.factories.voting import tally, vote, vote_url
from tests.html import Page

# Rate limits --------------------------------------------------------------------


async def test_votes_are_rate_limited_per_account(
    round_: dict[str, Any], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    idea = round_["idea"]
    priya = await sign_in(await make_user("Priya"))
    per_minute = PER_ACCOUNT[Limit.VOTE][0].amount
    for n in range(per_minute):
        response = await vote(priya, idea, "vote" if n % 2 == 0 else "withdraw")
        assert response.status_code == 303
    votes_before = await tally(session, idea)

    refused = await vote(priya, idea, "vote" if per_minute % 2 == 0 else "withdraw")
    in_place = await vote(priya, idea, "vote" if per_minute % 2 == 0 else "withdraw", htmx=True)

    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    page = Page(refused)
    assert "Wait" in page.text(f"#vote-{idea.id} [role=alert]")
    assert page.one(f"#vote-{idea.id} form").get("action") == vote_url(idea)
    assert in_place.status_code == 429
    assert "Wait" in Page(in_place).text(f"#vote-{idea.id} [role=alert]")
    assert await tally(session, idea) == votes_before


async def _statements_of_a_vote(session: AsyncSession, idea: Idea, voter: User) -> list[str]:
    """The SQL a vote runs, savepoints and BEGIN left out."""
    statements: list[str] = []
    engine = (await session.connection()).engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await services.cast_vote(
            session, idea_id=idea.id, user_id=voter.id, now=utcnow(), challenge_id=idea.challenge_id
        )
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    return [s for s in statements if not s.startswith(("BEGIN", "SAVEPOINT", "RELEASE"))]


async def test_the_voter_row_is_the_lock_that_orders_one_persons_votes(
    round_: dict[str, Any], make_user: Any, session: AsyncSession
) -> None:
    """With a budget, the votes spent are counted after the voter's row is locked."""
    idea, challenge = round_["idea"], round_["challenge"]
    await session.execute(
        update(Challenge).where(Challenge.id == challenge.id).values(vote_budget=3)
    )
    priya = await make_user("Priya")

    work = await _statements_of_a_vote(session, idea, priya)

    # The INSERT that counts the votes spent against the budget in its WHERE.
    counting = next(n for n, s in enumerate(work) if "vote_budget IS NULL OR (SELECT count(*)" in s)
    assert session.bind is not None
    if session.bind.dialect.name == "postgresql":
        # NO KEY UPDATE: it orders one person's votes without blocking the foreign-key
        # checks of rows that point at them (a notification for them, say).
        lock = next(n for n, s in enumerate(work) if s.endswith("FOR NO KEY UPDATE"))
        assert "FROM users" in work[lock]
        assert lock < counting
    else:
        # On SQLite the write lock, taken by BEGIN IMMEDIATE, already orders all writes:
        # before the vote, only the reads that ask whether voting is open.
        assert all(s.startswith("SELECT") and "FOR UPDATE" not in s for s in work[:counting])
    assert await tally(session, idea) == (1, 1)


async def test_without_a_budget_a_vote_locks_nothing_but_its_rows(
    round_: dict[str, Any], make_user: Any, session: AsyncSession
) -> None:
    """No budget, nothing to count: after one read that asks whether voting is open,
    the vote is one statement, the voter's row untouched."""
    idea = round_["idea"]
    priya = await make_user("Priya")

    work = await _statements_of_a_vote(session, idea, priya)

    assert not [s for s in work if "FOR NO KEY UPDATE" in s or "FOR UPDATE" in s]
    assert work[0].startswith("SELECT")
    assert "INSERT INTO votes" in work[1]
    assert await tally(session, idea) == (1, 1)
