"""Duplicate clusters: a challenge with ideas by several authors, grouped through the
services the site uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.audit import AuditEntry
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.submissions.models import ClusterRequest, Idea, IdeaCluster, IdeaClusterMember

HTMX = {"HX-Request": "true"}


@dataclass
class Duplicates:
    """A challenge, its host, and three ideas by three authors (the last by ``third``)."""

    challenge: Challenge
    host: User
    authors: list[User]
    ideas: list[Idea]


async def duplicates(
    make_user: Any, make_challenge: Any, make_idea: Any, *, phase: Phase = Phase.IDEAS
) -> Duplicates:
    host = await make_user("Hamid", host=True)
    challenge = await make_challenge(host, phase=phase)
    authors = [await make_user(name) for name in ("Priya", "Tomás", "Aiko")]
    ideas = [
        await make_idea(challenge, person, title=f"Shade for the yard {n}")
        for n, person in enumerate(authors, start=1)
    ]
    return Duplicates(challenge, host, authors, ideas)


@dataclass(frozen=True)
class Snapshot:
    """Every row clusters touch, to show that a refusal changed nothing."""

    clusters: int
    members: int
    requests: tuple[tuple[int, str], ...]
    audited: int


async def snapshot(session: AsyncSession) -> Snapshot:
    await session.commit()
    return Snapshot(
        clusters=int(await session.scalar(select(func.count()).select_from(IdeaCluster)) or 0),
        members=int(await session.scalar(select(func.count()).select_from(IdeaClusterMember)) or 0),
        requests=tuple(
            (int(i), str(s))
            for i, s in (
                await session.execute(
                    select(ClusterRequest.id, ClusterRequest.status).order_by(ClusterRequest.id)
                )
            )
        ),
        audited=int(
            await session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action.like("cluster.%"))
            )
            or 0
        ),
    )


async def members_of(session: AsyncSession, cluster_id: int) -> list[int]:
    await session.commit()
    return list(
        await session.scalars(
            select(IdeaClusterMember.idea_id)
            .where(IdeaClusterMember.cluster_id == cluster_id)
            .order_by(IdeaClusterMember.idea_id)
        )
    )
