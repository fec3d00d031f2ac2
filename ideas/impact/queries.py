"""Reading impact: an idea's updates, a round's progress, the credit along lineages,
the pledges to a team and a round's follow-ups."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from ideas.accounts.models import User
from ideas.challenges import queries as challenge_queries
from ideas.challenges.models import Challenge, ChallengeHost
from ideas.db import rows_of
from ideas.impact.models import (
    REACH,
    CheckIn,
    FollowUp,
    ImpactStatus,
    ImpactUpdate,
    Pledge,
)
from ideas.policy import LISTED_STATUSES, sees_challenge
from ideas.submissions.models import Idea, IdeaCoauthor, IdeaLink
from ideas.teams.models import Team


def _updates() -> Select[ImpactUpdate]:
    return select(ImpactUpdate).options(
        joinedload(ImpactUpdate.author), selectinload(ImpactUpdate.pictures)
    )


async def updates_of(session: AsyncSession, idea_id: int) -> list[ImpactUpdate]:
    """An idea's updates, the latest first: its status history."""
    rows = await session.scalars(
        _updates()
        .where(ImpactUpdate.idea_id == idea_id)
        .order_by(ImpactUpdate.created_at.desc(), ImpactUpdate.id.desc())
    )
    return list(rows)


async def updates_in(
    session: AsyncSession, challenge_id: int, *, limit: int = 50
) -> list[ImpactUpdate]:
    """A round's latest updates, the latest first (the feed, the API)."""
    rows = await session.scalars(
        _updates()
        .where(ImpactUpdate.challenge_id == challenge_id)
        .order_by(ImpactUpdate.created_at.desc(), ImpactUpdate.id.desc())
        .limit(limit)
    )
    return list(rows)


@dataclass(frozen=True)
class Progress:
    """One team's progress in a round: its idea and its updates, oldest first."""

    idea: Idea
    updates: list[ImpactUpdate]

    @property
    def latest(self) -> ImpactUpdate | None:
        return self.updates[-1] if self.updates else None


async def progress_in(session: AsyncSession, challenge_id: int) -> list[Progress]:
    """Every idea of the round with updates, as a timeline each, the latest news first."""
    updates = list(
        await session.scalars(
            _updates().where(ImpactUpdate.challenge_id == challenge_id).order_by(ImpactUpdate.id)
        )
    )
    if not updates:
        return []
    ids = {update.idea_id for update in updates}
    ideas = {
        idea.id: idea
        for idea in await session.scalars(
            select(Idea).where(Idea.id.in_(ids), Idea.status.in_(LISTED_STATUSES))
        )
    }
    found = [
        Progress(idea, [u for u in updates if u.idea_id == idea_id])
        for idea_id, idea in ideas.items()
    ]
    return sorted(found, key=lambda p: (p.updates[-1].created_at, p.updates[-1].id), reverse=True)


@dataclass(frozen=True)
class Step:
    """One update in a team's short timeline: where the idea stood, and since when."""

    status: ImpactStatus
    at: datetime


@dataclass(frozen=True)
class TeamTimeline:
    """A team's latest updates, the latest first, for a round's page; ``count`` is how
    many it posted in all."""

    idea_id: int
    idea_title: str
    team_id: int
    steps: list[Step]
    count: int

    @property
    def latest(self) -> Step:
        return self.steps[0]


TIMELINE_STEPS = 3


async def timelines_in(
    session: AsyncSession, challenge_id: int, *, steps: int = TIMELINE_STEPS
) -> list[TeamTimeline]:
    """Each team of the round that reported, with its latest ``steps`` updates, the team
    with the latest news first. One query, whatever the number of teams and updates."""
    newest_first = (ImpactUpdate.created_at.desc(), ImpactUpdate.id.desc())
    ranked = (
        select(
            ImpactUpdate.idea_id,
            ImpactUpdate.team_id,
            ImpactUpdate.status,
            ImpactUpdate.created_at,
            func.row_number()
            .over(partition_by=ImpactUpdate.idea_id, order_by=newest_first)
            .label("place"),
            func.count().over(partition_by=ImpactUpdate.idea_id).label("count"),
        )
        .where(ImpactUpdate.challenge_id == challenge_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            ranked.c.idea_id,
            Idea.title,
            ranked.c.team_id,
            ranked.c.status,
            ranked.c.created_at,
            ranked.c.count,
        )
        .join(Idea, Idea.id == ranked.c.idea_id)
        .where(ranked.c.place <= steps, Idea.status.in_(LISTED_STATUSES))
        .order_by(ranked.c.idea_id, ranked.c.place)
    )
    found: dict[int, TeamTimeline] = {}
    for idea_id, title, team_id, status, at, count in rows:
        timeline = found.setdefault(idea_id, TeamTimeline(idea_id, title, team_id, [], count))
        timeline.steps.append(Step(ImpactStatus(status), at))
    return sorted(found.values(), key=lambda t: (t.latest.at, t.idea_id), reverse=True)


def _latest_statuses() -> Select[int, ImpactStatus]:
    """Each idea with updates and the status of its latest."""
    latest = select(func.max(ImpactUpdate.id)).group_by(ImpactUpdate.idea_id)
    return select(ImpactUpdate.idea_id, ImpactUpdate.status).where(ImpactUpdate.id.in_(latest))


async def latest_status(session: AsyncSession, idea_id: int) -> ImpactStatus | None:
    status: ImpactStatus | None = await session.scalar(
        select(ImpactUpdate.status)
        .where(ImpactUpdate.idea_id == idea_id)
        .order_by(ImpactUpdate.created_at.desc(), ImpactUpdate.id.desc())
        .limit(1)
    )
    return status


CREDITED = (ImpactStatus.PILOTED, ImpactStatus.IMPLEMENTED)


@dataclass(frozen=True)
class IdeaImpact:
    """What an idea's page shows of impact: its team's updates, and how far the ideas
    built on it have got."""

    team_id: int | None
    updates: list[ImpactUpdate]
    built_on_reached: ImpactStatus | None


NO_IMPACT = IdeaImpact(None, [], None)


async def idea_impact(
    session: AsyncSession, idea: Idea, *, viewer: User | None, now: datetime
) -> IdeaImpact:
    """No query for an idea that neither had a team nor was built on."""
    team_id = None
    updates: list[ImpactUpdate] = []
    if idea.is_shortlisted:
        team_id = await session.scalar(select(Team.id).where(Team.idea_id == idea.id))
        updates = await updates_of(session, idea.id)
    reached = (
        await reach_of_descendants(session, idea, viewer=viewer, now=now)
        if idea.build_count
        else None
    )
    return IdeaImpact(team_id, updates, reached)


@functools.cache
def _reach_query() -> Select[ImpactStatus, int]:
    """The credited statuses of the ideas built on ``:idea_id`` at any depth, with their
    rounds: built once, as building a recursive query costs more than running it."""
    down = (
        select(IdeaLink.child_id.label("id"))
        .where(IdeaLink.parent_id == bindparam("idea_id", type_=Integer))
        .cte("down", recursive=True)
    )
    down = down.union(select(IdeaLink.child_id).join(down, IdeaLink.parent_id == down.c.id))
    latest = _latest_statuses().subquery()
    return (
        select(latest.c.status, Idea.challenge_id)
        .join(Idea, Idea.id == latest.c.idea_id)
        .where(latest.c.idea_id.in_(select(down.c.id)), latest.c.status.in_(CREDITED))
        .distinct()
    )


async def reach_of_descendants(
    session: AsyncSession, idea: Idea, *, viewer: User | None, now: datetime
) -> ImpactStatus | None:
    """The furthest that ideas built on this one (at any depth, in any round ``viewer``
    may see) have got, if piloted or implemented: "ideas built on this have reached …"."""
    rows = await rows_of(session, _reach_query(), {"idea_id": idea.id})
    unseen = await challenge_queries.unseen(
        session, {challenge_id for _, challenge_id in rows}, viewer, now, seen=(idea.challenge_id,)
    )
    statuses = {status for status, challenge_id in rows if challenge_id not in unseen}
    return max(statuses, key=lambda s: REACH[s]) if statuses else None


async def led_to_implemented(
    session: AsyncSession, user_id: int, *, viewer: User | None, now: datetime
) -> int:
    """How many of a person's ideas (written or co-written) led, themselves or through
    the ideas built on them, to something implemented — in the rounds ``viewer`` may see
    (an idea of a round still in its draft counts for nothing to others)."""
    latest = _latest_statuses().subquery()
    implemented = (
        select(latest.c.idea_id.label("id"), Idea.challenge_id.label("start"))
        .join(Idea, Idea.id == latest.c.idea_id)
        .where(latest.c.status == ImpactStatus.IMPLEMENTED)
    )
    up = implemented.cte("up", recursive=True)
    up = up.union(select(IdeaLink.parent_id, up.c.start).join(up, IdeaLink.child_id == up.c.id))
    theirs = (
        select(Idea.id)
        .where(Idea.author_id == user_id)
        .union(select(IdeaCoauthor.idea_id).where(IdeaCoauthor.user_id == user_id))
    )
    rows = (
        await session.execute(
            select(up.c.id, up.c.start, Idea.challenge_id)
            .join(Idea, Idea.id == up.c.id)
            .where(up.c.id.in_(theirs))
            .distinct()
        )
    ).all()
    unseen = await challenge_queries.unseen(
        session, {c for _, start, own in rows for c in (start, own)}, viewer, now
    )
    return len({i for i, start, own in rows if start not in unseen and own not in unseen})


async def pledges_to(session: AsyncSession, team_id: int) -> list[Pledge]:
    """A team's standing pledges, the oldest first, with their people."""
    rows = await session.scalars(
        select(Pledge)
        .options(joinedload(Pledge.user))
        .where(Pledge.team_id == team_id, Pledge.withdrawn_at.is_(None))
        .order_by(Pledge.id)
    )
    return list(rows)


@dataclass(frozen=True)
class PledgeCounts:
    met: int = 0  # unconditional, or their condition met
    waiting: int = 0


async def pledge_counts(session: AsyncSession, team_ids: Sequence[int]) -> dict[int, PledgeCounts]:
    if not team_ids:
        return {}
    rows = await session.execute(
        select(
            Pledge.team_id,
            func.count().filter(Pledge.condition.is_(None) | Pledge.met_at.is_not(None)),
            func.count().filter(Pledge.condition.is_not(None) & Pledge.met_at.is_(None)),
        )
        .where(Pledge.team_id.in_(team_ids), Pledge.withdrawn_at.is_(None))
        .group_by(Pledge.team_id)
    )
    return {team_id: PledgeCounts(met, waiting) for team_id, met, waiting in rows}


async def check_ins(session: AsyncSession, challenge_id: int) -> list[CheckIn]:
    rows = await session.scalars(
        select(CheckIn).where(CheckIn.challenge_id == challenge_id).order_by(CheckIn.due_at)
    )
    return list(rows)


@dataclass(frozen=True)
class Rounds:
    """The round a challenge was opened from, and those opened from it."""

    before: Challenge | None
    after: list[Challenge]


NO_ROUNDS = Rounds(None, [])


async def rounds_around(
    session: AsyncSession, challenge_id: int, *, viewer: User | None, now: datetime
) -> Rounds:
    """In one query: the challenge's page asks on every visit. A round ``viewer`` may not
    see (a follow-up still in its draft) is left out."""
    hosts = exists().where(
        ChallengeHost.challenge_id == Challenge.id,
        ChallengeHost.user_id == (-1 if viewer is None else viewer.id),
    )
    rows = await session.execute(
        select(Challenge, FollowUp.from_id, hosts)
        .join(
            FollowUp,
            or_(
                and_(FollowUp.from_id == Challenge.id, FollowUp.challenge_id == challenge_id),
                and_(FollowUp.challenge_id == Challenge.id, FollowUp.from_id == challenge_id),
            ),
        )
        .order_by(Challenge.id)
    )
    before, after = None, []
    for challenge, from_id, host in rows:
        if not sees_challenge(viewer, challenge, now, host=bool(host)):
            continue
        if from_id == challenge_id:
            after.append(challenge)
        else:
            before = challenge
    return Rounds(before, after)
