"""Members leave or are removed, and the lead hands over."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ideas.db import utcnow
from ideas.teams import services
from ideas.teams.forms import RoleInput
from ideas.teams.models import (
    TeamRole,
)
from tests.factories.teams import (
    add_member,
    ask,
    audit_actions,
    fresh_team,
    member_ids,
)

# Leaving, removing, handing over --------------------------------------------------


async def test_a_member_leaves_and_the_role_they_filled_opens_again(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    await add_member(session, r.team, maria)
    role = await services.add_role(
        session,
        team_id=r.team.id,
        actor_id=r.lead.id,
        data=RoleInput("Cook", "", []),
        now=utcnow(),
    )
    as_maria = await sign_in(maria)
    taken = await as_maria.post(f"{r.url}/roles/{role.id}/fill", {"user_id": str(maria.id)})
    await session.commit()
    assert (await session.get(TeamRole, role.id, populate_existing=True)).filled_by_id == maria.id  # type: ignore[union-attr]

    left = await as_maria.post(f"{r.url}/leave")

    assert taken.status_code == left.status_code == 303
    assert await member_ids(session, r.team) == {r.lead.id}
    assert (await fresh_team(session, r.team)).member_count == 1
    await session.commit()
    assert (await session.get(TeamRole, role.id, populate_existing=True)).filled_by_id is None  # type: ignore[union-attr]
    assert await audit_actions(session) == ["team.accept", "team.leave"]


async def test_the_lead_cannot_leave_without_handing_over(
    make_round: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    response = await (await sign_in(r.lead)).post(f"{r.url}/leave")
    assert response.status_code == 409
    assert await member_ids(session, r.team) == {r.lead.id}


async def test_the_lead_removes_a_member_and_others_cannot(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria, kim = await make_user("Maria"), await make_user("Kim")
    await add_member(session, r.team, maria)
    await add_member(session, r.team, kim)

    refused = await (await sign_in(kim)).post(f"{r.url}/members/{maria.id}/remove")
    assert refused.status_code == 403
    assert await member_ids(session, r.team) == {r.lead.id, maria.id, kim.id}

    removed = await (await sign_in(r.lead)).post(f"{r.url}/members/{maria.id}/remove")
    assert removed.status_code == 303
    assert await member_ids(session, r.team) == {r.lead.id, kim.id}
    assert (await fresh_team(session, r.team)).member_count == 2
    assert (await audit_actions(session))[-1] == "team.remove"


async def test_the_lead_hands_over_to_a_member(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria, kim = await make_user("Maria"), await make_user("Kim")
    await add_member(session, r.team, maria)
    request = await ask(session, r.team, kim)
    as_ada, as_maria = await sign_in(r.lead), await sign_in(maria)

    refused = await as_ada.post(f"{r.url}/lead", {"user_id": str(kim.id)})
    handed = await as_ada.post(f"{r.url}/lead", {"user_id": str(maria.id)})
    old_lead_accepts = await as_ada.post(f"{r.url}/requests/{request.id}/accept")
    new_lead_accepts = await as_maria.post(f"{r.url}/requests/{request.id}/accept")
    ada_leaves = await as_ada.post(f"{r.url}/leave")

    assert refused.status_code == 409  # Kim is not a member
    assert handed.status_code == 303
    assert (await fresh_team(session, r.team)).lead_id == maria.id
    assert old_lead_accepts.status_code == 403
    assert new_lead_accepts.status_code == 303
    assert ada_leaves.status_code == 303
    assert await member_ids(session, r.team) == {maria.id, kim.id}
    assert await audit_actions(session) == [
        "team.accept",
        "team.hand_over",
        "team.accept",
        "team.leave",
    ]
