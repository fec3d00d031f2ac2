"""Votes on a database where commits are real, as the site runs them.

In the tests that share one connection a vote is one write transaction on both
databases; here each is committed for real, as on the site, where on PostgreSQL
a vote without a budget, and a withdrawal, is one statement that commits by
itself, on the request's own connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import event, func, select, update

from ideas.accounts.models import User, UserStatus
from ideas.db import utcnow, write
from ideas.errors import Conflict, Forbidden
from ideas.notifications import events as notification_events
from ideas.notifications.models import Notification
from ideas.submissions.models import Idea
from ideas.voting import services
from ideas.voting.models import Vote
from tests.factories.voting import Round, a_round


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


async def counts_told(round_: Round, idea: Idea) -> list[int]:
    """The vote counts the idea's authors were told of, as milestones."""
    async with round_.database.session() as session:
        told = await session.scalars(
            select(Notification.data).where(
                Notification.kind == "idea.votes", Notification.idea_id == idea.id
            )
        )
        return [data["count"] for data in told.all()]


async def test_a_vote_and_its_withdrawal_are_committed_with_their_counts(
    committing_database_url: str,
) -> None:
    async with a_round(committing_database_url, voters=1, ideas=1, vote_budget=2) as round_:
        [voter], [idea] = round_.voters, round_.ideas

        cast_ = await cast(round_, voter, idea)
        assert (cast_.voted, cast_.vote_count, cast_.votes_left) == (True, 1, 1)
        assert await tally(round_, idea) == (1, 1)

        withdrawn = await withdraw(round_, voter, idea)
        assert (withdrawn.voted, withdrawn.vote_count, withdrawn.votes_left) == (False, 0, 2)
        assert await tally(round_, idea) == (0, 0)


async def test_refusals_say_why_and_change_nothing(committing_database_url: str) -> None:
    async with a_round(committing_database_url, voters=2, ideas=2, vote_budget=1) as round_:
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


async def test_a_milestone_reached_again_is_not_told_again(
    committing_database_url: str,
) -> None:
    """A vote withdrawn and cast again reaches the same milestone: the authors were
    told already, and are not told twice."""
    async with a_round(committing_database_url, voters=10, ideas=1, vote_budget=None) as round_:
        [idea] = round_.ideas
        for voter in round_.voters:
            await cast(round_, voter, idea)
        last = round_.voters[-1]
        await withdraw(round_, last, idea)

        again = await cast(round_, last, idea)

        assert again.vote_count == 10
        assert await tally(round_, idea) == (10, 10)
        assert await counts_told(round_, idea) == [10]


async def test_a_vote_and_a_withdrawal_take_the_requests_one_connection_on_postgresql(
    committing_database_url: str,
) -> None:
    """The request's session reads what the rules ask, then sends the change on the same
    connection: no second one from the pool (on SQLite, the write transaction's)."""
    async with a_round(committing_database_url, voters=1, ideas=1, vote_budget=None) as round_:
        [voter], [idea] = round_.voters, round_.ideas
        checkouts: list[object] = []
        pool = round_.database.bind.sync_engine.pool

        def checked_out(*args: object) -> None:
            checkouts.append(args)

        event.listen(pool, "checkout", checked_out)
        try:
            for vote in (True, False):
                async with round_.database.read_session() as session:
                    change = await services.change_vote(
                        session, idea_id=idea.id, user_id=voter.id, vote=vote, now=utcnow()
                    )
                assert change.ballot is not None
                assert change.ballot.voted is vote
        finally:
            event.remove(pool, "checkout", checked_out)
        postgresql = round_.database.dialect_name == "postgresql"
        assert len(checkouts) == (2 if postgresql else 4)
        assert await tally(round_, idea) == (0, 0)


async def test_two_votes_that_reach_a_milestone_at_once_tell_it_once(
    committing_database_url: str,
) -> None:
    """The notice of a milestone is written after the vote's own change: two votes that
    reached the same count one after the other are told one after the other, and the
    second finds the first's notice."""
    async with a_round(committing_database_url, voters=1, ideas=1, vote_budget=None) as round_:
        [idea] = round_.ideas

        async def milestone() -> None:
            async with round_.database.session() as session, write(session) as tx:
                await notification_events.on_vote_cast(tx, idea.id, 10, utcnow())

        await asyncio.gather(milestone(), milestone())

        assert await counts_told(round_, idea) == [10]
