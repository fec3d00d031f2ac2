"""A benchmark database: ten challenges in their ideas phase, one of them the big one.

At scale 1.0: 100,000 ideas (10,000 in the big challenge), about 5,000 people,
1,000,000 votes, 300,000 comments, and 5% of the ideas building on one or two
earlier ideas of their challenge. Popularity is skewed (a Pareto draw per idea),
so a few ideas gather many votes and comments and are often built on.

Everything is drawn in Python first, counters included, so the rows agree as
the services would have left them: vote_count and comment_count equal their
rows, build_count and influence follow the links, an idea's last activity is
no earlier than its comments and the ideas that build on it. Then each table
is loaded in large batches (PostgreSQL's COPY, an executemany insert on
SQLite); the full-text index is dropped for the load and built once at the
end, and ANALYZE gives the planner fresh statistics.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from ideas.accounts.models import User
from ideas.challenges.models import Challenge, ChallengeHost, ChallengeTag
from ideas.comments.models import Comment, CommentStatus
from ideas.db import Base, create_engine, execute_autocommit, utcnow
from ideas.submissions import fulltext
from ideas.submissions.models import Idea, IdeaLink, IdeaRevision, IdeaStatus, IdeaTag
from ideas.voting.models import Vote

BIG_CHALLENGE = "big-challenge"
CHALLENGES = 10
TAGS_PER_CHALLENGE = 5
PERIOD = timedelta(days=60)
BUILD_SHARE = 0.05
BATCH = 20_000

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
    "cafe",
    "youth",
    "elders",
    "volunteer",
    "street",
    "light",
    "water",
    "river",
    "tree",
    "roof",
    "solar",
    "kitchen",
    "meal",
    "bread",
    "workshop",
    "skill",
    "care",
    "clinic",
    "park",
    "bench",
    "play",
]


@dataclass(frozen=True)
class Size:
    users: int
    ideas: int
    big: int  # ideas in the big challenge
    votes: int
    comments: int

    @classmethod
    def at(cls, scale: float) -> Size:
        ideas = max(CHALLENGES, round(100_000 * scale))
        users = max(20, round(5_000 * scale))
        return cls(
            users=users,
            ideas=ideas,
            big=max(1, round(10_000 * scale)),
            votes=min(round(1_000_000 * scale), ideas * users // 2),
            comments=round(300_000 * scale),
        )

    def per_challenge(self) -> list[int]:
        """Ideas in each challenge, the big one first; the others share the rest."""
        rest, extra = divmod(self.ideas - self.big, CHALLENGES - 1)
        return [self.big] + [rest + (n < extra) for n in range(CHALLENGES - 1)]


@dataclass(slots=True)
class Drawn:
    """An idea as drawn, before it becomes rows."""

    id: int
    challenge_id: int
    author_id: int
    title: str
    summary: str
    body: str
    created_at: datetime
    last_activity_at: datetime
    popularity: float
    parents: list[int]
    children: list[int] = field(default_factory=list)
    influence: int = 0
    votes: int = 0
    comments: int = 0

    @property
    def slug(self) -> str:
        return self.title.lower().replace(" ", "-")


@dataclass(frozen=True)
class Generated:
    counts: dict[str, int]
    challenge_path: str  # the big challenge
    idea_path: str  # its idea with the most influence


def draw_ideas(size: Size, rng: random.Random, now: datetime) -> list[Drawn]:
    """The ideas in the order they were posted, with their links and counters."""
    sentences = [
        " ".join(rng.choices(WORDS, k=rng.randint(8, 16))).capitalize() + "." for _ in range(400)
    ]
    challenge_of = [
        challenge_id
        for challenge_id, count in enumerate(size.per_challenge(), start=1)
        for _ in range(count)
    ]
    rng.shuffle(challenge_of)
    start = now - PERIOD
    ideas: list[Drawn] = []
    # Per challenge: its ideas so far, and their cumulative popularity, to pick parents by.
    earlier: dict[int, tuple[list[int], list[float]]] = {}
    for n, challenge_id in enumerate(challenge_of, start=1):
        created = start + PERIOD * ((n - 1 + rng.random()) / len(challenge_of))
        members, cumulative = earlier.setdefault(challenge_id, ([], []))
        parents: list[int] = []
        if members and rng.random() < BUILD_SHARE:
            picked = rng.choices(members, cum_weights=cumulative, k=rng.randint(1, 2))
            parents = sorted(set(picked))
        a, b, c = rng.sample(WORDS, 3)
        idea = Drawn(
            id=n,
            challenge_id=challenge_id,
            author_id=rng.randint(1, size.users),
            title=f"{a.capitalize()} {b} for the {c} {n}",
            summary=" ".join(rng.choices(sentences, k=2))[:300],
            body=" ".join(rng.choices(sentences, k=4)),
            created_at=created,
            last_activity_at=_since(created, now, rng),
            popularity=rng.paretovariate(2.0),
            parents=parents,
        )
        ideas.append(idea)
        members.append(idea.id)
        cumulative.append((cumulative[-1] if cumulative else 0.0) + idea.popularity)
    for idea in ideas:
        for parent_id in idea.parents:
            parent = ideas[parent_id - 1]
            parent.children.append(idea.id)
            parent.last_activity_at = max(parent.last_activity_at, idea.created_at)
    # Children come after their parents, so walking backwards meets every child's
    # descendants complete before its parents need them.
    below: dict[int, set[int]] = {}
    for idea in reversed(ideas):
        if idea.children:
            found = set(idea.children)
            for child_id in idea.children:
                found |= below.get(child_id, set())
            below[idea.id] = found
            idea.influence = len(found)
    total = sum(idea.popularity for idea in ideas)
    for idea in ideas:
        idea.votes = min(size.users, round(size.votes * idea.popularity / total))
        idea.comments = round(size.comments * idea.popularity * 2 * rng.random() / total)
    return ideas


def _since(start: datetime, end: datetime, rng: random.Random) -> datetime:
    return start + (end - start) * rng.random()


Row = dict[str, Any]


def user_rows(size: Size, now: datetime) -> list[Row]:
    joined = now - PERIOD - timedelta(days=1)
    return [
        {
            "id": n,
            "display_name": f"Person {n}",
            "email": f"person{n}@example.org",
            "created_at": joined,
        }
        for n in range(1, size.users + 1)
    ]


def challenge_rows(size: Size, now: datetime) -> list[Row]:
    created = now - PERIOD - timedelta(days=1)
    return [
        {
            "id": n,
            "slug": BIG_CHALLENGE if n == 1 else f"challenge-{n}",
            "title": "The big challenge" if n == 1 else f"Challenge {n}",
            "question": f"How might we make {WORDS[n]} work for everyone?",
            "created_by_id": 1,
            "ideas_opens_at": now - PERIOD - timedelta(hours=1),
            "review_opens_at": now + timedelta(days=30),
            "teams_opens_at": now + timedelta(days=45),
            "closes_at": now + timedelta(days=60),
            "idea_count": count,
            "created_at": created,
            "updated_at": created,
        }
        for n, count in enumerate(size.per_challenge(), start=1)
    ]


def offered_tag_rows() -> list[Row]:
    return [
        {
            "id": (n - 1) * TAGS_PER_CHALLENGE + position + 1,
            "challenge_id": n,
            "name": WORDS[n + position],
            "position": position,
        }
        for n in range(1, CHALLENGES + 1)
        for position in range(TAGS_PER_CHALLENGE)
    ]


def idea_rows(ideas: Sequence[Drawn]) -> Iterator[Row]:
    for idea in ideas:
        yield {
            "id": idea.id,
            "challenge_id": idea.challenge_id,
            "author_id": idea.author_id,
            "title": idea.title,
            "slug": idea.slug,
            "summary": idea.summary,
            "body": idea.body,
            "body_html": f"<p>{idea.body}</p>",
            "status": IdeaStatus.PUBLISHED.value,
            "vote_count": idea.votes,
            "comment_count": idea.comments,
            "build_count": len(idea.children),
            "influence": idea.influence,
            "last_activity_at": idea.last_activity_at,
            "shortlist_note": "",
            "citation": "",
            "created_at": idea.created_at,
            "updated_at": idea.created_at,
        }


def revision_rows(ideas: Sequence[Drawn]) -> Iterator[Row]:
    for idea in ideas:
        yield {
            "idea_id": idea.id,
            "number": 1,
            "editor_id": idea.author_id,
            "title": idea.title,
            "summary": idea.summary,
            "body": idea.body,
            "created_at": idea.created_at,
        }


def link_rows(ideas: Sequence[Drawn]) -> Iterator[Row]:
    for idea in ideas:
        for parent_id in idea.parents:
            yield {
                "child_id": idea.id,
                "parent_id": parent_id,
                "note": "",
                "created_at": idea.created_at,
            }


def tag_rows(ideas: Sequence[Drawn], rng: random.Random) -> Iterator[Row]:
    for idea in ideas:
        first = (idea.challenge_id - 1) * TAGS_PER_CHALLENGE + 1
        for tag_id in sorted(
            rng.sample(range(first, first + TAGS_PER_CHALLENGE), rng.randint(0, 2))
        ):
            yield {"idea_id": idea.id, "tag_id": tag_id}


def vote_rows(
    ideas: Sequence[Drawn], size: Size, rng: random.Random, now: datetime
) -> Iterator[Row]:
    people = range(1, size.users + 1)
    for idea in ideas:
        for user_id in sorted(rng.sample(people, idea.votes)):
            yield {
                "idea_id": idea.id,
                "user_id": user_id,
                "challenge_id": idea.challenge_id,
                "created_at": _since(idea.created_at, now, rng),
            }


def comment_rows(ideas: Sequence[Drawn], size: Size, rng: random.Random) -> Iterator[Row]:
    for idea in ideas:
        for _ in range(idea.comments):
            body = f"I like the {rng.choice(WORDS)} part. {idea.summary[:120]}"
            yield {
                "idea_id": idea.id,
                "author_id": rng.randint(1, size.users),
                "body": body,
                "body_html": f"<p>{body}</p>",
                "status": CommentStatus.PUBLISHED.value,
                "created_at": _since(idea.created_at, idea.last_activity_at, rng),
            }


async def load(engine: AsyncEngine, model: type[Base], rows: Iterable[Row]) -> None:
    """Insert ``rows`` (all with the same keys) in batches, each its own transaction."""
    remaining = iter(rows)
    while batch := list(islice(remaining, BATCH)):
        async with engine.begin() as connection:
            if connection.dialect.name != "postgresql":
                await connection.execute(insert(model), batch)
                continue
            asyncpg_connection = (await connection.get_raw_connection()).driver_connection
            assert asyncpg_connection is not None
            await asyncpg_connection.copy_records_to_table(
                model.__tablename__,
                columns=list(batch[0]),
                records=[tuple(row.values()) for row in batch],
            )


async def generate(url: str, scale: float = 1.0, *, seed: int = 7) -> Generated:
    """Fill the empty, migrated database at ``url`` with data at ``scale``."""
    size = Size.at(scale)
    rng = random.Random(seed)
    now = utcnow()
    ideas = draw_ideas(size, rng, now)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            if await connection.scalar(select(func.count(User.id))):
                raise ValueError("the benchmark data needs an empty database")
            await connection.run_sync(fulltext.drop)
            await connection.execute(insert(User), user_rows(size, now))
            await connection.execute(insert(Challenge), challenge_rows(size, now))
            await connection.execute(
                insert(ChallengeHost),
                [{"challenge_id": n, "user_id": 1} for n in range(1, CHALLENGES + 1)],
            )
            await connection.execute(insert(ChallengeTag), offered_tag_rows())
        await load(engine, Idea, idea_rows(ideas))
        await load(engine, IdeaRevision, revision_rows(ideas))
        await load(engine, IdeaLink, link_rows(ideas))
        await load(engine, IdeaTag, tag_rows(ideas, rng))
        await load(engine, Vote, vote_rows(ideas, size, rng, now))
        await load(engine, Comment, comment_rows(ideas, size, rng))
        async with engine.begin() as connection:
            await connection.run_sync(fulltext.create)
            if connection.dialect.name == "postgresql":
                # Those rows came with their ids, so the sequences have to catch up.
                last_ids = {
                    "users": size.users,
                    "challenges": CHALLENGES,
                    "challenge_tags": CHALLENGES * TAGS_PER_CHALLENGE,
                    "ideas": len(ideas),
                }
                for table, last_id in last_ids.items():
                    await connection.execute(
                        text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last_id)"),
                        {"table": table, "last_id": last_id},
                    )
    finally:
        await engine.dispose()
    await execute_autocommit(url, "VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE")
    shown = max((i for i in ideas if i.challenge_id == 1), key=lambda i: (i.influence, i.votes))
    return Generated(
        counts={
            "users": size.users,
            "ideas": len(ideas),
            "big challenge ideas": size.big,
            "votes": sum(idea.votes for idea in ideas),
            "comments": sum(idea.comments for idea in ideas),
            "links": sum(len(idea.parents) for idea in ideas),
        },
        challenge_path=f"/challenges/{BIG_CHALLENGE}",
        idea_path=f"/ideas/{shown.id}/{shown.slug}",
    )
