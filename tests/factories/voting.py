"""A voting round on a database of its own, where commits are real."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts import sessions
from ideas.accounts.models import User
from ideas.accounts.services import create_user
from ideas.app import create_app
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.challenges.services import create_challenge
from ideas.db import Database, utcnow
from ideas.settings import Settings
from ideas.submissions.forms import IdeaInput
from ideas.submissions.models import Idea
from ideas.submissions.services import post_idea
from ideas.voting.models import Vote
from ideas.web.sessions import cookie_name
from tests.factories.accounts import Person
from tests.factories.challenges import schedule_for
from tests.factories.web import HTMX
from tests.html import Page


@dataclass
class Round:
    database: Database
    challenge: Challenge
    ideas: list[Idea]
    voters: list[User]


@asynccontextmanager
async def a_round(
    url: str, *, voters: int, ideas: int, vote_budget: int | None, pgbouncer: bool = False
) -> AsyncIterator[Round]:
    """A challenge taking ideas, ``ideas`` ideas by one author and ``voters`` other people."""
    database = Database.from_url(url, pgbouncer=pgbouncer)
    try:
        async with database.session() as session:
            now = utcnow()

            async def person(n: int, *, host: bool = False) -> User:
                return await create_user(
                    session,
                    display_name=f"Person {n}",
                    email=f"person{n}@example.org",
                    provider="test",
                    subject=f"person-{n}",
                    is_host=host,
                    now=now,
                )

            host, author = await person(0, host=True), await person(1)
            challenge = await create_challenge(
                session,
                host_id=host.id,
                data=ChallengeInput(
                    title="Race",
                    slug="race",
                    question="How might we race?",
                    sponsor="",
                    brief="",
                    schedule=schedule_for(Phase.IDEAS, now),
                    vote_budget=vote_budget,
                ),
                now=now,
            )
            posted = [
                await post_idea(
                    session,
                    challenge_id=challenge.id,
                    author_id=author.id,
                    data=IdeaInput(title=f"Idea {n}", summary="Short.", body=""),
                    now=now,
                )
                for n in range(ideas)
            ]
            people = [await person(n) for n in range(2, 2 + voters)]
        yield Round(database, challenge, posted, people)
    finally:
        await database.dispose()


def vote_url(idea: Idea) -> str:
    return f"/ideas/{idea.id}/vote"


async def vote(
    person: Person, idea: Idea, action: str = "vote", *, htmx: bool = False, **fields: str
) -> Any:
    return await person.post(
        vote_url(idea), {"action": action, **fields}, headers=HTMX if htmx else None
    )


async def tally(session: AsyncSession, idea: Idea) -> tuple[int, int]:
    """The idea's vote_count and how many vote rows it has, read fresh."""
    await session.commit()
    counted = await session.scalar(select(Idea.vote_count).where(Idea.id == idea.id))
    rows = await session.scalar(
        select(func.count()).select_from(Vote).where(Vote.idea_id == idea.id)
    )
    return int(counted or 0), int(rows or 0)


def button(page: Page, idea: Idea) -> Any:
    return page.one(f"#vote-{idea.id} button")


def shown_count(page: Page, idea: Idea) -> str:
    return page.text(f"#vote-{idea.id} .vote__count")


async def signed_in_clients(
    database: Database, settings: Settings, people: list[User]
) -> list[tuple[httpx.AsyncClient, str]]:
    app = create_app(settings, database)
    clients = []
    async with database.session() as session:
        for user in people:
            token, web_session = await sessions.start(session, user, now=utcnow(), replacing=None)
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
            )
            client.cookies.set(cookie_name(settings), token)
            clients.append((client, web_session.csrf_token))
    return clients


async def counts(database: Database, ideas: list[Idea]) -> dict[int, tuple[int, int]]:
    """For each idea: its vote_count and its number of vote rows."""
    async with database.session() as session:
        counted = {
            row.id: row.vote_count
            for row in await session.execute(
                select(Idea.id, Idea.vote_count).where(Idea.id.in_([i.id for i in ideas]))
            )
        }
        rows = {
            row.idea_id: row.number
            for row in await session.execute(
                select(Vote.idea_id, func.count().label("number")).group_by(Vote.idea_id)
            )
        }
    return {idea.id: (counted[idea.id], rows.get(idea.id, 0)) for idea in ideas}
