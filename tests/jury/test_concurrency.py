"""Two tabs submitting one juror's score of one idea at the same moment keep one score."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from ideas.challenges import services as challenges
from ideas.challenges.phases import Phase
from ideas.db import Database, utcnow
from ideas.errors import AlreadyDone
from ideas.jury import services
from ideas.jury.forms import ScoreInput, SettingsInput
from ideas.jury.models import JuryScore
from tests.factories import challenges as rounds
from tests.factories import people, submissions
from tests.factories.jury import RUBRIC


async def test_two_tabs_submitting_the_same_score_keep_one(committing_database_url: str) -> None:
    database = Database.from_url(committing_database_url)
    try:
        now = utcnow()
        async with database.session() as session:
            host = await people.person(session, 1, host=True)
            author = await people.person(session, 2)
            juror = await people.person(session, 3)
            challenge = await rounds.challenge(session, host, 1, phase=Phase.IDEAS)
            idea = await submissions.idea(session, challenge, author, 1)
            criteria = await services.save_rubric(
                session, challenge_id=challenge.id, criteria=RUBRIC, actor_id=host.id, now=now
            )
            await services.save_settings(
                session, challenge_id=challenge.id, data=SettingsInput(0.5, 1, "all"),
                actor_id=host.id, now=now,
            )  # fmt: skip
            await services.invite_juror(
                session, challenge_id=challenge.id, email=str(juror.email),
                actor_id=host.id, now=now,
            )  # fmt: skip
            await challenges.switch_phase(
                session, challenge_id=challenge.id, to=Phase.REVIEW, actor_id=host.id,
                now=now + timedelta(seconds=1),
            )  # fmt: skip

        async def submit(marks: tuple[int, int]) -> str:
            async with database.session() as tab:
                try:
                    await services.save_score(
                        tab, challenge_id=challenge.id, idea_id=idea.id, user_id=juror.id,
                        data=ScoreInput({c.id: m for c, m in zip(criteria, marks, strict=True)},
                                        "", True),
                        now=now + timedelta(seconds=2),
                    )  # fmt: skip
                except AlreadyDone:
                    return "already"
                return "saved"

        answers = await asyncio.gather(submit((5, 4)), submit((2, 1)))
        assert sorted(answers) == ["already", "saved"]
        async with database.session() as session:
            rows = await session.scalar(select(func.count()).select_from(JuryScore))
            assert rows == 1
    finally:
        await database.dispose()
