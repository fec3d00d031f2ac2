"""Juries: a challenge with a rubric, its settings, ideas and jurors, put in review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges import services as challenges
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.jury import services
from ideas.jury.forms import CriterionInput, ScoreInput, SettingsInput
from ideas.jury.models import Criterion
from ideas.submissions.models import Idea

RUBRIC = (
    CriterionInput("Impact", "Changes little", "Changes a lot", 2),
    CriterionInput("Feasibility", "Hard to do", "Easy to do", 1),
)


@dataclass
class JuryRound:
    session: AsyncSession
    host: User
    challenge: Challenge
    ideas: list[Idea]
    authors: list[User]
    jurors: list[User]
    criteria: list[Criterion]
    clock: datetime

    def tick(self) -> datetime:
        self.clock += timedelta(seconds=1)
        return self.clock

    async def switch(self, to: Phase) -> None:
        await challenges.switch_phase(
            self.session, challenge_id=self.challenge.id, to=to, actor_id=self.host.id,
            now=self.tick(),
        )  # fmt: skip

    async def score(
        self, juror: User, idea: Idea, marks: tuple[int, ...], *, submit: bool = True
    ) -> Any:
        return await services.save_score(
            self.session,
            challenge_id=self.challenge.id,
            idea_id=idea.id,
            user_id=juror.id,
            data=ScoreInput(
                {c.id: m for c, m in zip(self.criteria, marks, strict=False)}, "", submit
            ),
            now=self.tick(),
        )


async def jury_round(
    session: AsyncSession,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    *,
    jurors: int = 2,
    ideas: int = 3,
    per_idea: int = 2,
    weight: float = 0.5,
    review: bool = True,
) -> JuryRound:
    """A challenge with ``ideas`` ideas, the two-criterion rubric and ``jurors`` jurors,
    each invited by address; in review unless ``review`` is False (then open for ideas)."""
    host = await make_user("Host", host=True)
    challenge = await make_challenge(host, phase=Phase.IDEAS)
    authors = [await make_user(f"Author {n}") for n in range(ideas)]
    made = [await make_idea(challenge, a, title=f"Idea {n}") for n, a in enumerate(authors)]
    people = [await make_user(f"Juror {n}") for n in range(jurors)]
    now = utcnow()
    criteria = await services.save_rubric(
        session, challenge_id=challenge.id, criteria=RUBRIC, actor_id=host.id, now=now
    )
    await services.save_settings(
        session,
        challenge_id=challenge.id,
        data=SettingsInput(weight, per_idea, "all"),
        actor_id=host.id,
        now=now,
    )
    for person in people:
        await services.invite_juror(
            session, challenge_id=challenge.id, email=str(person.email), actor_id=host.id, now=now
        )
    found = JuryRound(session, host, challenge, made, authors, people, criteria, now)
    if review:
        await found.switch(Phase.REVIEW)
    return found


async def serve_on_a_jury(
    session: AsyncSession,
    make_challenge: Any,
    make_idea: Any,
    *,
    host: User,
    juror: User,
    author: User,
    own_challenge: Challenge,
) -> None:
    """``juror`` on the jury of a round in review: a draft score of one idea, a conflict
    declared with another; and, hosting ``own_challenge``, an invitation to its jury."""
    challenge = await make_challenge(host, phase=Phase.IDEAS, title="A juried round")
    ideas = [await make_idea(challenge, author, title=f"Juried idea {n}") for n in range(2)]
    now = utcnow()
    criteria = await services.save_rubric(
        session, challenge_id=challenge.id, criteria=RUBRIC, actor_id=host.id, now=now
    )
    await services.invite_juror(
        session, challenge_id=challenge.id, email=str(juror.email), actor_id=host.id, now=now
    )
    await services.invite_juror(
        session, challenge_id=own_challenge.id, email="a-juror@example.org",
        actor_id=juror.id, now=now,
    )  # fmt: skip
    later = now + timedelta(seconds=1)
    await challenges.switch_phase(
        session, challenge_id=challenge.id, to=Phase.REVIEW, actor_id=host.id, now=later
    )
    later += timedelta(seconds=1)
    await services.save_score(
        session, challenge_id=challenge.id, idea_id=ideas[0].id, user_id=juror.id,
        data=ScoreInput({criteria[0].id: 4}, "Promising.", False), now=later,
    )  # fmt: skip
    await services.declare_conflict(
        session, challenge_id=challenge.id, idea_id=ideas[1].id, user_id=juror.id,
        reason="I advised its author.", now=later,
    )  # fmt: skip
