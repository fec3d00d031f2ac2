"""The idea form's parents picker: finding, by title, the ideas of a challenge to build on.

The form works without JavaScript: "Find" and "Add" are submit buttons of the idea
form, so the form comes back with what was typed, the chosen parents and the
ideas found. With htmx the same buttons ask the GET fragments of ``picker_views``
instead and the form stays as it is.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from ideas.submissions import search
from ideas.submissions.models import VISIBLE_STATUSES, Idea

FOUND_MAX = 8
FIND = "find-parents"  # the form's intent when "Find" is pressed without JavaScript
ADD = "add_parent"  # the button that adds one idea to what the form builds on


async def titled(
    session: AsyncSession,
    challenge_id: int,
    text: str,
    *,
    leaving_out: Collection[int] = (),
    limit: int = FOUND_MAX,
) -> Sequence[Idea]:
    """Visible ideas of the challenge whose title holds ``text`` (any case), newest first;
    none for empty text. One query."""
    wanted = search.clean(text).lower()
    if not wanted:
        return []
    query = (
        select(Idea)
        .options(joinedload(Idea.author))
        .where(
            Idea.challenge_id == challenge_id,
            Idea.status.in_(VISIBLE_STATUSES),
            func.lower(Idea.title).contains(wanted, autoescape=True),
        )
        .order_by(Idea.id.desc())
        .limit(limit)
    )
    if leaving_out:
        query = query.where(Idea.id.not_in(list(leaving_out)))
    return (await session.scalars(query)).all()


async def one_to_add(session: AsyncSession, challenge_id: int, idea_id: int) -> Idea | None:
    """The idea, if it is a visible idea of the challenge (one that can be built on)."""
    idea = await session.get(Idea, idea_id)
    if idea is None or idea.challenge_id != challenge_id or idea.status not in VISIBLE_STATUSES:
        return None
    return idea
