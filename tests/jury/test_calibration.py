"""The jury's arithmetic against values worked out by hand (and alpha against the library)."""

from __future__ import annotations

import math

import krippendorff
import pytest

from ideas.jury import calibration
from ideas.jury.assignment import assign
from ideas.jury.calibration import Mark

A, B = 101, 102  # two jurors
IMPACT, FEASIBILITY = 1, 2


def test_a_harsh_and_a_lenient_juror_count_the_same() -> None:
    # A marks 1, 2, 3; B marks 3, 4, 5: after normalisation they say the same thing.
    marks = [Mark(A, idea, IMPACT, idea) for idea in (1, 2, 3)]
    marks += [Mark(B, idea, IMPACT, idea + 2) for idea in (1, 2, 3)]
    z = calibration.normalise(marks)
    # mean 2 (and 4), population deviation sqrt(2/3): z = ±1/sqrt(2/3) = ±1.2247…
    assert z[(A, 1, IMPACT)] == pytest.approx(-1.224745, abs=1e-6)
    assert z[(A, 2, IMPACT)] == 0
    assert z[(B, 3, IMPACT)] == pytest.approx(1.224745, abs=1e-6)
    assert all(z[(A, i, IMPACT)] == pytest.approx(z[(B, i, IMPACT)]) for i in (1, 2, 3))
    scores = calibration.jury_scores(marks, {IMPACT: 1.0})
    assert scores[3].score == pytest.approx(1.224745, abs=1e-6)
    assert scores[3].spread == pytest.approx(0.0)


def test_a_juror_who_gives_every_idea_the_same_mark_moves_nothing() -> None:
    z = calibration.normalise([Mark(A, 1, IMPACT, 4), Mark(A, 2, IMPACT, 4)])
    assert set(z.values()) == {0.0}


def test_criteria_are_combined_with_their_weights() -> None:
    # A's four marks 1, 3, 3, 5: mean 3, population deviation sqrt(2).
    marks = [
        Mark(A, 1, IMPACT, 1),
        Mark(A, 1, FEASIBILITY, 3),
        Mark(A, 2, IMPACT, 3),
        Mark(A, 2, FEASIBILITY, 5),
    ]
    scores = calibration.jury_scores(marks, {IMPACT: 2.0, FEASIBILITY: 1.0})
    # idea 1: (2 x (-2/√2) + 1 x 0) / 3 = -0.942809…; idea 2: (2 x 0 + 1 x 2/√2) / 3 = 0.471404…
    assert scores[1].score == pytest.approx(-2 * math.sqrt(2) / 3)
    assert scores[2].score == pytest.approx(math.sqrt(2) / 3)
    assert scores[1].low is None
    assert scores[1].jurors == 1


def test_the_interval_comes_from_the_jurors_spread() -> None:
    # Two values 0.5 and 1.5: mean 1, s = 0.7071; t(0.975, 1 df) = 12.7062 → ±6.3531.
    low, high = calibration.interval([0.5, 1.5]) or (0.0, 0.0)
    assert low == pytest.approx(1 - 6.353102, abs=1e-5)
    assert high == pytest.approx(1 + 6.353102, abs=1e-5)
    assert calibration.interval([1.0]) is None


def test_alpha_matches_the_hand_worked_value_and_the_library() -> None:
    # Units (1,1), (2,2), (3,4): D_o = 2/6, D_e = 82/30, alpha = 1 - 30/246 = 36/41.
    ratings = {(A, 1): 1.0, (A, 2): 2.0, (A, 3): 3.0, (B, 1): 1.0, (B, 2): 2.0, (B, 3): 4.0}
    found = calibration.alpha(ratings)
    assert found == pytest.approx(36 / 41)
    library = krippendorff.alpha(
        reliability_data=[[1, 2, 3], [1, 2, 4]], level_of_measurement="interval"
    )
    assert found == pytest.approx(library)


def test_alpha_with_a_missing_rating_matches_the_library() -> None:
    ratings = {(A, 1): 1.0, (A, 2): 5.0, (B, 1): 2.0, (B, 2): 4.0, (B, 3): 3.0}
    library = krippendorff.alpha(
        reliability_data=[[1.0, 5.0, math.nan], [2.0, 4.0, 3.0]], level_of_measurement="interval"
    )
    assert calibration.alpha(ratings) == pytest.approx(library)


def test_no_alpha_without_two_ratings_of_one_idea() -> None:
    assert calibration.alpha({(A, 1): 1.0, (B, 2): 3.0}) is None


def test_no_alpha_when_the_ideas_rated_twice_have_one_value() -> None:
    """Idea 1 rated 4 by both; idea 2, rated once, differs: nothing to compare, no 0/0."""
    assert calibration.alpha({(A, 1): 4.0, (B, 1): 4.0, (A, 2): 5.0}) is None


def test_agreement_per_criterion_and_the_disagreements() -> None:
    marks = [
        Mark(A, 1, IMPACT, 1), Mark(B, 1, IMPACT, 1),
        Mark(A, 2, IMPACT, 2), Mark(B, 2, IMPACT, 2),
        Mark(A, 3, IMPACT, 3), Mark(B, 3, IMPACT, 4),
        Mark(A, 1, FEASIBILITY, 5), Mark(B, 1, FEASIBILITY, 1),
        Mark(A, 2, FEASIBILITY, 3), Mark(B, 2, FEASIBILITY, 3),
        Mark(A, 3, FEASIBILITY, 1), Mark(B, 3, FEASIBILITY, 5),
    ]  # fmt: skip
    found = calibration.agreement(marks, {IMPACT: 1.0, FEASIBILITY: 1.0})
    assert found.per_criterion[IMPACT] == pytest.approx(36 / 41)
    feasibility = found.per_criterion[FEASIBILITY]
    assert feasibility is not None
    assert feasibility < 0
    scores = calibration.jury_scores(marks, {IMPACT: 1.0, FEASIBILITY: 1.0})
    worst = calibration.disagreements(scores)
    assert [s.idea for s in worst][:1] in ([1], [3])
    # Both jurors gave idea 2 the same marks: only their different means part them.
    assert worst[-1].idea == 2


def test_the_combined_ranking_weighs_jury_against_votes() -> None:
    jury = {1: 1.0, 2: 0.0, 3: -1.0}
    votes = {1: 0, 2: 10, 3: 5}
    # Percentiles: jury 1, 0.5, 0; votes 0, 1, 0.5 → half and half: 0.5, 0.75, 0.25.
    half = calibration.combine(jury, votes, 0.5)
    assert {i: c.score for i, c in half.items()} == {1: 0.5, 2: 0.75, 3: 0.25}
    assert {i: c.rank for i, c in half.items()} == {2: 1, 1: 2, 3: 3}
    assert {i: c.rank for i, c in calibration.combine(jury, votes, 1.0).items()} == {
        1: 1,
        2: 2,
        3: 3,
    }
    tied = calibration.combine({1: 1.0, 2: 0.0}, {1: 0, 2: 3}, 0.5)
    assert tied[1].rank == tied[2].rank == 1


def test_every_idea_reaches_its_jurors_and_the_load_is_even() -> None:
    queues = assign([11, 12, 13, 14], [1, 2, 3], 2, ineligible={}, begun={})
    per_idea = {i: sum(1 for q in queues.values() if i in q) for i in (11, 12, 13, 14)}
    assert set(per_idea.values()) == {2}
    assert sorted(len(q) for q in queues.values()) == [2, 3, 3]


def test_the_queue_keeps_out_whom_it_must_and_keeps_begun_scores() -> None:
    queues = assign([11, 12], [1, 2, 3], 2, ineligible={11: [1]}, begun={12: [3]})
    assert 11 not in queues[1]
    assert 12 in queues[3]
    assert sum(1 for q in queues.values() if 11 in q) == 2
