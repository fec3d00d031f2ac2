"""The people signed in for the vote and compare loads, and the ideas they vote on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bench.generate import generate
from bench.signed_in import sign_in, write_pairs, write_people
from ideas.accounts import sessions
from ideas.db import Database, utcnow
from ideas.submissions.models import Idea
from ideas.voting.models import Vote


async def test_pairs_are_votes_each_person_may_cast(
    committing_database_url: str, tmp_path: Path
) -> None:
    await generate(committing_database_url, scale=0.01)
    signed_in = await sign_in(committing_database_url, people=20, pairs=60)

    assert len({person.user_id for person in signed_in.people}) == 20
    assert len(signed_in.pairs) == 60
    keys = [(pair.person.user_id, pair.idea_id) for pair in signed_in.pairs]
    assert len(set(keys)) == len(keys)
    # Round the people: the first 20 pairs are the 20 people, once each.
    assert {user_id for user_id, _ in keys[:20]} == {p.user_id for p in signed_in.people}

    database = Database.from_url(committing_database_url)
    try:
        async with database.session() as db:
            ideas = await db.execute(select(Idea.id, Idea.author_id).where(Idea.challenge_id == 1))
            authors = {row.id: row.author_id for row in ideas}
            votes = {
                (user_id, idea_id)
                for user_id, idea_id in await db.execute(select(Vote.user_id, Vote.idea_id))
            }
            for user_id, idea_id in keys:
                assert idea_id in authors  # an idea of the big challenge
                assert authors[idea_id] != user_id
                assert (user_id, idea_id) not in votes
            for person in signed_in.people:
                web_session = await sessions.load(
                    db,
                    person.token,
                    now=utcnow(),
                    idle=timedelta(days=1),
                    lifetime=timedelta(days=30),
                )
                assert web_session is not None
                assert web_session.user_id == person.user_id
                assert web_session.csrf_token == person.csrf_token
    finally:
        await database.dispose()

    write_pairs(tmp_path / "pairs.txt", signed_in.pairs)
    first = signed_in.pairs[0]
    assert (tmp_path / "pairs.txt").read_text().splitlines()[0].split() == [
        first.person.token,
        first.person.csrf_token,
        str(first.idea_id),
    ]
    write_people(tmp_path / "people.txt", signed_in.people)
    assert len((tmp_path / "people.txt").read_text().splitlines()) == 20


async def test_one_pair_per_person_when_there_are_enough_people(
    committing_database_url: str,
) -> None:
    await generate(committing_database_url, scale=0.01)
    signed_in = await sign_in(committing_database_url, people=40, pairs=10)

    assert len(signed_in.pairs) == 40
    assert len({pair.person.user_id for pair in signed_in.pairs}) == 40
