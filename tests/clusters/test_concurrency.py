"""Two hosts grouping overlapping ideas at the same moment: one wins, and no idea ends
in two clusters. Each test has a database of its own where commits are real."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ideas.accounts import sessions
from ideas.accounts.models import User
from ideas.accounts.services import create_user
from ideas.app import create_app
from ideas.challenges.models import ChallengeHost
from ideas.challenges.phases import Phase
from ideas.db import Database, utcnow
from ideas.settings import Settings
from ideas.submissions.models import IdeaCluster, IdeaClusterMember
from ideas.web.sessions import cookie_name
from tests.factories import challenges, submissions
from tests.factories.people import give_host_role


@pytest.fixture
async def database(committing_database_url: str) -> AsyncIterator[Database]:
    database = Database.from_url(committing_database_url)
    try:
        yield database
    finally:
        await database.dispose()


async def person(database: Database, name: str) -> User:
    async with database.session() as session:
        return await create_user(
            session,
            display_name=name,
            email=f"{name.lower()}@example.org",
            provider="test",
            subject=name,
            now=utcnow(),
        )


async def test_two_hosts_grouping_overlapping_ideas_at_once_make_one_cluster(
    database: Database, settings: Settings
) -> None:
    first, second = await person(database, "Hamid"), await person(database, "Grace")
    authors = [await person(database, name) for name in ("Priya", "Tomas", "Aiko")]
    async with database.session() as session:
        challenge = await challenges.challenge(session, first, 1, phase=Phase.IDEAS)
        await give_host_role(session, second)
        async with session.begin():
            session.add(
                ChallengeHost(challenge_id=challenge.id, user_id=second.id, added_at=utcnow())
            )
        ideas = [
            await submissions.idea(session, challenge, author, n)
            for n, author in enumerate(authors, start=1)
        ]
    clients = []
    app = create_app(settings, database)
    for host in (first, second):
        async with database.session() as session:
            token, web_session = await sessions.start(session, host, now=utcnow(), replacing=None)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
        )
        client.cookies.set(cookie_name(settings), token)
        clients.append((client, web_session.csrf_token))
    chosen = [[ideas[0].id, ideas[1].id], [ideas[1].id, ideas[2].id]]
    try:
        responses = await asyncio.gather(
            *(
                client.post(
                    f"/challenges/{challenge.slug}/duplicates",
                    data={"csrf_token": csrf, "ideas": [str(i) for i in ids]},
                )
                for (client, csrf), ids in zip(clients, chosen, strict=True)
            )
        )
    finally:
        for client, _csrf in clients:
            await client.aclose()

    assert sorted(r.status_code for r in responses) == [303, 409]
    async with database.session() as session:
        clusters = await session.scalar(select(func.count()).select_from(IdeaCluster))
        members = list(await session.scalars(select(IdeaClusterMember.idea_id)))
    assert clusters == 1
    assert len(members) == len(set(members)) == 2
    assert ideas[1].id in members


async def test_the_database_keeps_an_idea_in_one_cluster(database: Database) -> None:
    host = await person(database, "Hamid")
    async with database.session() as session:
        challenge = await challenges.challenge(session, host, 1, phase=Phase.IDEAS)
        idea = await submissions.idea(session, challenge, host, 1)
        async with session.begin():
            one, two = (
                IdeaCluster(challenge_id=challenge.id),
                IdeaCluster(challenge_id=challenge.id),
            )
            session.add_all([one, two])
            await session.flush()
            session.add(IdeaClusterMember(idea_id=idea.id, cluster_id=one.id))
        with pytest.raises(IntegrityError):
            async with session.begin():
                session.add(IdeaClusterMember(idea_id=idea.id, cluster_id=two.id))
