"""Two opinion groups and an idea both support, planted in a challenge through the
services (``ideas.voting.opinion_groups``), and synthetic ratings for the fit alone."""

from __future__ import annotations

import random
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.db import Database, utcnow
from ideas.submissions.models import Idea
from ideas.voting import bridging_services
from ideas.voting.opinion_groups import plant_opinion_groups


@dataclass(frozen=True)
class Camps:
    challenge: Challenge
    ideas: tuple[list[Idea], list[Idea]]  # each camp's own ideas
    shared: Idea
    people: tuple[list[User], list[User]]


async def two_camps(
    session: AsyncSession,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    *,
    sizes: tuple[int, int] = (8, 6),
) -> Camps:
    """A challenge with three ideas per camp and a shared one, and two camps of the given
    sizes that voted and compared as ``plant_opinion_groups`` makes them."""
    challenge = await make_challenge(host)
    ideas = (
        [await make_idea(challenge, author, title=f"Cars first {n}") for n in range(3)],
        [await make_idea(challenge, author, title=f"Bikes first {n}") for n in range(3)],
    )
    shared = await make_idea(challenge, author, title="Safer crossings for everyone")
    people = (
        [await make_user(f"Camp A {n}") for n in range(sizes[0])],
        [await make_user(f"Camp B {n}") for n in range(sizes[1])],
    )
    await plant_opinion_groups(
        session,
        challenge_id=challenge.id,
        camps=[[p.id for p in people[0]], [p.id for p in people[1]]],
        camp_ideas=[[i.id for i in ideas[0]], [i.id for i in ideas[1]]],
        shared_idea=shared.id,
        now=utcnow(),
    )
    return Camps(challenge, ideas, shared, people)


async def fit_in_the_worker(database: Database) -> int:
    """One pass of the worker's bridging job."""
    return await bridging_services.refit_where_due(database, utcnow())


Votes = list[tuple[Hashable, int]]
Compared = list[tuple[Hashable, int, int, int | None]]


def planted_ratings(
    seed: int = 1, sizes: tuple[int, int] = (60, 40)
) -> tuple[Votes, Compared, dict[str, int]]:
    """Noisy votes and comparisons by two camps: ideas 1 to 5 are camp A's, 6 to 10 camp B's,
    and 11 is liked (less) by both. Returns them with each person's camp (0: A)."""
    rnd = random.Random(seed)
    shared = 11
    camp_of: dict[str, int] = {}
    votes: Votes = []
    compared: Compared = []
    for camp, size in enumerate(sizes):
        own, other = ([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])[:: 1 if camp == 0 else -1]
        for n in range(size):
            person = f"{'ab'[camp]}{n}"
            camp_of[person] = camp
            liking = dict.fromkeys(own, 1.0) | dict.fromkeys(other, -1.0) | {shared: 0.6}
            votes += [(person, i) for i in own if rnd.random() < 0.9]
            votes += [(person, i) for i in other if rnd.random() < 0.05]
            if rnd.random() < 0.5:
                votes.append((person, shared))
            for _ in range(8):
                x, y = sorted(rnd.sample([*own, *other, shared], 2))
                left = liking[x] + rnd.gauss(0, 0.3)
                right = liking[y] + rnd.gauss(0, 0.3)
                compared.append((person, x, y, x if left > right else y))
    return votes, compared, camp_of
