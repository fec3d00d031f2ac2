"""The comparisons and the pairwise scores in the API, the shortlist, the export and the rank command."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.accounts.services import create_user
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.phases import Phase
from ideas.challenges.services import create_challenge
from ideas.cli import main as cli
from ideas.db import Database, utcnow
from ideas.submissions.forms import IdeaInput
from ideas.submissions.models import Idea
from ideas.submissions.services import post_idea
from ideas.voting.models import Comparison
from tests.factories.accounts import Person
from tests.factories.challenges import schedule_for
from tests.factories.comparing import (
    answer,
    pair_for,
)
from tests.html import Page
from tests.support.environ import TEST_ENVIRON

# The API, the shortlist, the export and the command ---------------------------------


async def test_the_api_gives_each_idea_its_comparisons_and_pairwise_score(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    session: AsyncSession,
    visitor: Person,
) -> None:
    challenge = await make_challenge(host)
    ranked, unranked = await make_idea(challenge, author), await make_idea(challenge, author)
    await session.execute(
        update(Idea).where(Idea.id == ranked.id).values(pairwise_score=0.7, comparison_count=4)
    )
    await session.commit()

    listed = (await visitor.get(f"/api/v1/challenges/{challenge.slug}/ideas?sort=pairwise")).json()
    one = (await visitor.get(f"/api/v1/ideas/{unranked.id}")).json()

    assert [item["id"] for item in listed["items"]] == [ranked.id, unranked.id]
    counts = listed["items"][0]["counts"]
    assert (counts["comparisons"], counts["pairwise_score"]) == (4, 0.7)
    assert (one["counts"]["comparisons"], one["counts"]["pairwise_score"]) == (0, None)


async def test_hosts_see_both_rankings_while_shortlisting(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    session: AsyncSession,
    sign_in: Any,
) -> None:
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    ranked, unranked = await make_idea(challenge, author), await make_idea(challenge, author)
    await session.execute(
        update(Idea).where(Idea.id == ranked.id).values(pairwise_score=0.614, comparison_count=9)
    )
    await session.commit()

    page = Page(await (await sign_in(host)).get(f"/challenges/{challenge.slug}/shortlist"))

    assert page.text(f"#idea-{ranked.id} .host-row__pairwise") == (
        "pairwise score 61% (9 comparisons)"
    )
    assert page.text(f"#idea-{unranked.id} .host-row__pairwise") == (
        "no pairwise score yet (0 comparisons)"
    )


async def test_hosts_export_the_comparisons(
    make_challenge: Any,
    make_idea: Any,
    make_user: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
) -> None:
    challenge = await make_challenge(host)
    a = await make_idea(challenge, author, title="=Weigh the bins")
    b = await make_idea(challenge, author, title="Share leftovers")
    person = await sign_in(tomas)
    await answer(person, challenge, await pair_for(person, challenge), b.id)
    other = await sign_in(await make_user("Ana"))
    await answer(other, challenge, await pair_for(other, challenge), None)

    response = await (await sign_in(host)).get(
        f"/challenges/{challenge.slug}/export/comparisons.csv"
    )

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [{key: value for key, value in row.items() if key != "created_at"} for row in rows] == [
        {
            "challenge": challenge.slug,
            "first_id": str(a.id),
            "first_title": "'=Weigh the bins",
            "second_id": str(b.id),
            "second_title": "Share leftovers",
            "winner_id": str(b.id),
            "participant": "1",
        },
        {
            "challenge": challenge.slug,
            "first_id": str(a.id),
            "first_title": "'=Weigh the bins",
            "second_id": str(b.id),
            "second_title": "Share leftovers",
            "winner_id": "",
            "participant": "2",
        },
    ]
    assert all(row["created_at"] for row in rows)


def test_the_rank_command_refits_one_challenge_or_all(
    committing_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def arrange() -> list[int]:
        database = Database.from_url(committing_database_url)
        try:
            async with database.session() as session:
                now = utcnow()
                people = [
                    await create_user(
                        session,
                        display_name=name,
                        email=f"{name}@example.org",
                        provider="test",
                        subject=name,
                        is_host=True,
                        now=now,
                    )
                    for name in ("hamid", "priya", "tomas")
                ]
                rounds = []
                for slug in ("first-round", "second-round"):
                    challenge = await create_challenge(
                        session,
                        host_id=people[0].id,
                        data=ChallengeInput(
                            title=slug,
                            slug=slug,
                            question="How?",
                            sponsor="",
                            brief="",
                            schedule=schedule_for(Phase.IDEAS, now),
                        ),
                        now=now,
                    )
                    rounds.append(challenge)
                ideas = [
                    await post_idea(
                        session,
                        challenge_id=rounds[0].id,
                        author_id=people[1].id,
                        data=IdeaInput(title=f"Idea {n}", summary="Summary.", body=""),
                        now=now,
                    )
                    for n in range(2)
                ]
                session.add(
                    Comparison(
                        challenge_id=rounds[0].id,
                        user_id=people[2].id,
                        first_id=ideas[0].id,
                        second_id=ideas[1].id,
                        winner_id=ideas[1].id,
                        created_at=now,
                    )
                )
                await session.commit()
                return [idea.id for idea in ideas]
        finally:
            await database.dispose()

    async def scores() -> list[float | None]:
        database = Database.from_url(committing_database_url)
        try:
            async with database.session() as session:
                found = await session.scalars(select(Idea.pairwise_score).order_by(Idea.id))
                return list(found.all())
        finally:
            await database.dispose()

    asyncio.run(arrange())
    for name, value in {**TEST_ENVIRON, "DATABASE_URL": committing_database_url}.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()

    one = runner.invoke(cli, ["rank", "first-round"])
    every = runner.invoke(cli, ["rank"])
    unknown = runner.invoke(cli, ["rank", "no-such-round"])

    assert one.exit_code == 0, one.output
    assert one.output == "first-round: 2 ideas ranked from 1 comparisons.\n"
    assert every.output.splitlines() == [
        "first-round: 2 ideas ranked from 1 comparisons.",
        "second-round: 0 ideas ranked from 0 comparisons.",
    ]
    assert unknown.exit_code == 1
    assert "no-such-round" in unknown.output
    loser, winner = asyncio.run(scores())
    assert loser is not None
    assert winner is not None
    assert loser < 0.5 < winner
