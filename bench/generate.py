"""Bulk data for benchmarks: many ideas in one challenge, inserted in batches.

Counters kept by the services (the challenge's idea_count) are set to match, so
the pages read exactly what the services would have produced.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.db import utcnow, write
from ideas.submissions.models import Idea, IdeaStatus

WORDS = [
    "shared",
    "garden",
    "canteen",
    "bike",
    "repair",
    "library",
    "school",
    "bus",
    "neighbour",
    "market",
    "energy",
    "heat",
    "waste",
    "compost",
    "tool",
    "loan",
    "map",
    "walk",
    "café",
    "youth",
    "elders",
    "volunteer",
    "street",
    "light",
]


async def add_ideas(
    session: AsyncSession, challenge_slug: str, total: int, batch: int = 2000
) -> int:
    """Add ``total`` ideas by random existing users to the challenge; returns its idea count."""
    rng = random.Random(7)
    challenge = await session.scalar(select(Challenge).where(Challenge.slug == challenge_slug))
    assert challenge is not None, challenge_slug
    user_ids = list((await session.scalars(select(User.id))).all())
    opened = challenge.ideas_opens_at or utcnow()
    for start in range(0, total, batch):
        rows = []
        for n in range(start, min(start + batch, total)):
            words = rng.sample(WORDS, 4)
            title = f"{words[0].capitalize()} {words[1]} for the {words[2]} {n}"
            rows.append(
                {
                    "challenge_id": challenge.id,
                    "author_id": rng.choice(user_ids),
                    "title": title,
                    "slug": title.lower().replace(" ", "-"),
                    "summary": " ".join(rng.choices(WORDS, k=30))[:300],
                    "body": "",
                    "body_html": "",
                    "status": IdeaStatus.PUBLISHED,
                    "vote_count": rng.randint(0, 200),
                    "comment_count": rng.randint(0, 30),
                    "build_count": rng.randint(0, 10),
                    "created_at": opened + timedelta(seconds=n),
                    "updated_at": opened + timedelta(seconds=n),
                }
            )
        async with write(session) as tx:
            await tx.execute(insert(Idea), rows)
    async with write(session) as tx:
        count = await tx.scalar(
            select(func.count()).select_from(Idea).where(Idea.challenge_id == challenge.id)
        )
        await tx.execute(
            update(Challenge).where(Challenge.id == challenge.id).values(idea_count=count)
        )
    return int(count or 0)
