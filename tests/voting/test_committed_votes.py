"""Votes on a database where commits are real, as the site runs them.

On SQLite a vote runs whole on the writer thread (``ideas.db.Writer``); one
that is refused, or whose count reaches a milestone its authors have not
been told of, is redone in an ordinary write transaction, which says why or
tells the authors. On PostgreSQL every vote takes the ordinary path; the same
rules hold.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import func, select, update

from ideas.accounts.models import User, UserStatus
from ideas.db import Database, utcnow
from ideas.errors import Conflict, Forbidden
from ideas.notifications.models import Notification
from ideas.submissions.models import Idea
from ideas.voting import services
from ideas.voting.models import Vote
from tests.voting.test_concurrency import Round, a_round


def uses_the_writer(database: Database) -> bool:
    """SQLite on a file has a writer thread; PostgreSQL has none."""
    return (database.writer is not None) == (database.dialect_name == "sqlite")


async def _change(
    change: Callable[..., Awaitable[services.Ballot]], round_: Round, voter: User, idea: Idea
) -> services.Ballot:
    """``services.cast_vote`` or ``withdraw_vote``, in a session of its own."""
    async with round_.database.session() as session:
        return await change(
            session,
            idea_id=idea.id,
            user_id=voter.id,
            now=utcnow(),
            challenge_id=round_.challenge.id,
        )


async def cast(round_: Round, voter: User, idea: Idea) -> services.Ballot:
    return await _change(services.cast_vote, round_, voter, idea)


async def withdraw(round_: Round, voter: User, idea: Idea) -> services.Ballot:
    return await _change(services.withdraw_vote, round_, voter, idea)


async def tally(round_: Round, idea: Idea) -> tuple[int, int]:
    """The idea's vote_count and its vote rows."""
    async with round_.database.session() as session:
        count = await session.scalar(select(Idea.vote_count).where(Idea.id == idea.id))
        rows = await session.scalar(select(func.count()).where(Vote.idea_id == idea.id))
        return int(count or 0), int(rows or 0)


async def test_a_vote_and_its_withdrawal_are_committed_with_their_counts(
    committing_database_url: str,
) -> None:
    async with a_round(committing_database_url, voters=1, ideas=1, vote_budget=2) as round_:
        assert uses_the_writer(round_.database)
        [voter], [idea] = round_.voters, round_.ideas

        cast_ = await cast(round_, voter, idea)
        assert (cast_.voted, cast_.vote_count, cast_.votes_left) == (True, 1, 1)
        assert await tally(round_, idea) == (1, 1)

        withdrawn = await withdraw(round_, voter, idea)
        assert (withdrawn.voted, withdrawn.vote_count, withdrawn.votes_left) == (False, 0, 2)
        assert await tally(round_, idea) == (0, 0)


async def test_refusals_say_why_and_change_nothing(committing_database_url: str) -> None:
    async with a_round(committing_database_url, voters=2, ideas=2, vote_budget=1) as round_:
        assert uses_the_writer(round_.database)
        voter, suspended = round_.voters
        first, second = round_.ideas
        await cast(round_, voter, first)

        with pytest.raises(Conflict) as twice:
            await cast(round_, voter, first)
        assert twice.value.message == services.ALREADY_VOTED
        with pytest.raises(Conflict) as over_budget:
            await cast(round_, voter, second)
        assert over_budget.value.message == services.budget_spent(1)
        with pytest.raises(Conflict) as never_cast:
            await withdraw(round_, suspended, first)
        assert never_cast.value.message == services.NOT_VOTED

        async with round_.database.session() as session, session.begin():
            await session.execute(
                update(User).where(User.id == suspended.id).values(status=UserStatus.SUSPENDED)
            )
        with pytest.raises(Forbidden):
            await cast(round_, suspended, second)

        assert await tally(round_, first) == (1, 1)
        assert await tally(round_, second) == (0, 0)


async def test_the_vote_that_reaches_a_milestone_tells_the_author(
    committing_database_url: str,
) -> None:
    async with a_round(committing_database_url, voters=10, ideas=1, vote_budget=None) as round_:
        assert uses_the_writer(round_.database)
        [idea] = round_.ideas

        for voter in round_.voters:
            await cast(round_, voter, idea)

        async with round_.database.session() as session:
            told = (
                await session.scalars(
                    select(Notification).where(
                        Notification.kind == "idea.votes", Notification.idea_id == idea.id
                    )
                )
            ).all()
        assert [(n.user_id, n.data["count"]) for n in told] == [(idea.author_id, 10)]
        assert await tally(round_, idea) == (10, 10)


async def test_a_milestone_reached_again_is_not_told_again_nor_redone(
    committing_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A vote withdrawn and cast again reaches the same milestone: the authors were told
    already, so on SQLite the writer commits it without an ordinary write transaction."""
    async with a_round(committing_database_url, voters=10, ideas=1, vote_budget=None) as round_:
        [idea] = round_.ideas
        for voter in round_.voters:
            await cast(round_, voter, idea)
        last = round_.voters[-1]
        await withdraw(round_, last, idea)

        ordinary: list[object] = []
        real_write = services.write

        def counting_write(session: object) -> object:
            ordinary.append(session)
            return real_write(session)  # type: ignore[arg-type]

        monkeypatch.setattr(services, "write", counting_write)
        again = await cast(round_, last, idea)

        assert again.vote_count == 10
        assert await tally(round_, idea) == (10, 10)
        async with round_.database.session() as session:
            told = (
                await session.scalars(
                    select(Notification.data).where(
                        Notification.kind == "idea.votes", Notification.idea_id == idea.id
                    )
                )
            ).all()
        assert [data["count"] for data in told] == [10]
        assert len(ordinary) == (0 if round_.database.dialect_name == "sqlite" else 1)
