"""Demo data, made through the same services the site uses.

Two layers. The personas' own rounds (``script``): five challenges, one in
each phase, a jury part-way through scoring, teams forming, a closed round's
impact and its follow-up. Then the crowd (``crowd``): about a hundred
neighbours who post dozens of ideas in each round, building on each other's,
vote, compare ideas in pairs, comment, reply and join teams, so that every
page looks used. Both are deterministic: the same load gives the same site.

The round open for ideas and votes (``VOTING_SLUG``) holds, for what groups
ideas and voters: pairs of ideas that say the same thing in other words
(``NEAR_DUPLICATES``), and two camps of voters, each backing its own ideas,
who both back one idea (``BRIDGING``): it has fewer votes than either camp's
favourites, and the bridging scores, which find the camps as opinion groups, rank it
first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from ideas.accounts.models import User
from ideas.accounts.queries import development_personas
from ideas.challenges.models import Challenge, ChallengeHost
from ideas.db import Database
from ideas.demo import crowd as crowd_layer
from ideas.demo import script, texts
from ideas.demo.script import (
    CHALLENGES,
    FOLLOW_UP_TITLE,
    IMPACT_SLUG,
    JURY_SLUG,
    PERSONAS,
    TEAMS_SLUG,
)
from ideas.media.demo_pictures import add_demo_pictures
from ideas.submissions.clusters import group_demo_duplicates
from ideas.submissions.models import Idea
from ideas.themes import services as theme_services
from ideas.voting import bridging_services

__all__ = [
    "BRIDGING",
    "CHALLENGES",
    "FOLLOW_UP_TITLE",
    "IMPACT_SLUG",
    "JURY_SLUG",
    "NEAR_DUPLICATES",
    "PERSONAS",
    "TEAMS_SLUG",
    "VOTING_SLUG",
    "is_empty",
    "load",
    "load_at_once",
    "near_duplicates",
    "sign_in_hint",
]

VOTING_SLUG = "food-waste-in-school-canteens"
_PERSONA_EMAILS = {persona.email for persona in PERSONAS}


def _title(key: str) -> str:
    return next(seed.title for seed in texts.CANTEEN if seed.key == key)


# Pairs of titles of ideas in VOTING_SLUG that are the same idea in other words.
NEAR_DUPLICATES: tuple[tuple[str, str], ...] = tuple(
    (_title(a), _title(b)) for a, b in texts.NEAR_DUPLICATES
)
# The title of the idea both camps of voters in VOTING_SLUG back.
BRIDGING = _title(texts.BRIDGING)


async def is_empty(session: AsyncSession) -> bool:
    return not await session.scalar(select(exists().where(User.id.is_not(None))))


async def load(session: AsyncSession, now: datetime, *, crowd: bool = True) -> dict[str, int]:
    """Create the personas and their rounds, then (unless ``crowd`` is False) the crowd;
    returns how many of each thing were made."""
    people, idea_count = await script.load(session, now)
    counts = {"people": len(people), "challenges": len(CHALLENGES) + 1, "ideas": idea_count}
    if crowd:
        made = await crowd_layer.load_crowd(session, people, now)
        counts["people"] += made.people
        counts["ideas"] += made.ideas
        counts.update(votes=made.votes, comparisons=made.comparisons, comments=made.comments)
        counts["clusters"] = await _group_duplicates(session, now)
    await add_demo_pictures(session)
    await _fit_bridging(session, now)
    await _find_themes(session, now)
    return counts


async def _group_duplicates(session: AsyncSession, now: datetime) -> int:
    """The host of the round open for ideas groups its first pair of near-duplicates, as a
    host would from the duplicates page; the other pairs are left for people to find."""
    pairs = await near_duplicates(session)
    if not pairs:
        return 0
    host_id = await session.scalar(
        select(ChallengeHost.user_id)
        .join(Challenge, Challenge.id == ChallengeHost.challenge_id)
        .where(Challenge.slug == VOTING_SLUG)
        .order_by(ChallengeHost.user_id)
        .limit(1)
    )
    if host_id is None:
        return 0
    await group_demo_duplicates(session, host_id=host_id, idea_ids=list(pairs[0]), now=now)
    return 1


async def _fit_bridging(session: AsyncSession, now: datetime) -> None:
    """Each round's bridging scores, fitted at once as the worker would after the votes,
    so the results pages show them from the start (or say there is not enough data)."""
    challenge_ids = (await session.scalars(select(Challenge.id).order_by(Challenge.id))).all()
    for challenge_id in challenge_ids:
        await bridging_services.refit(session, challenge_id, now)


async def _find_themes(session: AsyncSession, now: datetime) -> None:
    """Each round's themes, found at once as the worker would after the ideas came in, so
    the dashboards and the ideas lists offer them from the start (where there are enough)."""
    challenge_ids = (await session.scalars(select(Challenge.id).order_by(Challenge.id))).all()
    for challenge_id in challenge_ids:
        await theme_services.refit(session, challenge_id, now)


async def load_at_once(
    database: Database, now: datetime, *, crowd: bool = True
) -> dict[str, int] | None:
    """``load`` into an empty database in one transaction (None if it has data already).

    Every service still opens and commits its own write, but each commit only
    releases a savepoint: the database writes to disk once, at the end.
    """
    engine = database.bind
    assert not isinstance(engine, AsyncConnection)
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            inner = Database(connection, serialize_writes=False)
            async with inner.session() as session:
                if not await is_empty(session):
                    await transaction.rollback()
                    return None
                counts = await load(session, now, crowd=crowd)
        except BaseException:
            await transaction.rollback()
            raise
        await transaction.commit()
    return counts


async def near_duplicates(session: AsyncSession) -> list[tuple[int, int]]:
    """The ids of the near-duplicate pairs of ``NEAR_DUPLICATES``, as loaded."""
    rows = await session.execute(
        select(Idea.title, Idea.id).where(
            Idea.title.in_([title for pair in NEAR_DUPLICATES for title in pair])
        )
    )
    ids: dict[str, int] = dict(rows.all())
    return [(ids[a], ids[b]) for a, b in NEAR_DUPLICATES if a in ids and b in ids]


def _roles(person: User) -> str:
    roles = [name for name, on in (("admin", person.is_admin), ("host", person.is_host)) if on]
    return f" ({', '.join(roles)})" if roles else ""


async def sign_in_hint(session: AsyncSession, url: str, *, development: bool) -> str:
    """What to open, and whom to sign in as: the personas the database holds."""
    personas = [p for p in await development_personas(session) if p.email in _PERSONA_EMAILS]
    if not personas:
        return f"Open {url}."
    if not development:
        return f"Open {url}. The demo people sign in only in development (IDEAS_ENV=development)."
    people = ", ".join(f"{p.display_name}{_roles(p)}" for p in personas)
    return f"Open {url}/sign-in and pick a demo person to act as: {people}."
