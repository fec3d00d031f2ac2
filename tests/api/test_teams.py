"""The public team API: a challenge's teams, their members and open roles, nothing private."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ideas.accounts.services import delete_account
from ideas.challenges.phases import Phase
from ideas.db import utcnow, write
from ideas.submissions.models import Idea, IdeaStatus
from ideas.teams.models import JoinRequest, RequestKind, TeamMember
from tests.api.schema import assert_conforms
from tests.factories.accounts import Person
from tests.factories.queries import counting
from tests.factories.rounds import switch_phase
from tests.factories.teams import add_role, look, put_on, teams_round

ORIGIN = "http://127.0.0.1:8000"
PATH = "/challenges/{slug}/teams"
NOT_FOUND = {"error": "not_found", "message": "There is nothing public at this address."}


def teams_url(slug: str) -> str:
    return f"/api/v1/challenges/{slug}/teams"


async def test_each_team_comes_with_its_idea_lead_members_and_open_roles(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, team_capacity=4
    )
    team, other = teams
    priya = await make_user("Priya")
    await put_on(session, team, priya)
    async with write(session) as tx:
        member = await tx.get(TeamMember, (team.id, priya.id))
        assert member is not None
        member.role_title = "Cook"
    await add_role(session, team, "Map maker", "Maps", "Illustration")
    await add_role(session, team, "Cook", "Cooking", filled_by=priya)

    response = await visitor.get(teams_url(challenge.slug))

    assert response.status_code == 200
    assert_conforms(response, PATH)
    first, second = response.json()["items"]
    idea = await session.get(Idea, team.idea_id)
    assert idea is not None
    assert first == {
        "id": team.id,
        "idea": {
            "id": idea.id,
            "title": "Team idea 0",
            "url": f"{ORIGIN}/ideas/{idea.id}/{idea.slug}",
        },
        "lead": {"name": "Lead 0", "url": f"{ORIGIN}/people/{team.lead_id}"},
        "members": [
            {"name": "Lead 0", "url": f"{ORIGIN}/people/{team.lead_id}", "role_title": "Lead"},
            {"name": "Priya", "url": f"{ORIGIN}/people/{priya.id}", "role_title": "Cook"},
        ],
        "member_count": 2,
        "capacity": 4,
        "open_roles": [
            {"title": "Map maker", "description": "", "skills": ["Illustration", "Maps"]},
        ],
        "pledges": {"standing": 0, "waiting": 0},
    }
    assert (second["id"], second["member_count"], second["open_roles"]) == (other.id, 1, [])


async def test_requests_invitations_and_notes_stay_private(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    asking, invited = await make_user("Asking"), await make_user("Invited")
    async with write(session) as tx:
        tx.add_all(
            [
                JoinRequest(
                    team_id=teams[0].id,
                    user_id=asking.id,
                    kind=RequestKind.REQUEST,
                    message="Secret request message",
                    skills="Secret skills line",
                ),
                JoinRequest(
                    team_id=teams[1].id,
                    user_id=invited.id,
                    kind=RequestKind.INVITATION,
                    message="Secret invitation message",
                ),
            ]
        )
    await look(session, challenge, asking, "Secret seeker note")

    response = await visitor.get(teams_url(challenge.slug))

    assert response.status_code == 200
    assert "Secret" not in response.text
    assert "Asking" not in response.text
    assert "Invited" not in response.text


async def test_a_deleted_account_leaves_its_team_and_a_team_left_empty_has_no_lead(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(make_user, make_challenge, make_idea, session)
    gone = await make_user("Gone")
    await put_on(session, teams[0], gone)
    await delete_account(session, user_id=gone.id, now=utcnow())
    assert teams[1].lead_id is not None
    await delete_account(session, user_id=teams[1].lead_id, now=utcnow())

    response = await visitor.get(teams_url(challenge.slug))

    assert_conforms(response, PATH)
    first, second = response.json()["items"]
    assert [m["name"] for m in first["members"]] == ["Lead 0"]
    assert first["member_count"] == 1
    assert (second["lead"], second["members"], second["member_count"]) == (None, [], 0)


async def test_teams_of_ideas_that_are_not_public_are_left_out(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person, session: AsyncSession
) -> None:
    _host, challenge, teams = await teams_round(
        make_user, make_challenge, make_idea, session, count=3
    )
    for team, status in zip(teams[1:], (IdeaStatus.HIDDEN, IdeaStatus.WITHDRAWN), strict=True):
        await session.execute(update(Idea).where(Idea.id == team.idea_id).values(status=status))
    await session.commit()

    response = await visitor.get(teams_url(challenge.slug))

    assert [item["id"] for item in response.json()["items"]] == [teams[0].id]


async def test_a_challenge_without_teams_answers_an_empty_list(
    make_user: Any, make_challenge: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=Phase.IDEAS)
    response = await visitor.get(teams_url(challenge.slug))
    assert response.status_code == 200
    assert response.json() == {"items": []}
    assert_conforms(response, PATH)


async def test_a_draft_looks_like_an_unknown_challenge(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person, session: AsyncSession
) -> None:
    _host, challenge, _teams = await teams_round(make_user, make_challenge, make_idea, session)
    await switch_phase(session, challenge, Phase.DRAFT)

    for_draft = await visitor.get(teams_url(challenge.slug))
    for_nothing = await visitor.get(teams_url("no-such-challenge"))

    assert for_draft.status_code == for_nothing.status_code == 404
    assert for_draft.json() == for_nothing.json() == NOT_FOUND
    assert_conforms(for_draft, PATH)


async def test_the_list_runs_the_same_queries_for_2_or_10_teams(
    engine: AsyncEngine,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    visitor: Person,
    session: AsyncSession,
) -> None:
    _host, few_teams, small = await teams_round(make_user, make_challenge, make_idea, session)
    _host, many_teams, large = await teams_round(
        make_user, make_challenge, make_idea, session, count=10
    )
    for teams in (small, large):
        for n, team in enumerate(teams):
            await put_on(session, team, await make_user())
            await add_role(session, team, f"Role {n}", "Maps", f"Skill {n}")
            await add_role(session, team, "Filled", "Cooking", filled_by=await make_user())
    await session.commit()

    with counting(engine) as few:
        small_answer = await visitor.get(teams_url(few_teams.slug))
    with counting(engine) as many:
        large_answer = await visitor.get(teams_url(many_teams.slug))

    assert len(small_answer.json()["items"]) == 2
    assert len(large_answer.json()["items"]) == 10
    assert all(len(item["open_roles"]) == 1 for item in large_answer.json()["items"])
    # The challenge; teams with ideas and leads; members; open roles; their skills;
    # their pledge counts.
    assert len(few) == len(many) == 6
