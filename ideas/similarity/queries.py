"""Similar ideas, read from the database through each process's indexes.

``like_text`` and ``like_idea`` run one query when the challenge's ideas did
not change since this process last looked: the suggested ideas as plain rows,
with the challenge's change stamp beside them (``Seen``: the latest
``updated_at`` of its ideas and its ``idea_count``, each read through an
index, never by counting its ideas). When the stamp moved they first read
what changed and bring the index up to date, then load again.

No request builds the index of a challenge of more than BUILT_IN_REQUEST
ideas (seconds of work), nor fits a large language's vocabulary again:
``kept_ready`` builds the indexes of the challenges open for ideas when a
process starts, in the background, and whatever else needs building then is
built in the background too. A request that finds no index meanwhile answers
that nothing is similar, and one whose index is being brought up to date
ranks with it as it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Label, Select, and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import policy
from ideas.accounts.models import User
from ideas.accounts.names import Someone
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.db import Database, rows_of, utcnow
from ideas.similarity import vectors
from ideas.similarity.index import ChallengeIndex, LanguageVectors, Row
from ideas.similarity.vectors import document
from ideas.submissions.models import Idea

logger = logging.getLogger(__name__)

# Indexes kept by a process, the least recently used let go first.
CHALLENGES_KEPT = 16
# Ideas asked of the index beyond those shown, for the hidden or withdrawn among them.
SPARE = 5
# A request builds the index of a challenge of up to this many ideas itself (milliseconds);
# a larger one is built apart, in the background.
BUILT_IN_REQUEST = 200
# Bringing an index up to date reads again the ideas changed this long before the
# latest change it holds: a transaction that stamped an idea earlier may commit later.
LATE = timedelta(minutes=1)
# At start-up a process builds the indexes of the challenges open for ideas, those with
# the most ideas first, up to this many ideas in all (the first challenge whatever its
# size): seconds of a core. The others are built when first asked for.
STARTUP_IDEAS = 10_000

Key = tuple[str, int]  # the database's address, and the challenge
Ranking = Callable[[ChallengeIndex], Sequence[tuple[int, float]]]


@dataclass(frozen=True)
class Similar:
    """A listed idea like another, as the lists of similar ideas show it."""

    id: int
    slug: str
    title: str
    summary: str
    language: str
    vote_count: int
    author: Someone


@dataclass(frozen=True)
class Seen:
    """The change stamp of a challenge as the database gave it: the latest change of its
    ideas, and its idea count (which every idea posted, withdrawn or hidden moves)."""

    at: datetime | None
    ideas: int


@dataclass(frozen=True)
class _Kept:
    index: ChallengeIndex
    seen: Seen  # the stamp read before the index was last brought up to date


class _Indexes:
    def __init__(self) -> None:
        self.found: OrderedDict[Key, _Kept] = OrderedDict()
        self.locks: dict[Key, asyncio.Lock] = {}
        # The databases whose indexes this process may build in the background, by address.
        self.apart: dict[str, Database] = {}
        self.building: dict[Key, asyncio.Task[None]] = {}

    def get(self, key: Key) -> _Kept | None:
        kept = self.found.get(key)
        if kept is not None:
            self.found.move_to_end(key)
        return kept

    def put(self, key: Key, kept: _Kept) -> None:
        self.found[key] = kept
        self.found.move_to_end(key)
        while len(self.found) > CHALLENGES_KEPT:
            gone, _ = self.found.popitem(last=False)
            self.locks.pop(gone, None)

    def lock(self, key: Key) -> asyncio.Lock:
        return self.locks.setdefault(key, asyncio.Lock())

    def clear(self) -> None:
        self.found.clear()
        self.locks.clear()


_indexes = _Indexes()


def forget() -> None:
    """Let go of every index of this process (they are built again when needed)."""
    _indexes.clear()


def is_kept(session: AsyncSession, challenge_id: int) -> bool:
    """Whether this process holds an index of the challenge."""
    return _indexes.found.get(_key(session, challenge_id)) is not None


def _address(session: AsyncSession) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def _key(session: AsyncSession, challenge_id: int) -> Key:
    return (_address(session), challenge_id)


def _seen_columns() -> tuple[Label[Any], Label[Any]]:
    """The change stamp of the challenge bound as ``challenge``."""
    latest = (
        select(func.max(Idea.updated_at))
        .where(Idea.challenge_id == bindparam("challenge"))
        .scalar_subquery()
        .label("at")
    )
    count = (
        select(Challenge.idea_count)
        .where(Challenge.id == bindparam("challenge"))
        .scalar_subquery()
        .label("ideas")
    )
    return latest, count


@functools.cache
def _seen_statement() -> Select[Any]:
    return select(*_seen_columns())


async def _seen(session: AsyncSession, challenge_id: int) -> Seen:
    at, count = (await session.execute(_seen_statement(), {"challenge": challenge_id})).one()
    return Seen(at, int(count or 0))


async def _rows(
    session: AsyncSession, challenge_id: int, since: datetime | None = None
) -> list[Row]:
    """The challenge's ideas changed from ``since`` on (all without it)."""
    query = select(Idea.id, Idea.language, Idea.title, Idea.summary, Idea.updated_at).where(
        Idea.challenge_id == challenge_id
    )
    if since is not None:
        query = query.where(Idea.updated_at >= since)
    return [
        Row(idea_id, language, document(title, summary), updated_at)
        for idea_id, language, title, summary, updated_at in await session.execute(query)
    ]


async def _count(session: AsyncSession, challenge_id: int) -> int:
    """How many ideas the challenge has, whatever their status."""
    return int(
        await session.scalar(select(func.count()).where(Idea.challenge_id == challenge_id)) or 0
    )


@functools.cache
def _load_statement() -> Select[*tuple[Any, ...]]:
    """The change stamp of the challenge bound as ``challenge``, beside its listed ideas
    among those bound as ``ideas``, with their authors' names. Built once (on first use,
    when every model is mapped)."""
    stamp = select(*_seen_columns()).subquery("stamp")
    listed = and_(
        Idea.id.in_(bindparam("ideas", expanding=True)),
        Idea.challenge_id == bindparam("challenge"),
        Idea.status.in_(policy.LISTED_STATUSES),
    )
    return (
        select(
            stamp.c.at,
            stamp.c.ideas,
            Idea.id,
            Idea.slug,
            Idea.title,
            Idea.summary,
            Idea.language,
            Idea.vote_count,
            User.display_name,
            User.status,
        )
        .select_from(stamp)
        .outerjoin(Idea, listed)
        .outerjoin(User, User.id == Idea.author_id)
    )


async def _load(
    session: AsyncSession, challenge_id: int, ranked: Sequence[tuple[int, float]], limit: int
) -> tuple[list[Similar], Seen]:
    """The listed ideas among ``ranked``, in its order (at most ``limit``), with their
    authors' names, and the challenge's change stamp: one query."""
    result = await rows_of(
        session,
        _load_statement(),
        {"challenge": challenge_id, "ideas": [idea_id for idea_id, _ in ranked]},
    )
    found: dict[int, Similar] = {}
    seen = Seen(None, 0)
    for latest, ideas, idea_id, slug, title, summary, language, votes, name, status in result:
        seen = Seen(latest, int(ideas or 0))
        if idea_id is not None:
            found[idea_id] = Similar(
                idea_id, slug, title, summary, language, votes, Someone(name, status)
            )
    shown = [found[idea_id] for idea_id, _ in ranked if idea_id in found]
    return shown[:limit], seen


def _build_apart(key: Key, challenge_id: int) -> bool:
    """Have the challenge's index built in the background, unless it already is being
    built; False when this process builds nothing in the background for that database."""
    database = _indexes.apart.get(key[0])
    if database is None:
        return False
    if key not in _indexes.building:
        task = asyncio.create_task(_built_apart(database, key, challenge_id))
        _indexes.building[key] = task
        task.add_done_callback(lambda _: _indexes.building.pop(key, None))
    return True


async def _built_apart(database: Database, key: Key, challenge_id: int) -> None:
    try:
        async with _indexes.lock(key):
            async with database.read_session() as session:
                seen = await _seen(session, challenge_id)
                rows = await _rows(session, challenge_id)
            index = await asyncio.to_thread(ChallengeIndex.built, rows)
            _indexes.put(key, _Kept(index, seen))
    except Exception:
        logger.exception("similar ideas: the index of challenge %s was not built", challenge_id)


async def _built(session: AsyncSession, key: Key, challenge_id: int, seen: Seen) -> _Kept:
    rows = await _rows(session, challenge_id)
    kept = _Kept(await asyncio.to_thread(ChallengeIndex.built, rows), seen)
    _indexes.put(key, kept)
    return kept


async def _current(
    session: AsyncSession, key: Key, challenge_id: int, seen: Seen, *, large: bool = False
) -> _Kept | None:
    """The challenge's index brought up to date with the database, which said ``seen``;
    None when there is none yet.

    ``large`` False (a request): an index of more than BUILT_IN_REQUEST ideas is neither
    built nor fitted again here but in the background (while this request takes the
    index as it is, or none); meanwhile, changes are folded into it as they come. While
    another request of this process brings the index up to date, this one takes it as
    it is.
    """
    lock = _indexes.lock(key)
    if lock.locked() and not large:
        return _indexes.get(key)
    async with lock:
        kept = _indexes.get(key)
        if kept is None:
            if large or seen.ideas <= BUILT_IN_REQUEST:
                return await _built(session, key, challenge_id, seen)
            _build_apart(key, challenge_id)
            return None
        if kept.seen == seen:
            return kept
        at = kept.index.stamp.at
        changed = await _rows(session, challenge_id, since=None if at is None else at - LATE)
        count = await _count(session, challenge_id)
        if count <= BUILT_IN_REQUEST:
            large = True
        updated = await asyncio.to_thread(kept.index.updated, changed, refit_large=large)
        # One went missing, or came in later than LATE with an earlier time: all of them
        # are read again (in the background, when that takes long).
        lost = updated.stamp.count != count
        if lost and large:
            return await _built(session, key, challenge_id, seen)
        fresh = _Kept(updated, seen)
        _indexes.put(key, fresh)
    if lost or updated.due():
        _build_apart(key, challenge_id)
    return fresh


async def like_text(
    session: AsyncSession,
    challenge_id: int,
    text: str,
    *,
    limit: int,
    leaving_out: Collection[int] = (),
) -> list[Similar]:
    """Up to ``limit`` listed ideas of a challenge that say what ``text`` says, most
    similar first, with their authors' names."""
    return await _like(
        session,
        challenge_id,
        lambda index: index.like(text, leaving_out=leaving_out, limit=limit + SPARE),
        limit,
    )


async def like_idea(
    session: AsyncSession, challenge_id: int, idea_id: int, text: str, *, limit: int
) -> list[Similar]:
    """Up to ``limit`` listed ideas of the idea's challenge that say what it says
    (``text``, its document), most similar first, with their authors' names.
    Remembered until the challenge's ideas change."""
    return await _like(
        session,
        challenge_id,
        lambda index: index.like_idea(idea_id, text, limit=limit + SPARE),
        limit,
    )


async def _like(
    session: AsyncSession, challenge_id: int, rank: Ranking, limit: int
) -> list[Similar]:
    key = _key(session, challenge_id)
    kept = _indexes.get(key)
    if kept is None:
        fresh = await _current(session, key, challenge_id, await _seen(session, challenge_id))
    else:
        ideas, seen = await _load(session, challenge_id, rank(kept.index), limit)
        if seen == kept.seen:
            return ideas
        fresh = await _current(session, key, challenge_id, seen)
        if fresh is None or fresh.index is kept.index:
            return ideas
    if fresh is None:
        return []
    ideas, _ = await _load(session, challenge_id, rank(fresh.index), limit)
    return ideas


async def prepare(session: AsyncSession, challenge_id: int) -> None:
    """Build the challenge's index now, or bring it up to date, whatever its size."""
    await _current(
        session,
        _key(session, challenge_id),
        challenge_id,
        await _seen(session, challenge_id),
        large=True,
    )


async def challenge_vectors(
    session: AsyncSession, challenge_id: int
) -> Mapping[str, LanguageVectors]:
    """Every idea of a challenge as a vector, grouped by content language (each group
    with its ids, its rows and the model that made them), whatever their status: a
    caller keeps those it may show. Builds the index when there is none, whatever its
    size: not for a request."""
    await prepare(session, challenge_id)
    kept = _indexes.get(_key(session, challenge_id))
    assert kept is not None  # just built
    return kept.index.languages


async def open_for_ideas(session: AsyncSession) -> list[int]:
    """The challenges open for ideas now whose indexes a process builds at start-up: those
    with the most ideas first, up to STARTUP_IDEAS ideas in all."""
    now = utcnow()
    challenges = (await session.scalars(select(Challenge))).all()
    open_now = sorted(
        (c for c in challenges if c.phase_at(now) is Phase.IDEAS), key=lambda c: -c.idea_count
    )
    chosen: list[int] = []
    ideas = 0
    for challenge in open_now[:CHALLENGES_KEPT]:
        ideas += challenge.idea_count
        if chosen and ideas > STARTUP_IDEAS:
            break
        chosen.append(challenge.id)
    return chosen


@contextlib.asynccontextmanager
async def kept_ready(database: Database) -> AsyncIterator[asyncio.Task[None]]:
    """While the block runs, this process builds indexes of ``database`` in the
    background: at once those of the challenges open for ideas (the task the block is
    given, done when they are), then any a request finds missing or due to be fitted
    again."""
    async with database.read_session() as session:
        address = _address(session)
    _indexes.apart[address] = database
    task = asyncio.create_task(_build_open(database, address), name="similar-ideas")
    try:
        yield task
    finally:
        task.cancel()
        for building in list(_indexes.building.values()):
            building.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        _indexes.apart.pop(address, None)


async def _build_open(database: Database, address: str) -> None:
    try:
        # scikit-learn loads on first use, in seconds: here rather than in a request.
        await asyncio.to_thread(vectors.Terms.of, "")
        async with database.read_session() as session:
            challenge_ids = await open_for_ideas(session)
        for challenge_id in challenge_ids:
            key = (address, challenge_id)
            if _indexes.get(key) is None and key not in _indexes.building:
                await _built_apart(database, key, challenge_id)
    except Exception:
        logger.exception("similar ideas: the indexes of the open challenges were not built")
