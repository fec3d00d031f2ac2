"""Demo data: made through the services, one challenge in every phase."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import demo
from ideas.accounts.queries import development_personas
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.submissions.models import Idea


async def test_demo_has_a_challenge_in_every_phase_with_ideas_and_personas(
    session: AsyncSession,
) -> None:
    now = utcnow()
    assert await demo.is_empty(session)

    counts = await demo.load(session, now)

    challenges = (await session.scalars(select(Challenge))).all()
    assert {c.phase_at(now) for c in challenges} == set(Phase)
    ideas = await session.scalar(select(func.count()).select_from(Idea))
    assert counts == {"people": 7, "challenges": 5, "ideas": ideas}
    assert all(c.idea_count > 0 for c in challenges if c.phase_at(now) is not Phase.DRAFT)
    personas = await development_personas(session)
    assert [p.display_name for p in personas][:2] == ["Ada Okafor", "Hamid Rahimi"]
    assert not await demo.is_empty(session)
