"""The pairwise ranking model: Bradley-Terry strengths, pairwise scores, online steps, refits."""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges.models import Challenge
from ideas.db import utcnow
from ideas.submissions.models import Idea, IdeaStatus
from ideas.voting import ranking
from ideas.voting.compare_services import refit
from ideas.voting.models import Comparison


def scores_of(outcomes: list[ranking.Outcome]) -> dict[int, float]:
    return ranking.pairwise_scores(ranking.fit(outcomes))


def random_outcomes(ideas: int, comparisons: int, seed: int = 7) -> list[ranking.Outcome]:
    rng = random.Random(seed)
    true = {i: rng.gauss(0, 1) for i in range(1, ideas + 1)}
    outcomes: list[ranking.Outcome] = []
    for _ in range(comparisons):
        a, b = rng.sample(sorted(true), 2)
        draw = rng.random()
        if draw < 0.1:
            outcomes.append((a, b, None))
        else:
            a_wins = rng.random() < ranking.win_probability(true[a], true[b])
            outcomes.append((a, b, a if a_wins else b))
    return outcomes


def test_equal_strengths_are_even_odds_and_a_unit_more_multiplies_the_odds_by_e() -> None:
    assert ranking.win_probability(0.3, 0.3) == 0.5
    odds = ranking.win_probability(1.0, 0.0) / ranking.win_probability(0.0, 1.0)
    assert odds == pytest.approx(2.718281828, rel=1e-6)
    assert ranking.win_probability(800.0, 0.0) == 1.0
    assert ranking.win_probability(-800.0, 0.0) == 0.0


def test_a_clear_winner_gets_the_highest_score() -> None:
    outcomes: list[ranking.Outcome] = [
        (1, 2, 1),
        (1, 3, 1),
        (1, 4, 1),
        (2, 3, 3),
        (3, 4, 4),
        (2, 4, 2),
    ]

    scores = scores_of(outcomes)

    assert max(scores, key=scores.__getitem__) == 1
    assert scores[1] > 0.6


def test_an_undefeated_idea_still_gets_a_finite_strength() -> None:
    strengths = ranking.fit([(1, 2, 1)] * 50)

    assert 0 < strengths[1] < 10
    assert strengths[2] == pytest.approx(-strengths[1])


def test_ties_give_fifty_percent() -> None:
    scores = scores_of([(1, 2, None), (2, 3, None), (1, 3, None), (1, 2, None)])

    assert scores == pytest.approx({1: 0.5, 2: 0.5, 3: 0.5})


def test_a_tie_is_half_a_win_each() -> None:
    tied = ranking.fit([(1, 2, None), (1, 2, None)])
    split = ranking.fit([(1, 2, 1), (1, 2, 2)])

    assert tied == pytest.approx(split)


def test_a_chain_orders_its_ideas() -> None:
    scores = scores_of([(1, 2, 1), (2, 3, 2)])  # 1 beats 2, 2 beats 3

    assert scores[1] > scores[2] > scores[3]
    assert scores[2] == pytest.approx(0.5)


def test_scores_lie_strictly_between_zero_and_one_and_average_one_half() -> None:
    outcomes = random_outcomes(ideas=40, comparisons=400)
    outcomes += [(1, n, 1) for n in range(2, 41)] * 5  # one idea that never loses

    scores = scores_of(outcomes)

    assert len(scores) == 40
    assert all(0 < score < 1 for score in scores.values())
    assert sum(scores.values()) / len(scores) == pytest.approx(0.5)
    assert max(scores, key=scores.__getitem__) == 1


def test_few_comparisons_stay_near_the_middle_many_move_further() -> None:
    once = ranking.fit([(1, 2, 1)])
    often = ranking.fit([(1, 2, 1)] * 20)

    assert 0 < once[1] < 0.6
    assert often[1] > once[1]


def test_ideas_never_compared_with_each_other_each_sit_around_zero() -> None:
    strengths = ranking.fit([(1, 2, 1), (3, 4, 3), (3, 4, 3)])

    assert strengths[1] == pytest.approx(-strengths[2])
    assert strengths[3] == pytest.approx(-strengths[4])
    assert strengths[3] > strengths[1] > 0


def test_the_fit_is_the_maximum_of_the_penalised_likelihood() -> None:
    outcomes = random_outcomes(ideas=12, comparisons=80)
    strengths = ranking.fit(outcomes)

    # At the maximum, each strength's gradient is zero: its observed wins minus
    # its expected wins equals its strength over the prior variance.
    for idea, strength in strengths.items():
        residual = 0.0
        for first, second, winner in outcomes:
            if idea not in (first, second):
                continue
            other = second if idea == first else first
            won = 0.5 if winner is None else float(winner == idea)
            residual += won - ranking.win_probability(strength, strengths[other])
        assert residual == pytest.approx(strength / ranking.PRIOR_VARIANCE, abs=1e-4)


def test_a_winner_that_is_not_in_the_pair_is_an_error() -> None:
    with pytest.raises(ValueError, match="not one of"):
        ranking.fit([(1, 2, 3)])


def test_nothing_compared_gives_nothing_and_one_idea_is_average() -> None:
    assert ranking.fit([]) == {}
    assert ranking.pairwise_scores({}) == {}
    assert ranking.pairwise_scores({5: 1.2}) == {5: 0.5}


def test_scores_read_off_the_grid_agree_with_the_exact_sum() -> None:
    rng = random.Random(3)
    strengths = {n: rng.gauss(0, 1.5) for n in range(ranking.GRID_POINTS * 2)}
    exact_sums = ranking._sums_exact(list(strengths.values()))
    exact = {
        n: (total - 0.5) / (len(strengths) - 1)
        for n, total in zip(strengths, exact_sums, strict=True)
    }

    scores = ranking.pairwise_scores(strengths)

    assert max(abs(scores[n] - exact[n]) for n in strengths) < 1e-4
    by_strength = sorted(strengths, key=strengths.__getitem__)
    assert [scores[n] for n in by_strength] == sorted(scores.values())


def test_the_online_step_moves_the_right_way() -> None:
    won = ranking.online_step(0.0, 0.0, 0, first_count=1, second_count=1)
    lost = ranking.online_step(0.0, 0.0, 1, first_count=1, second_count=1)
    tie_of_unequal = ranking.online_step(1.0, -1.0, None, first_count=5, second_count=5)

    assert won[0] > 0 > won[1]
    assert lost[0] < 0 < lost[1]
    assert tie_of_unequal[0] < 1.0
    assert tie_of_unequal[1] > -1.0


def test_the_online_step_is_smaller_for_ideas_compared_often_and_for_expected_answers() -> None:
    fresh = ranking.online_step(0.0, 0.0, 0, first_count=1, second_count=1)
    seasoned = ranking.online_step(0.0, 0.0, 0, first_count=100, second_count=100)
    expected = ranking.online_step(2.0, 0.0, 0, first_count=1, second_count=1)

    assert abs(seasoned[0]) < abs(fresh[0])
    assert expected[0] - 2.0 < fresh[0]


def test_one_online_step_from_nothing_lands_near_the_fit_of_one_comparison() -> None:
    step = ranking.online_step(0.0, 0.0, 0, first_count=1, second_count=1)
    fitted = ranking.fit([(1, 2, 1)])

    assert step[0] == pytest.approx(fitted[1], abs=0.1)


# Refitting a challenge ------------------------------------------------------------


async def _answer(
    session: AsyncSession, challenge: Challenge, user_id: int, winner: Idea, loser: Idea
) -> None:
    first, second = sorted((winner.id, loser.id))
    session.add(
        Comparison(
            challenge_id=challenge.id,
            user_id=user_id,
            first_id=first,
            second_id=second,
            winner_id=winner.id,
            created_at=utcnow(),
        )
    )
    await session.commit()


async def _ranking(session: AsyncSession, challenge: Challenge) -> dict[int, tuple[float, Any]]:
    await session.commit()
    rows = await session.execute(
        select(Idea.id, Idea.strength, Idea.pairwise_score).where(Idea.challenge_id == challenge.id)
    )
    return {idea_id: (strength, score) for idea_id, strength, score in rows}


async def test_refit_ranks_the_compared_ideas_and_is_deterministic(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    a, b, c, never = [await make_idea(challenge, author) for _ in range(4)]
    voters = [await make_user() for _ in range(3)]
    for voter in voters:
        await _answer(session, challenge, voter.id, a, b)
        await _answer(session, challenge, voter.id, b, c)
    await _answer(session, challenge, voters[0].id, a, c)
    now = utcnow()

    done = await refit(session, challenge.id, now)
    first = await _ranking(session, challenge)
    again = await refit(session, challenge.id, now)
    second = await _ranking(session, challenge)

    assert (done.ideas, done.comparisons) == (3, 7)
    assert again == done
    assert first == second
    assert first[a.id][1] > first[b.id][1] > first[c.id][1]
    assert first[never.id] == (0.0, None)
    saved = await session.get(Challenge, challenge.id)
    assert saved is not None
    await session.refresh(saved)
    assert saved.ranking_fitted_at == now
    assert saved.comparisons_since_fit == 0


async def test_refit_leaves_out_comparisons_with_hidden_ideas(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    a, b, hidden = [await make_idea(challenge, author) for _ in range(3)]
    voter = await make_user()
    await _answer(session, challenge, voter.id, a, b)
    await _answer(session, challenge, voter.id, hidden, a)
    await refit(session, challenge.id, utcnow())
    stored = await session.get(Idea, hidden.id)
    assert stored is not None
    stored.status = IdeaStatus.HIDDEN
    await session.commit()

    done = await refit(session, challenge.id, utcnow())
    ranked = await _ranking(session, challenge)

    assert (done.ideas, done.comparisons) == (2, 1)
    assert ranked[hidden.id] == (0.0, None)
    assert ranked[a.id][1] > 0.5 > ranked[b.id][1]
