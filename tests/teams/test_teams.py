"""Teams: asking to join and inviting, answering, leaving, roles, updates and the pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ideas.accounts.forms import ProfileInput
from ideas.accounts.models import User, UserStatus
from ideas.accounts.services import update_profile
from ideas.audit import AuditEntry
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.challenges.services import shortlist, unshortlist
from ideas.db import utcnow
from ideas.errors import Forbidden
from ideas.submissions.models import Idea
from ideas.teams import services
from ideas.teams.forms import AskInput, InviteInput, RoleInput
from ideas.teams.models import (
    JoinRequest,
    RequestKind,
    RequestStatus,
    Team,
    TeamMember,
    TeamRole,
    TeamSeeker,
    TeamUpdate,
)
from tests.conftest import Person, count, schedule_for
from tests.html import Page
from tests.test_query_counts import counting

HTMX = {"HX-Request": "true"}

# Arranging ------------------------------------------------------------------------


@dataclass
class Round:
    """A challenge with one shortlisted idea and its team, led by the idea's author."""

    host: User
    challenge: Challenge
    lead: User
    idea: Idea
    team: Team

    @property
    def url(self) -> str:
        return f"/teams/{self.team.id}"


async def set_phase(session: AsyncSession, challenge: Challenge, phase: Phase) -> None:
    schedule = schedule_for(phase, utcnow())
    await session.execute(
        update(Challenge)
        .where(Challenge.id == challenge.id)
        .values(
            ideas_opens_at=schedule.ideas,
            review_opens_at=schedule.review,
            teams_opens_at=schedule.teams,
            closes_at=schedule.closed,
        )
    )
    await session.commit()


async def add_team(session: AsyncSession, challenge: Challenge, idea: Idea) -> Team:
    await shortlist(
        session,
        challenge_id=challenge.id,
        idea_id=idea.id,
        note="",
        actor_id=challenge.created_by_id,
        now=utcnow(),
    )
    team = await session.scalar(select(Team).where(Team.idea_id == idea.id))
    assert team is not None
    return team


@pytest.fixture
def make_round(make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession) -> Any:
    async def make(phase: Phase = Phase.TEAMS, **settings: Any) -> Round:
        host = await make_user("Hamid", host=True)
        challenge = await make_challenge(host, phase=Phase.TEAMS, **settings)
        lead = await make_user("Ada")
        idea = await make_idea(challenge, lead, title="Compost the leftovers")
        team = await add_team(session, challenge, idea)
        if phase is not Phase.TEAMS:
            await set_phase(session, challenge, phase)
        return Round(host, challenge, lead, idea, team)

    return make


async def ask(
    session: AsyncSession, team: Team, person: User, message: str = "I can help."
) -> JoinRequest:
    return await services.ask_to_join(
        session,
        team_id=team.id,
        user_id=person.id,
        data=AskInput(message, ""),
        now=utcnow(),
    )


async def accept(session: AsyncSession, team: Team, request: JoinRequest) -> None:
    await services.accept_request(
        session, team_id=team.id, request_id=request.id, actor_id=team.lead_id, now=utcnow()
    )


async def add_member(session: AsyncSession, team: Team, person: User) -> None:
    await accept(session, team, await ask(session, team, person))


async def member_ids(session: AsyncSession, team: Team) -> set[int]:
    await session.commit()
    rows = await session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team.id))
    return set(rows)


async def fresh_team(session: AsyncSession, team: Team) -> Team:
    await session.commit()
    fresh = await session.get(Team, team.id, populate_existing=True)
    assert fresh is not None
    return fresh


async def status_of(session: AsyncSession, request: JoinRequest) -> RequestStatus:
    await session.commit()
    fresh = await session.get(JoinRequest, request.id, populate_existing=True)
    assert fresh is not None
    return fresh.status


async def audit_actions(session: AsyncSession) -> list[str]:
    await session.commit()
    rows = await session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.action.startswith("team."))
        .order_by(AuditEntry.id)
    )
    return list(rows)


async def requests_count(session: AsyncSession) -> int:
    return await count(session, JoinRequest)


# The journeys ---------------------------------------------------------------------


async def test_a_participant_asks_the_lead_accepts_and_the_new_member_edits_the_idea(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    as_maria, as_ada = await sign_in(maria), await sign_in(r.lead)

    asked = await as_maria.post(
        f"{r.url}/ask", {"message": "I cook for 300 every day.", "skills": "cooking, logistics"}
    )
    lead_page = Page(await as_ada.get(r.url))
    request_id = int(lead_page.one(".request-card").get("id").removeprefix("join-request-"))
    accepted = await as_ada.post(f"{r.url}/requests/{request_id}/accept")
    edited = await as_maria.post(
        f"/ideas/{r.idea.id}/edit",
        {"title": "Compost the leftovers, kitchen first", "summary": "Start in the kitchen."},
    )

    assert asked.status_code == 303
    assert asked.headers["location"] == f"{r.url}#team-join"
    assert lead_page.text(".request-card__message") == "I cook for 300 every day."
    assert lead_page.text(".request-card__skills") == "Skills: cooking, logistics"
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"{r.url}#team-lead"
    assert await member_ids(session, r.team) == {r.lead.id, maria.id}
    assert (await fresh_team(session, r.team)).member_count == 2
    assert await audit_actions(session) == ["team.accept"]
    assert edited.status_code == 303
    idea = await session.get(Idea, r.idea.id, populate_existing=True)
    assert idea is not None
    assert idea.title == "Compost the leftovers, kitchen first"
    members = Page(await as_maria.get(r.url))
    assert [" ".join(li.text_content().split()) for li in members.select(".member__who")] == [
        "A Ada Lead",
        "M Maria",
    ]
    assert members.one("#team-join").get("class") == "team-part team-part--empty"


async def test_the_ask_form_starts_with_the_persons_profile_skills(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    await update_profile(
        session,
        user_id=maria.id,
        data=ProfileInput("Maria", "", "", ["Cooking", "Design"], []),
        now=utcnow(),
    )
    page = Page(await (await sign_in(maria)).get(r.url))
    assert page.field_value("skills") == "Cooking, Design"
    assert page.one("#ask-message").get("required") is not None


async def test_a_lead_invites_by_e_mail_and_the_invitee_accepts(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    invited = await (await sign_in(r.lead)).post(
        f"{r.url}/invite", {"email": maria.email.upper(), "message": "Join us?"}
    )
    as_maria = await sign_in(maria)
    mine = Page(await as_maria.get("/teams/requests"))
    invitation = await session.scalar(select(JoinRequest))
    assert invitation is not None
    accepted = await as_maria.post(f"/teams/requests/{invitation.id}/accept")

    assert invited.status_code == 303
    assert mine.text(".request-card__title") == (
        "Invitation from the team working on “Compost the leftovers”"
    )
    assert mine.text(".request-card__message") == "Their message: Join us?"
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"{r.url}#team-members"
    assert await member_ids(session, r.team) == {r.lead.id, maria.id}
    assert await status_of(session, invitation) is RequestStatus.ACCEPTED
    assert await audit_actions(session) == ["team.invite", "team.accept"]


async def test_a_lead_invites_someone_looking_for_a_team(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    session.add(TeamSeeker(challenge_id=r.challenge.id, user_id=maria.id, created_at=utcnow()))
    await session.commit()
    as_ada = await sign_in(r.lead)

    page = Page(await as_ada.get(r.url))
    response = await as_ada.post(f"{r.url}/invite", {"user_id": str(maria.id)})

    assert [o.text for o in page.select("#invite-user_id option")] == [
        "Choose a person…",
        "Maria",
    ]
    assert response.status_code == 303
    invitation = await session.scalar(select(JoinRequest))
    assert invitation is not None
    assert (invitation.user_id, invitation.kind) == (maria.id, RequestKind.INVITATION)


async def test_a_declined_request_shows_its_reason_on_my_requests(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    request = await ask(session, r.team, maria)

    response = await (await sign_in(r.lead)).post(
        f"{r.url}/requests/{request.id}/decline", {"reason": "We need a designer."}
    )
    mine = Page(await (await sign_in(maria)).get("/teams/requests"))

    assert response.status_code == 303
    assert await status_of(session, request) is RequestStatus.DECLINED
    assert mine.text(".request-card__state") == ("Declined — the lead said: “We need a designer.”")
    assert mine.select(".request-card__actions") == []
    assert await member_ids(session, r.team) == {r.lead.id}
    assert await audit_actions(session) == ["team.decline"]


async def test_my_requests_shows_each_state(
    make_round: Any, make_user: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round(one_team_per_participant=False)
    maria = await make_user("Maria")
    others = [
        await add_team(session, r.challenge, await make_idea(r.challenge, await make_user()))
        for _ in range(3)
    ]
    pending = await ask(session, r.team, maria)
    withdrawn = await ask(session, others[0], maria)
    await services.withdraw_request(
        session, request_id=withdrawn.id, user_id=maria.id, now=utcnow()
    )
    await add_member(session, others[1], maria)
    invited = await services.invite(
        session,
        team_id=others[2].id,
        actor_id=others[2].lead_id,
        data=InviteInput(maria.id, "", ""),
        now=utcnow(),
    )

    page = Page(await (await sign_in(maria)).get("/teams/requests"))

    states = {
        int(li.get("id").removeprefix("request-")): " ".join(
            li.cssselect(".request-state")[0].text_content().split()
        )
        for li in page.select(".request-card")
    }
    assert states[pending.id] == "Waiting for an answer"
    assert states[withdrawn.id] == "Withdrawn"
    assert states[invited.id] == "Waiting for an answer"
    assert sorted(states.values()).count("Accepted") == 1
    buttons = [b.text_content().split()[0] for b in page.select(".request-card button")]
    assert sorted(buttons) == ["Accept", "Decline", "Withdraw"]


async def test_a_participant_withdraws_a_request(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    request = await ask(session, r.team, maria)
    response = await (await sign_in(maria)).post(f"/teams/requests/{request.id}/withdraw")
    assert response.status_code == 303
    assert response.headers["location"] == f"/teams/requests#request-{request.id}"
    assert await status_of(session, request) is RequestStatus.WITHDRAWN


async def test_an_invitee_declines(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    await (await sign_in(r.lead)).post(f"{r.url}/invite", {"email": maria.email})
    invitation = await session.scalar(select(JoinRequest))
    assert invitation is not None
    response = await (await sign_in(maria)).post(
        f"/teams/requests/{invitation.id}/decline", headers=HTMX
    )
    assert response.status_code == 200
    row = Page(response)
    assert row.select("h1") == []
    assert row.text(f"#request-{invitation.id} .request-state") == "Declined"
    assert row.text("#requests-status") == "Invitation declined."
    assert await status_of(session, invitation) is RequestStatus.DECLINED
    assert await member_ids(session, r.team) == {r.lead.id}


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


# Pages and fragments ----------------------------------------------------------------


async def test_accepting_in_place_answers_with_the_changed_parts(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    request = await ask(session, r.team, maria)
    response = await (await sign_in(r.lead)).post(
        f"{r.url}/requests/{request.id}/accept", headers=HTMX
    )
    assert response.status_code == 200
    part = Page(response)
    assert part.select("h1") == []
    assert part.one("#team-lead").get("hx-swap-oob") is None
    assert part.one("#team-members").get("hx-swap-oob") == "true"
    assert part.text("#team-members h2") == "Members 2 of 6"
    assert part.text("#team-status") == "Maria joined the team."
    assert part.select(".request-card") == []


async def test_asking_in_place_answers_with_the_join_part(
    make_round: Any, make_user: Any, sign_in: Any
) -> None:
    r = await make_round()
    response = await (await sign_in(await make_user())).post(
        f"{r.url}/ask", {"message": "Hello"}, headers=HTMX
    )
    part = Page(response)
    assert response.status_code == 200
    assert part.select("h1") == []
    assert part.select("#team-join form") == []
    assert "You asked to join" in part.text("#team-join p")
    assert part.text("#team-status") == "Your request was sent to the lead."


async def test_the_team_page_fragment_has_no_heading_of_its_own(
    make_round: Any, visitor: Person
) -> None:
    r = await make_round()
    page = await visitor.get(r.url)
    fragment = await visitor.get(r.url, headers=HTMX)
    assert Page(page).text("h1") == "The team working on “Compost the leftovers”"
    assert Page(fragment).select("h1") == []
    assert Page(fragment).select("#team-members")
    assert "HX-Request" in [v.strip() for v in fragment.headers["vary"].split(",")]


async def test_the_idea_and_challenge_pages_link_to_the_teams(
    make_round: Any, visitor: Person, session: AsyncSession
) -> None:
    r = await make_round()
    idea_page = Page(await visitor.get(f"/ideas/{r.idea.id}/{r.idea.slug}"))
    challenge_page = Page(await visitor.get(f"/challenges/{r.challenge.slug}"))
    await set_phase(session, r.challenge, Phase.REVIEW)
    in_review = Page(await visitor.get(f"/challenges/{r.challenge.slug}"))

    assert idea_page.one(".idea__team a").get("href") == r.url
    teams_link = f"/challenges/{r.challenge.slug}/teams"
    assert [a for a in challenge_page.select(".challenge__head a") if a.get("href") == teams_link]
    assert not [a for a in in_review.select(".challenge__head a") if a.get("href") == teams_link]


async def test_the_teams_of_a_challenge_with_leads_sizes_and_open_roles(
    make_round: Any, make_user: Any, make_idea: Any, visitor: Person, session: AsyncSession
) -> None:
    r = await make_round()
    await services.add_role(
        session,
        team_id=r.team.id,
        actor_id=r.lead.id,
        data=RoleInput("Designer", "", ["design"]),
        now=utcnow(),
    )
    await make_idea(r.challenge, await make_user(), title="Not shortlisted")
    page = Page(await visitor.get(f"/challenges/{r.challenge.slug}/teams"))
    card = f"#team-{r.team.id}"
    assert [a.text for a in page.select(".team-card h2 a")] == ["Compost the leftovers"]
    assert page.text(f"{card} .team-card__size") == "1 of 6 members"
    assert "Led by Ada" in page.text(f"{card} .card__stats")
    assert page.text(f"{card} .team-card__roles li") == "Designer, skills: design"


async def test_my_requests_needs_signing_in(visitor: Person) -> None:
    response = await visitor.get("/teams/requests")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/teams/requests"


# Queries ------------------------------------------------------------------------------


async def _team_page_queries(engine: AsyncEngine, person: Person, url: str) -> int:
    with counting(engine) as statements:
        response = await person.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("viewer", ["lead", "participant"])
async def test_the_team_page_runs_the_same_queries_with_2_or_20_members(
    engine: AsyncEngine,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
    viewer: str,
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.TEAMS, team_capacity=30)
    people = [await make_user() for _ in range(20)]
    lead = await make_user("Lead")
    small = await add_team(session, challenge, await make_idea(challenge, lead))
    large = await add_team(session, challenge, await make_idea(challenge, lead))
    now = utcnow()
    for team, size in ((small, 1), (large, 19)):
        await session.execute(
            insert(TeamMember),
            [
                {
                    "team_id": team.id,
                    "user_id": p.id,
                    "challenge_id": challenge.id,
                    "joined_at": now,
                }
                for p in people[:size]
            ],
        )
        await session.execute(update(Team).where(Team.id == team.id).values(member_count=size + 1))
        for n in range(3):
            role = await services.add_role(
                session,
                team_id=team.id,
                actor_id=lead.id,
                data=RoleInput(f"Role {n}", "", [f"skill {n}", "common"]),
                now=now,
            )
            await services.post_update(
                session, team_id=team.id, author_id=lead.id, body=f"Update {n}", now=now
            )
            del role
    await session.commit()
    for team in (small, large):
        session.add(
            JoinRequest(
                team_id=team.id,
                user_id=(await make_user()).id,
                kind=RequestKind.REQUEST,
                created_at=now,
            )
        )
    await session.commit()
    person = await sign_in(lead if viewer == "lead" else await make_user())

    queries = {
        await _team_page_queries(engine, person, f"/teams/{team.id}") for team in (small, large)
    }

    # Session and user; the idea with its author and challenge; the challenge's hosts; the
    # idea's co-authors; the team with its lead; members; roles; their skills; updates.
    # The lead also reads the open requests and who is looking for a team; anyone else
    # reads their own request, another team they are on and their profile skills.
    # The lead's page lists people looking for a team who match its roles instead of
    # the visitor's own join state.
    assert queries == {12}
    assert await session.scalar(select(func.count()).select_from(TeamMember)) == 22
