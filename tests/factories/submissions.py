"""Ideas: posted through the service while the challenge takes ideas."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.db import utcnow
from ideas.policy import Action, Role
from ideas.submissions.forms import IdeaInput
from ideas.submissions.lineage import LinkInput
from ideas.submissions.models import Idea
from ideas.submissions.services import post_idea
from tests.factories import challenges, people
from tests.factories.challenges import current, moment_for

PARTICIPANT = frozenset({Role.PARTICIPANT})


def posting_moment(challenge: Challenge, n: int, now: datetime | None = None) -> datetime:
    """When the ``n``-th idea of a test is posted into ``challenge``: ``now`` while the
    challenge takes ideas, or else a moment in its ideas phase, ``n`` milliseconds on,
    so that ideas keep the order they were made in."""
    now = now or utcnow()
    moment = moment_for(challenge, Action.POST_IDEA, PARTICIPANT, now)
    return now if moment == now else moment + n * timedelta(milliseconds=1)


async def idea(
    session: AsyncSession,
    challenge: Challenge,
    author: User,
    n: int,
    *,
    title: str | None = None,
    now: datetime | None = None,
) -> Idea:
    """The ``n``-th idea of a test, by ``author``, posted while ``challenge`` takes ideas."""
    challenge = await current(session, challenge)
    return await post_idea(
        session,
        challenge_id=challenge.id,
        author_id=author.id,
        data=IdeaInput(title=title or f"Idea {n}", summary=f"Summary of idea {n}.", body=""),
        now=posting_moment(challenge, n, now),
    )


async def building_on(
    session: AsyncSession,
    challenge: Challenge,
    author: User,
    n: int,
    parents: list[Idea],
    *,
    title: str | None = None,
) -> Idea:
    """The ``n``-th idea of a test, building on ``parents``."""
    challenge = await current(session, challenge)
    return await post_idea(
        session,
        challenge_id=challenge.id,
        author_id=author.id,
        data=IdeaInput(
            title=title or f"Idea {n}",
            summary=f"Summary of idea {n}.",
            body="",
            builds_on=tuple(LinkInput(parent.id) for parent in parents),
        ),
        now=posting_moment(challenge, n),
    )


async def big_family(session: AsyncSession, size: int) -> Idea:
    """A challenge with one family of ``size`` ideas, broad and several ranks deep (most
    build on one of the first ten, every tenth on two); its first idea."""
    host = await people.person(session, 9001, name="Family host", host=True)
    author = await people.person(session, 9002, name="Family author")
    challenge = await challenges.challenge(session, host, 9001, title="A big family")
    root = await idea(session, challenge, author, 1, title="The first idea of a big family")
    made = [root]
    for n in range(2, size + 1):
        parents = [made[(n * 7) % min(len(made), 10)]]
        if n % 10 == 0 and len(made) > 20:
            parents.append(made[n // 2])
        made.append(await building_on(session, challenge, author, n, parents))
    return root
