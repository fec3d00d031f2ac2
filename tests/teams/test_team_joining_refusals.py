"""Who may not join a team, and when: each refusal changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User, UserStatus
from ideas.challenges.phases import Phase
from ideas.challenges.services import unshortlist
from ideas.db import utcnow
from ideas.errors import Forbidden
from ideas.teams import services
from ideas.teams.models import (
    JoinRequest,
    RequestStatus,
)
from tests.factories.accounts import Person
from tests.factories.queries import count
from tests.factories.rounds import set_phase
from tests.factories.teams import (
    add_member,
    add_team,
    ask,
    fresh_team,
    member_ids,
    status_of,
)
from tests.html import Page


async def requests_count(session: AsyncSession) -> int:
    return await count(session, JoinRequest)


# Refusals -------------------------------------------------------------------------


async def test_asking_twice_is_refused(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    as_maria = await sign_in(await make_user("Maria"))
    first = await as_maria.post(f"{r.url}/ask", {"message": "Hello"})
    again = await as_maria.post(f"{r.url}/ask", {"message": "Hello again"})
    assert first.status_code == 303
    assert again.status_code == 409
    assert "You have already asked to join this team" in Page(again).text("main")
    assert await requests_count(session) == 1


async def test_asking_when_invited_is_refused(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    await (await sign_in(r.lead)).post(f"{r.url}/invite", {"email": maria.email})
    response = await (await sign_in(maria)).post(f"{r.url}/ask", {"message": "Hello"})
    assert response.status_code == 409
    assert "The lead has already invited you" in Page(response).text("main")
    assert await requests_count(session) == 1


async def test_the_team_of_an_idea_taken_off_the_shortlist_cannot_be_joined(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    visitor: Person,
    session: AsyncSession,
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    idea = await make_idea(challenge, await make_user())
    team = await add_team(session, challenge, idea)
    await unshortlist(
        session, challenge_id=challenge.id, idea_id=idea.id, actor_id=host.id, now=utcnow()
    )
    await set_phase(session, challenge, Phase.TEAMS)

    response = await (await sign_in(await make_user())).post(
        f"/teams/{team.id}/ask", {"message": "Hello"}
    )

    assert response.status_code == 404
    assert (await visitor.get(f"/teams/{team.id}")).status_code == 404
    assert await requests_count(session) == 0


@pytest.mark.parametrize("state", ["withdrawn", "expired", "declined"])
async def test_a_request_no_longer_open_cannot_be_accepted(
    make_round: Any,
    make_user: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
    state: str,
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    request = await ask(session, r.team, maria)
    if state == "withdrawn":
        await services.withdraw_request(
            session, request_id=request.id, user_id=maria.id, now=utcnow()
        )
    elif state == "declined":
        await services.decline_request(
            session,
            team_id=r.team.id,
            request_id=request.id,
            actor_id=r.lead.id,
            reason="",
            now=utcnow(),
        )
    else:  # Maria joins another team of the challenge, which allows one each.
        other = await add_team(
            session, r.challenge, await make_idea(r.challenge, await make_user())
        )
        await add_member(session, other, maria)
    assert await status_of(session, request) is RequestStatus(state)

    response = await (await sign_in(r.lead)).post(f"{r.url}/requests/{request.id}/accept")

    assert response.status_code == 409
    assert "That request is no longer open." in Page(response).text("main")
    assert await status_of(session, request) is RequestStatus(state)
    assert await member_ids(session, r.team) == {r.lead.id}
    assert (await fresh_team(session, r.team)).member_count == 1


@pytest.mark.parametrize("who", ["member", "participant", "host"])
async def test_only_the_lead_accepts(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession, who: str
) -> None:
    r = await make_round()
    member = await make_user("Member")
    await add_member(session, r.team, member)
    maria = await make_user("Maria")
    request = await ask(session, r.team, maria)
    person = {"member": member, "participant": await make_user(), "host": r.host}[who]

    accepted = await (await sign_in(person)).post(f"{r.url}/requests/{request.id}/accept")
    declined = await (await sign_in(person)).post(f"{r.url}/requests/{request.id}/decline")

    assert accepted.status_code == declined.status_code == 403
    assert await status_of(session, request) is RequestStatus.PENDING
    assert await member_ids(session, r.team) == {r.lead.id, member.id}


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.CLOSED])
async def test_joining_is_refused_outside_the_teams_phase(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession, phase: Phase
) -> None:
    r = await make_round()
    maria, kim = await make_user("Maria"), await make_user("Kim")
    request = await ask(session, r.team, maria)
    await set_phase(session, r.challenge, phase)

    asked = await (await sign_in(kim)).post(f"{r.url}/ask", {"message": "Hello"})
    accepted = await (await sign_in(r.lead)).post(f"{r.url}/requests/{request.id}/accept")
    invited = await (await sign_in(r.lead)).post(f"{r.url}/invite", {"email": kim.email})
    page = Page(await (await sign_in(kim)).get(r.url))

    assert asked.status_code == accepted.status_code == invited.status_code == 403
    assert page.select("#team-join form") == []
    assert await requests_count(session) == 1
    assert await status_of(session, request) is RequestStatus.PENDING
    assert await member_ids(session, r.team) == {r.lead.id}


async def test_the_service_refuses_a_suspended_person_a_place_in_a_team(
    make_round: Any, make_user: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    await session.execute(
        update(User).where(User.id == maria.id).values(status=UserStatus.SUSPENDED)
    )
    await session.commit()

    with pytest.raises(Forbidden, match="Sign in"):
        await ask(session, r.team, maria)

    assert await count(session, JoinRequest) == 0


async def test_a_visitor_cannot_ask_to_join(
    make_round: Any, visitor: Person, session: AsyncSession
) -> None:
    r = await make_round()
    response = await visitor.post(f"{r.url}/ask", {"message": "Hello"}, csrf=False)
    page = Page(await visitor.get(r.url))
    assert response.status_code == 403
    assert page.one("#team-join a").text_content() == "Sign in to ask to join"
    assert await requests_count(session) == 0


async def test_a_full_team_takes_no_more_requests_nor_members(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round(team_capacity=2)
    maria, kim = await make_user("Maria"), await make_user("Kim")
    # Both asked while there was room; accepting Maria fills the team.
    early = await ask(session, r.team, kim)
    await add_member(session, r.team, maria)
    await session.execute(
        update(JoinRequest)
        .where(JoinRequest.id == early.id)
        .values(status=RequestStatus.PENDING, decided_at=None)
    )
    await session.commit()

    asked = await (await sign_in(await make_user())).post(f"{r.url}/ask", {"message": "Hi"})
    accepted = await (await sign_in(r.lead)).post(f"{r.url}/requests/{early.id}/accept")

    assert asked.status_code == 409
    assert accepted.status_code == 409
    assert "The team is full" in Page(accepted).text("main")
    assert await member_ids(session, r.team) == {r.lead.id, maria.id}
    assert (await fresh_team(session, r.team)).member_count == 2
    assert await requests_count(session) == 2


async def test_filling_the_team_expires_its_open_requests(
    make_round: Any, make_user: Any, session: AsyncSession
) -> None:
    r = await make_round(team_capacity=2)
    maria, kim = await make_user("Maria"), await make_user("Kim")
    waiting = await ask(session, r.team, kim)
    await add_member(session, r.team, maria)
    assert await status_of(session, waiting) is RequestStatus.EXPIRED


async def test_someone_on_another_team_cannot_ask_when_the_challenge_allows_one_team(
    make_round: Any, make_user: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    other = await add_team(session, r.challenge, await make_idea(r.challenge, await make_user()))
    await add_member(session, other, maria)
    as_maria = await sign_in(maria)

    response = await as_maria.post(f"{r.url}/ask", {"message": "Hello"})
    page = Page(await as_maria.get(r.url))

    assert response.status_code == 409
    assert page.select("#team-join form") == []
    assert "each participant joins one team" in page.text("#team-join p")
    assert await member_ids(session, r.team) == {r.lead.id}
    assert await count(session, JoinRequest) == 1


async def test_someone_on_another_team_joins_when_the_challenge_allows_several(
    make_round: Any, make_user: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round(one_team_per_participant=False)
    maria = await make_user("Maria")
    other = await add_team(session, r.challenge, await make_idea(r.challenge, await make_user()))
    await add_member(session, other, maria)

    response = await (await sign_in(maria)).post(f"{r.url}/ask", {"message": "Hello"})
    request = await session.scalar(select(JoinRequest).where(JoinRequest.team_id == r.team.id))
    assert request is not None
    accepted = await (await sign_in(r.lead)).post(f"{r.url}/requests/{request.id}/accept")

    assert response.status_code == 303
    assert accepted.status_code == 303
    assert maria.id in await member_ids(session, r.team)
    assert maria.id in await member_ids(session, other)


async def test_an_ask_with_a_problem_comes_back_beside_the_field(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    message = "m" * 1001
    response = await (await sign_in(await make_user())).post(
        f"{r.url}/ask", {"message": message, "skills": "cooking"}
    )
    assert response.status_code == 200
    page = Page(response)
    assert page.text("#ask-message-error") == (
        "Error: Your message to the lead must be at most 1,000 characters (it is 1,001)."
    )
    assert page.field_value("message") == message
    assert page.field_value("skills") == "cooking"
    assert await requests_count(session) == 0
