"""Every ranking of a challenge recomputed from its exports alone: votes, pairwise
(Bradley-Terry) and bridging.

The worker fits the bridging scores from exactly these records (read through the
export queries), and ``ideas rank --explain`` recomputes all three rankings from
them, or from export files a host downloaded, so anyone holding the exports can
check the numbers on the results page. The exports name people only by a number
(``ideas.challenges.exports``), which is all the bridging fit needs.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges import exports
from ideas.jury.standings import pairwise_interval, ranks
from ideas.submissions.models import VISIBLE_STATUSES
from ideas.voting import bridging, ranking

VISIBLE = frozenset(status.value for status in VISIBLE_STATUSES)

Record = Mapping[str, Any]


@dataclass(frozen=True)
class Exported:
    """The three exports a recomputation needs, as records (values may be text, as a
    CSV file gives them, or numbers)."""

    ideas: Sequence[Record]
    votes: Sequence[Record]
    comparisons: Sequence[Record]


def _id(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def _participant(value: Any) -> str:
    return str(value)


@dataclass(frozen=True)
class Numbers:
    """One visible idea in every ranking, as the results page shows it."""

    idea_id: int
    title: str
    votes: int
    vote_rank: int
    pairwise: float | None
    pairwise_interval: tuple[float, float] | None
    pairwise_rank: int | None
    comparisons: int
    bridging: bridging.IdeaBridging | None
    bridging_rank: int | None


@dataclass(frozen=True)
class Recomputed:
    ideas: list[Numbers]  # the visible ideas, by id
    bridging: bridging.Bridging


def _visible(data: Exported) -> dict[int, str]:
    """The visible ideas' titles by id."""
    return {
        int(record["id"]): str(record["title"])
        for record in data.ideas
        if record["status"] in VISIBLE
    }


def bridging_of(
    data: Exported, *, bootstrap: int = bridging.BOOTSTRAP_SAMPLES
) -> bridging.Bridging:
    """The bridging fit of the visible ideas from the votes and comparisons."""
    visible = _visible(data)
    votes = [
        (_participant(v["participant"]), int(v["idea_id"]))
        for v in data.votes
        if int(v["idea_id"]) in visible
    ]
    compared = []
    for c in data.comparisons:
        first, second = int(c["first_id"]), int(c["second_id"])
        if first in visible and second in visible:
            compared.append((_participant(c["participant"]), first, second, _id(c["winner_id"])))
    return bridging.fit(bridging.ratings_from(votes, compared), bootstrap=bootstrap)


def recompute(data: Exported, *, bootstrap: int = bridging.BOOTSTRAP_SAMPLES) -> Recomputed:
    """Votes, pairwise scores with their intervals, and bridging scores with theirs."""
    visible = _visible(data)
    votes = Counter(int(v["idea_id"]) for v in data.votes)
    compared: Counter[int] = Counter()
    outcomes: list[ranking.Outcome] = []
    for c in data.comparisons:
        first, second = int(c["first_id"]), int(c["second_id"])
        compared[first] += 1
        compared[second] += 1
        if first in visible and second in visible:
            outcomes.append((first, second, _id(c["winner_id"])))
    scores = ranking.pairwise_scores(ranking.fit(outcomes))
    fitted = bridging_of(data, bootstrap=bootstrap)
    shown = fitted.ideas if fitted.enough else {}
    vote_ranks = ranks({i: float(votes[i]) for i in visible})
    pairwise_ranks = ranks(scores)
    bridging_ranks = ranks({i: b.score for i, b in shown.items()})
    return Recomputed(
        ideas=[
            Numbers(
                idea_id=i,
                title=title,
                votes=votes[i],
                vote_rank=vote_ranks[i],
                pairwise=scores.get(i),
                pairwise_interval=pairwise_interval(scores.get(i), compared[i]),
                pairwise_rank=pairwise_ranks.get(i),
                comparisons=compared[i],
                bridging=shown.get(i),
                bridging_rank=bridging_ranks.get(i),
            )
            for i, title in sorted(visible.items())
        ],
        bridging=fitted,
    )


# Reading the exports -------------------------------------------------------------


def _no_url(*args: Any, **kwargs: Any) -> str:
    return ""


async def load(session: AsyncSession, challenge_id: int) -> Exported:
    """The challenge's ideas, votes and comparisons exports, as records."""
    found: dict[str, list[Record]] = {}
    for dataset in (exports.IDEAS, exports.VOTES, exports.COMPARISONS):
        rows = (await session.execute(dataset.query(challenge_id))).all()
        found[dataset.name] = [dataset.record(row, _no_url) for row in rows]
    return Exported(ideas=found["ideas"], votes=found["votes"], comparisons=found["comparisons"])


def _read(path: Path) -> list[Record]:
    if path.suffix == ".json":
        records: list[Record] = json.loads(path.read_text(encoding="utf-8"))
        return records
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def read_files(folder: Path, slug: str) -> Exported:
    """The exports as downloaded into ``folder``: ``SLUG-ideas.csv`` (or ``.json``), and
    the same for votes and comparisons."""

    def one(name: str) -> list[Record]:
        for suffix in (".csv", ".json"):
            path = folder / f"{slug}-{name}{suffix}"
            if path.exists():
                return _read(path)
        raise FileNotFoundError(folder / f"{slug}-{name}.csv")

    return Exported(ideas=one("ideas"), votes=one("votes"), comparisons=one("comparisons"))


# Printing ------------------------------------------------------------------------


def percent(score: float) -> str:
    """A share as the results page prints it: a whole percentage, kept within 1 to 99."""
    return f"{min(max(round(score * 100), 1), 99)}%"


def signed(value: float) -> str:
    """A score as the results page prints it: two decimals with a sign."""
    return f"{value:+.2f}"


def lines(found: Recomputed) -> list[str]:
    """The numbers, one idea a line, as the results page shows them."""
    fitted = found.bridging
    if fitted.enough:
        sizes = ", ".join(str(size) for size in fitted.groups)
        out = [
            f"Bridging: {fitted.people} people, {fitted.ratings} ratings, "
            f"opinion groups of {sizes} people."
        ]
    else:
        out = [
            f"Bridging: not enough data yet ({fitted.people} people with enough ratings; "
            f"{bridging.MIN_PEOPLE} needed)."
        ]
    for n in found.ideas:
        pairwise = "pairwise not ranked yet"
        if n.pairwise is not None and n.pairwise_interval is not None:
            low, high = n.pairwise_interval
            pairwise = (
                f"pairwise {percent(n.pairwise)} ({percent(low)} to {percent(high)}), "
                f"rank {n.pairwise_rank}"
            )
        bridged = "bridging none yet"
        if n.bridging is not None:
            b = n.bridging
            bridged = (
                f"bridging {signed(b.score)} ({signed(b.low)} to {signed(b.high)}), "
                f"rank {n.bridging_rank}"
            )
        out.append(
            f"{n.idea_id}\t{n.title}\tvotes {n.votes}, rank {n.vote_rank}\t{pairwise}\t{bridged}"
        )
    return out
