"""In production every absolute link comes from IDEAS_BASE_URL, never the Host header.

Pages shown to visitors are cached and served to everyone for a moment: a
request with a forged Host must not be able to put its host into the links
(canonical, og:url, the feed, the API) that everyone then gets.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts import sessions
from ideas.challenges.services import shortlist
from ideas.db import utcnow
from ideas.settings import SettingsError, load_settings
from ideas.teams.models import Team
from tests.factories.web import MakeSite
from tests.html import Page
from tests.support.environ import PRODUCTION_ENVIRON

ORIGIN = "https://ideas.example.org"
FOREIGN = "evil.example"


def test_production_refuses_to_start_without_its_public_origin() -> None:
    environ = {k: v for k, v in PRODUCTION_ENVIRON.items() if k != "IDEAS_BASE_URL"}

    with pytest.raises(SettingsError, match="IDEAS_BASE_URL must be set when IDEAS_ENV=production"):
        load_settings(environ)
    with pytest.raises(SettingsError, match="IDEAS_BASE_URL"):
        load_settings({**environ, "IDEAS_BASE_URL": ""})


def foreign_mentions(response: httpx.Response) -> list[str]:
    """Where the foreign host shows up in a response: its headers or its body."""
    found = [f"{name}: {value}" for name, value in response.headers.items() if FOREIGN in value]
    if FOREIGN in response.text:
        at = response.text.index(FOREIGN)
        found.append(f"body: …{response.text[max(0, at - 80) : at + 40]}…")
    return found


async def test_a_foreign_host_header_shows_up_in_no_link_of_any_page(
    make_site: MakeSite,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    session: AsyncSession,
) -> None:
    site = make_site(IDEAS_ENV="production", base_url=f"http://{FOREIGN}")
    host = await make_user(host=True)
    author = await make_user()
    challenge = await make_challenge(host)
    idea = await make_idea(challenge, author)
    await shortlist(
        session, challenge_id=challenge.id, idea_id=idea.id, note="", actor_id=host.id,
        now=utcnow(),
    )  # fmt: skip
    team = (await session.scalars(select(Team).where(Team.idea_id == idea.id))).one()
    slug, idea_path = challenge.slug, f"/ideas/{idea.id}"
    visitor_pages = [
        "/",
        f"/challenges/{slug}",
        f"{idea_path}/{idea.slug}",
        idea_path,
        f"{idea_path}/lineage",
        f"{idea_path}/history",
        f"{idea_path}/comments",
        f"/challenges/{slug}/feed.atom",
        f"/challenges/{slug}/teams",
        f"/challenges/{slug}/results",
        f"/teams/{team.id}",
        f"/people/{author.id}",
        "/search?q=idea",
        "/sign-in",
        "/sign-in/github",
        "/settings",
        "/no/such/page",
        "/api/v1/challenges",
        f"/api/v1/challenges/{slug}",
        f"/api/v1/challenges/{slug}/ideas",
        f"/api/v1/challenges/{slug}/teams",
        f"/api/v1/ideas/{idea.id}",
        f"/api/v1/ideas/{idea.id}/lineage",
        "/api/v1/openapi.json",
    ]
    signed_in_pages = [
        f"/challenges/{slug}",
        f"{idea_path}/{idea.slug}",
        f"/challenges/{slug}/dashboard",
        f"/challenges/{slug}/export/ideas.csv",
        f"/challenges/{slug}/export/ideas.json",
        f"/challenges/{slug}/export/teams.json",
        "/settings",
        "/settings/data.json",
        "/notifications",
    ]
    token, _ = await sessions.start(session, host, now=utcnow(), replacing=None)
    transport = httpx.ASGITransport(app=site.app)
    mentions: dict[str, list[str]] = {}
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{FOREIGN}") as hosting:
        hosting.cookies.set(site.cookie, token)
        for path in visitor_pages:
            response = await site.client.get(path)
            assert response.status_code < 500, path
            mentions[path] = foreign_mentions(response)
        for path in signed_in_pages:
            response = await hosting.get(path)
            assert response.status_code == 200, path
            mentions[f"signed in: {path}"] = foreign_mentions(response)

    assert {where: found for where, found in mentions.items() if found} == {}
    # The links are there, made from the public origin.
    page = Page(await site.client.get(f"{idea_path}/{idea.slug}"))
    canonical = f"{ORIGIN}{idea_path}/{idea.slug}"
    assert page.one("link[rel=canonical]").get("href") == canonical
    assert page.one("meta[property='og:url']").get("content") == canonical
    feed = Page(await site.client.get(f"/challenges/{slug}"))
    feed_link = feed.one("link[rel=alternate][type='application/atom+xml']").get("href")
    assert feed_link == f"{ORIGIN}/challenges/{slug}/feed.atom"
    api = (await site.client.get(f"/api/v1/ideas/{idea.id}")).json()
    assert api["url"] == canonical
    start = await site.client.get("/sign-in/github")
    assert (
        "redirect_uri=https%3A%2F%2Fideas.example.org%2Fsign-in%2Fgithub%2Fcallback"
        in (start.headers["location"])
    )


async def test_a_form_posted_from_a_foreign_origin_is_refused(make_site: MakeSite) -> None:
    site = make_site(IDEAS_ENV="production", base_url=f"http://{FOREIGN}")

    response = await site.client.post("/sign-out", headers={"Origin": f"http://{FOREIGN}"})

    assert response.status_code == 403
