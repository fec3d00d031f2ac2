"""A provider's profile picture shows where the policy allows it; initials otherwise."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.accounts.providers import ProviderAccount
from ideas.accounts.services import sign_in_with_provider
from ideas.db import utcnow
from tests.factories.web import MakeSite
from tests.html import Page

GITHUB = {"GITHUB_CLIENT_ID": "id", "GITHUB_CLIENT_SECRET": "secret"}


async def test_a_github_picture_is_kept_at_first_sign_in_and_shown(
    session: AsyncSession, make_site: MakeSite
) -> None:
    account = ProviderAccount(
        subject="42", name="Grace", email="grace@example.org", email_verified=True,
        picture="https://avatars.githubusercontent.com/u/42?v=4",
    )  # fmt: skip
    user = await sign_in_with_provider(
        session, provider="github", account=account, admin_emails=[], now=utcnow()
    )
    site = make_site(**GITHUB)

    page = Page(await site.client.get(f"/people/{user.id}"))

    image = page.one(".profile__head img.avatar")
    assert image.get("src") == "https://avatars.githubusercontent.com/u/42?v=4"
    assert image.get("alt") == ""
    assert (
        "https://avatars.githubusercontent.com"
        in site.app.state.settings.github_client_id
        + ((await site.client.get("/")).headers["Content-Security-Policy"])
    )


async def test_a_picture_from_anywhere_else_is_not_shown(
    session: AsyncSession, make_user: Any, make_site: MakeSite
) -> None:
    user = await make_user("Mallory Example")
    await session.execute(
        update(User).where(User.id == user.id).values(avatar_url="https://tracker.example/p.png")
    )
    await session.commit()
    site = make_site(**GITHUB)

    page = Page(await site.client.get(f"/people/{user.id}"))

    assert page.select("img.avatar") == []
    assert page.text(".profile__head .avatar") == "ME"


async def test_a_picture_that_is_not_https_is_not_kept(session: AsyncSession) -> None:
    account = ProviderAccount(
        subject="7",
        name="Ivan",
        email=None,
        email_verified=False,
        picture="http://insecure.example/a.png",
    )
    user = await sign_in_with_provider(
        session, provider="github", account=account, admin_emails=[], now=utcnow()
    )
    assert user.avatar_url is None
