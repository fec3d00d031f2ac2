"""Signed-in people for the loads that need them: the vote endpoint and the compare page.

``sign_in`` starts a session for each of up to ``people`` users of a generated
database (through ``ideas.accounts.sessions.start``, as signing in does) and
pairs them with ideas of the big challenge they may vote for: not their own,
and not already voted for, so the first vote of each pair is accepted. Each
person gets one idea, or several when there are fewer people than pairs
wanted; the pairs go round the people, so that one person's pairs are spread
apart.

``write_people`` and ``write_pairs`` put them in the files the wrk scripts
(``bench/compare.lua`` and ``bench/vote.lua``) read: one ``<session token>``
or ``<session token> <CSRF token> <idea id>`` a line.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from bench.generate import BIG_CHALLENGE
from ideas import policy
from ideas.accounts import sessions
from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.db import Database, utcnow
from ideas.policy import Action, Role
from ideas.submissions.models import VISIBLE_STATUSES, Idea, IdeaCoauthor
from ideas.voting.models import Vote

ATTEMPTS = 50  # random draws per idea wanted for a person, before giving up on them


@dataclass(frozen=True)
class Person:
    user_id: int
    token: str  # the session cookie's value
    csrf_token: str


@dataclass(frozen=True)
class Pair:
    person: Person
    idea_id: int


@dataclass(frozen=True)
class SignedIn:
    people: list[Person]
    pairs: list[Pair]  # each (person, idea) once, the person not yet voting for the idea


async def sign_in(url: str, *, people: int, pairs: int, seed: int = 11) -> SignedIn:
    """Sessions for up to ``people`` users, and (person, idea) pairs to vote on: one per
    person, or up to ``pairs`` when there are fewer people."""
    rng = random.Random(seed)
    now = utcnow()
    database = Database.from_url(url)
    try:
        async with database.session() as db:
            challenge = await db.scalar(select(Challenge).where(Challenge.slug == BIG_CHALLENGE))
            if challenge is None:
                raise ValueError(f"no challenge {BIG_CHALLENGE!r}: generate the data first")
            phase = challenge.phase_at(now)
            if not policy.allows(Action.VOTE, phase, {Role.PARTICIPANT}):
                raise ValueError(f"{BIG_CHALLENGE} takes no votes in its {phase.value} phase")
            if challenge.vote_budget is not None:
                raise ValueError(f"{BIG_CHALLENGE} has a vote budget; the load needs none")
            ideas = (
                await db.execute(
                    select(Idea.id, Idea.author_id).where(
                        Idea.challenge_id == challenge.id, Idea.status.in_(VISIBLE_STATUSES)
                    )
                )
            ).all()
            idea_ids = [idea_id for idea_id, _ in ideas]
            # Per user, the ideas they may not vote on now: their own and those they voted for.
            taken: defaultdict[int, set[int]] = defaultdict(set)
            for idea_id, author_id in ideas:
                taken[author_id].add(idea_id)
            coauthors = await db.execute(
                select(IdeaCoauthor.idea_id, IdeaCoauthor.user_id)
                .join(Idea, Idea.id == IdeaCoauthor.idea_id)
                .where(Idea.challenge_id == challenge.id)
            )
            votes = await db.execute(
                select(Vote.idea_id, Vote.user_id).where(Vote.challenge_id == challenge.id)
            )
            for idea_id, user_id in [*coauthors, *votes]:
                taken[user_id].add(idea_id)
            users = [user for user in await db.scalars(select(User)) if user.is_active]
            chosen = sorted(rng.sample(users, min(people, len(users))), key=lambda u: u.id)
            signed_in = []
            for user in chosen:
                token, web_session = await sessions.start(db, user, now=utcnow(), replacing=None)
                signed_in.append(Person(user.id, token, web_session.csrf_token))
    finally:
        await database.dispose()
    wanted = max(pairs, len(signed_in))
    return SignedIn(signed_in, _pairs(signed_in, idea_ids, taken, wanted, rng))


def _pairs(
    people: list[Person],
    idea_ids: list[int],
    taken: dict[int, set[int]],
    wanted: int,
    rng: random.Random,
) -> list[Pair]:
    """Up to ``wanted`` pairs, round the people, each with an idea they may vote on now."""
    if not people or not idea_ids:
        return []
    each = -(-wanted // len(people))
    per_person: list[list[int]] = []
    for person in people:
        mine: list[int] = []
        skip = set(taken.get(person.user_id, ()))
        for _ in range(each * ATTEMPTS):
            if len(mine) == each:
                break
            idea_id = rng.choice(idea_ids)
            if idea_id not in skip:
                skip.add(idea_id)
                mine.append(idea_id)
        per_person.append(mine)
    found = [
        Pair(person, mine[round_])
        for round_ in range(each)
        for person, mine in zip(people, per_person, strict=True)
        if round_ < len(mine)
    ]
    return found[:wanted]


def write_people(path: Path, people: list[Person]) -> None:
    path.write_text("".join(f"{person.token}\n" for person in people))


def write_pairs(path: Path, pairs: list[Pair]) -> None:
    path.write_text("".join(f"{p.person.token} {p.person.csrf_token} {p.idea_id}\n" for p in pairs))
