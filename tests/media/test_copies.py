"""Providers' pictures are copied here once, from the providers' picture hosts only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.accounts.services import set_avatar
from ideas.db import Database
from ideas.media import copies
from tests.factories.accounts import Person
from tests.factories.pictures import an_avatar, picture_bytes
from tests.html import Page

GITHUB = "https://avatars.githubusercontent.com"
ORIGINS = [GITHUB]


class Fetches:
    """A provider's picture host, answering with ``content`` and noting what is asked."""

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.asked: list[str] = []

    async def __call__(self, url: str) -> bytes:
        self.asked.append(url)
        return self.content


async def with_provider_picture(session: AsyncSession, user: User, url: str) -> None:
    await session.execute(update(User).where(User.id == user.id).values(avatar_url=url))
    await session.commit()


async def state(session: AsyncSession, user: User) -> tuple[int | None, str | None]:
    session.expire_all()
    row = (
        await session.execute(
            select(User.avatar_id, User.avatar_copied_from).where(User.id == user.id)
        )
    ).one()
    return row[0], row[1]


async def test_a_providers_picture_is_copied_once_and_shown_from_here(
    make_user: Any, session: AsyncSession, database: Database, visitor: Person
) -> None:
    grace = await make_user("Grace Hopper")
    url = f"{GITHUB}/u/42?v=4"
    await with_provider_picture(session, grace, url)
    fetch = Fetches(picture_bytes((460, 460)))

    copied = await copies.copy_provider_pictures(database, origins=ORIGINS, fetch=fetch)
    again = await copies.copy_provider_pictures(database, origins=ORIGINS, fetch=fetch)

    assert (copied, again, fetch.asked) == (1, 0, [url])
    avatar_id, source = await state(session, grace)
    assert avatar_id is not None
    assert source == url
    image = Page(await visitor.get(f"/people/{grace.id}")).one(".profile__head img.avatar")
    assert image.get("src") == f"/pictures/{avatar_id}/avatar.webp"


async def test_a_picture_from_another_host_is_never_fetched(
    make_user: Any, session: AsyncSession, database: Database
) -> None:
    mallory = await make_user("Mallory")
    await with_provider_picture(session, mallory, "https://tracker.example/p.png")
    fetch = Fetches(picture_bytes())

    assert await copies.copy_provider_pictures(database, origins=ORIGINS, fetch=fetch) == 0

    assert fetch.asked == []
    assert await state(session, mallory) == (None, "https://tracker.example/p.png")


async def test_what_is_not_a_picture_is_not_kept_nor_fetched_again(
    make_user: Any, session: AsyncSession, database: Database
) -> None:
    grace = await make_user("Grace Hopper")
    await with_provider_picture(session, grace, f"{GITHUB}/u/42")
    fetch = Fetches(b"<html>not a picture</html>")

    await copies.copy_provider_pictures(database, origins=ORIGINS, fetch=fetch)
    await copies.copy_provider_pictures(database, origins=ORIGINS, fetch=fetch)

    assert len(fetch.asked) == 1
    assert await state(session, grace) == (None, f"{GITHUB}/u/42")


async def test_a_picture_the_person_uploaded_is_never_replaced(
    make_user: Any, session: AsyncSession, database: Database
) -> None:
    grace = await make_user("Grace Hopper")
    await set_avatar(session, user_id=grace.id, picture=an_avatar())
    own, _ = await state(session, grace)
    await with_provider_picture(session, grace, f"{GITHUB}/u/42")

    await copies.copy_provider_pictures(database, origins=ORIGINS, fetch=Fetches(picture_bytes()))

    assert (await state(session, grace))[0] == own


@pytest.mark.parametrize(
    ("answer", "kept"),
    [
        (httpx.Response(200, content=b"x" * 100), True),
        (httpx.Response(200, content=b"x" * 5000), False),
        (httpx.Response(302, headers={"Location": "http://10.0.0.1/"}), False),
        (httpx.Response(404), False),
    ],
    ids=["small", "too-long", "redirect", "missing"],
)
async def test_fetching_keeps_within_its_limit_and_follows_no_redirect(
    answer: httpx.Response, kept: bool
) -> None:
    fetch = copies.fetcher(1000, transport=httpx.MockTransport(lambda request: answer))

    if kept:
        assert await fetch(f"{GITHUB}/u/1") == b"x" * 100
    else:
        with pytest.raises((httpx.HTTPError, copies.TooLong)):
            await fetch(f"{GITHUB}/u/1")
