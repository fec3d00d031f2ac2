"""Posting is rate-limited per account: a 429 with the form as typed, and nothing saved."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts import sessions
from ideas.app import create_app
from ideas.db import utcnow
from ideas.settings import load_settings
from ideas.submissions.models import Idea
from ideas.web.sessions import cookie_name
from tests.factories.queries import count
from tests.html import Page
from tests.support.environ import TEST_ENVIRON


async def test_the_eleventh_idea_in_a_minute_comes_back_as_the_form_with_its_text(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    priya = await sign_in(await make_user())
    url = f"/challenges/{challenge.slug}/ideas/new"

    answers = [
        await priya.post(url, {"title": f"Idea {n}", "summary": "Short."}) for n in range(11)
    ]

    assert [a.status_code for a in answers[:10]] == [303] * 10
    refused = answers[10]
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    page = Page(refused)
    assert page.text("h1") == "Post an idea"
    assert "Wait" in page.text("#idea-form .form-problem")
    assert page.field_value("title") == "Idea 10"
    assert page.field_value("summary") == "Short."
    assert await count(session, Idea) == 10


async def test_the_limit_is_per_account(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    priya, tomas = await sign_in(await make_user()), await sign_in(await make_user())
    url = f"/challenges/{challenge.slug}/ideas/new"
    for n in range(10):
        await priya.post(url, {"title": f"Idea {n}", "summary": "Short."})

    response = await tomas.post(url, {"title": "Mine", "summary": "Short."})

    assert response.status_code == 303
    assert await count(session, Idea) == 11


async def test_limits_can_be_turned_off_for_scripted_runs(
    make_user: Any, make_challenge: Any, database: Any, session: AsyncSession
) -> None:
    settings = load_settings({**TEST_ENVIRON, "IDEAS_RATE_LIMITS": "false"})
    app = create_app(settings, database)
    challenge = await make_challenge(await make_user(host=True))
    priya = await make_user()
    token, web_session = await sessions.start(session, priya, now=utcnow(), replacing=None)
    url = f"/challenges/{challenge.slug}/ideas/new"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
    ) as client:
        client.cookies.set(cookie_name(settings), token)
        answers = [
            await client.post(
                url,
                data={
                    "title": f"Idea {n}",
                    "summary": "Short.",
                    "csrf_token": web_session.csrf_token,
                },
            )
            for n in range(12)
        ]
    assert [a.status_code for a in answers] == [303] * 12
    assert await count(session, Idea) == 12
