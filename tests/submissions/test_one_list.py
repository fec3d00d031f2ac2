"""A challenge's ideas are one list: its page and the API show the same ideas in the
same order, page after page, and their cursors are the same cursors. An idea's
lineage is one family: its page and the API show the same of it.

The API does not search, so best match, an order only a search has, is left out.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import policy
from ideas.accounts.models import User
from ideas.api.queries import IDEA_SORTS
from ideas.challenges.models import Challenge
from ideas.db import utcnow
from ideas.errors import NotFound
from ideas.submissions.forms import IdeaInput
from ideas.submissions.lineage import LinkInput
from ideas.submissions.models import Idea, IdeaStatus
from ideas.submissions.queries import PAGE_SIZE, Sort, challenge_ideas
from ideas.submissions.services import post_idea
from tests.factories.accounts import Person
from tests.html import Page

IDEAS = 2 * PAGE_SIZE + 7
SORTS = [sort.value for sort in IDEA_SORTS]


@pytest.fixture
async def challenge(
    session: AsyncSession, make_challenge: Any, make_idea: Any, make_user: Any, host: User
) -> Challenge:
    """A challenge whose ideas tie in every order, and two ideas no list shows.

    Every idea is posted at one moment and last active at another, so the time
    orders are all ties; the counters take two or three values each; a few ideas
    were never compared. Ties are broken by id alone.
    """
    challenge: Challenge = await make_challenge(host)
    authors = [await make_user(), await make_user()]
    ideas = [await make_idea(challenge, authors[n % 2]) for n in range(IDEAS + 2)]
    await make_idea(await make_challenge(host), authors[0])  # another challenge's
    posted = utcnow().replace(microsecond=0)
    await session.execute(
        update(Idea),
        [
            {
                "id": idea.id,
                "vote_count": n % 3,
                "build_count": n % 2,
                "influence": (n // 2) % 3,
                "pairwise_score": None if n % 5 == 0 else (n % 2) / 2,
                "created_at": posted,
                "last_activity_at": posted,
                "status": (
                    IdeaStatus.WITHDRAWN
                    if n == IDEAS
                    else IdeaStatus.HIDDEN
                    if n == IDEAS + 1
                    else IdeaStatus.PUBLISHED
                ),
            }
            for n, idea in enumerate(ideas)
        ],
    )
    await session.commit()
    return challenge


def page_url(challenge: Challenge, query: str) -> str:
    return f"/challenges/{challenge.slug}?{query}"


def api_url(challenge: Challenge, query: str) -> str:
    return f"/api/v1/challenges/{challenge.slug}/ideas?{query}"


def cursor_in(url: str | None) -> str | None:
    """The ``after`` of a link to the next page, if there is one."""
    return None if url is None else parse_qs(urlsplit(url).query)["after"][0]


async def page_steps(person: Person, url: str) -> list[tuple[list[int], str | None]]:
    """Each page of the challenge page's list: its idea ids, and the cursor of its
    "more ideas" link, followed without JavaScript to the end."""
    steps: list[tuple[list[int], str | None]] = []
    next_url: str | None = url
    while next_url is not None:
        response = await person.get(next_url)
        assert response.status_code == 200, next_url
        page = Page(response)
        ids = [int(a.get("href").split("/")[2]) for a in page.select(".idea-card .card__title a")]
        more = page.select(".idea-list__more a")
        next_url = more[0].get("href") if more else None
        steps.append((ids, cursor_in(next_url)))
    return steps


async def api_steps(person: Person, url: str) -> list[tuple[list[int], str | None]]:
    """Each page of the API's list: its idea ids, and the cursor of its ``next`` link."""
    steps: list[tuple[list[int], str | None]] = []
    next_url: str | None = url
    while next_url is not None:
        response = await person.get(next_url)
        assert response.status_code == 200, next_url
        body = response.json()
        next_url = body["next"]
        steps.append(([item["id"] for item in body["items"]], cursor_in(next_url)))
    return steps


@pytest.mark.parametrize("sort", SORTS)
async def test_the_page_and_the_api_list_the_same_ideas_in_the_same_order_page_by_page(
    sort: str, challenge: Challenge, host: User, visitor: Person, sign_in: Any
) -> None:
    from_api = await api_steps(visitor, api_url(challenge, f"sort={sort}"))

    for reader in (visitor, await sign_in(host)):
        assert await page_steps(reader, page_url(challenge, f"sort={sort}")) == from_api
    assert [len(ids) for ids, _ in from_api] == [PAGE_SIZE, PAGE_SIZE, IDEAS - 2 * PAGE_SIZE]
    assert len({idea_id for ids, _ in from_api for idea_id in ids}) == IDEAS


@pytest.mark.parametrize("sort", SORTS)
async def test_a_cursor_works_on_both_and_only_in_the_order_it_was_made_for(
    sort: str, challenge: Challenge, visitor: Person
) -> None:
    first = Page(await visitor.get(page_url(challenge, f"sort={sort}")))
    cursor = cursor_in(first.one(".idea-list__more a").get("href"))
    assert cursor is not None
    # The page's cursor, taken to the API, goes on where the page left off.
    on_page = await page_steps(visitor, page_url(challenge, f"sort={sort}&after={cursor}"))
    in_api = await api_steps(visitor, api_url(challenge, f"sort={sort}&after={cursor}"))
    assert on_page == in_api

    for other in SORTS:
        if other == sort:
            continue
        page = await visitor.get(page_url(challenge, f"sort={other}&after={cursor}"))
        api = await visitor.get(api_url(challenge, f"sort={other}&after={cursor}"))

        assert page.status_code == 400, other
        assert api.status_code == 400, other
        assert api.json()["error"] == "bad_request"


async def test_a_drafts_ideas_are_listed_to_its_hosts_only(
    session: AsyncSession, challenge: Challenge, host: User
) -> None:
    still_a_draft = utcnow() - timedelta(days=2)
    hosts = policy.roles_from(host, host=True, author=False)

    with pytest.raises(NotFound):
        await challenge_ideas(
            session, challenge, policy.site_roles(None), still_a_draft, sort=Sort.TOP
        )
    page = await challenge_ideas(session, challenge, hosts, still_a_draft, sort=Sort.TOP)
    assert len(page.ideas) == PAGE_SIZE


async def test_the_lineage_page_and_the_api_show_the_same_of_a_family(
    session: AsyncSession, make_challenge: Any, make_idea: Any, make_user: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()

    async def building_on(parent: Idea, note: str, title: str) -> Idea:
        links = (LinkInput(parent_id=parent.id, note=note),)
        data = IdeaInput(title=title, summary=f"{title}.", body="", builds_on=links)
        return await post_idea(
            session, challenge_id=challenge.id, author_id=author.id, data=data, now=utcnow()
        )

    # withdrawn ← idea ← hidden ← below: the notes of the withdrawn and the hidden
    # idea's links are theirs, and go with them.
    withdrawn = await make_idea(challenge, author, title="Withdrawn root")
    idea = await building_on(withdrawn, "kept note", "Idea")
    hidden = await building_on(idea, "hidden note", "Hidden")
    await building_on(hidden, "below note", "Below")
    for gone, status in ((withdrawn, IdeaStatus.WITHDRAWN), (hidden, IdeaStatus.HIDDEN)):
        await session.execute(update(Idea).where(Idea.id == gone.id).values(status=status))
    await session.commit()

    response = await visitor.get(f"/ideas/{idea.id}/lineage")
    page = Page(response)
    api = (await visitor.get(f"/api/v1/ideas/{idea.id}/lineage")).json()

    nodes = [node for node in api["nodes"] if node["id"] != idea.id]
    assert sorted(a.text_content() for a in page.select(".tree a")) == sorted(
        node["title"] for node in nodes if node["title"] is not None
    )
    not_shown = [s for s in page.select(".tree .muted") if s.text == "An idea no longer shown"]
    assert len(not_shown) == len([node for node in nodes if node["title"] is None]) == 2
    assert sorted(" ".join(n.text_content().split()) for n in page.select(".link-note")) == [
        "below note",
        "kept note",
    ]
    assert sorted(edge["note"] for edge in api["edges"] if edge["note"]) == [
        "below note",
        "kept note",
    ]
    assert "hidden note" not in response.text
