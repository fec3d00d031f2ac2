"""The site behind PgBouncer in transaction pooling mode (IDEAS_DB_PGBOUNCER=true).

PgBouncer gives each transaction whichever server connection is free, so
statements prepared on one are looked for on another, and two clients
sharing a server connection ask for the same statement name. Here a few
server connections serve many of the site's connections at once: people post
ideas, vote and read the challenge page all together, and every count comes
out exact.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from ideas.settings import load_settings
from ideas.submissions.models import Idea
from tests.factories.voting import a_round, counts, signed_in_clients
from tests.support.databases import new_database
from tests.support.environ import TEST_ENVIRON


@pytest.fixture
def through_pgbouncer(run_local: ModuleType, open_folder: Path) -> Iterator[str]:
    """A PostgreSQL database of the test's own, reached through a PgBouncer of the
    test's own with two server connections."""
    with new_database("postgresql", open_folder) as direct:
        url = make_url(direct)
        port, process = run_local.start_pgbouncer(
            open_folder / "pgbouncer", postgres_port=url.port or 5432, pool_size=2
        )
        try:
            yield url.set(port=port).render_as_string(hide_password=False)
        finally:
            process.terminate()
            process.wait(timeout=10)


async def test_posting_voting_and_reading_at_once_through_pgbouncer(
    through_pgbouncer: str,
) -> None:
    settings = load_settings(
        {**TEST_ENVIRON, "IDEAS_RATE_LIMITS": "false", "IDEAS_DB_PGBOUNCER": "true"}
    )
    async with a_round(
        through_pgbouncer, voters=12, ideas=4, vote_budget=None, pgbouncer=True
    ) as round_:
        clients = await signed_in_clients(round_.database, settings, round_.voters)
        page = f"/challenges/{round_.challenge.slug}"
        try:
            posted, voted, read = await asyncio.gather(
                asyncio.gather(
                    *(
                        client.post(
                            f"{page}/ideas/new",
                            data={
                                "title": f"Idea from person {n}",
                                "summary": "Through PgBouncer.",
                                "body": "",
                                "csrf_token": csrf,
                            },
                        )
                        for n, (client, csrf) in enumerate(clients)
                    )
                ),
                asyncio.gather(
                    *(
                        client.post(
                            f"/ideas/{idea.id}/vote", data={"action": "vote", "csrf_token": csrf}
                        )
                        for client, csrf in clients
                        for idea in round_.ideas
                    )
                ),
                asyncio.gather(*(client.get(page) for client, _ in clients for _ in range(3))),
            )
        finally:
            for client, _ in clients:
                await client.aclose()

        assert [r.status_code for r in posted] == [303] * len(clients)
        assert [r.status_code for r in voted] == [303] * len(clients) * len(round_.ideas)
        assert [r.status_code for r in read] == [200] * len(clients) * 3
        final = await counts(round_.database, round_.ideas)
        assert set(final.values()) == {(len(clients), len(clients))}
        async with round_.database.session() as session:
            ideas = await session.scalar(
                select(func.count()).where(Idea.challenge_id == round_.challenge.id)
            )
        assert ideas == len(round_.ideas) + len(clients)
