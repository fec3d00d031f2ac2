"""The ideas list pages by keyset: no repeats or gaps, with and without JavaScript."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.db import utcnow
from ideas.submissions.models import Idea, IdeaLink, IdeaTag
from ideas.submissions.queries import PAGE_SIZE, Cursor, Sort, pairwise_key
from tests.factories.accounts import Person
from tests.factories.rounds import add_ideas, tag_ids, titles, walk
from tests.factories.web import HTMX
from tests.html import Page

# Keyset pages --------------------------------------------------------------------------


@pytest.mark.parametrize("sort", [sort.value for sort in Sort])
@pytest.mark.parametrize("htmx", [False, True], ids=["links", "htmx"])
async def test_pages_follow_each_other_without_repeats_or_gaps_even_with_ties(
    session: AsyncSession,
    make_challenge: Any,
    host: User,
    author: User,
    visitor: Person,
    sort: str,
    htmx: bool,
) -> None:
    challenge = await make_challenge(host)
    now = utcnow()
    # Many ties in every order: five values of each key among 47 ideas; the same
    # words in every idea, so their search scores tie too, but for a few.
    specs = [
        {
            "title": f"Compost idea {n}",
            "summary": "Compost the compost." if n % 9 == 0 else "Turn scraps into soil.",
            "vote_count": n % 5,
            "build_count": n % 4,
            "influence": (n * 3) % 5,
            "created_at": now - timedelta(minutes=n % 5),
            "last_activity_at": now - timedelta(minutes=(n * 2) % 5),
            # Never compared (no score) for every sixth idea, as at the start of a round.
            "pairwise_score": None if n % 6 == 0 else (n % 3) / 4,
        }
        for n in range(47)
    ]
    ids = await add_ideas(session, challenge, author, *specs)
    url = f"/challenges/{challenge.slug}?sort={sort}&q=compost"

    seen = await walk(visitor, url, htmx=htmx)

    assert len(seen) == len(set(seen)) == 47
    assert set(seen) == set(ids)
    if sort != "relevance":
        column = {
            "top": Idea.vote_count,
            "newest": Idea.created_at,
            "built-on": Idea.build_count,
            "influence": Idea.influence,
            "trending": Idea.last_activity_at,
            "pairwise": pairwise_key(),
        }[sort]
        expected = (
            await session.scalars(
                select(Idea.id)
                .where(Idea.challenge_id == challenge.id)
                .order_by(column.desc(), Idea.id.desc())
            )
        ).all()
        assert seen == list(expected)
    else:
        strong = [idea_id for n, idea_id in enumerate(ids) if n % 9 == 0]
        assert seen[: len(strong)] == sorted(strong, reverse=True)
        assert seen[len(strong) :] == sorted(set(ids) - set(strong), reverse=True)


async def test_more_ideas_with_htmx_returns_only_the_next_cards_and_a_new_link(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(session, challenge, author, *({"title": f"Idea {n}"} for n in range(45)))
    first = Page(await visitor.get(f"/challenges/{challenge.slug}?sort=newest"))
    link = first.one("#ideas ol.idea-list > li.idea-list__more > a")
    assert link.text_content() == "More ideas"
    assert link.get("href") == link.get("data-hx-get")
    assert (link.get("data-hx-target"), link.get("data-hx-swap")) == ("closest li", "outerHTML")

    response = await visitor.get(link.get("data-hx-get"), headers=HTMX)

    assert "HX-Request" in response.headers["Vary"]
    fragment = Page(response)
    assert [child.tag for child in fragment.root] == ["li"] * (PAGE_SIZE + 1)
    assert len(fragment.select("li.idea-card")) == PAGE_SIZE
    assert fragment.select("section, form, nav, h2, html, body") == []
    assert titles(fragment) == [f"Idea {n}" for n in range(20, 40)]
    last = Page(
        await visitor.get(fragment.one("li.idea-list__more a").get("data-hx-get"), headers=HTMX)
    )
    assert titles(last) == [f"Idea {n}" for n in range(40, 45)]
    assert last.select(".idea-list__more") == []


async def test_more_ideas_without_javascript_opens_the_next_page(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(session, challenge, author, *({"title": f"Idea {n}"} for n in range(25)))
    first = Page(await visitor.get(f"/challenges/{challenge.slug}?sort=newest"))

    response = await visitor.get(first.one(".idea-list__more a").get("href"))

    page = Page(response)
    assert page.select("html h1")
    assert titles(page) == [f"Idea {n}" for n in range(20, 25)]
    assert (
        page.one(".idea-list__first a").get("href") == f"/challenges/{challenge.slug}?sort=newest"
    )


@pytest.mark.parametrize(
    "after",
    [
        "nonsense",
        "",
        Cursor(Sort.TOP, 3, 7).encode(),  # made for another order
        Cursor(Sort.NEWEST, 3, 7).encode(),  # a number where a time belongs
        "WyJuZXdlc3QiLCJ4IiwxXQ",  # ["newest","x",1]
        "WyJuZXdlc3QiLDEsMSwxXQ",  # four parts
        "W10",  # []
    ],
)
async def test_a_cursor_that_is_not_one_of_ours_is_refused(
    make_challenge: Any, host: User, visitor: Person, after: str
) -> None:
    challenge = await make_challenge(host)
    response = await visitor.get(f"/challenges/{challenge.slug}?sort=newest&after={after}")
    assert response.status_code == (200 if after == "" else 400)


def test_a_relevance_cursor_refuses_numbers_that_are_not_finite() -> None:
    good = Cursor(Sort.RELEVANCE, 0.25, 3)
    assert Cursor.decode(good.encode(), Sort.RELEVANCE) == good
    for token in ("WyJyZWxldmFuY2UiLE5hTiwzXQ", "WyJyZWxldmFuY2UiLEluZmluaXR5LDNd"):
        with pytest.raises(ValueError, match=token):
            Cursor.decode(token, Sort.RELEVANCE)


# Cards ---------------------------------------------------------------------------------


async def test_a_card_shows_author_counts_tags_and_lineage(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host, tags=("Food",))
    tags = await tag_ids(session, challenge)
    first, second, remix = await add_ideas(
        session,
        challenge,
        author,
        {"title": "Root", "vote_count": 3, "comment_count": 1, "build_count": 1},
        {"title": "Branch", "build_count": 1},
        {"title": "Leaf"},
    )
    await session.execute(
        insert(IdeaLink),
        [
            {"child_id": remix, "parent_id": first, "note": ""},
            {"child_id": remix, "parent_id": second, "note": ""},
        ],
    )
    await session.execute(insert(IdeaTag), [{"idea_id": first, "tag_id": tags["Food"]}])
    await session.commit()

    page = Page(await visitor.get(f"/challenges/{challenge.slug}?sort=newest"))

    root, branch, leaf = page.select(".idea-card")
    assert "Priya" in root.cssselect(".byline")[0].text_content()
    stats = " ".join(root.cssselect(".card__stats")[0].text_content().split())
    assert "3 votes" in stats
    assert "1 comment" in stats
    assert [t.text_content() for t in root.cssselect(".tag")] == ["Food"]
    lineage = " ".join(root.cssselect(".card__lineage")[0].text_content().split())
    assert lineage == "1 built on it"
    lineage = " ".join(leaf.cssselect(".card__lineage")[0].text_content().split())
    assert lineage == "Builds on 2 ideas"
    assert branch.cssselect(".tag") == []
