"""Inviting to a team by e-mail address tells the lead nothing about who uses the address:
the same answer, page and time whether or not it belongs to someone here. The invitation
reaches the person who uses it at once, or whoever signs in with it, verified, later."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.accounts.providers import ProviderAccount
from ideas.accounts.services import claim_invitations, sign_in_with_provider
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.challenges.services import shortlist
from ideas.db import utcnow
from ideas.notifications.models import Notification
from ideas.teams import services
from ideas.teams.forms import AskInput
from ideas.teams.models import JoinRequest, RequestStatus, Team
from ideas.web import timing
from tests.factories.accounts import Person
from tests.factories.challenges import schedule_for
from tests.factories.web import HTMX
from tests.html import Page, normalized

UNKNOWN = "nobody-here@example.org"


@dataclass
class Round:
    challenge: Challenge
    team: Team
    lead: User
    as_lead: Person

    @property
    def url(self) -> str:
        return f"/teams/{self.team.id}"


@pytest.fixture
def make_round(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> Any:
    """A round in its teams phase with one team; every round alike but for its ids."""

    async def make() -> Round:
        host = await make_user("Hamid", host=True)
        challenge = await make_challenge(host, title="Canteens")
        lead = await make_user("Ada")
        idea = await make_idea(challenge, lead, title="Compost the leftovers")
        await shortlist(
            session,
            challenge_id=challenge.id,
            idea_id=idea.id,
            note="",
            actor_id=host.id,
            now=utcnow(),
        )
        schedule = schedule_for(Phase.TEAMS, utcnow())
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
        team = await session.scalar(select(Team).where(Team.idea_id == idea.id))
        assert team is not None
        return Round(challenge, team, lead, await sign_in(lead))

    return make


@dataclass
class Seen:
    """What the lead saw after inviting an address: the answer, and the page after it."""

    status: int
    location: str | None
    answer: str
    page: str


async def invite(r: Round, address: str, *, htmx: bool = False) -> Seen:
    response = await r.as_lead.post(
        f"{r.url}/invite", {"email": address, "message": "Join us?"}, headers=HTMX if htmx else {}
    )
    page = await r.as_lead.get(r.url)
    hide = (address, address.lower(), r.as_lead.csrf)
    return Seen(
        response.status_code,
        normalized(response.headers.get("location", ""), *hide),
        normalized(response.text, *hide),
        normalized(page.text, *hide),
    )


async def notifications(session: AsyncSession, user: User) -> list[str]:
    await session.commit()
    return list(
        await session.scalars(select(Notification.kind).where(Notification.user_id == user.id))
    )


# The same answer whoever uses the address --------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True], ids=["plain form", "in place"])
@pytest.mark.parametrize(
    "someone",
    ["a participant", "a member of the team", "someone who asked to join", "someone suspended"],
)
async def test_inviting_an_address_answers_the_same_whether_anyone_uses_it(
    make_round: Any, make_user: Any, session: AsyncSession, someone: str, htmx: bool
) -> None:
    known, unknown = await make_round(), await make_round()
    maria = await make_user("Maria")
    if someone == "a member of the team":
        asked = await services.ask_to_join(
            session, team_id=known.team.id, user_id=maria.id, data=AskInput("Hi", ""), now=utcnow()
        )
        await services.accept_request(
            session,
            team_id=known.team.id,
            request_id=asked.id,
            actor_id=known.lead.id,
            now=utcnow(),
        )
        unknown_member = await make_user("Maria")
        asked = await services.ask_to_join(
            session,
            team_id=unknown.team.id,
            user_id=unknown_member.id,
            data=AskInput("Hi", ""),
            now=utcnow(),
        )
        await services.accept_request(
            session,
            team_id=unknown.team.id,
            request_id=asked.id,
            actor_id=unknown.lead.id,
            now=utcnow(),
        )
    if someone == "someone who asked to join":
        for r, person in ((known, maria), (unknown, await make_user("Maria"))):
            await services.ask_to_join(
                session, team_id=r.team.id, user_id=person.id, data=AskInput("Hi", ""), now=utcnow()
            )
    if someone == "someone suspended":
        await session.execute(update(User).where(User.id == maria.id).values(status="suspended"))
        await session.commit()

    to_known = await invite(known, str(maria.email).upper(), htmx=htmx)
    to_unknown = await invite(unknown, UNKNOWN, htmx=htmx)

    assert to_known == to_unknown
    if htmx:
        assert Page(to_unknown.answer).text("#team-status") == (
            "If someone uses that address, they have been invited."
        )
    else:
        assert to_unknown.status == 303


async def test_the_invited_address_is_what_the_lead_sees_waiting(
    make_round: Any, make_user: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria = await make_user("Maria")

    await r.as_lead.post(f"{r.url}/invite", {"email": str(maria.email), "message": ""})
    await r.as_lead.post(f"{r.url}/invite", {"email": UNKNOWN, "message": ""})

    waiting = Page(await r.as_lead.get(r.url)).select("#team-lead .plain-list li")
    assert [" ".join(li.text_content().split()).split(" invited")[0] for li in waiting] == [
        str(maria.email),
        UNKNOWN,
    ]


async def test_the_answer_takes_the_same_time_whether_anyone_uses_the_address(
    make_round: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A floor well above what the work takes on a busy machine, so that only the guard,
    # not the load, decides how long each answer takes.
    monkeypatch.setattr(timing, "EVEN_SECONDS", 0.6)
    durations: dict[str, list[float]] = {"known": [], "unknown": []}
    for n in range(2):
        for case in ("known", "unknown"):
            r = await make_round()
            address = str((await make_user(f"Maria {n}")).email) if case == "known" else UNKNOWN
            started = time.monotonic()
            response = await r.as_lead.post(f"{r.url}/invite", {"email": address, "message": ""})
            durations[case].append(time.monotonic() - started)
            assert response.status_code == 303

    assert min(durations["known"] + durations["unknown"]) >= timing.EVEN_SECONDS
    difference = statistics.median(durations["known"]) - statistics.median(durations["unknown"])
    assert abs(difference) < timing.EVEN_SECONDS / 2


async def test_an_address_already_invited_is_said_so_whoever_uses_it(
    make_round: Any, make_user: Any
) -> None:
    r = await make_round()
    maria = await make_user("Maria")
    for address in (str(maria.email), UNKNOWN):
        await r.as_lead.post(f"{r.url}/invite", {"email": address, "message": ""})

        again = await r.as_lead.post(f"{r.url}/invite", {"email": address, "message": ""})

        assert again.status_code == 200
        assert Page(again).text("#invite-email-error") == (
            "Error: That address is already invited and has not answered yet."
        )


# Where the invitation goes -----------------------------------------------------------------


async def test_someone_who_uses_the_address_is_told_at_once_and_accepts(
    make_round: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    r = await make_round()
    maria = await make_user("Maria")

    await r.as_lead.post(f"{r.url}/invite", {"email": str(maria.email), "message": "Join us?"})

    assert await notifications(session, maria) == ["team.invitation"]
    as_maria = await sign_in(maria)
    mine = Page(await as_maria.get("/teams/requests"))
    accept = mine.select("#my-requests form")[0].get("action")
    assert (await as_maria.post(accept)).status_code == 303
    invitation = await session.scalar(select(JoinRequest).execution_options(populate_existing=True))
    assert invitation is not None
    assert (invitation.user_id, invitation.status) == (maria.id, RequestStatus.ACCEPTED)


async def test_an_invitation_to_an_unknown_address_reaches_whoever_signs_in_with_it_verified(
    make_round: Any, session: AsyncSession
) -> None:
    r = await make_round()
    await r.as_lead.post(f"{r.url}/invite", {"email": "Newcomer@Example.org", "message": ""})
    invitation = await session.scalar(select(JoinRequest))
    assert invitation is not None
    assert (invitation.user_id, invitation.email) == (None, "newcomer@example.org")
    account = ProviderAccount(
        subject="n-1",
        name="New Comer",
        email="newcomer@example.org",
        email_verified=True,
        picture=None,
    )

    newcomer = await sign_in_with_provider(
        session, provider="city", account=account, admin_emails=[], now=utcnow()
    )
    await claim_invitations(session, user_id=newcomer.id, account=account, now=utcnow())

    await session.refresh(invitation)
    assert invitation.user_id == newcomer.id
    assert await notifications(session, newcomer) == ["team.invitation"]


async def test_an_unverified_address_claims_no_invitation(
    make_round: Any, session: AsyncSession
) -> None:
    r = await make_round()
    await r.as_lead.post(f"{r.url}/invite", {"email": "newcomer@example.org", "message": ""})
    account = ProviderAccount(
        subject="n-2",
        name="Pretender",
        email="newcomer@example.org",
        email_verified=False,
        picture=None,
    )

    pretender = await sign_in_with_provider(
        session, provider="city", account=account, admin_emails=[], now=utcnow()
    )
    await claim_invitations(session, user_id=pretender.id, account=account, now=utcnow())

    invitation = await session.scalar(select(JoinRequest).execution_options(populate_existing=True))
    assert invitation is not None
    assert invitation.user_id is None
    assert await notifications(session, pretender) == []


async def test_invitations_to_an_address_are_kept_out_of_everyone_elses_requests(
    make_round: Any, make_user: Any, sign_in: Any
) -> None:
    r = await make_round()
    await r.as_lead.post(f"{r.url}/invite", {"email": UNKNOWN, "message": "Secret note"})
    stranger = await sign_in(await make_user("Stranger"))

    page = await stranger.get("/teams/requests")

    assert isinstance(page, httpx.Response)
    assert "Secret note" not in page.text
    assert Page(page).select("#my-requests .request-card") == []
