"""Reading duplicate clusters: for the list's cards, an idea's page, the hosts' tool,
the results, the API and the exports.

A cluster's supporters are the distinct people who voted for any of its listed
ideas: the ranking by votes counts each of them once for the cluster, while each
idea keeps, and shows, its own count. They are counted over the votes of the
clustered ideas asked about only (one query, grouped by cluster), never over a
whole challenge's votes.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import policy
from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.db import rows_of
from ideas.policy import Action, Role
from ideas.submissions.models import (
    VISIBLE_STATUSES,
    ClusterRequest,
    ClusterRequestStatus,
    Idea,
    IdeaCluster,
    IdeaClusterMember,
    IdeaStatus,
)
from ideas.voting.models import Vote


@dataclass(frozen=True, slots=True)
class ClusterMember:
    id: int
    slug: str
    title: str
    status: IdeaStatus
    vote_count: int

    @property
    def is_visible(self) -> bool:
        return self.status in VISIBLE_STATUSES


@dataclass(frozen=True, slots=True)
class Cluster:
    """A cluster with its ideas (earliest first) and its distinct supporters."""

    id: int
    challenge_id: int
    created_at: datetime
    members: tuple[ClusterMember, ...]
    supporters: int

    @property
    def member_ids(self) -> tuple[int, ...]:
        return tuple(member.id for member in self.members)

    def listed(self) -> Cluster:
        """The cluster as everyone sees it: its listed ideas only."""
        members = tuple(member for member in self.members if member.is_visible)
        return Cluster(self.id, self.challenge_id, self.created_at, members, self.supporters)

    def others_than(self, idea_id: int) -> tuple[ClusterMember, ...]:
        return tuple(member for member in self.members if member.id != idea_id)


async def supporters(session: AsyncSession, cluster_ids: Collection[int]) -> dict[int, int]:
    """For each cluster, how many people voted for at least one of its listed ideas."""
    if not cluster_ids:
        return {}
    rows = await session.execute(
        select(IdeaClusterMember.cluster_id, func.count(func.distinct(Vote.user_id)))
        .join(Vote, Vote.idea_id == IdeaClusterMember.idea_id)
        .join(Idea, Idea.id == IdeaClusterMember.idea_id)
        .where(
            IdeaClusterMember.cluster_id.in_(set(cluster_ids)),
            Idea.status.in_(VISIBLE_STATUSES),
        )
        .group_by(IdeaClusterMember.cluster_id)
    )
    return {int(cluster_id): int(count) for cluster_id, count in rows}


_ClusterRows = Select[int, int, datetime, int, str, str, IdeaStatus, int]


@functools.cache
def _clusters_query(by_idea: bool) -> _ClusterRows:
    """The rows of clusters with their ideas: of the clusters holding any of ``:ids``
    (``by_idea``), else of challenge ``:challenge_id``. Built once for each."""
    if by_idea:
        ids = bindparam("ids", type_=Integer, expanding=True)
        inside = select(IdeaClusterMember.cluster_id).where(IdeaClusterMember.idea_id.in_(ids))
        where: ColumnElement[bool] = IdeaCluster.id.in_(inside)
    else:
        where = IdeaCluster.challenge_id == bindparam("challenge_id", type_=Integer)
    return (
        select(
            IdeaCluster.id,
            IdeaCluster.challenge_id,
            IdeaCluster.created_at,
            Idea.id,
            Idea.slug,
            Idea.title,
            Idea.status,
            Idea.vote_count,
        )
        .join(IdeaClusterMember, IdeaClusterMember.cluster_id == IdeaCluster.id)
        .join(Idea, Idea.id == IdeaClusterMember.idea_id)
        .where(where)
        .order_by(IdeaCluster.id, Idea.id)
    )


async def _clusters(
    session: AsyncSession, query: _ClusterRows, params: dict[str, Any]
) -> list[Cluster]:
    rows = await rows_of(session, query, params)
    heads: dict[int, tuple[int, datetime]] = {}
    members: dict[int, list[ClusterMember]] = defaultdict(list)
    for cluster_id, challenge_id, created_at, idea_id, slug, title, status, votes in rows:
        heads[cluster_id] = (challenge_id, created_at)
        members[cluster_id].append(ClusterMember(idea_id, slug, title, status, votes))
    counts = await supporters(session, heads.keys())
    return [
        Cluster(cid, challenge_id, created_at, tuple(members[cid]), counts.get(cid, 0))
        for cid, (challenge_id, created_at) in heads.items()
    ]


async def challenge_clusters(session: AsyncSession, challenge_id: int) -> list[Cluster]:
    """Every cluster of a challenge with all its ideas, whatever their status (the
    hosts' tool and the exports); ``Cluster.listed`` for what everyone sees. Two queries."""
    return await _clusters(session, _clusters_query(False), {"challenge_id": challenge_id})


async def clusters_of(session: AsyncSession, idea_ids: Iterable[int]) -> dict[int, Cluster]:
    """The cluster of each of these ideas that is in one, as everyone sees it (its
    listed ideas, at least two of them). Two queries, whatever the number of ideas."""
    ids = set(idea_ids)
    if not ids:
        return {}
    found: dict[int, Cluster] = {}
    for cluster in await _clusters(session, _clusters_query(True), {"ids": sorted(ids)}):
        listed = cluster.listed()
        if len(listed.members) < 2:
            continue
        for member in cluster.members:
            if member.id in ids:
                found[member.id] = listed
    return found


@dataclass(frozen=True, slots=True)
class PendingRequest:
    """A request to group an idea with another, as its answerer sees it."""

    id: int
    idea_id: int  # the asker's idea
    idea_slug: str
    idea_title: str
    created_at: datetime


async def requests_to(session: AsyncSession, idea_id: int) -> list[PendingRequest]:
    """Pending requests to group other ideas with this one, oldest first."""
    rows = await session.execute(
        select(ClusterRequest.id, Idea.id, Idea.slug, Idea.title, ClusterRequest.created_at)
        .join(Idea, Idea.id == ClusterRequest.idea_id)
        .where(
            ClusterRequest.other_idea_id == idea_id,
            ClusterRequest.status == ClusterRequestStatus.PENDING,
            Idea.status.in_(VISIBLE_STATUSES),
        )
        .order_by(ClusterRequest.created_at, ClusterRequest.id)
    )
    return [PendingRequest(*row) for row in rows]


@functools.cache
def _requestable_query() -> Select[int, str]:
    other_idea_id = bindparam("other_idea_id", type_=Integer)
    asked = select(ClusterRequest.idea_id).where(ClusterRequest.other_idea_id == other_idea_id)
    asked_back = select(ClusterRequest.other_idea_id).where(ClusterRequest.idea_id == other_idea_id)
    return (
        select(Idea.id, Idea.title)
        .where(
            Idea.challenge_id == bindparam("challenge_id", type_=Integer),
            Idea.author_id == bindparam("user_id", type_=Integer),
            Idea.id != other_idea_id,
            Idea.status.in_(VISIBLE_STATUSES),
            Idea.id.not_in(select(IdeaClusterMember.idea_id)),
            Idea.id.not_in(asked),
            Idea.id.not_in(asked_back),
        )
        .order_by(Idea.id)
    )


async def requestable_ideas(
    session: AsyncSession, challenge_id: int, user_id: int, other_idea_id: int
) -> list[tuple[int, str]]:
    """The listed, unclustered ideas ``user_id`` wrote first in the challenge, other than
    ``other_idea_id``, that are not already asked to be grouped with it: (id, title)."""
    rows = await rows_of(
        session,
        _requestable_query(),
        {"challenge_id": challenge_id, "user_id": user_id, "other_idea_id": other_idea_id},
    )
    return [(int(i), str(t)) for i, t in rows]


@dataclass(frozen=True)
class ClusterSection:
    """What an idea's page says of duplicates: the cluster it is in (as everyone sees
    it), the requests its authors may answer, and the viewer's ideas they may ask to
    group with it."""

    cluster: Cluster | None
    requests: list[PendingRequest]
    may_answer: bool
    askable: list[tuple[int, str]]  # the viewer's ideas, when they may ask
    may_group: bool  # a host: a link to the duplicates tool

    @property
    def shown(self) -> bool:
        return bool(self.cluster or self.requests or self.askable or self.may_group)


NO_CLUSTER = ClusterSection(None, [], False, [], False)


async def cluster_section(
    session: AsyncSession,
    idea: Idea,
    challenge: Challenge,
    viewer: User | None,
    roles: frozenset[Role],
    now: datetime,
) -> ClusterSection:
    """Needs ``idea.coauthors`` loaded. One query for an idea in no cluster seen by a
    visitor; at most four."""
    cluster = (await clusters_of(session, [idea.id])).get(idea.id)
    may_ask = (
        viewer is not None
        and idea.is_visible
        and policy.allows(Action.ASK_TO_GROUP, challenge.phase_at(now), {Role.AUTHOR})
        and Role.PARTICIPANT in roles
    )
    may_answer = may_ask and policy.may_answer_cluster_request(viewer, idea)
    requests = await requests_to(session, idea.id) if may_answer else []
    askable = (
        await requestable_ideas(session, challenge.id, viewer.id, idea.id)
        if may_ask and viewer is not None and cluster is None and not policy.is_author(viewer, idea)
        else []
    )
    return ClusterSection(
        cluster=cluster,
        requests=requests,
        may_answer=may_answer,
        askable=askable,
        may_group=policy.may(Action.GROUP_DUPLICATES, challenge, roles, now),
    )
