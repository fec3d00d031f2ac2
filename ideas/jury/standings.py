"""Every ranking of a challenge side by side, as the results page and the API give it:
votes, pairwise (with an interval), bridging across opinion groups (with an interval,
once there is enough data), the jury (with an interval, once published, or for its
hosts) and the combined ranking with the published weighting. Each comes with its
method in one sentence and its parameters, so anyone can recompute it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges.models import Challenge
from ideas.jury import calibration, queries
from ideas.submissions import cluster_queries
from ideas.submissions.models import VISIBLE_STATUSES, Idea
from ideas.voting import bridging
from ideas.voting.models import BridgingFit, BridgingScore

Z95 = 1.959964


def ranks(values: dict[int, float]) -> dict[int, int]:
    """Competition ranks ("1, 2, 2, 4") by value, highest first."""
    ordered = sorted(values.items(), key=lambda item: (-item[1], item[0]))
    out: dict[int, int] = {}
    previous: float | None = None
    rank = 0
    for position, (idea_id, value) in enumerate(ordered, start=1):
        if value != previous:
            rank, previous = position, value
        out[idea_id] = rank
    return out


def pairwise_interval(score: float | None, comparisons: int) -> tuple[float, float] | None:
    """A 95% normal-approximation interval of a pairwise score from the comparisons it
    rests on; None without any."""
    if score is None or comparisons <= 0:
        return None
    half = Z95 * math.sqrt(score * (1 - score) / comparisons)
    return max(score - half, 0.0), min(score + half, 1.0)


@dataclass(frozen=True)
class ClusterStanding:
    """A cluster of duplicates in the ranking by votes: its listed ideas (earliest
    first) and the distinct people who voted for any of them, counted once."""

    id: int
    idea_ids: tuple[int, ...]
    titles: tuple[str, ...]
    supporters: int
    vote_rank: int

    @property
    def first_id(self) -> int:
        return self.idea_ids[0]


@dataclass(frozen=True)
class Standing:
    idea: Idea
    votes: int  # the idea's own votes, in a cluster too
    vote_rank: int  # in a cluster: the cluster's rank, shared by its ideas
    pairwise: float | None
    pairwise_interval: tuple[float, float] | None
    pairwise_rank: int | None
    comparisons: int
    bridging: BridgingScore | None
    bridging_rank: int | None
    jury: calibration.JuryScore | None
    jury_rank: int | None
    combined: calibration.Combined | None
    cluster: ClusterStanding | None = None

    @property
    def group_key(self) -> int:
        """Keeps a cluster's ideas together in the order by votes."""
        return self.cluster.first_id if self.cluster is not None else self.idea.id


@dataclass(frozen=True)
class Standings:
    challenge: Challenge
    rows: list[Standing]
    jury_shown: bool  # published, or the viewer hosts the challenge
    jury_published: bool
    jury_weight: float | None  # None: the challenge has no jury
    jurors: int
    alpha: float | None
    bridging_fit: BridgingFit | None = None  # None: never fitted yet
    methods: dict[str, dict[str, Any]] = field(default_factory=dict)
    clusters: list[ClusterStanding] = field(default_factory=list)

    @property
    def bridging_shown(self) -> bool:
        """Whether the bridging scores are shown: fitted, with enough data."""
        return self.bridging_fit is not None and self.bridging_fit.enough


def methods(weight: float | None, alpha_value: float | None) -> dict[str, dict[str, Any]]:
    share = 0.5 if weight is None else weight
    return {
        "votes": {
            "method": (
                "The number of participants who voted for the idea; equal counts share a rank. "
                "Ideas grouped as duplicates are ranked together, as one, by the number of "
                "distinct participants who voted for any of them; each keeps its own count."
            ),
            "parameters": {},
        },
        "pairwise": {
            "method": (
                "A Bradley-Terry model fitted to every comparison of two ideas (can't decide "
                "counts half a win each); the score is the estimated chance of being preferred "
                "to another compared idea picked at random, with a 95% normal-approximation "
                "interval from the number of comparisons it rests on."
            ),
            "parameters": {"prior_variance": 1.0, "confidence": 0.95},
        },
        "bridging": {
            "method": (
                "A matrix factorisation of every participant's ratings of ideas (a vote 1; "
                "otherwise the share of their comparisons the idea won), as in Community "
                "Notes (Wojcik et al. 2022, arXiv:2210.15723): the score is the idea's "
                "intercept, the support its one opinion factor does not explain, so it is "
                "high only when the idea is supported across opinion groups; the groups are "
                "the signs of the people's factors, and the 95% interval is a bootstrap over "
                "people."
            ),
            "parameters": bridging.parameters(),
        },
        "jury": {
            "method": (
                "Each juror's marks are turned into z-scores against their own mean and "
                "spread, combined per idea with the rubric's weights and averaged over its "
                "jurors, with a 95% Student's t interval from their spread; agreement is "
                "Krippendorff's alpha at the interval level."
            ),
            "parameters": {
                "scale": [1, 5],
                "confidence": calibration.CONFIDENCE,
                "alpha_level": calibration.ALPHA_LEVEL,
                "alpha": alpha_value,
            },
        },
        "combined": {
            "method": (
                "Among the ideas the jury scored, each idea's percentile by jury score and by "
                "votes (0 last, 1 first, ties half), weighted by the published weighting."
            ),
            "parameters": {"jury_weight": share, "crowd_weight": round(1 - share, 6)},
        },
    }


async def standings(session: AsyncSession, challenge: Challenge, *, host: bool) -> Standings:
    """The challenge's visible ideas with every ranking; the jury's part only when it is
    published, or for the challenge's hosts (``host``)."""
    ideas = list(
        await session.scalars(
            select(Idea)
            .where(Idea.challenge_id == challenge.id, Idea.status.in_(VISIBLE_STATUSES))
            .order_by(Idea.id)
        )
    )
    found = await queries.jury(session, challenge.id)
    settings = found.settings
    published = settings is not None and settings.published_at is not None
    shown = settings is not None and (published or host)
    figures = queries.figures(found) if shown else None
    jury_scores = figures.scores if figures is not None else {}
    weight = settings.jury_weight if settings is not None else None
    combined = (
        calibration.combine(
            {i: s.score for i, s in jury_scores.items()},
            {i.id: i.vote_count for i in ideas},
            weight if weight is not None else 0.5,
        )
        if jury_scores
        else {}
    )
    listed = {i.id for i in ideas}
    grouped = [
        cluster
        for cluster in (
            c.listed() for c in await cluster_queries.challenge_clusters(session, challenge.id)
        )
        if len([m for m in cluster.members if m.id in listed]) >= 2
    ]
    cluster_of = {m.id: c for c in grouped for m in c.members if m.id in listed}
    # One entry per cluster (keyed by its earliest idea) and per idea outside any.
    entries = {i.id: float(i.vote_count) for i in ideas if i.id not in cluster_of}
    entries.update({c.members[0].id: float(c.supporters) for c in grouped})
    entry_ranks = ranks(entries)
    cluster_rows = {
        c.id: ClusterStanding(
            id=c.id,
            idea_ids=c.member_ids,
            titles=tuple(m.title for m in c.members),
            supporters=c.supporters,
            vote_rank=entry_ranks[c.members[0].id],
        )
        for c in grouped
    }
    vote_ranks = {
        i.id: cluster_rows[cluster_of[i.id].id].vote_rank
        if i.id in cluster_of
        else entry_ranks[i.id]
        for i in ideas
    }
    pairwise_ranks = ranks({i.id: i.pairwise_score for i in ideas if i.pairwise_score is not None})
    fit = await session.get(BridgingFit, challenge.id)
    bridged = (
        {
            b.idea_id: b
            for b in await session.scalars(
                select(BridgingScore).where(BridgingScore.challenge_id == challenge.id)
            )
        }
        if fit is not None and fit.enough
        else {}
    )
    visible_ids = {i.id for i in ideas}
    bridged = {i: b for i, b in bridged.items() if i in visible_ids}
    bridging_ranks = ranks({i: b.score for i, b in bridged.items()})
    jury_ranks = ranks({i: s.score for i, s in jury_scores.items()})
    rows = [
        Standing(
            idea=i,
            votes=i.vote_count,
            vote_rank=vote_ranks[i.id],
            pairwise=i.pairwise_score,
            pairwise_interval=pairwise_interval(i.pairwise_score, i.comparison_count),
            pairwise_rank=pairwise_ranks.get(i.id),
            comparisons=i.comparison_count,
            bridging=bridged.get(i.id),
            bridging_rank=bridging_ranks.get(i.id),
            jury=jury_scores.get(i.id),
            jury_rank=jury_ranks.get(i.id),
            combined=combined.get(i.id),
            cluster=cluster_rows[cluster_of[i.id].id] if i.id in cluster_of else None,
        )
        for i in ideas
    ]
    alpha_value = figures.agreement.overall if figures is not None else None
    return Standings(
        challenge=challenge,
        rows=rows,
        jury_shown=shown,
        jury_published=published,
        jury_weight=weight,
        jurors=len(found.juror_ids),
        alpha=alpha_value,
        bridging_fit=fit,
        methods=methods(weight, alpha_value),
        clusters=sorted(cluster_rows.values(), key=lambda c: (c.vote_rank, c.first_id)),
    )
