"""Admins grant and revoke roles and suspend people; the services refuse anyone else."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts import services
from ideas.accounts.models import User, UserStatus
from ideas.audit import AuditEntry
from ideas.db import utcnow
from ideas.errors import Conflict, Forbidden
from tests.html import Page


async def saved_user(session: AsyncSession, user: User) -> User:
    await session.commit()
    found = await session.get(User, user.id, populate_existing=True)
    assert found is not None
    return found


async def audit_actions(session: AsyncSession, prefix: str) -> list[str]:
    await session.commit()
    found = await session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.startswith(prefix))
    )
    return list(found)


async def test_an_admin_suspends_and_reinstates_someone(
    make_user: Any, session: AsyncSession
) -> None:
    admin, priya = await make_user(admin=True), await make_user("Priya")

    await services.set_suspended(
        session, actor_id=admin.id, user_id=priya.id, suspended=True, now=utcnow()
    )
    assert (await saved_user(session, priya)).status is UserStatus.SUSPENDED
    await services.set_suspended(
        session, actor_id=admin.id, user_id=priya.id, suspended=False, now=utcnow()
    )
    assert (await saved_user(session, priya)).status is UserStatus.ACTIVE


async def test_the_service_lets_only_admins_suspend_and_none_themselves(
    make_user: Any, session: AsyncSession
) -> None:
    admin, host, priya = (
        await make_user(admin=True),
        await make_user(host=True),
        await make_user("Priya"),
    )

    for person in (host, priya):
        with pytest.raises(Forbidden, match="Only admins"):
            await services.set_suspended(
                session, actor_id=person.id, user_id=priya.id, suspended=True, now=utcnow()
            )
    with pytest.raises(Conflict, match="You cannot suspend yourself"):
        await services.set_suspended(
            session, actor_id=admin.id, user_id=admin.id, suspended=True, now=utcnow()
        )

    assert (await saved_user(session, priya)).status is UserStatus.ACTIVE
    assert (await saved_user(session, admin)).status is UserStatus.ACTIVE
    assert await audit_actions(session, "user.suspend") == []


async def test_the_service_lets_only_admins_change_roles_and_none_drop_their_own_admin_role(
    make_user: Any, session: AsyncSession
) -> None:
    admin, host, priya = (
        await make_user(admin=True),
        await make_user(host=True),
        await make_user("Priya"),
    )

    with pytest.raises(Forbidden, match="Only admins"):
        await services.set_role(
            session,
            actor_id=host.id,
            user_id=priya.id,
            role=services.Role.HOST,
            granted=True,
            now=utcnow(),
        )
    with pytest.raises(Conflict, match="your own admin role"):
        await services.set_role(
            session,
            actor_id=admin.id,
            user_id=admin.id,
            role=services.Role.ADMIN,
            granted=False,
            now=utcnow(),
        )

    assert not (await saved_user(session, priya)).is_host
    assert (await saved_user(session, admin)).is_admin
    assert await audit_actions(session, "user.role") == []


async def test_the_command_line_changes_roles_without_an_admin(
    make_user: Any, session: AsyncSession
) -> None:
    priya = await make_user("Priya")

    await services.set_role(
        session,
        actor_id=None,
        user_id=priya.id,
        role=services.Role.ADMIN,
        granted=True,
        now=utcnow(),
    )

    assert (await saved_user(session, priya)).is_admin


async def test_an_admin_cannot_drop_their_own_admin_role_on_the_people_page(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    user = await make_user(admin=True)
    admin = await sign_in(user)

    response = await admin.post(
        f"/admin/people/{user.id}/role", {"role": "admin", "action": "revoke"}
    )

    assert response.status_code == 409
    assert Page(response).text(".error-page h1 + p") == "You cannot remove your own admin role."
    assert (await saved_user(session, user)).is_admin


async def test_the_people_page_offers_no_admin_to_drop_their_own_admin_role_or_suspend_themselves(
    make_user: Any, sign_in: Any
) -> None:
    user = await make_user("Ada", admin=True)
    priya = await make_user("Priya")
    admin = await sign_in(user)

    page = Page(await admin.get("/admin/people"))

    def offered(person: User) -> list[str]:
        """What the buttons on the person's row do: "grant host", "suspend"…"""
        [row] = [
            tr
            for tr in page.select("tbody tr")
            if tr.cssselect("th a")[0].text == person.display_name
        ]
        buttons = []
        for form in row.cssselect("form"):
            action = form.cssselect("input[name=action]")[0].get("value")
            role = [i.get("value") for i in form.cssselect("input[name=role]")]
            buttons.append(" ".join([action, *role]))
        return buttons

    assert offered(user) == ["grant host"]
    assert offered(priya) == ["grant host", "grant admin", "suspend"]
