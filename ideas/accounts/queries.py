"""Reading people."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from ideas.accounts.models import Identity, Skill, User, UserSkill, UserStatus
from ideas.accounts.services import DEVELOPMENT_PROVIDER
from ideas.audit import AuditEntry
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


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def export(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """Everything a person wrote and did here, for "download my data"."""
    user = await profile(session, user_id)
    if user is None:
        return {}
    ideas = (
        await session.scalars(
            select(Idea).options(joinedload(Idea.challenge)).where(Idea.author_id == user_id)
        )
    ).all()
    hosted = (
        await session.scalars(
            select(Challenge)
            .join(ChallengeHost, ChallengeHost.challenge_id == Challenge.id)
            .where(ChallengeHost.user_id == user_id)
        )
    ).all()
    actions = (
        await session.scalars(
            select(AuditEntry).where(AuditEntry.actor_id == user_id).order_by(AuditEntry.at)
        )
    ).all()
    return {
        "profile": {
            "id": user.id,
            "display_name": user.display_name,
            "email": user.email,
            "bio": user.bio,
            "location": user.location,
            "links": user.links,
            "skills": [skill.name for skill in user.skills],
            "roles": [r for r, on in (("host", user.is_host), ("admin", user.is_admin)) if on],
            "joined": _when(user.created_at),
        },
        "sign_in_accounts": [
            {
                "provider": identity.provider,
                "subject": identity.subject,
                "email": identity.email,
                "linked": _when(identity.created_at),
                "last_used": _when(identity.last_used_at),
            }
            for identity in user.identities
        ],
        "ideas": [
            {
                "id": idea.id,
                "challenge": idea.challenge.slug,
                "title": idea.title,
                "summary": idea.summary,
                "body": idea.body,
                "status": idea.status.value,
                "posted": _when(idea.created_at),
                "updated": _when(idea.updated_at),
            }
            for idea in ideas
        ],
        "challenges_hosted": [
            {"slug": c.slug, "title": c.title, "question": c.question, "brief": c.brief}
            for c in hosted
        ],
        "activity": [
            {
                "at": _when(entry.at),
                "action": entry.action,
                "subject": entry.subject_type,
                "subject_id": entry.subject_id,
            }
            for entry in actions
        ],
    }
