"""Two opinion groups and an idea both support, planted through the same services a
participant uses: for the demo, and for checking the bridging scores end to end.

Each camp votes for its own ideas and prefers them to the other camp's in
comparisons; every other member of each camp also votes for the shared idea,
which the camps prefer to the other camp's ideas but not to their own. The
shared idea then has fewer votes than the larger camp's ideas, yet the highest
bridging score (``ideas.voting.bridging``), once the worker has fitted it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ideas.errors import DomainError
from ideas.voting import compare_services, services


@dataclass(frozen=True)
class Planted:
    votes: int
    comparisons: int
    refused: int  # actions the rules refused (an author comparing their own idea, a budget)


async def plant_opinion_groups(
    session: AsyncSession,
    *,
    challenge_id: int,
    camps: Sequence[Sequence[int]],
    camp_ideas: Sequence[Sequence[int]],
    shared_idea: int,
    now: datetime,
) -> Planted:
    """Votes and comparisons by two camps of people (user ids), each for its own ideas
    (``camp_ideas``, in the same order as ``camps``), and by half of each for
    ``shared_idea``. Needs two camps, each with at least one idea; what the rules refuse
    (a budget spent, a person's own idea) is skipped and counted."""
    if len(camps) != 2 or len(camp_ideas) != 2 or not all(camp_ideas):
        raise ValueError("two camps, each with its ideas")
    votes = comparisons = refused = 0
    moment = now
    for k, camp in enumerate(camps):
        own, other = camp_ideas[k], camp_ideas[1 - k]
        for m, user_id in enumerate(camp):
            chosen = [*own, shared_idea] if m % 2 == 0 else list(own)
            # Each answer as (the idea preferred, the other).
            answers = [(own[(j + m) % len(own)], o) for j, o in enumerate(other)]
            answers.append((shared_idea, other[m % len(other)]))
            answers.append((own[m % len(own)], shared_idea))
            for idea_id in chosen:
                moment += timedelta(seconds=1)
                try:
                    await services.cast_vote(session, idea_id=idea_id, user_id=user_id, now=moment)
                    votes += 1
                except DomainError:
                    refused += 1
            for winner, loser in answers:
                moment += timedelta(seconds=1)
                try:
                    await compare_services.record_comparison(
                        session,
                        challenge_id=challenge_id,
                        user_id=user_id,
                        first_id=min(winner, loser),
                        second_id=max(winner, loser),
                        winner_id=winner,
                        now=moment,
                    )
                    comparisons += 1
                except DomainError:
                    refused += 1
    return Planted(votes=votes, comparisons=comparisons, refused=refused)
