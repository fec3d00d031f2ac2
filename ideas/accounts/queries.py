"""Reading people."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from ideas.accounts.models import Identity, Skill, User, UserSkill, UserStatus
from ideas.accounts.services import DEVELOPMENT_PROVIDER
from ideas.challenges.models import Challenge, ChallengeHost
from ideas.submissions.models import VISIBLE_STATUSES, Idea
from ideas.teams.models import Team


async def development_personas(session: AsyncSession) -> Sequence[User]:
    rows = await session.scalars(
        select(User)
        .join(Identity, Identity.user_id == User.id)
        .where(Identity.provider == DEVELOPMENT_PROVIDER, User.status == UserStatus.ACTIVE)
        .order_by(User.is_admin.desc(), User.is_host.desc(), User.display_name)
    )
    return rows.all()


async def development_persona(session: AsyncSession, user_id: int) -> User | None:
    user: User | None = await session.scalar(
        select(User)
        .join(Identity, Identity.user_id == User.id)
        .where(
            User.id == user_id,
            Identity.provider == DEVELOPMENT_PROVIDER,
            User.status == UserStatus.ACTIVE,
        )
    )
    return user


async def profile(session: AsyncSession, user_id: int) -> User | None:
    """A person with their skills and the accounts they sign in with."""
    user: User | None = await session.scalar(
        select(User)
        .options(selectinload(User.skills), selectinload(User.identities))
        .where(User.id == user_id)
    )
    return user


async def ideas_by(session: AsyncSession, user_id: int, limit: int = 50) -> Sequence[Idea]:
    """A person's ideas, newest first, with their challenges (and hosts, for visibility)
    and co-authors."""
    rows = await session.scalars(
        select(Idea)
        .options(
            joinedload(Idea.challenge).selectinload(Challenge.hosts).joinedload(ChallengeHost.user),
            selectinload(Idea.coauthors),
            selectinload(Idea.team).selectinload(Team.members),
        )
        .where(Idea.author_id == user_id)
        .order_by(Idea.created_at.desc(), Idea.id.desc())
        .limit(limit)
    )
    return rows.all()


async def built_on_credit(session: AsyncSession, user_id: int) -> int:
    """How many ideas descend from this person's visible ideas (each idea's influence, added up)."""
    total = await session.scalar(
        select(func.coalesce(func.sum(Idea.influence), 0)).where(
            Idea.author_id == user_id, Idea.status.in_(VISIBLE_STATUSES)
        )
    )
    return int(total or 0)


async def popular_skills(session: AsyncSession, limit: int = 20) -> list[str]:
    """Skill names people use most, to suggest when someone lists theirs."""
    rows = await session.execute(
        select(Skill.name)
        .join(UserSkill, UserSkill.skill_id == Skill.id)
        .group_by(Skill.id, Skill.name)
        .order_by(func.count().desc(), Skill.name)
        .limit(limit)
    )
    return [name for (name,) in rows]


async def people(session: AsyncSession, search: str = "", limit: int = 100) -> Sequence[User]:
    """People for the admin page: admins and hosts first, then by name."""
    query = select(User).where(User.status != UserStatus.DELETED)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            or_(func.lower(User.display_name).like(pattern), func.lower(User.email).like(pattern))
        )
    rows = await session.scalars(
        query.order_by(User.is_admin.desc(), User.is_host.desc(), User.display_name).limit(limit)
    )
    return rows.all()
