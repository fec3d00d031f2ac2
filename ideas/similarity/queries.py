"""Similar ideas, read from the database through each process's indexes.

``like_text`` and ``like_idea`` run one query when the challenge's ideas did
not change since this process last looked: the suggested ideas, loaded with
the challenge's change stamp beside them. When the stamp moved they first
read what changed (one query, or all the challenge's ideas when the
index is new or lost count) and bring the index up to date, then load again.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import and_, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from ideas import policy
from ideas.similarity.index import ChallengeIndex, LanguageVectors, Row, Stamp
from ideas.similarity.vectors import document
from ideas.submissions.models import Idea

# Indexes kept by a process, the least recently used let go first.
CHALLENGES_KEPT = 16
# Ideas asked of the index beyond those shown, for the hidden or withdrawn among them.
SPARE = 5

Key = tuple[str, int]  # the database's address, and the challenge


class _Indexes:
    def __init__(self) -> None:
        self.found: OrderedDict[Key, ChallengeIndex] = OrderedDict()
        self.locks: dict[Key, asyncio.Lock] = {}

    def get(self, key: Key) -> ChallengeIndex | None:
        index = self.found.get(key)
        if index is not None:
            self.found.move_to_end(key)
        return index

    def put(self, key: Key, index: ChallengeIndex) -> None:
        self.found[key] = index
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
    """Let go of every index of this process (they are built again on next use)."""
    _indexes.clear()


def _key(session: AsyncSession, challenge_id: int) -> Key:
    return (session.get_bind().engine.url.render_as_string(hide_password=True), challenge_id)


async def _rows(
    session: AsyncSession, challenge_id: int, since: Any = None
) -> tuple[list[Row], int | None]:
    """The challenge's ideas changed from ``since`` on (all without it), and how many
    ideas the challenge has as the same statement saw it (None when none changed)."""
    total = select(func.count()).where(Idea.challenge_id == challenge_id).scalar_subquery()
    query = select(Idea.id, Idea.language, Idea.title, Idea.summary, Idea.updated_at, total).where(
        Idea.challenge_id == challenge_id
    )
    if since is not None:
        query = query.where(Idea.updated_at >= since)
    rows: list[Row] = []
    count: int | None = None
    for idea_id, language, title, summary, updated_at, n in await session.execute(query):
        rows.append(Row(idea_id, language, document(title, summary), updated_at))
        count = int(n)
    return rows, count


async def _load(
    session: AsyncSession, challenge_id: int, ranked: Sequence[tuple[int, float]], limit: int
) -> tuple[list[Idea], Stamp]:
    """The listed ideas among ``ranked``, in its order (at most ``limit``), with their
    authors, and the challenge's change stamp: one query."""
    stamp = select(*_stamp_columns(challenge_id)).subquery("stamp")
    ids = [idea_id for idea_id, _ in ranked]
    result = await session.execute(
        select(stamp.c.at, stamp.c.n, Idea)
        .select_from(stamp)
        .outerjoin(
            Idea,
            and_(
                Idea.id.in_(ids) if ids else literal(False),
                Idea.challenge_id == challenge_id,
                Idea.status.in_(policy.LISTED_STATUSES),
            ),
        )
        .options(joinedload(Idea.author))
    )
    found: dict[int, Idea] = {}
    seen = Stamp(None, 0)
    for at, count, idea in result.unique():
        seen = Stamp(at, int(count))
        if idea is not None:
            found[idea.id] = idea
    ideas = [found[idea_id] for idea_id, _ in ranked if idea_id in found]
    return ideas[:limit], seen


async def _current(session: AsyncSession, challenge_id: int, seen: Stamp | None) -> ChallengeIndex:
    """The challenge's index brought up to date with the database, which said ``seen``
    (None: not asked yet). While another request of this process brings it up to date,
    this one takes it as it is."""
    key = _key(session, challenge_id)
    lock = _indexes.lock(key)
    index = _indexes.get(key)
    if index is not None and lock.locked():
        return index
    async with lock:
        index = _indexes.get(key)
        if index is None:
            return await _built(session, key, challenge_id)
        if seen is None or index.stamp == seen:
            return index
        changed, count = await _rows(session, challenge_id, since=index.stamp.at)
        updated = await asyncio.to_thread(index.updated, changed)
        if count is None or updated.stamp.count != count:
            # One went missing, or came in late with an earlier time: read them all.
            return await _built(session, key, challenge_id)
        _indexes.put(key, updated)
        return updated


async def _built(session: AsyncSession, key: Key, challenge_id: int) -> ChallengeIndex:
    rows, _ = await _rows(session, challenge_id)
    index = await asyncio.to_thread(ChallengeIndex.built, rows)
    _indexes.put(key, index)
    return index


async def like_text(
    session: AsyncSession,
    challenge_id: int,
    text: str,
    *,
    limit: int,
    leaving_out: Collection[int] = (),
) -> list[Idea]:
    """Up to ``limit`` listed ideas of a challenge that say what ``text`` says, most
    similar first, with their authors."""
    return await _like(
        session,
        challenge_id,
        lambda index: index.like(text, leaving_out=leaving_out, limit=limit + SPARE),
        limit,
    )


async def like_idea(session: AsyncSession, idea: Idea, *, limit: int) -> list[Idea]:
    """Up to ``limit`` listed ideas of the idea's challenge that say what it says, most
    similar first, with their authors. Remembered until the challenge's ideas change."""
    text = document(idea.title, idea.summary)
    return await _like(
        session,
        idea.challenge_id,
        lambda index: index.like_idea(idea.id, text, limit=limit + SPARE),
        limit,
    )


async def _like(
    session: AsyncSession,
    challenge_id: int,
    rank: Any,
    limit: int,
) -> list[Idea]:
    index = _indexes.get(_key(session, challenge_id))
    seen: Stamp | None = None
    if index is not None:
        ideas, seen = await _load(session, challenge_id, rank(index), limit)
        if seen == index.stamp:
            return ideas
    fresh = await _current(session, challenge_id, seen)
    if index is not None and fresh is index:
        return ideas
    ideas, _ = await _load(session, challenge_id, rank(fresh), limit)
    return ideas


async def challenge_vectors(
    session: AsyncSession, challenge_id: int
) -> Mapping[str, LanguageVectors]:
    """Every idea of a challenge as a vector, grouped by content language (each group
    with its ids, its rows and the model that made them), whatever their status: a
    caller keeps those it may show."""
    index = await _current(session, challenge_id, await _stamp(session, challenge_id))
    return index.languages


def _stamp_columns(challenge_id: int) -> tuple[Any, Any]:
    """The challenge's newest change and its count of ideas, as two subqueries: each is
    read from the index on (challenge_id, updated_at), the newest change alone at its
    end. Asked in one aggregate, SQLite read every entry of the challenge's, for tens of
    milliseconds on 10,000 ideas."""
    of_challenge = Idea.challenge_id == challenge_id
    return (
        select(func.max(Idea.updated_at)).where(of_challenge).scalar_subquery().label("at"),
        select(func.count()).where(of_challenge).scalar_subquery().label("n"),
    )


async def _stamp(session: AsyncSession, challenge_id: int) -> Stamp:
    at, count = (await session.execute(select(*_stamp_columns(challenge_id)))).one()
    return Stamp(at, int(count))
