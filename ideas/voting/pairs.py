"""Which two ideas a participant is asked to compare next, and the token that proves it.

The least-compared ideas come first, so that every idea gathers comparisons
and none stays unranked; among ideas compared about as often, chance picks,
so that people comparing at the same moment do not all get the same pair.
Never an idea the participant wrote or co-wrote, never a pair they have
already answered.

The compare form carries a token signed with the site's secret key over the
challenge, the participant and the pair; an answer is taken only with a
token that matches, so nobody can answer (or script answers to) a pair they
were not shown.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.db import limit_parameter, rows_of
from ideas.submissions.listing import IDEA_COLUMNS, WITH_AUTHORS, ListedIdea, listed_ideas
from ideas.submissions.models import VISIBLE_STATUSES, Idea, IdeaCoauthor
from ideas.voting.models import Comparison

CANDIDATES = 50
"""How many of the least-compared ideas a pair is chosen from."""
MORE_CANDIDATES = 500
"""How many are looked at when the participant has answered every pair of the first few."""
NEAR = 2.0
"""Ideas whose comparison counts differ by less than this are taken in random order."""

Key = tuple[int, int]
"""A pair of idea ids, the smaller first, as comparisons are stored."""


def ordered(a: int, b: int) -> Key:
    return (a, b) if a < b else (b, a)


@dataclass(frozen=True)
class Pair:
    """Two ideas as shown: ``left`` and ``right``, each with its authors and tags."""

    left: ListedIdea
    right: ListedIdea

    @property
    def key(self) -> Key:
        return ordered(self.left.id, self.right.id)


# The compare page runs these on every view: built once, with bound parameters (the
# statement and its cache key then cost nothing per request).
_CHALLENGE = bindparam("challenge", type_=Integer)
_USER = bindparam("user", type_=Integer)
_CANDIDATES = (
    select(Idea.id, Idea.comparison_count)
    .where(
        Idea.challenge_id == _CHALLENGE,
        Idea.status.in_(VISIBLE_STATUSES),
        Idea.author_id != _USER,
        ~exists().where(IdeaCoauthor.idea_id == Idea.id, IdeaCoauthor.user_id == _USER),
    )
    .order_by(Idea.comparison_count)
    .limit(limit_parameter())
)
_ANSWERED = select(Comparison.first_id, Comparison.second_id).where(
    Comparison.user_id == _USER, Comparison.challenge_id == _CHALLENGE
)
# The two ideas with their authors and tags, as a list reads them (co-authors after).
_IDEAS = (
    select(*IDEA_COLUMNS)
    .select_from(WITH_AUTHORS)
    .where(Idea.id.in_(bindparam("ids", expanding=True)))
)


async def _candidates(
    session: AsyncSession, challenge_id: int, user_id: int, *, limit: int
) -> list[tuple[int, int]]:
    """Up to ``limit`` (id, comparison count) of the least-compared visible ideas that
    the participant neither wrote nor co-wrote. One query that reads the first rows of
    the challenge's (challenge_id, comparison_count) index and stops: ideas compared
    equally often come in the index's order, and ``choose`` brings the chance in."""
    rows = await rows_of(
        session, _CANDIDATES, {"challenge": challenge_id, "user": user_id, "limit": limit}
    )
    return [(idea_id, count) for idea_id, count in rows]


async def answered_pairs(session: AsyncSession, challenge_id: int, user_id: int) -> set[Key]:
    """Every pair the participant has answered in the challenge. One query; how many
    they answered is its length."""
    rows = await rows_of(session, _ANSWERED, {"challenge": challenge_id, "user": user_id})
    return {(first, second) for first, second in rows}


def choose(
    candidates: Sequence[tuple[int, int]], answered: Collection[Key], rng: random.Random
) -> tuple[int, int] | None:
    """Two ids from ``candidates`` (id, comparison count) forming a pair not in ``answered``.

    The least-compared idea that still has a partner, with the least-compared
    such partner; counts within ``NEAR`` of each other are shuffled. The
    first of the two is shown on a random side.
    """
    jittered = sorted(candidates, key=lambda c: c[1] + rng.random() * NEAR)
    for position, (one, _) in enumerate(jittered):
        for other, _ in jittered[position + 1 :]:
            if ordered(one, other) not in answered:
                return (one, other) if rng.random() < 0.5 else (other, one)
    return None


async def _ideas(session: AsyncSession, ids: Sequence[int]) -> dict[int, ListedIdea]:
    """The ideas with their authors, co-authors and tags. Two queries."""
    rows = await rows_of(session, _IDEAS, {"ids": list(ids)})
    return {idea.id: idea for idea in await listed_ideas(session, rows, coauthors=True)}


async def next_pair(
    session: AsyncSession,
    challenge_id: int,
    user_id: int,
    *,
    answered: Collection[Key] | None = None,
    rng: random.Random | None = None,
) -> Pair | None:
    """The pair to show the participant next; None when none is left for them.

    ``answered`` is what ``answered_pairs`` gives, if the caller has it already.
    Three queries with it, four without; one more when every pair of the
    least-compared ideas is answered and more ideas have to be looked at.
    """
    rng = rng or random.Random()
    if answered is None:
        answered = await answered_pairs(session, challenge_id, user_id)
    chosen = None
    for limit in (CANDIDATES, MORE_CANDIDATES):
        candidates = await _candidates(session, challenge_id, user_id, limit=limit)
        chosen = choose(candidates, answered, rng)
        if chosen is not None or len(candidates) < limit:
            break
    if chosen is None:
        return None
    found = await _ideas(session, chosen)
    left, right = found.get(chosen[0]), found.get(chosen[1])
    if left is None or right is None:  # deleted in between: rare, and the next try is fine
        return None
    return Pair(left, right)


# Tokens -----------------------------------------------------------------------


def _message(challenge_id: int, user_id: int, pair: Key) -> bytes:
    return f"compare:{challenge_id}:{user_id}:{pair[0]}:{pair[1]}".encode()


def sign(secret: str, *, challenge_id: int, user_id: int, pair: Key) -> str:
    """The token for showing ``pair`` (smaller id first) to a participant in a challenge."""
    return hmac.new(
        secret.encode(), _message(challenge_id, user_id, pair), hashlib.sha256
    ).hexdigest()


def verify(secret: str, token: str, *, challenge_id: int, user_id: int, pair: Key) -> bool:
    """Whether ``token`` was made by ``sign`` for exactly this challenge, person and pair."""
    expected = sign(secret, challenge_id=challenge_id, user_id=user_id, pair=pair)
    return hmac.compare_digest(token.encode(), expected.encode())
