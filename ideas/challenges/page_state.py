"""What the challenge page asks of its viewer and of the ideas it shows, in one query.

Where the viewer stands with the ideas shown (``ideas.voting.queries.standing``:
their votes, the ideas they co-author, their votes spent), whether they follow
the challenge and sit on its jury, and which of the ideas shown are in a
duplicates cluster (whose clusters are then read only when there are some):
each a select of the same shape, (id, kind, number), in one UNION ALL.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
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
from ideas.jury.models import Juror
from ideas.notifications.models import ChallengeFollow
from ideas.submissions.models import IdeaClusterMember
from ideas.voting import queries as voting

# The kinds of rows this query adds to those of ``voting.standing_parts``.
_FOLLOWS, _JUROR, _CLUSTERED = 10, 11, 12


@dataclass(frozen=True)
class PageState:
    standing: voting.Standing
    follows: bool  # the viewer follows the challenge (asked with ``around`` only)
    is_juror: bool  # the viewer is on its jury (asked with ``around`` only)
    clustered: frozenset[int]  # the ideas shown that are in a duplicates cluster


def _row(kind: int) -> tuple[Any, ...]:
    return (literal(0, Integer), literal(kind, Integer), literal(0, Integer))


@functools.cache
def _query(
    standing: bool, budget: bool, around: bool, ideas: bool
) -> Select[*tuple[Any, ...]] | CompoundSelect[*tuple[Any, ...]]:
    """Built once for each shape: ``standing`` for an active viewer, ``around`` (whether
    they follow the challenge, and are a juror) for a signed-in viewer of the whole page,
    ``ideas`` when some are shown."""
    user_id = bindparam("user_id", type_=Integer)
    challenge_id = bindparam("challenge_id", type_=Integer)
    parts: list[Select[*tuple[Any, ...]]] = []
    if standing:
        parts += voting.standing_parts(budget, ideas)
    if around:
        parts.append(
            select(*_row(_FOLLOWS)).where(
                exists().where(
                    ChallengeFollow.user_id == user_id,
                    ChallengeFollow.challenge_id == challenge_id,
                )
            )
        )
        parts.append(
            select(*_row(_JUROR)).where(
                exists().where(Juror.challenge_id == challenge_id, Juror.user_id == user_id)
            )
        )
    if ideas:
        parts.append(
            select(
                IdeaClusterMember.idea_id, literal(_CLUSTERED, Integer), literal(0, Integer)
            ).where(IdeaClusterMember.idea_id.in_(bindparam("ids", type_=Integer, expanding=True)))
        )
    return parts[0] if len(parts) == 1 else union_all(*parts)


async def page_state(
    session: AsyncSession,
    *,
    viewer: User | None,
    challenge: Challenge,
    idea_ids: Sequence[int],
    around: bool,
) -> PageState:
    """One query (none for a visitor shown no ideas). ``around``: ask whether the viewer
    follows the challenge and is on its jury (the whole page; its fragments do not)."""
    ids = list(idea_ids)
    standing = viewer is not None and viewer.is_active
    around = around and viewer is not None
    if not (standing or around or ids):
        return PageState(voting.Standing.empty(), False, False, frozenset())
    query = _query(standing, challenge.vote_budget is not None, around, bool(ids))
    user_id = -1 if viewer is None else viewer.id
    rows = await rows_of(session, query, voting.standing_params(user_id, challenge, ids))
    kinds = {kind for _, kind, _ in rows}
    return PageState(
        standing=voting.standing_of(rows, challenge, ids) if standing else voting.Standing.empty(),
        follows=_FOLLOWS in kinds,
        is_juror=_JUROR in kinds,
        clustered=frozenset(idea_id for idea_id, kind, _ in rows if kind == _CLUSTERED),
    )
