"""Creating people and the identities they sign in with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ideas import audit
from ideas.accounts.models import Identity, User
from ideas.db import write

DEVELOPMENT_PROVIDER = "development"


async def create_user(
    session: AsyncSession,
    *,
    display_name: str,
    email: str | None,
    provider: str,
    subject: str,
    now: datetime,
    is_host: bool = False,
    is_admin: bool = False,
    bio: str = "",
) -> User:
    """A new person with one identity."""
    async with write(session) as tx:
        user = User(
            display_name=display_name,
            email=email.lower() if email else None,
            bio=bio,
            is_host=is_host,
            is_admin=is_admin,
            created_at=now,
        )
        tx.add(user)
        await tx.flush()
        tx.add(
            Identity(
                user_id=user.id, provider=provider, subject=subject, email=email, created_at=now
            )
        )
        audit.record(
            tx,
            actor_id=user.id,
            action="user.create",
            subject_type="user",
            subject_id=user.id,
            at=now,
            provider=provider,
            roles=[r for r, on in (("host", is_host), ("admin", is_admin)) if on],
        )
    return user
