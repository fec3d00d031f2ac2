"""The ideas list sorts and filters: every sort in its order, the filters kept by the links."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.submissions.models import IdeaStatus, IdeaTag
from ideas.submissions.queries import Sort
from tests.factories.accounts import Person
from tests.factories.rounds import add_ideas, listed, tag_ids, titles
from tests.factories.web import HTMX
from tests.html import Page

# Sorting -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("top", ["Bravo", "Alpha", "Delta", "Charlie"]),
        ("newest", ["Charlie", "Alpha", "Delta", "Bravo"]),
        ("built-on", ["Delta", "Charlie", "Bravo", "Alpha"]),
        ("influence", ["Alpha", "Delta", "Bravo", "Charlie"]),
        ("trending", ["Delta", "Bravo", "Charlie", "Alpha"]),
    ],
)
async def test_each_sort_puts_the_ideas_in_its_order(
    session: AsyncSession,
    make_challenge: Any,
    host: User,
    author: User,
    visitor: Person,
    sort: str,
    expected: list[str],
) -> None:
    challenge = await make_challenge(host)
    now = utcnow()
    minutes = [timedelta(minutes=n) for n in range(5)]
    await add_ideas(
        session,
        challenge,
        author,
        {
            "title": "Alpha",
            "vote_count": 5,
            "build_count": 0,
            "influence": 9,
            "created_at": now - minutes[2],
            "last_activity_at": now - minutes[4],
        },
        {
            "title": "Bravo",
            "vote_count": 9,
            "build_count": 1,
            "influence": 2,
            "created_at": now - minutes[4],
            "last_activity_at": now - minutes[2],
        },
        {
            "title": "Charlie",
            "vote_count": 1,
            "build_count": 2,
            "influence": 1,
            "created_at": now - minutes[1],
            "last_activity_at": now - minutes[3],
        },
        {
            "title": "Delta",
            "vote_count": 3,
            "build_count": 3,
            "influence": 4,
            "created_at": now - minutes[3],
            "last_activity_at": now - minutes[1],
        },
    )

    page = Page(await visitor.get(f"/challenges/{challenge.slug}?sort={sort}"))

    assert titles(page) == expected
    assert page.one("#ideas .sort-nav a[aria-current=true]").get("href").endswith(f"sort={sort}")


async def test_top_is_the_default_and_an_unknown_sort_falls_back_to_it(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(
        session,
        challenge,
        author,
        {"title": "Few votes", "vote_count": 1},
        {"title": "Many votes", "vote_count": 8},
    )
    base = f"/challenges/{challenge.slug}"

    assert await listed(visitor, base) == ["Many votes", "Few votes"]
    assert await listed(visitor, f"{base}?sort=nonsense") == ["Many votes", "Few votes"]
    # Best match needs a search; without one the list is in its usual order.
    assert await listed(visitor, f"{base}?sort=relevance") == ["Many votes", "Few votes"]


async def test_sort_links_keep_the_filters_and_best_match_is_offered_only_while_searching(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host, tags=("Food",))
    tag = (await tag_ids(session, challenge))["Food"]
    await add_ideas(session, challenge, author, {"title": "Compost"})
    base = f"/challenges/{challenge.slug}"

    plain = Page(await visitor.get(base))
    searching = Page(await visitor.get(f"{base}?q=compost&tag={tag}&status=published"))

    plain_sorts = [a.text_content() for a in plain.select(".sort-nav a")]
    assert plain_sorts == [
        "Top",
        "Newest",
        "Most built on",
        "Most influence",
        "Pairwise rank",
        "Trending",
    ]
    newest = searching.select(".sort-nav a")[2]
    assert newest.text_content() == "Newest"
    assert newest.get("href") == f"{base}?sort=newest&q=compost&tag={tag}&status=published"
    assert newest.get("data-hx-get") == newest.get("href")
    current = searching.one(".sort-nav a[aria-current=true]")
    assert current.text_content() == "Best match"


# Filters ---------------------------------------------------------------------------


async def test_the_filters_are_a_plain_get_form_that_htmx_enhances(
    session: AsyncSession, make_challenge: Any, host: User, visitor: Person
) -> None:
    challenge = await make_challenge(host, tags=("Food", "Transport"))

    form = Page(await visitor.get(f"/challenges/{challenge.slug}")).one("#ideas form[role=search]")

    assert form.get("method") == "get"
    assert form.get("action") == f"/challenges/{challenge.slug}"
    assert form.get("data-hx-get") == form.get("action")
    assert (form.get("data-hx-target"), form.get("data-hx-push-url")) == ("#ideas", "true")
    fields = {element.get("name") for element in form.cssselect("input, select")}
    assert fields == {"q", "tag", "status"}
    for element in form.cssselect("input[name], select"):
        assert form.cssselect(f"label[for={element.get('id')}]")
    statuses = [option.get("value") for option in form.cssselect("select[name=status] option")]
    assert statuses == ["", "published", "shortlisted", "winner"]


async def test_the_tag_filter_keeps_ideas_with_that_tag(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host, tags=("Food", "Transport"))
    other = await make_challenge(host, tags=("Food",))
    tags = await tag_ids(session, challenge)
    food, bikes, both = await add_ideas(
        session, challenge, author, {"title": "Soup"}, {"title": "Bikes"}, {"title": "Cargo"}
    )
    await session.execute(
        insert(IdeaTag),
        [
            {"idea_id": food, "tag_id": tags["Food"]},
            {"idea_id": bikes, "tag_id": tags["Transport"]},
            {"idea_id": both, "tag_id": tags["Food"]},
            {"idea_id": both, "tag_id": tags["Transport"]},
        ],
    )
    await session.commit()
    base = f"/challenges/{challenge.slug}?sort=newest"

    assert await listed(visitor, f"{base}&tag={tags['Food']}") == ["Soup", "Cargo"]
    assert await listed(visitor, f"{base}&tag={tags['Transport']}") == ["Bikes", "Cargo"]
    page = Page(await visitor.get(f"{base}&tag={tags['Food']}"))
    cargo = page.select(".idea-card")[1]
    assert [t.text_content() for t in cargo.cssselect(".tag")] == ["Food", "Transport"]
    assert page.one("select[name=tag] option[selected]").get("value") == str(tags["Food"])
    assert page.text(".idea-filters__result") == "2 ideas match."
    # A tag the challenge does not offer narrows nothing.
    foreign = (await tag_ids(session, other))["Food"]
    assert await listed(visitor, f"{base}&tag={foreign}") == ["Soup", "Bikes", "Cargo"]
    assert await listed(visitor, f"{base}&tag=x") == ["Soup", "Bikes", "Cargo"]


async def test_the_status_filter_keeps_visible_ideas_of_that_status(
    session: AsyncSession, make_challenge: Any, host: User, author: User, sign_in: Any
) -> None:
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    await add_ideas(
        session,
        challenge,
        author,
        {"title": "Plain"},
        {"title": "Chosen", "status": IdeaStatus.SHORTLISTED},
        {"title": "Best", "status": IdeaStatus.WINNER},
        {"title": "Taken back", "status": IdeaStatus.WITHDRAWN},
        {"title": "Reported", "status": IdeaStatus.HIDDEN},
    )
    hamid = await sign_in(host)
    base = f"/challenges/{challenge.slug}?sort=newest"

    assert await listed(hamid, f"{base}&status=published") == ["Plain"]
    assert await listed(hamid, f"{base}&status=shortlisted") == ["Chosen"]
    assert await listed(hamid, f"{base}&status=winner") == ["Best"]
    # Withdrawn and hidden ideas are never listed, even to hosts who ask for them.
    for status in ("withdrawn", "hidden", "nonsense"):
        assert await listed(hamid, f"{base}&status={status}") == ["Plain", "Chosen", "Best"]
    page = Page(await hamid.get(f"{base}&status=shortlisted"))
    assert page.text(".idea-card .status-badge") == "shortlisted"


async def test_withdrawn_and_hidden_ideas_are_never_listed_nor_found(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(
        session,
        challenge,
        author,
        {"title": "Compost shown"},
        {"title": "Compost taken back", "status": IdeaStatus.WITHDRAWN},
        {"title": "Compost reported", "status": IdeaStatus.HIDDEN},
    )
    base = f"/challenges/{challenge.slug}"

    for sort in Sort:
        assert await listed(visitor, f"{base}?sort={sort.value}") == ["Compost shown"]
        assert await listed(visitor, f"{base}?sort={sort.value}&q=compost") == ["Compost shown"]
    assert titles(Page(await visitor.get("/search?q=compost"))) == ["Compost shown"]
    similar = Page(await visitor.get(f"{base}/ideas/similar?title=compost&summary=", headers=HTMX))
    assert [a.text_content() for a in similar.select(".similar__title")] == ["Compost shown"]
