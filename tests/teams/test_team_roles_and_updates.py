"""The lead adds roles, members post updates, and the team edits its idea in the teams phase."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.submissions.models import Idea
from ideas.teams import services
from ideas.teams.forms import RoleInput
from ideas.teams.models import (
    TeamRole,
    TeamUpdate,
)
from tests.factories.accounts import Person
from tests.factories.queries import count
from tests.factories.rounds import set_phase
from tests.factories.teams import add_member
from tests.factories.web import HTMX
from tests.html import Page

# Roles, updates, "about" ------------------------------------------------------------


async def test_the_lead_adds_a_role_with_skills_and_edits_and_removes_it(
    make_round: Any, sign_in: Any, visitor: Person, session: AsyncSession
) -> None:
    r = await make_round()
    as_ada = await sign_in(r.lead)
    added = await as_ada.post(
        f"{r.url}/roles",
        {"title": "Designer", "description": "Posters for the canteen.", "skills": "design, Print"},
    )
    role = await session.scalar(select(TeamRole))
    assert role is not None
    page = Page(await visitor.get(r.url))

    assert added.status_code == 303
    assert page.text(f"#role-{role.id} .team-role__title") == "Designer"
    assert page.text(f"#role-{role.id} .team-role__state") == "Open"
    assert sorted(t.text for t in page.select(f"#role-{role.id} .tag")) == ["Print", "design"]

    edited = await as_ada.post(
        f"{r.url}/roles/{role.id}", {"title": "Illustrator", "description": "", "skills": "drawing"}
    )
    page = Page(await visitor.get(r.url))
    assert edited.status_code == 303
    assert page.text(f"#role-{role.id} .team-role__title") == "Illustrator"
    assert [t.text for t in page.select(f"#role-{role.id} .tag")] == ["drawing"]

    removed = await as_ada.post(f"{r.url}/roles/{role.id}/remove")
    assert removed.status_code == 303
    assert await count(session, TeamRole) == 0


async def test_a_role_with_a_problem_comes_back_beside_the_field(
    make_round: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    response = await (await sign_in(r.lead)).post(
        f"{r.url}/roles", {"title": "t" * 81, "skills": "design"}, headers=HTMX
    )
    assert response.status_code == 200
    part = Page(response)
    assert part.select("h1") == []
    assert part.text("#role-new-title-error") == (
        "Error: Role must be at most 80 characters (it is 81)."
    )
    assert part.field_value("skills") == "design"
    assert await count(session, TeamRole) == 0


async def test_only_the_lead_adds_roles(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    await add_member(session, r.team, maria)
    response = await (await sign_in(maria)).post(f"{r.url}/roles", {"title": "Designer"})
    assert response.status_code == 403
    assert await count(session, TeamRole) == 0


async def test_a_member_cannot_give_a_role_to_someone_else(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria, kim = await make_user("Maria"), await make_user("Kim")
    await add_member(session, r.team, maria)
    await add_member(session, r.team, kim)
    role = await services.add_role(
        session, team_id=r.team.id, actor_id=r.lead.id, data=RoleInput("Cook", "", []), now=utcnow()
    )
    response = await (await sign_in(maria)).post(
        f"{r.url}/roles/{role.id}/fill", {"user_id": str(kim.id)}
    )
    assert response.status_code == 403
    await session.commit()
    assert (await session.get(TeamRole, role.id, populate_existing=True)).filled_by_id is None  # type: ignore[union-attr]


async def test_members_post_updates_newest_first_and_others_cannot(
    make_round: Any, make_user: Any, sign_in: Any, visitor: Person, session: AsyncSession
) -> None:
    r = await make_round()
    as_ada = await sign_in(r.lead)
    first = await as_ada.post(f"{r.url}/updates", {"body": "We met the **kitchen** staff."})
    second = await as_ada.post(f"{r.url}/updates", {"body": "Bins <script>x</script> ordered."})
    stranger = await (await sign_in(await make_user())).post(
        f"{r.url}/updates", {"body": "Not mine to say."}
    )
    page = Page(await visitor.get(r.url))

    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == f"{r.url}#team-updates"
    assert stranger.status_code == 403
    bodies = [" ".join(b.text_content().split()) for b in page.select(".team-update__body")]
    assert bodies == ["Bins <script>x</script> ordered.", "We met the kitchen staff."]
    assert page.select(".team-update__body script") == []
    assert page.select(".team-update__body strong")[0].text == "kitchen"
    assert page.select("#team-updates form") == []
    assert await count(session, TeamUpdate) == 2


async def test_the_lead_says_what_the_team_is_about(
    make_round: Any, make_user: Any, sign_in: Any, visitor: Person, session: AsyncSession
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    await add_member(session, r.team, maria)
    saved = await (await sign_in(r.lead)).post(
        f"{r.url}/about", {"about": "Three schools, one compost heap."}
    )
    refused = await (await sign_in(maria)).post(f"{r.url}/about", {"about": "Mine now."})
    page = Page(await visitor.get(r.url))
    assert saved.status_code == 303
    assert refused.status_code == 403
    assert page.text(".team-about__text") == "Three schools, one compost heap."


# Editing the idea ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "phase", "status"),
    [
        ("member", Phase.TEAMS, 303),
        ("non-member", Phase.TEAMS, 403),
        ("member", Phase.CLOSED, 403),
        ("lead", Phase.CLOSED, 403),
    ],
)
async def test_the_team_edits_its_idea_in_the_teams_phase_only(
    make_round: Any,
    make_user: Any,
    sign_in: Any,
    session: AsyncSession,
    who: str,
    phase: Phase,
    status: int,
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    await add_member(session, r.team, maria)
    await set_phase(session, r.challenge, phase)
    person = {"member": maria, "lead": r.lead, "non-member": await make_user()}[who]

    response = await (await sign_in(person)).post(
        f"/ideas/{r.idea.id}/edit", {"title": "Changed", "summary": "Changed."}
    )

    assert response.status_code == status
    idea = await session.get(Idea, r.idea.id, populate_existing=True)
    assert idea is not None
    assert idea.title == ("Changed" if status == 303 else "Compost the leftovers")
