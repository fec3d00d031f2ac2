"""Reading people."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import Identity, User, UserStatus
from ideas.accounts.services import DEVELOPMENT_PROVIDER


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
