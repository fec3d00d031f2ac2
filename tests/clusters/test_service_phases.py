"""Every duplicates service refuses on its own what ``policy`` does not allow, in every
phase: the round is set up while it takes ideas, a host switches the phase by hand, and
the service is called directly. A refusal leaves every table as it was."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import policy
from ideas.challenges.phases import Phase
from ideas.challenges.services import switch_phase
from ideas.db import Base, utcnow
from ideas.errors import Forbidden, NotFound
from ideas.policy import Action, Role
from ideas.submissions import clusters
from ideas.submissions.models import Idea
from tests.factories.clusters import Duplicates, duplicates


@dataclass
class Setup:
    """Ideas 0 and 1 grouped; the host's own idea asked to be grouped with idea 2; and a
    spare idea by idea 2's author, in nothing yet."""

    d: Duplicates
    hosts_idea: Idea
    spare: Idea
    cluster_id: int
    request_id: int


Call = Callable[[AsyncSession, Setup], Awaitable[object]]
HOST = frozenset({Role.HOST})
AUTHOR = frozenset({Role.AUTHOR})

CASES: list[tuple[str, Action, frozenset[Role], Call]] = [
    (
        "group",
        Action.GROUP_DUPLICATES,
        HOST,
        lambda session, s: clusters.group(
            session,
            challenge_id=s.d.challenge.id,
            idea_ids=[s.d.ideas[2].id, s.spare.id],
            actor_id=s.d.host.id,
            now=utcnow(),
        ),
    ),
    (
        "take one out",
        Action.GROUP_DUPLICATES,
        HOST,
        lambda session, s: clusters.remove_member(
            session,
            challenge_id=s.d.challenge.id,
            cluster_id=s.cluster_id,
            idea_id=s.d.ideas[1].id,
            actor_id=s.d.host.id,
            now=utcnow(),
        ),
    ),
    (
        "ungroup",
        Action.GROUP_DUPLICATES,
        HOST,
        lambda session, s: clusters.ungroup(
            session,
            challenge_id=s.d.challenge.id,
            cluster_id=s.cluster_id,
            actor_id=s.d.host.id,
            now=utcnow(),
        ),
    ),
    (
        "ask",
        Action.ASK_TO_GROUP,
        AUTHOR,
        lambda session, s: clusters.ask_to_group(
            session,
            idea_id=s.spare.id,
            other_idea_id=s.hosts_idea.id,
            actor_id=s.d.authors[2].id,
            now=utcnow(),
        ),
    ),
    (
        "answer",
        Action.ASK_TO_GROUP,
        AUTHOR,
        lambda session, s: clusters.answer_request(
            session, request_id=s.request_id, accept=True, actor_id=s.d.authors[2].id, now=utcnow()
        ),
    ),
]


async def _everything(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    await session.commit()
    rows = {}
    for table in Base.metadata.sorted_tables:
        result = await session.execute(select(table))
        rows[table.name] = sorted(map(tuple, result.all()), key=repr)
    return rows


@pytest.mark.parametrize("phase", list(Phase), ids=str)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case[0])
async def test_the_service_refuses_exactly_what_the_policy_does(
    case: tuple[str, Action, frozenset[Role], Call],
    phase: Phase,
    session: AsyncSession,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
) -> None:
    _name, action, roles, call = case
    d = await duplicates(make_user, make_challenge, make_idea)
    hosts_idea = await make_idea(d.challenge, d.host, title="The host's own idea")
    spare = await make_idea(d.challenge, d.authors[2], title="A spare idea")
    now = utcnow()
    cluster_id = await clusters.group(
        session,
        challenge_id=d.challenge.id,
        idea_ids=[d.ideas[0].id, d.ideas[1].id],
        actor_id=d.host.id,
        now=now,
    )
    request_id = await clusters.ask_to_group(
        session, idea_id=hosts_idea.id, other_idea_id=d.ideas[2].id, actor_id=d.host.id, now=now
    )
    if phase is not Phase.IDEAS:
        await switch_phase(
            session, challenge_id=d.challenge.id, to=phase, actor_id=d.host.id, now=utcnow()
        )
    setup = Setup(d, hosts_idea, spare, cluster_id, request_id)
    if policy.allows(action, phase, roles):
        await call(session, setup)
        return
    before = await _everything(session)
    with pytest.raises((Forbidden, NotFound)):
        await call(session, setup)
    assert await _everything(session) == before, "a refusal changed something"
