"""The vote's rules are written twice, and both say the same, case by case.

Casting a vote is one INSERT … SELECT that checks every rule in the database
(``ideas.voting.services._vote_if_allowed``): that is what holds when votes
arrive at once. When it refuses, the rules are read again in Python
(``policy.may_vote_for`` and ``services.vote_refusal``) to say why. This
test runs every combination of what the rules look at through both, on each
database, and fails where they disagree, or where they agree on something
other than the rules as the spec states them.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from ideas.accounts.models import User, UserStatus
from ideas.challenges.models import Challenge
from ideas.db import Database, utcnow
from ideas.submissions.models import VISIBLE_STATUSES, Idea, IdeaCoauthor, IdeaStatus
from ideas.voting import services
from ideas.voting.models import Vote

BUDGET = 2


class Voter(StrEnum):
    AUTHOR = "the idea's author"
    COAUTHOR = "a co-author"
    OTHER = "someone else"


class Budget(StrEnum):
    NONE = "no budget"
    LEFT = "votes left"
    SPENT = "budget spent"


@dataclass(frozen=True)
class Case:
    status: IdeaStatus
    voter_status: UserStatus
    voter: Voter
    self_votes: bool
    budget: Budget
    voted_before: bool
    other_challenge: bool

    def __str__(self) -> str:
        return (
            f"{self.status.value} idea; voter {self.voter_status.value}, {self.voter.value}; "
            f"self-votes {'on' if self.self_votes else 'off'}; {self.budget.value}; "
            f"{'voted' if self.voted_before else 'not voted'} before; "
            f"{'another' if self.other_challenge else 'its own'} challenge"
        )

    @property
    def allowed_by_the_spec(self) -> bool:
        """SPEC: participants vote for visible ideas of others (or their own, where the
        challenge allows it), once each, within the challenge's budget."""
        return (
            self.status in VISIBLE_STATUSES
            and self.voter_status is UserStatus.ACTIVE
            and (self.self_votes or self.voter is Voter.OTHER)
            and self.budget is not Budget.SPENT
            and not self.voted_before
            and not self.other_challenge
        )


CASES = [
    Case(*values)
    for values in itertools.product(
        list(IdeaStatus),
        list(UserStatus),
        list(Voter),
        (False, True),
        list(Budget),
        (False, True),
        (False, True),
    )
]


@dataclass(frozen=True)
class World:
    challenge: Challenge
    elsewhere: Challenge
    idea: Idea
    spent_on: tuple[Idea, ...]  # visible ideas of the challenge the budget is spent on
    people: dict[Voter, User]


async def arrange(connection: AsyncConnection, world: World, case: Case) -> User:
    """Put the world in the state of ``case``; the voter it names."""
    now = utcnow()
    voter = world.people[case.voter]
    budget = None if case.budget is Budget.NONE else BUDGET
    await connection.execute(
        update(Challenge)
        .where(Challenge.id == world.challenge.id)
        .values(allow_self_votes=case.self_votes, vote_budget=budget)
    )
    await connection.execute(
        update(Idea).where(Idea.id == world.idea.id).values(status=case.status)
    )
    await connection.execute(
        update(User).where(User.id == voter.id).values(status=case.voter_status)
    )
    votes = [world.idea] if case.voted_before else []
    if case.budget is Budget.SPENT:
        votes += world.spent_on
    if votes:
        await connection.execute(
            insert(Vote),
            [
                {
                    "idea_id": idea.id,
                    "user_id": voter.id,
                    "challenge_id": idea.challenge_id,
                    "created_at": now,
                }
                for idea in votes
            ],
        )
    return voter


async def python_allows(database: Database, params: dict[str, Any]) -> bool:
    async with database.session() as tx:
        refusal = await services.vote_refusal(
            tx,
            idea_id=params["target_idea"],
            user_id=params["voter"],
            challenge_id=params["in_challenge"],
        )
    return refusal is None


async def sql_allows(connection: AsyncConnection, params: dict[str, Any]) -> bool:
    counted = await connection.run_sync(lambda sync: services.cast_if_allowed(sync, dict(params)))
    return counted is not None


async def make_world(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> World:
    host = await make_user("Hamid", host=True)
    challenge, elsewhere = await make_challenge(host), await make_challenge(host)
    people = {
        Voter.AUTHOR: await make_user("Amara"),
        Voter.COAUTHOR: await make_user("Cleo"),
        Voter.OTHER: await make_user("Priya"),
    }
    idea = await make_idea(challenge, people[Voter.AUTHOR], title="Compost club")
    spent_on = tuple(
        [await make_idea(challenge, host, title=f"Spent on {n}") for n in range(BUDGET)]
    )
    session.add(IdeaCoauthor(idea_id=idea.id, user_id=people[Voter.COAUTHOR].id, added_at=utcnow()))
    await session.commit()
    return World(challenge, elsewhere, idea, spent_on, people)


async def test_the_python_and_the_sql_vote_rules_agree_on_every_case(
    connection: AsyncConnection,
    database: Database,
    session: AsyncSession,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
) -> None:
    world = await make_world(session, make_user, make_challenge, make_idea)
    verdicts: dict[Case, tuple[bool, bool]] = {}

    for case in CASES:
        case_state = await connection.begin_nested()
        try:
            voter = await arrange(connection, world, case)
            params = {
                "target_idea": world.idea.id,
                "voter": voter.id,
                "in_challenge": (world.elsewhere if case.other_challenge else world.challenge).id,
                "at": utcnow(),
            }
            # Python reads first: the INSERT, when allowed, casts the vote.
            verdicts[case] = (
                await python_allows(database, params),
                await sql_allows(connection, params),
            )
        finally:
            await case_state.rollback()

    disagreements = [
        f"{case}: Python {'allows' if py else 'refuses'}, SQL {'allows' if sql else 'refuses'}"
        for case, (py, sql) in verdicts.items()
        if py != sql
    ]
    assert disagreements == []
    not_the_spec = [
        str(case) for case, (py, _) in verdicts.items() if py != case.allowed_by_the_spec
    ]
    assert not_the_spec == []
    assert len(verdicts) == 5 * 3 * 3 * 2 * 3 * 2 * 2
