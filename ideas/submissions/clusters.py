"""Duplicate clusters: what hosts and authors do. Each function is one transaction.

Grouping never merges: every idea of a cluster stays itself, with its authors,
comments, revisions, lineage and votes. The cluster is a row of its own and a
membership per idea; the membership's primary key is the idea, so two hosts
grouping overlapping ideas at the same moment cannot put an idea in two clusters:
the ideas are locked in id order first, and the constraint decides if a race gets
past that (the loser is told the idea is already in a cluster, and nothing of its
change is kept).

Votes stay on the ideas, and so does each voter's budget: a supporter who voted
for two members spent two votes, and may withdraw either. Only the ranking by
votes counts people per cluster (``cluster_queries.supporters``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from ideas import audit, policy
from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.db import utcnow, write
from ideas.errors import Conflict, Invalid, NotFound
from ideas.i18n import _
from ideas.notifications import events as notification_events
from ideas.policy import Action
from ideas.submissions import queries
from ideas.submissions.models import (
    ClusterRequest,
    ClusterRequestStatus,
    Idea,
    IdeaCluster,
    IdeaClusterMember,
)


def already_clustered(idea: Idea) -> str:
    return _("“%(title)s” is already in a cluster.", title=idea.title)


async def _challenge(tx: AsyncSession, challenge_id: int) -> Challenge:
    challenge: Challenge | None = await tx.scalar(
        select(Challenge).options(selectinload(Challenge.hosts)).where(Challenge.id == challenge_id)
    )
    if challenge is None:
        raise NotFound()
    return challenge


async def _require_host(tx: AsyncSession, challenge_id: int, actor_id: int, now: datetime) -> None:
    challenge = await _challenge(tx, challenge_id)
    roles = policy.challenge_roles(await tx.get(User, actor_id), challenge)
    policy.check(Action.GROUP_DUPLICATES, challenge, roles, now)


async def _locked_ideas(tx: AsyncSession, idea_ids: Iterable[int]) -> list[Idea]:
    """The ideas, locked in id order (so two groupings never wait on each other in a
    circle); SQLite's single writer already keeps them so."""
    return list(
        await tx.scalars(
            select(Idea)
            .where(Idea.id.in_(set(idea_ids)))
            .order_by(Idea.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def _check_ideas(
    ideas: Sequence[Idea], wanted: set[int], challenge_id: int, *, fewest: int = 2
) -> None:
    """Refuse too few ideas (two for a new cluster, one to add to a cluster), an idea that
    is not there, one of another challenge, or one that may not be grouped."""
    if len(wanted) < fewest:
        raise Invalid({"ideas": str(policy.CLUSTER_TOO_SMALL)})
    if len(ideas) != len(wanted):
        raise NotFound()
    if any(idea.challenge_id != challenge_id for idea in ideas):
        raise Invalid({"ideas": str(policy.CLUSTER_OTHER_CHALLENGE)})
    for idea in ideas:
        policy.require_groupable(idea)


async def _cluster_of(tx: AsyncSession, idea_ids: Iterable[int]) -> dict[int, int]:
    rows = await tx.execute(
        select(IdeaClusterMember.idea_id, IdeaClusterMember.cluster_id).where(
            IdeaClusterMember.idea_id.in_(set(idea_ids))
        )
    )
    return {int(idea_id): int(cluster_id) for idea_id, cluster_id in rows}


async def _make_cluster(
    tx: AsyncSession,
    ideas: Sequence[Idea],
    *,
    actor_id: int,
    now: datetime,
    into: int | None,
    **why: object,
) -> int:
    """Put ``ideas`` (checked) in a new cluster, or in cluster ``into``; audited."""
    clustered = await _cluster_of(tx, (idea.id for idea in ideas))
    for idea in ideas:
        if idea.id in clustered:
            raise Conflict(already_clustered(idea))
    challenge_id = ideas[0].challenge_id
    if into is None:
        cluster = IdeaCluster(challenge_id=challenge_id, created_by=actor_id, created_at=now)
        tx.add(cluster)
        await tx.flush()
        cluster_id = cluster.id
    else:
        cluster_id = into
    for idea in ideas:
        tx.add(
            IdeaClusterMember(
                idea_id=idea.id, cluster_id=cluster_id, added_by=actor_id, added_at=now
            )
        )
    await tx.flush()
    audit.record(
        tx,
        actor_id=actor_id,
        action="cluster.group" if into is None else "cluster.add",
        subject_type="cluster",
        subject_id=cluster_id,
        challenge_id=challenge_id,
        at=now,
        idea_ids=[idea.id for idea in ideas],
        **why,
    )
    return cluster_id


async def group(
    session: AsyncSession,
    *,
    challenge_id: int,
    idea_ids: Iterable[int],
    actor_id: int,
    now: datetime,
    into: int | None = None,
) -> int:
    """A host groups ideas of their challenge into a new cluster (or adds them to the
    cluster ``into``); returns the cluster's id.

    Refused: fewer than two ideas, or an idea of another challenge (``Invalid``); a
    withdrawn or hidden idea, or one already in a cluster (``Conflict``).
    """
    wanted = set(idea_ids)
    try:
        async with write(session) as tx:
            await _require_host(tx, challenge_id, actor_id, now)
            if into is not None:
                cluster = await tx.get(IdeaCluster, into, with_for_update=True)
                if cluster is None or cluster.challenge_id != challenge_id:
                    raise NotFound()
            ideas = await _locked_ideas(tx, wanted)
            _check_ideas(ideas, wanted, challenge_id, fewest=1 if into is not None else 2)
            cluster_id = await _make_cluster(tx, ideas, actor_id=actor_id, now=now, into=into)
            await notification_events.on_ideas_grouped(tx, ideas=ideas, actor_id=actor_id, now=now)
    except IntegrityError:
        # Another grouping took one of these ideas between our check and our insert.
        raise Conflict(_("One of these ideas was grouped by someone else just now.")) from None
    return cluster_id


async def _dissolve_if_alone(tx: AsyncSession, cluster_id: int) -> bool:
    """A cluster of fewer than two ideas is no cluster: it goes."""
    left = await tx.scalar(select(func.count()).where(IdeaClusterMember.cluster_id == cluster_id))
    if int(left or 0) >= 2:
        return False
    await tx.execute(delete(IdeaCluster).where(IdeaCluster.id == cluster_id))
    return True


async def _cluster_for_host(
    tx: AsyncSession, challenge_id: int, cluster_id: int, actor_id: int, now: datetime
) -> list[int]:
    cluster = await tx.get(IdeaCluster, cluster_id, with_for_update=True)
    if cluster is None or cluster.challenge_id != challenge_id:
        raise NotFound()
    await _require_host(tx, challenge_id, actor_id, now)
    return list(
        await tx.scalars(
            select(IdeaClusterMember.idea_id)
            .where(IdeaClusterMember.cluster_id == cluster_id)
            .order_by(IdeaClusterMember.idea_id)
        )
    )


async def ungroup(
    session: AsyncSession, *, challenge_id: int, cluster_id: int, actor_id: int, now: datetime
) -> None:
    """A host ungroups a cluster: its ideas are listed and ranked one by one again."""
    async with write(session) as tx:
        members = await _cluster_for_host(tx, challenge_id, cluster_id, actor_id, now)
        await tx.execute(
            delete(IdeaClusterMember).where(IdeaClusterMember.cluster_id == cluster_id)
        )
        await tx.execute(delete(IdeaCluster).where(IdeaCluster.id == cluster_id))
        audit.record(
            tx,
            actor_id=actor_id,
            action="cluster.ungroup",
            subject_type="cluster",
            subject_id=cluster_id,
            challenge_id=challenge_id,
            at=now,
            idea_ids=members,
        )


async def remove_member(
    session: AsyncSession,
    *,
    challenge_id: int,
    cluster_id: int,
    idea_id: int,
    actor_id: int,
    now: datetime,
) -> bool:
    """A host takes one idea out of a cluster; a cluster left with one idea goes.
    Returns whether the cluster went."""
    async with write(session) as tx:
        members = await _cluster_for_host(tx, challenge_id, cluster_id, actor_id, now)
        if idea_id not in members:
            raise NotFound()
        await tx.execute(delete(IdeaClusterMember).where(IdeaClusterMember.idea_id == idea_id))
        dissolved = await _dissolve_if_alone(tx, cluster_id)
        audit.record(
            tx,
            actor_id=actor_id,
            action="cluster.remove",
            subject_type="cluster",
            subject_id=cluster_id,
            challenge_id=challenge_id,
            at=now,
            idea_id=idea_id,
            dissolved=dissolved,
        )
    return dissolved


# Authors: one asks, the other's author answers ---------------------------------------


async def ask_to_group(
    session: AsyncSession, *, idea_id: int, other_idea_id: int, actor_id: int, now: datetime
) -> int:
    """An author of ``idea_id`` asks the authors of ``other_idea_id`` (same challenge) to
    group the two; returns the request's id. Refused if asked already (either way)."""
    try:
        async with write(session) as tx:
            if idea_id == other_idea_id:
                raise Invalid({"ideas": str(policy.CLUSTER_TOO_SMALL)})
            idea = await queries.for_policy(tx, idea_id)
            other = await tx.get(Idea, other_idea_id)
            if idea is None or other is None:
                raise NotFound()
            user = await tx.get(User, actor_id)
            policy.require_may_ask_to_group(user, idea.challenge, idea, now)
            if other.challenge_id != idea.challenge_id:
                raise Invalid({"ideas": str(policy.CLUSTER_OTHER_CHALLENGE)})
            for each in (idea, other):
                policy.require_groupable(each)
            clustered = await _cluster_of(tx, (idea.id, other.id))
            for each in (idea, other):
                if each.id in clustered:
                    raise Conflict(already_clustered(each))
            asked = await tx.scalar(
                select(ClusterRequest.id).where(
                    or_(
                        (ClusterRequest.idea_id == idea.id)
                        & (ClusterRequest.other_idea_id == other.id),
                        (ClusterRequest.idea_id == other.id)
                        & (ClusterRequest.other_idea_id == idea.id),
                    )
                )
            )
            if asked is not None:
                raise Conflict(policy.CLUSTER_ALREADY_ASKED)
            request = ClusterRequest(
                challenge_id=idea.challenge_id,
                idea_id=idea.id,
                other_idea_id=other.id,
                requested_by=actor_id,
                created_at=now,
            )
            tx.add(request)
            await tx.flush()
            audit.record(
                tx,
                actor_id=actor_id,
                action="cluster.request",
                subject_type="idea",
                subject_id=other.id,
                challenge_id=idea.challenge_id,
                at=now,
                idea_id=idea.id,
                request_id=request.id,
            )
            await notification_events.on_cluster_requested(
                tx, idea=idea, other_idea=other, request_id=request.id, actor_id=actor_id, now=now
            )
            return request.id
    except IntegrityError:
        raise Conflict(policy.CLUSTER_ALREADY_ASKED) from None


async def answer_request(
    session: AsyncSession, *, request_id: int, accept: bool, actor_id: int, now: datetime
) -> int | None:
    """An author of the idea asked for accepts (the two are grouped; returns the cluster)
    or declines. Refused: someone else answering; a request answered already."""
    try:
        async with write(session) as tx:
            request = await tx.get(ClusterRequest, request_id, with_for_update=True)
            if request is None:
                raise NotFound()
            other = await queries.for_policy(tx, request.other_idea_id)
            if other is None:
                raise NotFound()
            user = await tx.get(User, actor_id)
            if not policy.can_see_idea(other, policy.idea_roles(user, other.challenge, other)):
                raise NotFound()
            policy.require_answer_cluster_request(user, other.challenge, other, now)
            if request.status is not ClusterRequestStatus.PENDING:
                raise Conflict(policy.CLUSTER_ANSWERED)
            request.status = (
                ClusterRequestStatus.ACCEPTED if accept else ClusterRequestStatus.DECLINED
            )
            request.answered_by = actor_id
            request.answered_at = now
            cluster_id = None
            ideas = await _locked_ideas(tx, (request.idea_id, request.other_idea_id))
            if accept:
                _check_ideas(ideas, {request.idea_id, request.other_idea_id}, other.challenge_id)
                cluster_id = await _make_cluster(
                    tx, ideas, actor_id=actor_id, now=now, into=None, request_id=request.id
                )
            else:
                audit.record(
                    tx,
                    actor_id=actor_id,
                    action="cluster.decline",
                    subject_type="idea",
                    subject_id=request.other_idea_id,
                    challenge_id=other.challenge_id,
                    at=now,
                    idea_id=request.idea_id,
                    request_id=request.id,
                )
            asker = next(idea for idea in ideas if idea.id == request.idea_id)
            await notification_events.on_cluster_answered(
                tx, idea=asker, other_idea=other, accepted=accept, actor_id=actor_id, now=now
            )
            return cluster_id
    except IntegrityError:
        raise Conflict(_("One of these ideas was grouped by someone else just now.")) from None


# The demo ----------------------------------------------------------------------------


async def group_demo_duplicates(
    session: AsyncSession, *, host_id: int, idea_ids: Sequence[int], now: datetime | None = None
) -> int:
    """Group ideas (of one challenge the host hosts, while it is in ideas or review) as
    duplicates, through the same service a host's form uses; returns the cluster's id."""
    challenge_id = await session.scalar(select(Idea.challenge_id).where(Idea.id == idea_ids[0]))
    if challenge_id is None:
        raise NotFound()
    return await group(
        session,
        challenge_id=int(challenge_id),
        idea_ids=idea_ids,
        actor_id=host_id,
        now=now or utcnow(),
    )


async def cluster_with_members(session: AsyncSession, cluster_id: int) -> IdeaCluster | None:
    cluster: IdeaCluster | None = await session.scalar(
        select(IdeaCluster)
        .options(selectinload(IdeaCluster.members))
        .where(IdeaCluster.id == cluster_id)
    )
    return cluster
