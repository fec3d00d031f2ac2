"""The demo's pictures: drawn here and attached through what an upload goes through."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.media.demo_pictures import Added, add_demo_pictures
from ideas.submissions.models import Idea
from tests.factories.accounts import Person
from tests.html import Page


async def test_demo_pictures_give_covers_some_ideas_pictures_and_most_people_theirs(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession,
    visitor: Person,
) -> None:  # fmt: skip
    people = [await make_user(name) for name in ("Hamid Host", "Amara Okafor", "Priya", "Li")]
    challenge = await make_challenge(people[0])
    for n in range(6):
        await make_idea(challenge, people[1 + n % 3])

    added = await add_demo_pictures(session, ideas_every=2, people_without=4)

    session.expire_all()
    assert all((await session.scalars(select(Challenge.cover_id))).all())
    ideas = (await session.scalars(select(Idea).order_by(Idea.id))).all()
    assert [idea.image_id is not None for idea in ideas] == [idea.id % 2 == 0 for idea in ideas]
    assert all(idea.image_alt for idea in ideas if idea.image_id)
    users = (await session.scalars(select(User).order_by(User.id))).all()
    assert [u.avatar_id is not None for u in users] == [u.id % 4 != 0 for u in users]
    assert added == Added(
        covers=1,
        idea_pictures=sum(idea.id % 2 == 0 for idea in ideas),
        avatars=sum(u.id % 4 != 0 for u in users),
    )
    page = Page(await visitor.get(f"/challenges/{challenge.slug}"))
    assert page.select("img.cover")
    assert page.select(".idea-card img.card__picture")

    assert await add_demo_pictures(session, ideas_every=2) == Added(0, 0, 0)
