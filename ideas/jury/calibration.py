"""The jury's arithmetic: per-juror normalisation, weighted combination, intervals,
agreement (Krippendorff's alpha) and the combined jury-and-crowd ranking.

Pure functions of the scores; ``ideas.jury.queries`` loads the scores and calls them.

Normalisation: each juror's marks (every criterion of every idea they submitted)
are turned into z-scores, ``(mark - their mean) / their standard deviation``
(population), so that a harsh juror's 3 and a lenient juror's 5 can count the
same. A juror whose marks are all equal says nothing about which idea is better:
their z-scores are all 0.

Combination: for each juror and idea, the weighted mean of the criteria's
z-scores (the rubric's weights); an idea's jury score is the mean of that over
its jurors, with a 95% interval from Student's t on their spread (none with a
single juror).

Agreement: Krippendorff's alpha at the interval level (the marks are numbers on
one evenly spaced scale), on the raw marks, per criterion and overall (overall:
each juror's weighted mean mark of an idea), computed by the ``krippendorff``
package.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import krippendorff
import numpy as np

ALPHA_LEVEL: Literal["interval"] = "interval"
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Mark:
    juror: int
    idea: int
    criterion: int
    value: int


@dataclass(frozen=True)
class JuryScore:
    idea: int
    score: float
    low: float | None  # the 95% interval; None with a single juror
    high: float | None
    jurors: int
    spread: float  # the sample standard deviation of the jurors' combined z-scores (0 alone)


def normalise(marks: Iterable[Mark]) -> dict[tuple[int, int, int], float]:
    """Each mark's z-score among its juror's marks, by (juror, idea, criterion)."""
    by_juror: dict[int, list[Mark]] = {}
    for mark in marks:
        by_juror.setdefault(mark.juror, []).append(mark)
    z: dict[tuple[int, int, int], float] = {}
    for juror, own in by_juror.items():
        values = [m.value for m in own]
        mean = statistics.fmean(values)
        sd = statistics.pstdev(values)
        for m in own:
            z[(juror, m.idea, m.criterion)] = 0.0 if sd == 0 else (m.value - mean) / sd
    return z


def per_juror(
    values: Mapping[tuple[int, int, int], float], weights: Mapping[int, float]
) -> dict[tuple[int, int], float]:
    """The weighted mean over criteria of each (juror, idea)'s values."""
    sums: dict[tuple[int, int], list[float]] = {}
    for (juror, idea, criterion), value in values.items():
        weight = weights.get(criterion, 0.0)
        total = sums.setdefault((juror, idea), [0.0, 0.0])
        total[0] += weight * value
        total[1] += weight
    return {key: s / w for key, (s, w) in sums.items() if w > 0}


def interval(values: Sequence[float]) -> tuple[float, float] | None:
    """The 95% interval of the mean of ``values`` (Student's t); None for fewer than two."""
    n = len(values)
    if n < 2:
        return None
    # Imported here: scipy.stats takes a second to import, and every command that
    # imports the jury's services (the demo, the worker) would pay it at start.
    from scipy import stats  # type: ignore[import-untyped]

    mean = statistics.fmean(values)
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1)) * statistics.stdev(values) / math.sqrt(n)
    return mean - half, mean + half


def jury_scores(marks: Sequence[Mark], weights: Mapping[int, float]) -> dict[int, JuryScore]:
    """Every scored idea's jury score, from the submitted ``marks``."""
    combined = per_juror(normalise(marks), weights)
    by_idea: dict[int, list[float]] = {}
    for (_juror, idea), value in sorted(combined.items()):
        by_idea.setdefault(idea, []).append(value)
    scores = {}
    for idea, values in by_idea.items():
        bounds = interval(values)
        scores[idea] = JuryScore(
            idea=idea,
            score=statistics.fmean(values),
            low=None if bounds is None else bounds[0],
            high=None if bounds is None else bounds[1],
            jurors=len(values),
            spread=statistics.stdev(values) if len(values) > 1 else 0.0,
        )
    return scores


def alpha(ratings: Mapping[tuple[int, int], float]) -> float | None:
    """Krippendorff's alpha (interval) of ratings by (juror, idea); None when no idea has
    two ratings or every rating of the ideas rated twice or more is the same (then there
    is nothing to agree on: alpha would divide zero by zero)."""
    jurors = sorted({j for j, _ in ratings})
    ideas = sorted({i for _, i in ratings})
    per_idea = {i: sum(1 for j in jurors if (j, i) in ratings) for i in ideas}
    paired = {value for (_, i), value in ratings.items() if per_idea[i] >= 2}
    if len(paired) < 2:
        return None
    data = np.full((len(jurors), len(ideas)), np.nan)
    for (j, i), value in ratings.items():
        data[jurors.index(j), ideas.index(i)] = value
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement=ALPHA_LEVEL))


@dataclass(frozen=True)
class Agreement:
    overall: float | None
    per_criterion: dict[int, float | None]


def agreement(marks: Sequence[Mark], weights: Mapping[int, float]) -> Agreement:
    raw = {(m.juror, m.idea, m.criterion): float(m.value) for m in marks}
    criteria = sorted({m.criterion for m in marks} | set(weights))
    return Agreement(
        overall=alpha(per_juror(raw, weights)),
        per_criterion={
            c: alpha({(m.juror, m.idea): float(m.value) for m in marks if m.criterion == c})
            for c in criteria
        },
    )


def disagreements(scores: Mapping[int, JuryScore], limit: int = 5) -> list[JuryScore]:
    """The ideas whose jurors disagree most: the widest spread first."""
    split = [s for s in scores.values() if s.jurors > 1 and s.spread > 0]
    return sorted(split, key=lambda s: (-s.spread, s.idea))[:limit]


def percentiles(values: Mapping[int, float]) -> dict[int, float]:
    """Each idea's place among ``values`` from 0 (last) to 1 (first): the share of the
    other ideas it is above, ties counting half. A single idea gets 1."""
    n = len(values)
    if n == 1:
        return dict.fromkeys(values, 1.0)
    out = {}
    for idea, value in values.items():
        below = sum(1 for other, v in values.items() if other != idea and v < value)
        tied = sum(1 for other, v in values.items() if other != idea and v == value)
        out[idea] = (below + tied / 2) / (n - 1)
    return out


@dataclass(frozen=True)
class Combined:
    idea: int
    score: float  # weight x jury percentile + (1 - weight) x votes percentile
    rank: int


def combine(
    jury: Mapping[int, float], votes: Mapping[int, int], weight: float
) -> dict[int, Combined]:
    """The combined ranking of the ideas the jury scored: each idea's percentile by jury
    score and by votes (among those same ideas), weighted ``weight`` to ``1 - weight``.
    Equal combined scores share a rank ("1, 2, 2, 4")."""
    by_jury = percentiles(jury)
    by_votes = percentiles({idea: float(votes.get(idea, 0)) for idea in jury})
    scores = {i: weight * by_jury[i] + (1 - weight) * by_votes[i] for i in jury}
    ordered = sorted(scores.items(), key=lambda item: (-round(item[1], 12), item[0]))
    out: dict[int, Combined] = {}
    previous: float | None = None
    rank = 0
    for position, (idea, score) in enumerate(ordered, start=1):
        if previous is None or round(score, 12) != round(previous, 12):
            rank, previous = position, score
        out[idea] = Combined(idea, score, rank)
    return out
