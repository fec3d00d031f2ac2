"""The pairwise ranking: a Bradley-Terry model fitted to a challenge's comparisons.

Each idea ``i`` has a strength ``s_i`` on a log scale, and the chance that a
participant prefers ``i`` to ``j`` is ``1 / (1 + exp(s_j - s_i))``: equal
strengths give even odds, and each unit of difference multiplies the odds by
e. "Can't decide" counts as half a win for each side, the usual treatment of
ties in Bradley-Terry fits: it pulls the two strengths together without
saying which is better.

What people read is not the strength but the ``pairwise score``: the
estimated chance that the idea is preferred to another compared idea chosen
at random, the mean of the win probabilities against every other one. It
lies strictly between 0 and 1 and averages 0.5 over the compared ideas.

This module is pure arithmetic; ``ideas.voting.compare_services`` loads the
comparisons, calls it, and saves what it finds.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

PRIOR_VARIANCE = 1.0
"""Variance of the Gaussian prior on each strength (see ``fit``)."""

TOLERANCE = 1e-6
"""The fit stops once no strength moves by more than this in an iteration."""
MAX_ITERATIONS = 2_000

GRID_POINTS = 1_024
"""Above this many ideas, scores are read off a grid instead of summed pair by pair."""

Outcome = tuple[int, int, int | None]
"""One comparison: the two idea ids, and the winner's id (None: "can't decide")."""


def win_probability(strength: float, other: float) -> float:
    """The chance that an idea of ``strength`` is preferred to one of ``other``."""
    return _sigmoid(strength - other)


def _sigmoid(x: float) -> float:
    # Written two ways so that exp never overflows, however far apart the strengths.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@dataclass(frozen=True)
class _Pair:
    """Every comparison of two ideas (by index), summed: how many, and ``first``'s wins."""

    first: int
    second: int
    count: float
    wins: float  # of ``first``; each "can't decide" adds a half


def _pairs(outcomes: Iterable[Outcome]) -> tuple[list[int], list[_Pair]]:
    """The ideas compared (ids in increasing order) and the comparisons summed per pair."""
    totals: dict[tuple[int, int], list[float]] = {}
    for first_id, second_id, winner_id in outcomes:
        if first_id == second_id:
            continue
        low, high = (first_id, second_id) if first_id < second_id else (second_id, first_id)
        if winner_id is None:
            won = 0.5
        elif winner_id == low:
            won = 1.0
        elif winner_id == high:
            won = 0.0
        else:
            raise ValueError(f"the winner {winner_id} is not one of {low} and {high}")
        total = totals.setdefault((low, high), [0.0, 0.0])
        total[0] += 1.0
        total[1] += won
    ids = sorted({idea_id for pair in totals for idea_id in pair})
    index = {idea_id: n for n, idea_id in enumerate(ids)}
    pairs = [
        _Pair(index[low], index[high], count, wins)
        for (low, high), (count, wins) in sorted(totals.items())
    ]
    return ids, pairs


def fit(
    outcomes: Iterable[Outcome],
    *,
    prior_variance: float = PRIOR_VARIANCE,
    tolerance: float = TOLERANCE,
    max_iterations: int = MAX_ITERATIONS,
) -> dict[int, float]:
    """The strength of every compared idea, by id: the most probable strengths given
    the comparisons and a Gaussian prior.

    Why a prior: maximum likelihood alone does not always exist. An idea that
    has won every comparison it was in would have its strength pushed to
    infinity, and two groups of ideas never compared with each other have no
    common scale. A Gaussian prior with mean 0 (an L2 penalty on strengths)
    makes the problem strictly concave, so there is always exactly one
    answer, and it keeps ideas with few comparisons near 0, "average", until
    the evidence says otherwise: one win is a hint, not a verdict.

    How: a minorize-maximize iteration, of the kind Hunter (2004) gives for
    Bradley-Terry, here on the log scale and with the prior. The
    log-likelihood of a pair curves by at most a quarter of its count, so each
    step maximizes a quadratic that lies below the objective and touches it at
    the current strengths (Böhning and Lindsay's bound). Each step therefore
    raises the objective, and the iteration converges to the single maximum
    from any start. The order of work is fixed, so the same comparisons always
    give the same strengths.
    """
    ids, pairs = _pairs(outcomes)
    n = len(ids)
    if n == 0:
        return {}
    precision = 1.0 / prior_variance
    degree = [0.0] * n
    for pair in pairs:
        degree[pair.first] += pair.count
        degree[pair.second] += pair.count
    # The bound's curvature for each strength: its share of the pairs' plus the prior's.
    step = [1.0 / (d / 2.0 + precision) for d in degree]
    rows = [(p.first, p.second, p.count, p.wins) for p in pairs]
    groups = _connected(n, pairs)
    strengths = [0.0] * n
    exp = math.exp
    for _ in range(max_iterations):
        gradient = [-precision * s for s in strengths]
        for first, second, count, wins in rows:
            difference = strengths[second] - strengths[first]
            # Past 700, exp would overflow: the first idea is then certain to lose.
            expected = 0.0 if difference > 700.0 else count / (1.0 + exp(difference))
            residual = wins - expected
            gradient[first] += residual
            gradient[second] -= residual
        moved = [s + g * h for s, g, h in zip(strengths, gradient, step, strict=True)]
        _centre(moved, groups)
        largest = max(abs(a - b) for a, b in zip(moved, strengths, strict=True))
        strengths = moved
        if largest < tolerance:
            break
    return dict(zip(ids, strengths, strict=True))


def _connected(n: int, pairs: list[_Pair]) -> list[list[int]]:
    """The groups of ideas linked to each other by comparisons, directly or not."""
    parent = list(range(n))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for pair in pairs:
        a, b = root(pair.first), root(pair.second)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for k in range(n):
        groups.setdefault(root(k), []).append(k)
    return list(groups.values())


def _centre(strengths: list[float], groups: list[list[int]]) -> None:
    """Shift each group of linked ideas so that its strengths average 0.

    Comparisons only tell differences within a group; of all the shifts that
    keep those, the prior prefers the one of mean 0, so the shift never lowers
    the objective. It settles at once the one direction the bound above is
    slowest in: moving every strength of a group together.
    """
    for group in groups:
        mean = sum(strengths[k] for k in group) / len(group)
        for k in group:
            strengths[k] -= mean


def pairwise_scores(strengths: Mapping[int, float]) -> dict[int, float]:
    """Each idea's mean chance of being preferred to each of the other ideas given.

    Exact for up to ``GRID_POINTS`` ideas. Beyond, the other ideas' strengths
    are spread over an even grid (each split between its two neighbouring
    points, so the mean and spread are kept) and the sum over them is read
    off the grid: a convolution of ``GRID_POINTS`` squared products instead
    of one per pair of ideas, with errors far below a tenth of a percentage
    point. Both ways, a stronger idea never gets a lower score.
    """
    ids = list(strengths)
    n = len(ids)
    if n == 0:
        return {}
    if n == 1:
        return {ids[0]: 0.5}
    values = [strengths[i] for i in ids]
    totals = _sums_exact(values) if n <= GRID_POINTS else _sums_on_grid(values, GRID_POINTS)
    # Each total counts the idea against itself too, at even odds: take that out.
    return {
        idea_id: min(max((total - 0.5) / (n - 1), 0.0), 1.0)
        for idea_id, total in zip(ids, totals, strict=True)
    }


def pairwise_score(strength: float, others: Sequence[float]) -> float:
    """One idea's pairwise score, as ``pairwise_scores`` gives it, from its strength
    and those of the other compared ideas: how an answer moves the scores of its
    two ideas between refits."""
    if not others:
        return 0.5
    return sum(win_probability(strength, other) for other in others) / len(others)


def _sums_exact(values: list[float]) -> list[float]:
    """For each value x, the sum over all values y of sigmoid(x - y)."""
    top = max(values)
    # exp(s - top) lies in (0, 1]: sigmoid(x - y) = ex / (ex + ey) cannot overflow.
    weights = [math.exp(max(v - top, -700.0)) for v in values]
    inverse = (1.0).__truediv__
    return [w * sum(map(inverse, map(w.__add__, weights))) for w in weights]


def _sums_on_grid(values: list[float], points: int) -> list[float]:
    """``_sums_exact``, approximately, in time proportional to ``points`` squared."""
    low, high = min(values), max(values)
    if high - low < 1e-12:
        return [len(values) * 0.5] * len(values)
    spacing = (high - low) / (points - 1)
    # Spread each value's unit of mass over the two grid points around it.
    mass = [0.0] * points
    for v in values:
        position = (v - low) / spacing
        k = min(int(position), points - 2)
        fraction = position - k
        mass[k] += 1.0 - fraction
        mass[k + 1] += fraction
    # sigmoid at every distance between two grid points, from points - 1 steps down:
    # the slice for grid point k then holds sigmoid((k - j) * spacing) at j = 0, 1, ….
    kernel = [_sigmoid(d * spacing) for d in range(points - 1, -points, -1)]
    on_grid = [
        sum(map(operator.mul, mass, kernel[points - 1 - k : 2 * points - 1 - k]))
        for k in range(points)
    ]
    sums = []
    for v in values:
        position = (v - low) / spacing
        k = min(int(position), points - 2)
        fraction = position - k
        sums.append(on_grid[k] * (1.0 - fraction) + on_grid[k + 1] * fraction)
    return sums


def online_step(
    first: float, second: float, winner: int | None, *, first_count: int, second_count: int
) -> tuple[float, float]:
    """Both strengths after one more comparison, without refitting.

    ``winner`` is 0 when the first idea won, 1 when the second did, None for
    "can't decide"; the counts include this comparison. An Elo-like step: each
    strength moves by how surprising the answer was (the observed share of
    the win minus the predicted chance), scaled by one over the curvature of
    the penalised log-likelihood in that strength, which grows by at most a
    quarter per comparison. An idea's first comparisons move it a lot, its
    hundredth only a little; starting from a fitted ranking, this is one
    Newton step per strength towards the refit that will follow.
    """
    observed = 0.5 if winner is None else (1.0 if winner == 0 else 0.0)
    surprise = observed - win_probability(first, second)
    precision = 1.0 / PRIOR_VARIANCE
    return (
        first + surprise / (precision + first_count / 4.0),
        second - surprise / (precision + second_count / 4.0),
    )
