"""Counts stay exact and budgets hold when many votes arrive at once.

These tests run on a database of their own where commits are real, so that
concurrent requests get transactions (and, on PostgreSQL, connections) of
their own: each request and each service call below opens its own session.
"""

from __future__ import annotations

import asyncio
import random

from sqlalchemy import func, select

from ideas.accounts.models import User
from ideas.db import utcnow
from ideas.errors import Conflict
from ideas.settings import Settings, load_settings
from ideas.submissions.models import Idea
from ideas.voting import services
from ideas.voting.models import Vote
from tests.factories.voting import a_round, counts, signed_in_clients
from tests.support.environ import TEST_ENVIRON


async def test_a_burst_of_votes_and_withdrawals_keeps_every_count_exact(
    committing_database_url: str,
) -> None:
    """20 people, 3 ideas, every request at once: each person votes and withdraws at random."""
    # Every request comes from one address here, far beyond what its limit allows.
    settings = load_settings({**TEST_ENVIRON, "IDEAS_RATE_LIMITS": "false"})
    shuffle = random.Random(20)
    async with a_round(committing_database_url, voters=20, ideas=3, vote_budget=None) as round_:
        clients = await signed_in_clients(round_.database, settings, round_.voters)
        requests = [
            (client, csrf, idea, shuffle.choice(["vote", "withdraw"]))
            for client, csrf in clients
            for idea in round_.ideas
            for _ in range(shuffle.randint(1, 3))
        ]
        shuffle.shuffle(requests)
        try:
            responses = await asyncio.gather(
                *(
                    client.post(
                        f"/ideas/{idea.id}/vote",
                        data={"action": action, "csrf_token": csrf},
                    )
                    for client, csrf, idea, action in requests
                )
            )
        finally:
            for client, _ in clients:
                await client.aclose()

        assert {r.status_code for r in responses} <= {303, 409}
        assert sum(r.status_code == 303 for r in responses) > 0
        final = await counts(round_.database, round_.ideas)
        for vote_count, rows in final.values():
            assert vote_count == rows
        assert sum(rows for _, rows in final.values()) > 0


async def test_one_person_voting_eight_times_at_once_spends_exactly_their_budget(
    committing_database_url: str, settings: Settings
) -> None:
    async with a_round(committing_database_url, voters=1, ideas=8, vote_budget=3) as round_:
        [(client, csrf)] = await signed_in_clients(round_.database, settings, round_.voters)
        try:
            responses = await asyncio.gather(
                *(
                    client.post(
                        f"/ideas/{idea.id}/vote", data={"action": "vote", "csrf_token": csrf}
                    )
                    for idea in round_.ideas
                )
            )
        finally:
            await client.aclose()

        assert sorted(r.status_code for r in responses) == [303] * 3 + [409] * 5
        final = await counts(round_.database, round_.ideas)
        assert sum(rows for _, rows in final.values()) == 3
        assert all(vote_count == rows for vote_count, rows in final.values())


async def test_concurrent_service_calls_in_sessions_of_their_own_hold_the_budget(
    committing_database_url: str,
) -> None:
    """Two people, budget 3, each casting 8 votes at once and withdrawing some meanwhile."""
    async with a_round(committing_database_url, voters=2, ideas=8, vote_budget=3) as round_:
        database = round_.database

        async def attempt(user: User, idea: Idea, action: str) -> bool:
            call = services.cast_vote if action == "vote" else services.withdraw_vote
            async with database.session() as session:
                try:
                    await call(session, idea_id=idea.id, user_id=user.id, now=utcnow())
                except Conflict:
                    return False
                return True

        calls = [
            attempt(user, idea, action)
            for user in round_.voters
            for idea in round_.ideas
            for action in ("vote", "withdraw", "vote")
        ]
        random.Random(8).shuffle(calls)
        await asyncio.gather(*calls)

        final = await counts(database, round_.ideas)
        assert all(vote_count == rows for vote_count, rows in final.values())
        async with database.session() as session:
            per_voter = {
                row.user_id: row.spent
                for row in await session.execute(
                    select(Vote.user_id, func.count().label("spent")).group_by(Vote.user_id)
                )
            }
        assert all(spent <= 3 for spent in per_voter.values())
