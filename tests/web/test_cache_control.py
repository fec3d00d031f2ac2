"""What caches and browsers may keep.

Everything made for a signed-in person, and every step of signing in, is
``private, no-store``: their name, notifications and data must not stay in a
shared computer's cache or any proxy's. Only what is the same for everyone (the
API, the feeds, pictures) says ``public``; a visitor's page made for them alone
(it carries their form token) is ``private, no-cache``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts import sessions
from ideas.db import utcnow
from ideas.web.sessions import cookie_name
from tests.factories.accounts import Person
from tests.factories.web import MakeSite

GITHUB = {"GITHUB_CLIENT_ID": "test-client", "GITHUB_CLIENT_SECRET": "test-secret"}


async def test_every_answer_to_a_signed_in_person_is_never_stored(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    idea = await make_idea(challenge, await make_user())
    person: Person = await sign_in(host)
    pages = [
        "/",
        f"/challenges/{challenge.slug}",
        f"/ideas/{idea.id}/{idea.slug}",
        f"/ideas/{idea.id}",  # a redirect
        f"/challenges/{challenge.slug}/dashboard",
        f"/challenges/{challenge.slug}/export/ideas.csv",
        "/settings",
        "/settings/data.json",
        "/settings/delete",
        "/notifications",
        "/notifications/badge",
        "/teams/requests",
        "/no/such/page",
    ]

    answers = {page: (await person.get(page)).headers.get("cache-control") for page in pages}
    posted = await person.post("/settings/email", {"email_frequency": "none"})

    assert answers == dict.fromkeys(pages, "private, no-store")
    assert posted.headers["cache-control"] == "private, no-store"


async def test_what_is_the_same_for_everyone_stays_public_when_signed_in(
    make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    person: Person = await sign_in(await make_user())

    api = await person.get(f"/api/v1/challenges/{challenge.slug}")

    assert api.headers["cache-control"].startswith("public")


async def test_a_visitors_page_with_their_form_token_is_private(
    visitor: Person, session: AsyncSession, settings: Any
) -> None:
    token, _ = await sessions.start(session, None, now=utcnow(), replacing=None)
    visitor.client.cookies.set(cookie_name(settings), token)

    response = await visitor.get("/")

    assert response.headers["cache-control"] == "private, no-cache"


async def test_the_steps_of_signing_in_are_never_stored(make_site: MakeSite) -> None:
    site = make_site(**GITHUB)

    start = await site.client.get("/sign-in/github")
    back = await site.client.get("/sign-in/github/callback?code=x&state=y")
    again = await site.client.get("/sign-in/github/callback?code=x&state=y")

    assert start.status_code == 302
    assert back.status_code == again.status_code == 400
    for response in (start, back, again):
        assert response.headers["cache-control"] == "private, no-store"
