"""What a stored picture belongs to, for deciding who may see it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.impact.models import ImpactPicture, ImpactUpdate
from ideas.media.models import PictureFile
from ideas.submissions.models import VISIBLE_STATUSES, Idea
from ideas.teams.models import Team


@dataclass(frozen=True)
class Owners:
    """The challenges whose cover a picture is, the ideas whose picture it is (or that of
    one of their impact updates) and the people whose own picture it is: one upload
    stored once (by its digest) may belong to several."""

    covers: list[Challenge]
    ideas: list[Idea]
    people: list[User]


async def owners(session: AsyncSession, picture_id: int, *, for_people: bool) -> Owners:
    """What ``picture_id`` belongs to, each idea with its challenge. Three queries, enough
    to ask whether a visitor may see them; ``for_people`` also loads what the policy needs
    to answer for someone signed in (hosts, co-authors, the team and its members)."""
    covers = select(Challenge).where(Challenge.cover_id == picture_id).order_by(Challenge.id)
    ideas = (
        select(Idea)
        .where(
            (Idea.image_id == picture_id)
            | Idea.id.in_(
                select(ImpactUpdate.idea_id)
                .join(ImpactPicture, ImpactPicture.update_id == ImpactUpdate.id)
                .where(ImpactPicture.picture_id == picture_id)
            )
        )
        .options(joinedload(Idea.challenge))
        .order_by(Idea.id)
    )
    if for_people:
        covers = covers.options(selectinload(Challenge.hosts))
        ideas = ideas.options(
            joinedload(Idea.challenge).selectinload(Challenge.hosts),
            selectinload(Idea.coauthors),
            selectinload(Idea.team).selectinload(Team.members),
        )
    options = {"populate_existing": True}
    return Owners(
        covers=list(await session.scalars(covers, execution_options=options)),
        ideas=list(await session.scalars(ideas, execution_options=options)),
        people=list(
            await session.scalars(
                select(User).where(User.avatar_id == picture_id).order_by(User.id),
                execution_options=options,
            )
        ),
    )


async def has_file(session: AsyncSession, picture_id: int, size: str) -> bool:
    found = await session.scalar(
        select(PictureFile.id).where(PictureFile.picture_id == picture_id, PictureFile.size == size)
    )
    return found is not None


async def vote_total(session: AsyncSession, challenge_id: int) -> int:
    """The votes on a challenge's listed ideas: a sum of their kept counts, one query."""
    total = await session.scalar(
        select(func.coalesce(func.sum(Idea.vote_count), 0)).where(
            Idea.challenge_id == challenge_id, Idea.status.in_(VISIBLE_STATUSES)
        )
    )
    return int(total or 0)
