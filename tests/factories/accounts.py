"""People using the site through an HTTP client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts import sessions
from ideas.accounts.models import User
from ideas.db import utcnow
from ideas.web.sessions import cookie_name


@dataclass
class Person:
    """Someone using the site through an HTTP client; ``csrf`` is their form token."""

    client: httpx.AsyncClient
    csrf: str
    user: User | None

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(url, **kwargs)

    async def post(
        self, url: str, data: dict[str, str] | None = None, *, csrf: bool = True, **kwargs: Any
    ) -> httpx.Response:
        form = dict(data or {})
        if csrf and self.csrf:
            form.setdefault("csrf_token", self.csrf)
        return await self.client.post(url, data=form, **kwargs)


async def visitor_with_a_session(make_client: Any, session: AsyncSession, settings: Any) -> Person:
    """A visitor whose browser has a session (and so a form token), as after any page."""
    token, web_session = await sessions.start(session, None, now=utcnow(), replacing=None)
    client = make_client()
    client.cookies.set(cookie_name(settings), token)
    return Person(client=client, csrf=web_session.csrf_token, user=None)


# Fixtures that conftests of the concepts share (each lists them in its __all__).


@pytest.fixture
async def host(make_user: Any) -> User:
    user: User = await make_user("Hamid", host=True)
    return user


@pytest.fixture
async def author(make_user: Any) -> User:
    user: User = await make_user("Priya")
    return user
