"""Joining a team: asking and accepting, inviting, declining and withdrawing, and my requests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.forms import ProfileInput
from ideas.accounts.services import update_profile
from ideas.db import utcnow
from ideas.submissions.models import Idea
from ideas.teams import services
from ideas.teams.forms import InviteInput
from ideas.teams.models import (
    JoinRequest,
    RequestKind,
    RequestStatus,
    TeamSeeker,
)
from tests.factories.teams import (
    add_member,
    add_team,
    ask,
    audit_actions,
    fresh_team,
    member_ids,
    status_of,
)
from tests.factories.web import HTMX
from tests.html import Page

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
    assert others[2].lead_id is not None
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
