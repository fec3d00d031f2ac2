"""What the idea page asks of its viewer, in one query.

Where the viewer stands with the idea (``ideas.voting.queries.standing``: whether
they voted for it, and their votes spent where the challenge sets a budget) and
whether they follow it: each a select of the same shape, (id, kind, number), in
one UNION ALL, as the challenge page asks its own (``ideas.challenges.page_state``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Integer,
    Select,
    bindparam,
    exists,
    literal,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.db import rows_of
from ideas.notifications.models import IdeaFollow
from ideas.voting import queries as voting

# The kind of row this query adds to those of ``voting.standing_parts``.
_FOLLOWS = 10


@dataclass(frozen=True)
class IdeaPageState:
    standing: voting.Standing  # empty for a viewer who may not vote (none, or not active)
    follows: bool | None  # the viewer follows the idea; None for a visitor


@functools.cache
def _query(
    standing: bool, budget: bool
) -> Select[*tuple[Any, ...]] | CompoundSelect[*tuple[Any, ...]]:
    """Built once for each shape: ``standing`` for an active viewer, ``budget`` when the
    challenge sets one."""
    follows: Select[*tuple[Any, ...]] = select(
        literal(0, Integer), literal(_FOLLOWS, Integer), literal(0, Integer)
    ).where(
        exists().where(
            IdeaFollow.user_id == bindparam("user_id", type_=Integer),
            IdeaFollow.idea_id == bindparam("idea_id", type_=Integer),
        )
    )
    if not standing:
        return follows
    return union_all(*voting.standing_parts(budget, False), follows)


async def idea_page_state(
    session: AsyncSession, *, viewer: User | None, challenge: Challenge, idea_id: int
) -> IdeaPageState:
    """One query for a signed-in viewer, none for a visitor."""
    if viewer is None:
        return IdeaPageState(voting.Standing.empty(), None)
    standing = viewer.is_active
    query = _query(standing, challenge.vote_budget is not None)
    params = {**voting.standing_params(viewer.id, challenge, [idea_id]), "idea_id": idea_id}
    rows = await rows_of(session, query, params)
    return IdeaPageState(
        standing=(
            voting.standing_of(rows, challenge, [idea_id]) if standing else voting.Standing.empty()
        ),
        follows=any(kind == _FOLLOWS for _, kind, _ in rows),
    )
