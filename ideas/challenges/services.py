"""What hosts do to challenges. Each function is one transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import audit, markdown
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.models import Challenge, ChallengeHost
from ideas.challenges.phases import Phase
from ideas.db import write
from ideas.errors import Conflict, Invalid, NotFound

SLUG_TAKEN = "That address is already used by another challenge; choose another."


async def _slug_taken(session: AsyncSession, slug: str) -> bool:
    return bool(await session.scalar(select(exists().where(Challenge.slug == slug))))


async def create_challenge(
    session: AsyncSession, *, host_id: int, data: ChallengeInput, now: datetime
) -> Challenge:
    """A new challenge in draft, hosted by its creator."""
    try:
        async with write(session) as tx:
            if await _slug_taken(tx, data.slug):
                raise Invalid({"slug": SLUG_TAKEN})
            challenge = Challenge(
                slug=data.slug,
                title=data.title,
                question=data.question,
                sponsor=data.sponsor,
                brief=data.brief,
                brief_html=markdown.render(data.brief),
                created_by_id=host_id,
                ideas_opens_at=data.schedule.ideas,
                review_opens_at=data.schedule.review,
                teams_opens_at=data.schedule.teams,
                closes_at=data.schedule.closed,
                created_at=now,
                updated_at=now,
            )
            tx.add(challenge)
            await tx.flush()
            tx.add(ChallengeHost(challenge_id=challenge.id, user_id=host_id, added_at=now))
            audit.record(
                tx,
                actor_id=host_id,
                action="challenge.create",
                subject_type="challenge",
                subject_id=challenge.id,
                challenge_id=challenge.id,
                at=now,
                slug=data.slug,
            )
    except IntegrityError:
        # Another host took the address between our check and our insert.
        raise Invalid({"slug": SLUG_TAKEN}) from None
    return challenge


async def switch_phase(
    session: AsyncSession, *, challenge_id: int, to: Phase, actor_id: int, now: datetime
) -> Phase:
    """Set the phase by hand; returns the phase it was in. Recorded in the audit log."""
    async with write(session) as tx:
        challenge = await tx.scalar(
            select(Challenge).where(Challenge.id == challenge_id).with_for_update()
        )
        if challenge is None:
            raise NotFound()
        before = challenge.phase_at(now)
        if before is to:
            raise Conflict(f"The challenge is already in the {to.label} phase.")
        challenge.phase_switched_to = to
        challenge.phase_switched_at = now
        challenge.updated_at = now
        audit.record(
            tx,
            actor_id=actor_id,
            action="challenge.phase",
            subject_type="challenge",
            subject_id=challenge.id,
            challenge_id=challenge.id,
            at=now,
            before=before.value,
            after=to.value,
        )
    return before
