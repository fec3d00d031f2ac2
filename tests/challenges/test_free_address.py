"""A challenge whose address field is left empty gets a free address from its title;
only an address the host typed can be refused as taken."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.services import create_user
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.challenges.services import create_challenge
from ideas.db import Database, utcnow
from tests.factories.challenges import schedule_for
from tests.factories.queries import count
from tests.html import Page

TYPED = {
    "title": "Less food waste in canteens",
    "question": "How might we cut food waste in school canteens?",
    "sponsor": "",
    "brief": "",
    "slug": "",
    "ideas_opens_at": "2030-03-01T09:00",
    "review_opens_at": "2030-03-15T09:00",
    "teams_opens_at": "",
    "closes_at": "2030-04-30T18:00",
}


async def test_a_title_like_another_challenges_gets_the_next_free_address(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    hamid = await sign_in(await make_user(host=True))

    first = await hamid.post("/challenges/new", TYPED)
    second = await hamid.post("/challenges/new", TYPED)
    third = await hamid.post("/challenges/new", TYPED)

    assert [r.status_code for r in (first, second, third)] == [303, 303, 303]
    assert [r.headers["location"] for r in (first, second, third)] == [
        "/challenges/less-food-waste-in-canteens",
        "/challenges/less-food-waste-in-canteens-2",
        "/challenges/less-food-waste-in-canteens-3",
    ]
    slugs = set(await session.scalars(select(Challenge.slug)))
    assert slugs == {
        "less-food-waste-in-canteens",
        "less-food-waste-in-canteens-2",
        "less-food-waste-in-canteens-3",
    }


async def test_a_title_that_is_a_reserved_word_gets_a_free_address(
    make_user: Any, sign_in: Any
) -> None:
    hamid = await sign_in(await make_user(host=True))

    response = await hamid.post("/challenges/new", {**TYPED, "title": "New"})

    assert response.status_code == 303
    assert response.headers["location"] == "/challenges/new-2"


async def test_a_typed_address_that_is_taken_is_refused_beside_the_field_with_the_text_kept(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    hamid = await sign_in(await make_user(host=True))
    await hamid.post("/challenges/new", TYPED)
    typed = {**TYPED, "title": "Another round", "slug": "less-food-waste-in-canteens"}

    response = await hamid.post("/challenges/new", typed)

    assert response.status_code == 200
    page = Page(response)
    assert page.text("#f-slug-error").startswith("Error: That address is already used")
    assert page.field_value("slug") == "less-food-waste-in-canteens"
    assert page.field_value("title") == "Another round"
    assert await count(session, Challenge) == 1


def _input(title: str, slug: str, *, typed: bool) -> ChallengeInput:
    now = utcnow()
    return ChallengeInput(
        title=title,
        slug=slug,
        question="How might we race?",
        sponsor="",
        brief="",
        schedule=schedule_for(Phase.DRAFT, now),
        slug_typed=typed,
    )


async def test_challenges_created_at_once_with_the_same_title_each_get_an_address(
    committing_database_url: str,
) -> None:
    database = Database.from_url(committing_database_url)
    try:
        async with database.session() as session:
            host = await create_user(
                session, display_name="Hamid", email="hamid@example.org", provider="test",
                subject="hamid", is_host=True, now=utcnow(),
            )  # fmt: skip

        async def create() -> str:
            async with database.session() as session:
                made = await create_challenge(
                    session,
                    host_id=host.id,
                    data=_input("Race", "race", typed=False),
                    now=utcnow(),
                )
                return made.slug

        slugs = await asyncio.gather(*(create() for _ in range(4)))

        assert sorted(slugs) == ["race", "race-2", "race-3", "race-4"]
    finally:
        await database.dispose()


# SQLite writes one transaction at a time: there is no race to lose there.
@pytest.mark.parametrize("committing_database_url", ["postgresql"], indirect=True)
async def test_losing_the_race_for_an_address_tries_the_next_one(
    committing_database_url: str,
) -> None:
    """Another transaction holds ``race`` uncommitted: our insert waits on the unique
    index, fails when it commits, and the challenge takes ``race-2``."""
    database = Database.from_url(committing_database_url)
    try:
        async with database.session() as session:
            host = await create_user(
                session, display_name="Hamid", email="hamid@example.org", provider="test",
                subject="hamid", is_host=True, now=utcnow(),
            )  # fmt: skip
        now = utcnow()
        async with database.session() as other, other.begin():
            other.add(
                Challenge(
                    slug="race", title="Race", question="?", sponsor="", brief="",
                    brief_html="", created_by_id=host.id, created_at=now, updated_at=now,
                )
            )  # fmt: skip
            await other.flush()

            async def create() -> Challenge:
                async with database.session() as session:
                    return await create_challenge(
                        session,
                        host_id=host.id,
                        data=_input("Race", "race", typed=False),
                        now=now + timedelta(seconds=1),
                    )

            creating = asyncio.create_task(create())
            await asyncio.sleep(0.5)
            assert not creating.done()  # waiting on the unique index
        made = await creating

        assert made.slug == "race-2"
    finally:
        await database.dispose()
