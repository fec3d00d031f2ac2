"""The Atom feed of a challenge's newest ideas."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ideas.accounts.services import delete_account
from ideas.app import create_app
from ideas.challenges.models import Challenge, ChallengeTag
from ideas.challenges.phases import Phase
from ideas.db import Database, utcnow
from ideas.settings import load_settings
from ideas.submissions.forms import IdeaInput
from ideas.submissions.models import IdeaCoauthor, IdeaStatus
from ideas.submissions.services import post_idea
from tests.factories.accounts import Person
from tests.factories.queries import counting
from tests.factories.rounds import set_columns
from tests.support.environ import TEST_ENVIRON

ORIGIN = "http://127.0.0.1:8000"
NS = {"atom": "http://www.w3.org/2005/Atom"}
ATOM = "{http://www.w3.org/2005/Atom}"


def feed_url(challenge: Challenge) -> str:
    return f"/challenges/{challenge.slug}/feed.atom"


def parse(document: bytes) -> ET.Element:
    return ET.fromstring(document)  # noqa: S314 - the site's own output, built by the test


async def read_feed(person: Person | httpx.AsyncClient, url: str) -> ET.Element:
    response = await person.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    return parse(response.content)


def entry_titles(feed: ET.Element) -> list[str | None]:
    return [entry.findtext("atom:title", namespaces=NS) for entry in entries(feed)]


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall("atom:entry", NS)


def link(element: ET.Element, rel: str) -> ET.Element:
    found = [e for e in element.findall("atom:link", NS) if e.get("rel") == rel]
    assert len(found) == 1
    return found[0]


def iso(idea_moment: Any) -> str:
    return str(idea_moment.strftime("%Y-%m-%dT%H:%M:%SZ"))


# The feed --------------------------------------------------------------------


async def test_the_feed_describes_the_challenge_as_atom_1_0(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True), title="Food waste")
    newest = await make_idea(challenge, await make_user())

    feed = await read_feed(visitor, feed_url(challenge))

    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext("atom:id", namespaces=NS) == f"{ORIGIN}/challenges/{challenge.slug}"
    assert feed.findtext("atom:title", namespaces=NS) == "New ideas: Food waste"
    assert feed.findtext("atom:subtitle", namespaces=NS) == challenge.question
    assert feed.findtext("atom:updated", namespaces=NS) == iso(newest.updated_at)
    self_link = link(feed, "self")
    assert self_link.get("href") == f"{ORIGIN}/challenges/{challenge.slug}/feed.atom"
    assert self_link.get("type") == "application/atom+xml"
    alternate = link(feed, "alternate")
    assert alternate.get("href") == f"{ORIGIN}/challenges/{challenge.slug}"
    assert alternate.get("type") == "text/html"
    # Every element is in the Atom namespace, none in another or in none.
    assert {element.tag.partition("}")[0] + "}" for element in feed.iter()} == {ATOM}


async def test_the_feed_holds_the_newest_visible_ideas_newest_first(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    other = await make_challenge(await make_user(host=True))
    author = await make_user()
    first = await make_idea(challenge, author, title="First")
    withdrawn = await make_idea(challenge, author, title="Withdrawn")
    hidden = await make_idea(challenge, author, title="Hidden")
    shortlisted = await make_idea(challenge, author, title="Shortlisted")
    await make_idea(other, author, title="Elsewhere")
    await make_idea(challenge, author, title="Last")
    await set_columns(session, withdrawn, status=IdeaStatus.WITHDRAWN)
    await set_columns(session, hidden, status=IdeaStatus.HIDDEN)
    await set_columns(session, shortlisted, status=IdeaStatus.SHORTLISTED)
    await set_columns(session, first, created_at=utcnow() + timedelta(minutes=1))

    feed = await read_feed(visitor, feed_url(challenge))

    assert entry_titles(feed) == ["First", "Last", "Shortlisted"]


async def test_the_feed_holds_at_most_50_ideas(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    for n in range(51):
        await make_idea(challenge, author, title=f"Idea {n}")

    feed = await read_feed(visitor, feed_url(challenge))

    assert entry_titles(feed) == [f"Idea {n}" for n in range(50, 0, -1)]


async def test_a_challenge_without_ideas_has_an_empty_feed(
    make_user: Any, make_challenge: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))

    feed = await read_feed(visitor, feed_url(challenge))

    assert entries(feed) == []
    assert feed.findtext("atom:updated", namespaces=NS) == iso(challenge.updated_at)


# Entries ---------------------------------------------------------------------


async def test_an_entry_has_the_ideas_public_fields(
    make_user: Any, make_challenge: Any, session: AsyncSession, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True), tags=("canteens", "menus"))
    priya, tomas = await make_user("Priya"), await make_user("Tomás")
    tag_ids = tuple(
        await session.scalars(
            select(ChallengeTag.id).where(ChallengeTag.challenge_id == challenge.id)
        )
    )
    posted_at = utcnow().replace(microsecond=0) - timedelta(hours=2)
    idea = await post_idea(
        session,
        challenge_id=challenge.id,
        author_id=priya.id,
        data=IdeaInput(
            title="Share leftovers",
            summary="Give what is left to a food bank.",
            body="**Daily** pick-up. <script>alert(1)</script> [x](javascript:alert(1))",
            tag_ids=tag_ids,
        ),
        now=posted_at,
    )
    session.add(IdeaCoauthor(idea_id=idea.id, user_id=tomas.id))
    await session.commit()
    await set_columns(session, idea, updated_at=posted_at + timedelta(hours=1))

    (entry,) = entries(await read_feed(visitor, feed_url(challenge)))

    assert entry.findtext("atom:id", namespaces=NS) == f"{ORIGIN}/ideas/{idea.id}"
    assert entry.findtext("atom:title", namespaces=NS) == "Share leftovers"
    assert entry.findtext("atom:published", namespaces=NS) == iso(posted_at)
    assert entry.findtext("atom:updated", namespaces=NS) == iso(posted_at + timedelta(hours=1))
    assert [
        (a.findtext("atom:name", namespaces=NS), a.findtext("atom:uri", namespaces=NS))
        for a in entry.findall("atom:author", NS)
    ] == [("Priya", f"{ORIGIN}/people/{priya.id}"), ("Tomás", f"{ORIGIN}/people/{tomas.id}")]
    alternate = link(entry, "alternate")
    assert alternate.get("href") == f"{ORIGIN}/ideas/{idea.id}/share-leftovers"
    assert [c.get("term") for c in entry.findall("atom:category", NS)] == ["canteens", "menus"]
    summary = entry.find("atom:summary", NS)
    assert summary is not None
    assert (summary.get("type"), summary.text) == ("text", "Give what is left to a food bank.")
    content = entry.find("atom:content", NS)
    assert content is not None
    assert content.get("type") == "html"
    assert content.text == idea.body_html
    assert "<strong>Daily</strong>" in content.text
    assert "<script>" not in content.text
    assert 'href="javascript' not in content.text


async def test_an_idea_without_a_body_has_its_summary_as_content(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())
    await set_columns(session, idea, summary="Bins & <scales>")

    (entry,) = entries(await read_feed(visitor, feed_url(challenge)))

    assert entry.findtext("atom:summary", namespaces=NS) == "Bins & <scales>"
    assert entry.findtext("atom:content", namespaces=NS) == "<p>Bins &amp; &lt;scales&gt;</p>"


async def test_markup_in_a_title_is_escaped_as_text(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    title = 'Fish & chips <script>alert("x")</script>'
    challenge = await make_challenge(await make_user(host=True), title="Salt & <b>pepper</b>")
    await make_idea(challenge, await make_user(), title=title)

    response = await visitor.get(feed_url(challenge))
    feed = parse(response.content)

    assert entry_titles(feed) == [title]
    assert feed.findtext("atom:title", namespaces=NS) == "New ideas: Salt & <b>pepper</b>"
    assert b"<script>" not in response.content
    assert b"<b>" not in response.content
    assert b"Fish &amp; chips &lt;script&gt;" in response.content
    assert feed.find(".//atom:title/*", NS) is None


async def test_a_deleted_author_is_a_deleted_participant_without_a_link(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    gone = await make_user("Gone")
    await make_idea(challenge, gone)
    await delete_account(session, user_id=gone.id, now=utcnow())

    (entry,) = entries(await read_feed(visitor, feed_url(challenge)))

    (author,) = entry.findall("atom:author", NS)
    assert author.findtext("atom:name", namespaces=NS) == "deleted participant"
    assert author.find("atom:uri", NS) is None


# Who sees it -----------------------------------------------------------------


async def test_a_draft_has_no_feed_even_for_its_host(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, visitor: Person
) -> None:
    host = await make_user(host=True)
    draft = await make_challenge(host, phase=Phase.DRAFT)
    hamid = await sign_in(host)
    assert (await hamid.get(f"/challenges/{draft.slug}")).status_code == 200

    assert (await visitor.get(feed_url(draft))).status_code == 404
    assert (await hamid.get(feed_url(draft))).status_code == 404
    assert (await visitor.get("/challenges/no-such-challenge/feed.atom")).status_code == 404


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.TEAMS, Phase.CLOSED])
async def test_every_public_phase_has_a_feed(
    phase: Phase, make_user: Any, make_challenge: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=phase)

    assert (await visitor.get(feed_url(challenge))).status_code == 200


# HTTP ------------------------------------------------------------------------


async def test_the_feed_may_be_cached_and_revalidated(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    await make_idea(challenge, await make_user())

    response = await visitor.get(feed_url(challenge))
    again = await visitor.get(
        feed_url(challenge), headers={"If-None-Match": response.headers["etag"]}
    )
    head = await visitor.client.head(feed_url(challenge))

    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["last-modified"].endswith(" GMT")
    assert "set-cookie" not in response.headers
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == response.headers["etag"]
    assert head.status_code == 200
    assert head.headers["content-type"] == "application/atom+xml; charset=utf-8"


async def test_a_new_idea_changes_the_etag(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    await make_idea(challenge, author)
    before = (await visitor.get(feed_url(challenge))).headers["etag"]
    await make_idea(challenge, author)

    response = await visitor.get(feed_url(challenge), headers={"If-None-Match": before})

    assert response.status_code == 200
    assert len(entries(parse(response.content))) == 2


@pytest.fixture
async def public_site(database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """The site with its public address set, reached through another host name."""
    settings = load_settings({**TEST_ENVIRON, "IDEAS_BASE_URL": "https://ideas.example.org"})
    transport = httpx.ASGITransport(app=create_app(settings, database))
    async with httpx.AsyncClient(transport=transport, base_url="http://10.0.0.5:8000") as client:
        yield client


async def test_links_use_the_sites_public_address(
    make_user: Any, make_challenge: Any, make_idea: Any, public_site: httpx.AsyncClient
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())

    feed = await read_feed(public_site, feed_url(challenge))

    site = "https://ideas.example.org"
    assert link(feed, "self").get("href") == f"{site}/challenges/{challenge.slug}/feed.atom"
    assert entries(feed)[0].findtext("atom:id", namespaces=NS) == f"{site}/ideas/{idea.id}"


async def test_the_feed_runs_the_same_queries_for_3_or_30_ideas(
    engine: AsyncEngine, make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    authors = [await make_user() for _ in range(5)]
    for n in range(3):
        await make_idea(challenge, authors[n % 5])
    with counting(engine) as few:
        assert len(entries(await read_feed(visitor, feed_url(challenge)))) == 3
    for n in range(27):
        await make_idea(challenge, authors[n % 5])
    with counting(engine) as many:
        assert len(entries(await read_feed(visitor, feed_url(challenge)))) == 30

    # The challenge; its ideas with their authors and tags; co-authors.
    assert len(few) == len(many) == 3
