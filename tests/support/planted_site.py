"""Run as ``python -m tests.support.planted_site`` with a site's environment: a challenge
("challenge-1") where two opinion groups and a shared idea are planted
(``tests.factories.bridging.two_camps``), its pairwise ranking fitted. The browser tests
then run ``ideas worker --once`` to fit the bridging scores."""

from __future__ import annotations

import asyncio
import itertools

import ideas.models  # noqa: F401 - every table, so that foreign keys resolve
from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.db import Database, utcnow
from ideas.settings import load_settings
from ideas.submissions.models import Idea
from ideas.voting.compare_services import refit
from tests.factories import challenges, people, submissions
from tests.factories.bridging import two_camps


async def plant() -> None:
    database = Database.from_settings(load_settings())
    counter = itertools.count(1)
    try:
        async with database.session() as session:

            async def make_user(name: str | None = None) -> User:
                return await people.person(session, next(counter), name=name)

            async def make_challenge(host: User) -> Challenge:
                return await challenges.challenge(session, host, 1, title="Safer streets")

            async def make_idea(challenge: Challenge, author: User, *, title: str) -> Idea:
                return await submissions.idea(
                    session, challenge, author, next(counter), title=title
                )

            host = await make_user("Hamid")
            author = await make_user("Amara")
            camps = await two_camps(session, make_user, make_challenge, make_idea, host, author)
            await refit(session, camps.challenge.id, utcnow())
    finally:
        await database.dispose()


if __name__ == "__main__":
    asyncio.run(plant())
