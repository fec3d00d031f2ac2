"""Teams under concurrent requests: each test has a database of its own where commits
are real, and sends its requests at the same moment."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts import sessions
from ideas.accounts.models import User
from ideas.accounts.services import create_user
from ideas.app import create_app
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.challenges.services import create_challenge
from ideas.db import Database, utcnow
from ideas.settings import Settings
from ideas.teams import services
from ideas.teams.forms import AskInput
from ideas.teams.models import JoinRequest, RequestStatus, Team, TeamMember
from ideas.web.sessions import cookie_name
from tests.factories import challenges as rounds
from tests.factories import submissions
from tests.factories.challenges import schedule_for
from tests.factories.people import give_host_role


@dataclass
class Site:
    database: Database
    settings: Settings
    clients: list[httpx.AsyncClient]

    async def person(self, session: AsyncSession, name: str) -> User:
        return await create_user(
            session,
            display_name=name,
            email=f"{name.lower().replace(' ', '-')}@example.org",
            provider="test",
            subject=name,
            now=utcnow(),
        )

    async def signed_in(self, session: AsyncSession, user: User) -> tuple[httpx.AsyncClient, str]:
        token, web_session = await sessions.start(session, user, now=utcnow(), replacing=None)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(self.settings, self.database)),
            base_url="http://127.0.0.1:8000",
        )
        client.cookies.set(cookie_name(self.settings), token)
        self.clients.append(client)
        return client, web_session.csrf_token

    async def team(
        self, session: AsyncSession, challenge: Challenge, lead: User, title: str
    ) -> Team:
        idea = await submissions.idea(session, challenge, lead, lead.id, title=title)
        team = await rounds.shortlist(session, challenge, idea)
        return team


@pytest.fixture
async def site(committing_database_url: str, settings: Settings) -> AsyncIterator[Site]:
    database = Database.from_url(committing_database_url)
    site = Site(database, settings, [])
    try:
        yield site
    finally:
        for client in site.clients:
            await client.aclose()
        await database.dispose()


async def teams_round(
    site: Site, session: AsyncSession, *, capacity: int
) -> tuple[Challenge, User]:
    host = await site.person(session, "Host")
    await give_host_role(session, host)
    challenge = await create_challenge(
        session,
        host_id=host.id,
        data=ChallengeInput(
            title="Race",
            slug="race",
            question="How might we race?",
            sponsor="",
            brief="",
            schedule=schedule_for(Phase.TEAMS, utcnow()),
            team_capacity=capacity,
        ),
        now=utcnow(),
    )
    return challenge, host


async def ask(session: AsyncSession, team: Team, person: User) -> JoinRequest:
    return await services.ask_to_join(
        session, team_id=team.id, user_id=person.id, data=AskInput("Me!", ""), now=utcnow()
    )


async def test_two_leads_accepting_the_same_person_at_once_make_one_membership(
    site: Site,
) -> None:
    async with site.database.session() as session:
        challenge, _ = await teams_round(site, session, capacity=4)
        leads = [await site.person(session, f"Lead {n}") for n in (1, 2)]
        teams = [
            await site.team(session, challenge, lead, f"Idea {n}") for n, lead in enumerate(leads)
        ]
        maria = await site.person(session, "Maria")
        requests = [await ask(session, team, maria) for team in teams]
        clients = [await site.signed_in(session, lead) for lead in leads]

    responses = await asyncio.gather(
        *(
            client.post(f"/teams/{team.id}/requests/{request.id}/accept", data={"csrf_token": csrf})
            for (client, csrf), team, request in zip(clients, teams, requests, strict=True)
        )
    )

    assert sorted(r.status_code for r in responses) == [303, 409]
    async with site.database.session() as session:
        memberships = await session.scalar(
            select(func.count())
            .select_from(TeamMember)
            .where(TeamMember.user_id == maria.id, TeamMember.challenge_id == challenge.id)
        )
        statuses = sorted(
            (await session.scalars(select(JoinRequest.status).order_by(JoinRequest.id))).all()
        )
        counts = (await session.scalars(select(Team.member_count).order_by(Team.id))).all()
    assert memberships == 1
    assert statuses == sorted([RequestStatus.ACCEPTED, RequestStatus.EXPIRED])
    assert sorted(counts) == [1, 2]


async def test_a_lead_accepting_more_people_than_fit_at_once_never_overfills_the_team(
    site: Site,
) -> None:
    async with site.database.session() as session:
        challenge, _ = await teams_round(site, session, capacity=3)
        lead = await site.person(session, "Ada")
        team = await site.team(session, challenge, lead, "Compost")
        askers = [await site.person(session, f"Asker {n}") for n in range(5)]
        requests = [await ask(session, team, person) for person in askers]
        client, csrf = await site.signed_in(session, lead)

    responses = await asyncio.gather(
        *(
            client.post(f"/teams/{team.id}/requests/{request.id}/accept", data={"csrf_token": csrf})
            for request in requests
        )
    )

    assert sorted(r.status_code for r in responses) == [303, 303, 409, 409, 409]
    async with site.database.session() as session:
        saved = await session.get(Team, team.id)
        rows = await session.scalar(
            select(func.count()).select_from(TeamMember).where(TeamMember.team_id == team.id)
        )
        pending = await session.scalar(
            select(func.count())
            .select_from(JoinRequest)
            .where(JoinRequest.status == RequestStatus.PENDING)
        )
    assert saved is not None
    assert saved.member_count == rows == 3
    assert pending == 0
