"""After a round: a closed challenge with a winning idea, its team, and people around it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges import services as challenges
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.impact import services
from ideas.impact.forms import Figure, PledgeInput, UpdateInput
from ideas.impact.models import ImpactStatus, Pledge, PledgeKind
from ideas.notifications.models import Notification
from ideas.submissions.models import Idea
from ideas.teams.models import Team
from tests.factories import challenges as rounds
from tests.factories import people, submissions
from tests.factories import teams as team_factories

UPDATE = UpdateInput(
    ImpactStatus.PILOTED,
    "We ran the pilot in **two** canteens.",
    ("https://example.org/pilot",),
    (Figure(340, "meals", "meals saved per week"),),
)


@dataclass
class ImpactRound:
    session: AsyncSession
    host: User
    challenge: Challenge
    idea: Idea
    team: Team
    lead: User
    member: User
    people: list[User]
    clock: datetime

    def tick(self) -> datetime:
        self.clock += timedelta(seconds=1)
        return self.clock

    async def switch(self, to: Phase) -> None:
        await challenges.switch_phase(
            self.session, challenge_id=self.challenge.id, to=to, actor_id=self.host.id,
            now=self.tick(),
        )  # fmt: skip

    async def pledge(self, person: User, condition: int | None = None, what: str = "") -> Pledge:
        return await services.pledge(
            self.session,
            team_id=self.team.id,
            user_id=person.id,
            data=PledgeInput(PledgeKind.TIME, what or "3 hours a week", condition),
            now=self.tick(),
        )

    async def post(self, author: User | None = None, data: UpdateInput = UPDATE) -> Any:
        return await services.post_update(
            self.session,
            idea_id=self.idea.id,
            author_id=(author or self.member).id,
            data=data,
            now=self.tick(),
        )


async def impact_round(
    session: AsyncSession,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    *,
    people: int = 4,
    closed: bool = True,
) -> ImpactRound:
    """A challenge whose winning idea has a team of two (its author leads), and
    ``people`` others; closed unless ``closed`` is False (then forming teams)."""
    host = await make_user("Host", host=True)
    challenge = await make_challenge(host, phase=Phase.TEAMS)
    lead = await make_user("Lead")
    member = await make_user("Member")
    idea = await make_idea(challenge, lead, title="Canteen leftovers")
    team = await rounds.shortlist(session, challenge, idea)
    await team_factories.add_member(session, team, member)
    await rounds.pick_winner(session, challenge, idea, citation="Feeds many.")
    others = [await make_user(f"Pledger {n}") for n in range(people)]
    # The round's own clock starts a little in the past, so that what it does has
    # happened by the time a page is asked for.
    start = utcnow() - timedelta(minutes=10)
    found = ImpactRound(session, host, challenge, idea, team, lead, member, others, start)
    if closed:
        await found.switch(Phase.CLOSED)
    return found


async def notified(session: AsyncSession, kind: str) -> list[int]:
    """Who was told of ``kind``, one entry a notification."""
    await session.commit()
    return sorted(
        await session.scalars(select(Notification.user_id).where(Notification.kind == kind))
    )


def makers(session: AsyncSession) -> tuple[Any, Any, Any]:
    """The ``make_user``, ``make_challenge`` and ``make_idea`` of a session of one's own
    (a test of its own database, outside the fixtures' rolled-back transaction)."""
    counter = iter(range(1, 10_000))

    async def make_user(name: str | None = None, *, host: bool = False) -> User:
        return await people.person(session, next(counter), name=name, host=host)

    async def make_challenge(host: User, *, phase: Phase) -> Challenge:
        return await rounds.challenge(session, host, next(counter), phase=phase)

    async def make_idea(challenge: Challenge, author: User, *, title: str) -> Idea:
        return await submissions.idea(session, challenge, author, next(counter), title=title)

    return make_user, make_challenge, make_idea
