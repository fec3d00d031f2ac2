"""Placing people on the teams they ranked: an optimal assignment, as a pure function.

Each person ranks up to three teams; a first choice is worth 3, a second 2, a
third 1. ``assign`` places people on teams with free seats so that the sum of
the worth of everyone's placement is as large as possible, never on a team the
person did not rank and never beyond a team's free seats. Anyone who cannot be
placed that way is left out.

It is the linear assignment problem on a matrix of people by seats: every team
is expanded into its free seats, a seat on a team the person ranked costs minus
its worth, a seat on any other team costs more than any placement gains (and is
dropped from the result, should it ever be chosen). Each person also gets a
seat of their own that costs nothing: "not placed". Without those, the solver
would have to place as many people as the seats allow before it could look at
their choices, and one person on their first choice can be worth more than two
people on their third.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

import numpy as np

# SciPy ships no type information; linear_sum_assignment takes and returns arrays.
from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

Person = TypeVar("Person", bound=Hashable)
Team = TypeVar("Team", bound=Hashable)

# The worth of a placement by rank: index 0 is the first choice.
WEIGHTS = (3, 2, 1)
MAX_CHOICES = len(WEIGHTS)


def weight(rank: int) -> int:
    """The worth of being placed on one's ``rank``-th choice (1 is the first)."""
    if not 1 <= rank <= MAX_CHOICES:
        raise ValueError(f"rank must be from 1 to {MAX_CHOICES}, not {rank}")
    return WEIGHTS[rank - 1]


def assign(
    preferences: Mapping[Person, Sequence[Team | None]], free_seats: Mapping[Team, int]
) -> dict[Person, Team]:
    """Person → team, maximising the total worth of the placements.

    ``preferences``: each person's teams, first choice first (at most three,
    each once); None keeps the place of a choice that no longer counts, so the
    choices after it keep their rank. ``free_seats``: how many more people each
    team can take; a team missing from it has none. People are considered in
    the order given, which only matters to choose between equally good
    assignments.
    """
    people = [person for person, ranked in preferences.items() if _teams(ranked)]
    for person in people:
        ranked = preferences[person]
        named = _teams(ranked)
        if len(ranked) > MAX_CHOICES or len(set(named)) != len(named):
            raise ValueError(f"{person!r} must rank at most {MAX_CHOICES} different teams")
    # A team needs no more seats than people who ranked it: that keeps the matrix small.
    wanted: dict[Team, int] = {}
    for person in people:
        for team in _teams(preferences[person]):
            wanted[team] = wanted.get(team, 0) + 1
    seats: list[Team] = []
    for team, demand in wanted.items():
        seats += [team] * min(max(free_seats.get(team, 0), 0), demand)
    if not people or not seats:
        return {}

    forbidden = float(WEIGHTS[0] * len(people) + 1)  # more than all placements together gain
    cost = np.full((len(people), len(seats) + len(people)), forbidden)
    column_of_team: dict[Team, list[int]] = {}
    for column, seat in enumerate(seats):
        column_of_team.setdefault(seat, []).append(column)
    for row, person in enumerate(people):
        for rank, choice in enumerate(preferences[person], start=1):
            if choice is None:
                continue
            for column in column_of_team.get(choice, ()):
                cost[row, column] = -weight(rank)
        cost[row, len(seats) + row] = 0.0  # this person's own "not placed"

    rows, columns = linear_sum_assignment(cost)
    placed: dict[Person, Team] = {}
    for row, column in zip(rows.tolist(), columns.tolist(), strict=True):
        if column < len(seats) and cost[row, column] < 0:
            placed[people[row]] = seats[column]
    return placed


def _teams(ranked: Sequence[Team | None]) -> list[Team]:
    return [team for team in ranked if team is not None]


def total_weight(
    placements: Mapping[Person, Team], preferences: Mapping[Person, Sequence[Team | None]]
) -> int:
    """The worth of ``placements`` by everyone's ranking (0 for an unranked team)."""
    total = 0
    for person, team in placements.items():
        ranked = list(preferences.get(person, ()))
        if team in ranked:
            total += weight(ranked.index(team) + 1)
    return total
