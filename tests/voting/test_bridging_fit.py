"""The bridging fit alone: planted opinion groups and a planted bridging idea are found,
too little data shows nothing, and the same data always gives the same numbers."""

from __future__ import annotations

from collections import Counter

from ideas.voting import bridging
from tests.factories.bridging import planted_ratings


def test_votes_count_one_and_comparisons_the_share_won() -> None:
    ratings = bridging.ratings_from(
        [("ana", 1)],
        [("ana", 1, 2, 2), ("ben", 1, 2, 1), ("ben", 1, 3, None), ("ben", 2, 3, 3)],
    )

    assert sorted(ratings, key=str) == sorted(
        [
            ("ana", 1, 1.0),  # voted for: 1, whatever the comparison said
            ("ana", 2, 1.0),
            ("ben", 1, 0.75),  # one win, one "can't decide"
            ("ben", 2, 0.0),
            ("ben", 3, 0.75),
        ],
        key=str,
    )


def test_two_planted_camps_are_found_and_the_idea_both_support_bridges_best() -> None:
    votes, compared, camp_of = planted_ratings()
    counts = Counter(idea for _, idea in votes)

    fitted = bridging.fit(bridging.ratings_from(votes, compared))

    assert fitted.enough
    assert fitted.groups == (60, 40)
    assert {person: fitted.group_of[person] for person in camp_of} == camp_of
    best = max(fitted.ideas, key=lambda i: fitted.ideas[i].score)
    assert best == 11
    # Yet by raw votes it is not first: the larger camp's ideas have more.
    assert counts[11] < max(counts.values())
    shared = fitted.ideas[11]
    assert shared.low <= shared.score <= shared.high
    others = [s for i, s in fitted.ideas.items() if i != 11]
    assert all(shared.score > s.score for s in others)


def test_without_enough_people_there_is_not_enough_data() -> None:
    votes, compared, _ = planted_ratings(sizes=(4, 3))

    fitted = bridging.fit(bridging.ratings_from(votes, compared))

    assert bridging.MIN_PEOPLE > 7
    assert not fitted.enough
    assert fitted.ideas == {}
    assert fitted.groups == ()


def test_people_and_ideas_below_the_minimums_are_set_aside() -> None:
    votes, compared, _ = planted_ratings()
    # Someone who rated only two ideas, and an idea only two people rated.
    votes += [("newcomer", 1), ("newcomer", 2), ("a0", 99), ("b0", 99)]

    fitted = bridging.fit(bridging.ratings_from(votes, compared))

    assert fitted.people == 100
    assert 99 not in fitted.ideas


def test_the_same_data_gives_the_same_numbers() -> None:
    votes, compared, _ = planted_ratings(seed=3)
    ratings = bridging.ratings_from(votes, compared)

    assert bridging.fit(ratings) == bridging.fit(ratings)


def test_no_ratings_is_not_enough_data() -> None:
    assert bridging.fit([]) == bridging.Bridging(enough=False, people=0, ratings=0, groups=())
