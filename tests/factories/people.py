"""People: accounts made as signing in makes them."""

from __future__ import annotations

import secrets

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.accounts.services import create_user
from ideas.db import utcnow, write


async def person(
    session: AsyncSession,
    n: int,
    *,
    name: str | None = None,
    host: bool = False,
    admin: bool = False,
) -> User:
    """The ``n``-th person of a test, with the host or admin role if asked."""
    return await create_user(
        session,
        display_name=name or f"Person {n}",
        email=f"person{n}@example.org",
        provider="test",
        subject=f"subject-{n}-{secrets.token_hex(4)}",
        is_host=host,
        is_admin=admin,
        now=utcnow(),
    )


async def give_host_role(session: AsyncSession, user: User) -> None:
    """Give ``user`` the host role, as an admin would, if they lack it."""
    if user.is_host:
        return
    async with write(session) as tx:
        await tx.execute(update(User).where(User.id == user.id).values(is_host=True))
    user.is_host = True
