"""Placing people on the teams they ranked: the assignment on its own, without a database."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Mapping, Sequence

import pytest

from ideas.teams.assignment import assign, total_weight, weight

Preferences = Mapping[str, Sequence[str | None]]


def best_by_brute_force(preferences: Preferences, free_seats: Mapping[str, int]) -> int:
    """The largest total worth of any valid placement, found by trying every one."""
    people = list(preferences)
    options = [[None, *(t for t in preferences[person] if t is not None)] for person in people]
    best = 0
    for choice in itertools.product(*options):
        taken = Counter(team for team in choice if team is not None)
        if any(n > free_seats.get(team, 0) for team, n in taken.items()):
            continue
        placed = {p: t for p, t in zip(people, choice, strict=True) if t is not None}
        best = max(best, total_weight(placed, preferences))
    return best


def assert_valid(
    placed: Mapping[str, str], preferences: Preferences, free_seats: Mapping[str, int]
) -> None:
    for person, team in placed.items():
        assert team in preferences[person], f"{person} placed on {team}, which they did not rank"
    for team, n in Counter(placed.values()).items():
        assert n <= free_seats.get(team, 0), (
            f"{team} got {n} people for {free_seats.get(team, 0)} seats"
        )


def test_everyone_gets_their_first_choice_when_there_is_room() -> None:
    preferences = {"ana": ["red", "blue"], "ben": ["blue"], "cai": ["red", "green", "blue"]}
    placed = assign(preferences, {"red": 2, "blue": 1, "green": 1})
    assert placed == {"ana": "red", "ben": "blue", "cai": "red"}


def test_the_total_worth_beats_a_greedy_first_come_first_served() -> None:
    # Greedy would give ana her first choice (red) and leave ben with his third
    # (nothing else is left); moving ana to her second choice frees red for ben.
    preferences = {"ana": ["red", "blue"], "ben": ["red"]}
    placed = assign(preferences, {"red": 1, "blue": 1})
    assert placed == {"ana": "blue", "ben": "red"}
    assert total_weight(placed, preferences) == 5


def test_one_first_choice_can_be_worth_more_than_two_third_choices() -> None:
    # Placing both would put ben on his third choice and ana on her third: 1 + 1 < 3.
    preferences = {"ana": ["red", "blue", "green"], "ben": ["blue", "green", "red"]}
    placed = assign(preferences, {"red": 1})
    assert total_weight(placed, preferences) == 3
    assert placed == {"ana": "red"}


def test_nobody_is_placed_on_a_team_they_did_not_rank() -> None:
    preferences = {"ana": ["red"], "ben": ["red"], "cai": ["red"]}
    placed = assign(preferences, {"red": 1, "blue": 5, "green": 5})
    assert len(placed) == 1
    assert set(placed.values()) == {"red"}


def test_capacities_are_respected_and_people_are_left_out_when_seats_run_out() -> None:
    preferences = {name: ["red", "blue"] for name in ("ana", "ben", "cai", "dee", "eli")}
    placed = assign(preferences, {"red": 2, "blue": 1})
    assert Counter(placed.values()) == {"red": 2, "blue": 1}
    assert len(placed) == 3


def test_a_team_without_free_seats_takes_nobody() -> None:
    preferences = {"ana": ["full", "open"], "ben": ["full"]}
    assert assign(preferences, {"full": 0, "open": 3}) == {"ana": "open"}
    assert assign(preferences, {"open": 3}) == {"ana": "open"}  # missing means no seats
    assert assign(preferences, {"full": -1}) == {}


def test_nothing_to_assign_gives_nobody() -> None:
    assert assign({}, {"red": 3}) == {}
    assert assign({"ana": []}, {"red": 3}) == {}
    assert assign({"ana": ["red"]}, {}) == {}


def test_equally_good_assignments_follow_the_order_people_are_given_in() -> None:
    first = assign({"ana": ["red"], "ben": ["red"]}, {"red": 1})
    again = assign({"ana": ["red"], "ben": ["red"]}, {"red": 1})
    assert first == again
    assert len(first) == 1


@pytest.mark.parametrize(
    "preferences",
    [{"ana": ["red", "red"]}, {"ana": ["red", "blue", "green", "gold"]}],
)
def test_a_ranking_with_a_team_twice_or_more_than_three_is_refused(
    preferences: Preferences,
) -> None:
    with pytest.raises(ValueError, match="at most 3 different teams"):
        assign(preferences, {"red": 1})


def test_the_worth_of_each_rank() -> None:
    assert [weight(rank) for rank in (1, 2, 3)] == [3, 2, 1]
    with pytest.raises(ValueError, match="rank must be from 1 to 3"):
        weight(4)


@pytest.mark.parametrize("seed", range(60))
def test_the_assignment_is_optimal_on_small_random_cases(seed: int) -> None:
    rng = random.Random(seed)
    teams = [f"team-{n}" for n in range(rng.randint(1, 4))]
    people = [f"person-{n}" for n in range(rng.randint(1, 7))]
    preferences: dict[str, list[str | None]] = {
        person: list(rng.sample(teams, rng.randint(0, min(3, len(teams))))) for person in people
    }
    for ranked in preferences.values():  # now and then a choice that no longer counts
        if ranked and rng.random() < 0.2:
            ranked[rng.randrange(len(ranked))] = None
    free_seats = {team: rng.randint(0, 3) for team in teams}

    placed = assign(preferences, free_seats)

    assert_valid(placed, preferences, free_seats)
    assert total_weight(placed, preferences) == best_by_brute_force(preferences, free_seats)


def test_a_choice_that_no_longer_counts_keeps_the_rank_of_the_ones_after_it() -> None:
    # Ben's first choice is gone; blue stays his second choice, worth 2, not 3.
    preferences: Preferences = {"ana": ["blue"], "ben": [None, "blue", "red"]}
    placed = assign(preferences, {"blue": 1, "red": 1})
    assert placed == {"ana": "blue", "ben": "red"}
    assert total_weight(placed, preferences) == 4
    assert total_weight({"ben": "blue"}, preferences) == 2
