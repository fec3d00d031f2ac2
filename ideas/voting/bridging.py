"""Opinion groups and bridging: which ideas are supported across groups that disagree.

The method is the one X's Community Notes uses to find notes that people who
usually disagree both rate helpful: Wojcik, Hilgard, Judd, Mocanu, Coleman,
Baxter, Buntain, Hannák, Gimpel, Jaakkola, Rand and Yin (2022), "Birdwatch:
Crowd Wisdom and Bridging Algorithms can Inform Understanding and Reduce
Polarization", arXiv:2210.15723.

Ratings. From what a participant did in a challenge, each (person, idea) they
touched gets one rating between 0 and 1:

- they voted for the idea: 1;
- otherwise, they met it in comparisons: the share of those comparisons it won
  (a win 1, "can't decide" 0.5, a loss 0) — an idea seen and passed over is
  evidence against it, one preferred is evidence for it.

Only ideas that are visible now count, as in the other rankings.

Model. Each rating is explained as ``r_ui ≈ μ + b_u + b_i + f_u·f_i``, with one
factor dimension: ``f_u`` places a person on the axis that best separates the
ratings, ``f_i`` places an idea on it, ``b_u`` is how generous a person is and
``b_i`` is the support an idea has that the axis does not explain. The fit
minimises, as in the paper, the squared error summed over the ratings plus, per
rating, ``λ_i (μ² + b_u² + b_i²) + λ_f (f_u² + f_i²)`` with ``λ_i = 0.15`` and
``λ_f = 0.03``: intercepts are regularised five times more strongly than
factors, so whatever support one side gives and the other withholds is
explained by the factor, and only support from both sides lifts ``b_i``.

``b_i`` is the bridging score. The opinion groups are the signs of ``f_u``
(the larger group first); only their sizes are ever reported.

Fit. Alternating least squares: given the ideas' terms, each person's
``(b_u, f_u)`` is a two-variable ridge regression solved in closed form, and the
same for each idea given the people's terms, then ``μ``; every half-step
lowers the objective, and iterations stop when it changes by less than a
relative ``TOLERANCE`` over ``CHECK_EVERY`` sweeps, or after ``MAX_ITERATIONS``
sweeps: sparse data with little structure converges slowly, and the cap keeps a
10,000-idea round within a minute. The factors start from a seeded random draw,
so the same ratings in the same order always give the same scores.

Uncertainty. A bootstrap over people: ``BOOTSTRAP_SAMPLES`` times, people are
drawn with replacement (each with all their ratings), the model is refitted
(starting from the full fit, for at most ``BOOTSTRAP_ITERATIONS`` sweeps), and
the 2.5th and 97.5th percentiles of each idea's ``b_i`` over the resamples make
its 95% interval.

Minimums. People with fewer than ``MIN_RATINGS_PER_PERSON`` ratings and ideas
with fewer than ``MIN_RATINGS_PER_IDEA`` ratings are set aside (repeatedly,
until none is left to set aside, as Community Notes does); with fewer than
``MIN_PEOPLE`` people left there is not enough data yet, and nothing is shown.

This module is pure arithmetic (numpy); ``ideas.voting.bridging_services`` reads
the data, calls it in the worker and stores what it finds.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

INTERCEPT_REGULARISATION = 0.15
FACTOR_REGULARISATION = 0.03
MIN_PEOPLE = 8
MIN_RATINGS_PER_PERSON = 3
MIN_RATINGS_PER_IDEA = 5
BOOTSTRAP_SAMPLES = 20
CONFIDENCE = 0.95
SEED = 2210_15723
TOLERANCE = 1e-7
MAX_ITERATIONS = 600
BOOTSTRAP_ITERATIONS = 50
CHECK_EVERY = 5

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

Rating = tuple[Hashable, int, float]
"""One rating: the person (any key), the idea's id, and the value from 0 to 1."""


def parameters() -> dict[str, Any]:
    """The published parameters, for the results' method notes."""
    return {
        "factors": 1,
        "intercept_regularisation": INTERCEPT_REGULARISATION,
        "factor_regularisation": FACTOR_REGULARISATION,
        "min_people": MIN_PEOPLE,
        "min_ratings_per_person": MIN_RATINGS_PER_PERSON,
        "min_ratings_per_idea": MIN_RATINGS_PER_IDEA,
        "bootstrap_samples": BOOTSTRAP_SAMPLES,
        "bootstrap_sweeps": BOOTSTRAP_ITERATIONS,
        "max_sweeps": MAX_ITERATIONS,
        "tolerance": TOLERANCE,
        "confidence": CONFIDENCE,
        "seed": SEED,
    }


def ratings_from(
    votes: Iterable[tuple[Hashable, int]],
    comparisons: Iterable[tuple[Hashable, int, int, int | None]],
) -> list[Rating]:
    """The ratings, one per (person, idea), from votes ``(person, idea)`` and comparisons
    ``(person, first, second, winner or None)``; in order of first appearance, votes first."""
    voted: dict[tuple[Hashable, int], None] = {}
    for person, idea_id in votes:
        voted[(person, idea_id)] = None
    met: dict[tuple[Hashable, int], list[float]] = {}
    for person, first_id, second_id, winner_id in comparisons:
        if first_id == second_id:
            continue
        for idea_id in (first_id, second_id):
            share = 0.5 if winner_id is None else float(winner_id == idea_id)
            total = met.setdefault((person, idea_id), [0.0, 0.0])
            total[0] += share
            total[1] += 1.0
    ratings: list[Rating] = [(person, idea_id, 1.0) for person, idea_id in voted]
    ratings += [
        (person, idea_id, won / seen)
        for (person, idea_id), (won, seen) in met.items()
        if (person, idea_id) not in voted
    ]
    return ratings


@dataclass(frozen=True)
class IdeaBridging:
    score: float  # b_i
    low: float  # the 95% bootstrap interval
    high: float
    ratings: int


@dataclass(frozen=True)
class Bridging:
    enough: bool
    people: int  # people whose ratings count, after the minimums
    ratings: int  # ratings that count
    groups: tuple[int, ...]  # opinion group sizes, largest first
    ideas: dict[int, IdeaBridging] = field(default_factory=dict)
    # Each person's group (0: the larger), for checking the method; never stored or shown.
    group_of: dict[Hashable, int] = field(default_factory=dict, repr=False, compare=False)


@dataclass
class _Model:
    mu: float
    bu: Floats
    fu: Floats
    bi: Floats
    fi: Floats


def _keep(users: Ints, items: Ints) -> npt.NDArray[np.bool_]:
    """Which ratings remain once people and ideas below the minimums are set aside."""
    kept = np.ones(len(users), dtype=bool)
    while True:
        per_person = np.bincount(users[kept], minlength=users.max(initial=-1) + 1)
        per_idea = np.bincount(items[kept], minlength=items.max(initial=-1) + 1)
        now = (
            kept
            & (per_person[users] >= MIN_RATINGS_PER_PERSON)
            & (per_idea[items] >= MIN_RATINGS_PER_IDEA)
        )
        if (now == kept).all():
            return kept
        kept = now


def _solve(
    index: Ints,
    count: Floats,
    target: Floats,
    other_factor: Floats,
    size: int,
) -> tuple[Floats, Floats]:
    """Each row's (intercept, factor): the ridge regression of ``target`` on
    ``[1, other_factor]``, with the per-rating penalties."""
    a11 = count * (1.0 + INTERCEPT_REGULARISATION)
    a12 = np.bincount(index, weights=other_factor, minlength=size)
    squares = np.bincount(index, weights=other_factor * other_factor, minlength=size)
    a22: Floats = squares + count * FACTOR_REGULARISATION
    c1 = np.bincount(index, weights=target, minlength=size)
    c2 = np.bincount(index, weights=target * other_factor, minlength=size)
    det = a11 * a22 - a12 * a12
    empty = det <= 0.0  # a row without ratings (in a resample)
    det[empty] = 1.0
    intercept = (a22 * c1 - a12 * c2) / det
    factor = (a11 * c2 - a12 * c1) / det
    intercept[empty] = 0.0
    factor[empty] = 0.0
    return intercept, factor


def _objective(users: Ints, items: Ints, values: Floats, m: _Model) -> float:
    fu, fi = m.fu[users], m.fi[items]
    bu, bi = m.bu[users], m.bi[items]
    error = values - (m.mu + bu + bi + fu * fi)
    penalty = INTERCEPT_REGULARISATION * (m.mu**2 + bu * bu + bi * bi)
    penalty += FACTOR_REGULARISATION * (fu * fu + fi * fi)
    return float((error * error + penalty).sum())


def _fit(
    users: Ints, items: Ints, values: Floats, model: _Model, sweeps: int = MAX_ITERATIONS
) -> _Model:
    """Alternating least squares from ``model`` (changed in place and returned), for at
    most ``sweeps`` sweeps; the objective is checked every ``CHECK_EVERY``."""
    n_users, n_items = len(model.bu), len(model.bi)
    per_user = np.bincount(users, minlength=n_users).astype(np.float64)
    per_item = np.bincount(items, minlength=n_items).astype(np.float64)
    total = float(len(values))
    previous = np.inf
    for sweep in range(1, sweeps + 1):
        model.bu, model.fu = _solve(
            users, per_user, values - model.mu - model.bi[items], model.fi[items], n_users
        )
        model.bi, model.fi = _solve(
            items, per_item, values - model.mu - model.bu[users], model.fu[users], n_items
        )
        rest = values - model.bu[users] - model.bi[items] - model.fu[users] * model.fi[items]
        model.mu = float(rest.sum() / (total * (1.0 + INTERCEPT_REGULARISATION)))
        if sweep % CHECK_EVERY:
            continue
        objective = _objective(users, items, values, model)
        if previous - objective <= TOLERANCE * max(objective, 1e-12):
            break
        previous = objective
    return model


def _indexed(keys: Sequence[Hashable]) -> tuple[Ints, list[Hashable]]:
    """Each key's index in the order keys first appear, and the keys in that order."""
    index: dict[Hashable, int] = {}
    out = np.fromiter((index.setdefault(k, len(index)) for k in keys), np.int64, len(keys))
    return out, list(index)


def fit(ratings: Sequence[Rating], *, bootstrap: int = BOOTSTRAP_SAMPLES) -> Bridging:
    """Opinion groups and every idea's bridging score from ``ratings`` (see the module)."""
    if not ratings:
        return Bridging(enough=False, people=0, ratings=0, groups=())
    user_index, people = _indexed([r[0] for r in ratings])
    item_index, idea_ids = _indexed([r[1] for r in ratings])
    all_values = np.fromiter((r[2] for r in ratings), np.float64, len(ratings))
    kept = _keep(user_index, item_index)
    users_kept, users = np.unique(user_index[kept], return_inverse=True)
    ideas_kept, items = np.unique(item_index[kept], return_inverse=True)
    values = all_values[kept]
    if len(users_kept) < MIN_PEOPLE:
        return Bridging(
            enough=False,
            people=len(users_kept),
            ratings=int(kept.sum()),
            groups=(),
        )
    rng = np.random.default_rng(SEED)
    n_users, n_items = len(users_kept), len(ideas_kept)
    model = _fit(
        users,
        items,
        values,
        _Model(
            mu=float(values.mean()),
            bu=np.zeros(n_users),
            fu=np.zeros(n_users),
            bi=np.zeros(n_items),
            fi=rng.normal(0.0, 0.1, n_items),
        ),
    )
    # The factor's sign is arbitrary: turn it so that the larger group is the positive one.
    if (model.fu > 0).sum() < (model.fu < 0).sum():
        model.fu, model.fi = -model.fu, -model.fi
    positive = int((model.fu > 0).sum())
    groups = tuple(sorted((positive, n_users - positive), reverse=True))
    low, high = _bootstrap(users, items, values, model, rng, bootstrap)
    per_item = np.bincount(items, minlength=n_items)
    return Bridging(
        enough=True,
        people=n_users,
        ratings=len(values),
        groups=tuple(g for g in groups if g),
        group_of={people[users_kept[k]]: 0 if model.fu[k] > 0 else 1 for k in range(n_users)},
        ideas={
            int(idea_ids[ideas_kept[k]]): IdeaBridging(
                score=float(model.bi[k]),
                low=float(low[k]),
                high=float(high[k]),
                ratings=int(per_item[k]),
            )
            for k in range(n_items)
        },
    )


def _bootstrap(
    users: Ints,
    items: Ints,
    values: Floats,
    model: _Model,
    rng: np.random.Generator,
    samples: int,
) -> tuple[Floats, Floats]:
    """The 95% percentile interval of each idea's ``b_i`` over resamples of people."""
    n_users, n_items = len(model.bu), len(model.bi)
    if samples <= 0:
        return model.bi.copy(), model.bi.copy()
    order = np.argsort(users, kind="stable")
    per_user = np.bincount(users, minlength=n_users)
    starts = np.concatenate(([0], np.cumsum(per_user)[:-1]))
    draws = np.empty((samples, n_items))
    for s in range(samples):
        chosen = rng.integers(0, n_users, n_users)
        counts = per_user[chosen]
        # The positions of every chosen person's ratings, in ``order``.
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        rows = order[np.repeat(starts[chosen], counts) + offsets]
        resampled_users = np.repeat(np.arange(n_users), counts)
        resampled = _fit(
            resampled_users,
            items[rows],
            values[rows],
            _Model(
                mu=model.mu,
                bu=np.zeros(n_users),
                fu=np.zeros(n_users),
                bi=model.bi.copy(),
                fi=model.fi.copy(),
            ),
            BOOTSTRAP_ITERATIONS,
        )
        present = np.bincount(items[rows], minlength=n_items) > 0
        draws[s] = np.where(present, resampled.bi, np.nan)
    tail = (1.0 - CONFIDENCE) / 2.0 * 100.0
    # An idea no resample contained keeps its own score as its bounds.
    low, high = model.bi.copy(), model.bi.copy()
    seen = ~np.isnan(draws).all(axis=0)
    low[seen] = np.nanpercentile(draws[:, seen], tail, axis=0)
    high[seen] = np.nanpercentile(draws[:, seen], 100.0 - tail, axis=0)
    return low, high
