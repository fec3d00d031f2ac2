"""Every unsafe request needs the session's CSRF token and a same-origin browser."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.submissions.models import Idea
from tests.conftest import count
from tests.html import Page

IDEA = {"title": "Share leftovers", "summary": "Give what is left to a food bank."}


@pytest.fixture
async def posting(make_user: Any, make_challenge: Any, sign_in: Any) -> tuple[Any, str]:
    challenge = await make_challenge(await make_user(host=True))
    return await sign_in(await make_user()), f"/challenges/{challenge.slug}/ideas/new"


async def test_a_valid_token_in_the_form_is_accepted(posting: tuple[Any, str]) -> None:
    person, url = posting
    assert (await person.post(url, IDEA)).status_code == 303


async def test_the_token_in_the_htmx_header_is_accepted(posting: tuple[Any, str]) -> None:
    person, url = posting
    response = await person.client.post(
        url, data=IDEA, headers={"X-CSRF-Token": person.csrf, "HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/ideas/")


async def test_a_missing_token_is_refused_and_nothing_is_saved(
    posting: tuple[Any, str], session: AsyncSession
) -> None:
    person, url = posting
    response = await person.post(url, IDEA, csrf=False)
    assert response.status_code == 403
    assert Page(response).text("h1") == "Forbidden"
    assert await count(session, Idea) == 0


async def test_a_forged_token_is_refused_and_nothing_is_saved(
    posting: tuple[Any, str], session: AsyncSession
) -> None:
    person, url = posting
    response = await person.post(url, {**IDEA, "csrf_token": "forged-" + person.csrf[7:]})
    assert response.status_code == 403
    assert await count(session, Idea) == 0


async def test_a_forged_htmx_header_is_refused(
    posting: tuple[Any, str], session: AsyncSession
) -> None:
    person, url = posting
    response = await person.client.post(url, data=IDEA, headers={"X-CSRF-Token": "nope"})
    assert response.status_code == 403
    assert await count(session, Idea) == 0


async def test_the_token_of_another_session_is_refused(
    posting: tuple[Any, str], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    person, url = posting
    other = await sign_in(await make_user())
    response = await person.post(url, {**IDEA, "csrf_token": other.csrf})
    assert response.status_code == 403
    assert await count(session, Idea) == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:9999"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
async def test_a_request_from_another_site_is_refused_even_with_a_valid_token(
    posting: tuple[Any, str], session: AsyncSession, headers: dict[str, str]
) -> None:
    person, url = posting
    response = await person.post(url, IDEA, headers=headers)
    assert response.status_code == 403
    assert await count(session, Idea) == 0


async def test_a_same_origin_browser_request_is_accepted(posting: tuple[Any, str]) -> None:
    person, url = posting
    response = await person.post(
        url, IDEA, headers={"Origin": "http://127.0.0.1:8000", "Sec-Fetch-Site": "same-origin"}
    )
    assert response.status_code == 303


async def test_a_visitor_without_a_session_cannot_post(visitor: Any) -> None:
    response = await visitor.post("/sign-out", {"csrf_token": "anything"})
    assert response.status_code == 403


async def test_reading_never_needs_a_token(visitor: Any) -> None:
    assert (await visitor.get("/")).status_code == 200


async def test_a_body_over_the_limit_is_refused(
    posting: tuple[Any, str], session: AsyncSession
) -> None:
    person, url = posting
    response = await person.post(url, {**IDEA, "body": "x" * 2_100_000})
    assert response.status_code == 413
    assert await count(session, Idea) == 0
