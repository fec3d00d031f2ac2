"""What the API reads: a fixed number of queries per response, whatever the data size.

Which challenges a visitor may see is decided by ``ideas.policy``, never here:
these functions load candidates, the caller keeps the ones the policy allows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from ideas import policy
from ideas.challenges import queries as challenge_queries
from ideas.challenges.models import Challenge, ChallengeHost
from ideas.policy import Action
from ideas.submissions import lineage
from ideas.submissions.models import VISIBLE_STATUSES, Idea, IdeaCoauthor, IdeaLink
from ideas.submissions.queries import Sort
from ideas.teams.models import Team, TeamMember, TeamRole

VISITOR = policy.site_roles(None)


def visible_to_visitors(challenge: Challenge, now: datetime) -> bool:
    return policy.may(Action.SEE_CHALLENGE, challenge, VISITOR, now)


@dataclass(frozen=True)
class ChallengePage:
    """Visible challenges among those after a cursor; ``next_after`` is where to go on."""

    challenges: Sequence[Challenge]
    next_after: int | None


async def challenge_page(
    session: AsyncSession, *, after: int, limit: int, now: datetime
) -> ChallengePage:
    """The challenges a visitor may see among the next ``limit`` by id, with their tags.

    Challenges they may not see (drafts) are skipped, so a page can hold fewer
    than ``limit``; the cursor moves past everything looked at, so the next
    page never looks at the same rows again. Two queries: challenges, tags.
    """
    rows = (
        await session.scalars(
            select(Challenge)
            .options(selectinload(Challenge.tags))
            .where(Challenge.id > after)
            .order_by(Challenge.id)
            .limit(limit + 1)
        )
    ).all()
    looked_at, more = rows[:limit], len(rows) > limit
    return ChallengePage(
        challenges=[c for c in looked_at if visible_to_visitors(c, now)],
        next_after=looked_at[-1].id if more else None,
    )


async def visible_challenge(session: AsyncSession, slug: str, now: datetime) -> Challenge | None:
    """The challenge at ``slug`` with its hosts and tags, if a visitor may see it.

    A draft and an unknown slug give the same answer. Three queries.
    """
    challenge: Challenge | None = await session.scalar(
        select(Challenge)
        .options(
            selectinload(Challenge.hosts).joinedload(ChallengeHost.user),
            selectinload(Challenge.tags),
        )
        .where(Challenge.slug == slug)
    )
    if challenge is None or not visible_to_visitors(challenge, now):
        return None
    return challenge


async def public_challenge(session: AsyncSession, slug: str, now: datetime) -> Challenge | None:
    """The challenge at ``slug`` alone, if a visitor may see it. One query."""
    challenge: Challenge | None = await session.scalar(
        select(Challenge).where(Challenge.slug == slug)
    )
    if challenge is None or not visible_to_visitors(challenge, now):
        return None
    return challenge


# Ideas -----------------------------------------------------------------------
# A challenge's ideas are listed by ``ideas.submissions.queries.challenge_ideas``,
# the read model the challenge page uses too, for a visitor.

IDEA_SORTS = (
    Sort.TOP,
    Sort.NEWEST,
    Sort.MOST_BUILT_ON,
    Sort.INFLUENCE,
    Sort.TRENDING,
    Sort.PAIRWISE,
)
"""The orders the API lists a challenge's ideas in, as its documentation names them:
all but best match, for the API does not search."""


def _with_people_and_tags() -> tuple[Any, ...]:
    return (
        joinedload(Idea.author),
        selectinload(Idea.coauthors).joinedload(IdeaCoauthor.user),
        selectinload(Idea.tags),
    )


def idea_is_public(idea: Idea, now: datetime) -> bool:
    """Needs ``idea.challenge`` loaded."""
    return visible_to_visitors(idea.challenge, now) and policy.can_see_idea(idea, VISITOR)


async def visible_idea(session: AsyncSession, idea_id: int, now: datetime) -> Idea | None:
    """The idea with its challenge, authors and tags, if a visitor may see it.

    Withdrawn, hidden and draft-challenge ideas answer as an unknown id. Three queries.
    """
    idea: Idea | None = await session.scalar(
        select(Idea)
        .options(joinedload(Idea.challenge), *_with_people_and_tags())
        .where(Idea.id == idea_id)
    )
    if idea is None or not idea_is_public(idea, now):
        return None
    return idea


@dataclass(frozen=True)
class LinkedIdea:
    idea: Idea
    note: str


@dataclass(frozen=True)
class DirectLinks:
    builds_on: list[LinkedIdea]
    built_on_by: list[LinkedIdea]


async def direct_links(session: AsyncSession, idea: Idea, now: datetime) -> DirectLinks:
    """The ideas ``idea`` builds on and that build on it which a visitor may see, oldest
    link first: not withdrawn or hidden, nor in a challenge still in its draft (a
    follow-up round being prepared).

    One query for both directions (two when one lies in another challenge).
    """
    rows = (
        await session.execute(
            select(Idea, IdeaLink.parent_id, IdeaLink.note)
            .join(
                IdeaLink,
                or_(
                    and_(IdeaLink.child_id == idea.id, IdeaLink.parent_id == Idea.id),
                    and_(IdeaLink.parent_id == idea.id, IdeaLink.child_id == Idea.id),
                ),
            )
            .where(Idea.status.in_(VISIBLE_STATUSES))
            .order_by(IdeaLink.created_at, Idea.id)
        )
    ).all()
    unseen = await challenge_queries.unseen(
        session, {other.challenge_id for other, _, _ in rows}, None, now, seen=(idea.challenge_id,)
    )
    links = DirectLinks(builds_on=[], built_on_by=[])
    for other, parent_id, note in rows:
        if other.challenge_id in unseen:
            continue
        side = links.built_on_by if parent_id == idea.id else links.builds_on
        side.append(LinkedIdea(other, note))
    return links


async def public_family(
    session: AsyncSession, idea_id: int, now: datetime
) -> lineage.Family | None:
    """The family of a visible idea (ancestors, descendants, links); None if it is not public.

    Five queries: the idea with its challenge, then the four of ``lineage.family``.
    """
    idea: Idea | None = await session.scalar(
        select(Idea).options(joinedload(Idea.challenge)).where(Idea.id == idea_id)
    )
    if idea is None or not idea_is_public(idea, now):
        return None
    return await lineage.family(session, idea_id, viewer=None, now=now)


# Teams -----------------------------------------------------------------------


async def teams(session: AsyncSession, challenge_id: int) -> Sequence[tuple[Team, Idea]]:
    """The challenge's teams whose ideas a visitor may see, in the order they formed.

    Each with its idea and lead, its members with their people, and only its
    open roles, with their skills. Four queries: teams with ideas and leads,
    members, open roles, their skills.
    """
    open_roles = Team.roles.and_(TeamRole.filled_by_id.is_(None))
    rows = await session.execute(
        select(Team, Idea)
        .join(Idea, Idea.id == Team.idea_id)
        .options(
            joinedload(Team.lead),
            selectinload(Team.members).joinedload(TeamMember.user),
            selectinload(open_roles).selectinload(TeamRole.skills),
        )
        .where(Team.challenge_id == challenge_id, Idea.status.in_(VISIBLE_STATUSES))
        .order_by(Team.id)
    )
    return [(team, idea) for team, idea in rows]
