"""Pages run a fixed number of queries, whatever the amount of data."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ideas.challenges.models import Challenge, ChallengeTag
from ideas.similarity import queries as similarity
from ideas.submissions.queries import PAGE_SIZE, Sort
from tests.factories.queries import counting
from tests.factories.rounds import add_varied_ideas
from tests.html import Page

# A LIMIT sent as a parameter, not written into the statement.
LIMIT_PARAMETER = re.compile(r"\bLIMIT\s+(?:\?|\$|%|:)")


async def _queries_for(engine: AsyncEngine, person: Any, url: str, **kwargs: Any) -> int:
    """How many statements ``url`` runs. On PostgreSQL each writes its LIMIT in: as a
    parameter, PostgreSQL plans a page of ideas anew at every execution."""
    with counting(engine) as statements:
        response = await person.get(url, **kwargs)
    assert response.status_code == 200, url
    if engine.dialect.name == "postgresql":
        assert not [s for s in statements if LIMIT_PARAMETER.search(s)], url
    return len(statements)


async def test_challenge_and_idea_pages_run_the_same_queries_with_3_or_30_ideas(
    engine: AsyncEngine, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    authors = [await make_user() for _ in range(5)]
    small, large = await make_challenge(host), await make_challenge(host)
    for n in range(3):
        first = await make_idea(small, authors[n % 5])
    for n in range(30):
        last = await make_idea(large, authors[n % 5])
    priya = await sign_in(authors[0])

    small_page = await _queries_for(engine, priya, f"/challenges/{small.slug}")
    large_page = await _queries_for(engine, priya, f"/challenges/{large.slug}")
    # The first idea page of a challenge in a process builds its similar ideas' index.
    for idea in (first, last):
        await priya.get(f"/ideas/{idea.id}/{idea.slug}")
    idea_pages = {
        await _queries_for(engine, priya, f"/ideas/{idea.id}/{idea.slug}") for idea in (first, last)
    }
    home = await _queries_for(engine, priya, "/")

    # Session and user; challenge with its hosts, its jury's weighting, whether it has
    # winners or rounds around it (it has neither), its themes and its tags; the page of
    # ideas with their authors and tags; the viewer's votes and co-authored ideas among
    # them, whether they follow it and sit on its jury, and which of the ideas are in a
    # duplicates cluster (none are).
    assert small_page == large_page == 4
    # Session and user; the idea with its author, its challenge with the challenge's
    # hosts, its co-authors, team and tags; the ideas it builds on and that build on
    # it; ideas like it with their authors and the challenge's change stamp; the comment
    # thread with the replies; the viewer's vote and whether they follow it; the duplicates
    # cluster it is in; and the requests to group it with another (for its authors) or
    # the viewer's ideas they may ask to group with it (for others).
    assert idea_pages == {8}
    assert home == 3


# Session and user; challenge with its hosts, its jury's weighting, whether it has
# winners or rounds around it, its themes and its offered tags; the page of ideas with
# their authors, their tags and how many ideas each builds on; how many ideas pass the
# filters (only when filtering); the viewer's standing with the ideas shown, whether they
# follow the challenge and sit on its jury (not for htmx), and which ideas are in a
# duplicates cluster. (Winners, rounds and clusters, when there are some, are read besides.)
PAGE_QUERIES = 4
FILTERED_PAGE_QUERIES = 5
MORE_IDEAS_QUERIES = 4


async def test_the_ideas_list_runs_the_same_queries_with_10_or_1000_ideas(
    engine: AsyncEngine, session: AsyncSession, make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    authors = [await make_user() for _ in range(7)]
    small = await make_challenge(host, tags=("Food", "Transport"))
    large = await make_challenge(host, tags=("Food", "Transport"))
    await add_varied_ideas(session, small, authors, 10)
    await add_varied_ideas(session, large, authors, 1000)
    tag_of = {
        challenge.id: await session.scalar(
            select(ChallengeTag.id).where(
                ChallengeTag.challenge_id == challenge.id, ChallengeTag.name == "Food"
            )
        )
        for challenge in (small, large)
    }
    priya = await sign_in(authors[0])

    measured: dict[str, dict[str, int]] = {}
    for challenge, size in ((small, "10"), (large, "1000")):
        base = f"/challenges/{challenge.slug}"
        for sort in Sort:
            for label, filters in (
                ("all", ""),
                ("q", "&q=composting"),
                ("tag", f"&tag={tag_of[challenge.id]}"),
            ):
                url = f"{base}?sort={sort.value}{filters}"
                key = f"{sort.value} {label}"
                measured.setdefault(key, {})[size] = await _queries_for(engine, priya, url)
                page = Page(await priya.get(url))
                cards = page.select("#ideas .idea-card")
                assert 0 < len(cards) <= PAGE_SIZE, url
                more = page.select("#ideas .idea-list__more a")
                if more:
                    assert len(cards) == PAGE_SIZE
                    more_url = more[0].get("href")
                    measured.setdefault(f"{key} more", {})[size] = await _queries_for(
                        engine, priya, more_url, headers={"HX-Request": "true"}
                    )

    for key, counts in measured.items():
        if key.endswith("more"):
            expected = MORE_IDEAS_QUERIES
        elif key.endswith("all"):
            expected = PAGE_QUERIES
        else:
            expected = FILTERED_PAGE_QUERIES
        assert set(counts.values()) == {expected}, (key, counts)
    # The large list has a next page in every order and filter.
    assert sum(1 for counts in measured.values() if "1000" in counts) == len(Sort) * 3 * 2


async def test_search_and_similar_ideas_run_the_same_queries_with_10_or_1000_ideas(
    engine: AsyncEngine, session: AsyncSession, make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    authors = [await make_user() for _ in range(3)]
    small = await make_challenge(host, tags=("Food",), title="Compost at school")
    priya = await sign_in(authors[0])
    await add_varied_ideas(session, small, authors, 10)

    def urls(challenge: Challenge) -> list[str]:
        return [
            "/search?q=compost",
            f"/challenges/{challenge.slug}/ideas/similar?title=Compost+bins&summary=soil",
        ]

    # Each challenge's similar ideas index is ready, as a process makes it at start-up.
    await similarity.prepare(session, small.id)
    before = [await _queries_for(engine, priya, url) for url in urls(small)]
    large = await make_challenge(host, tags=("Food",), title="Compost in town")
    await add_varied_ideas(session, large, authors, 1000)
    await similarity.prepare(session, large.id)
    after = [await _queries_for(engine, priya, url) for url in urls(large)]

    # Search: session and user; every challenge; their hosts; the matching ideas
    # with their authors; their tags. Similar ideas: session and user; the challenge;
    # the similar ideas with their authors' names and the challenge's change stamp.
    assert before == after == [5, 3]
    assert "similar__title" in (await priya.get(urls(large)[1])).text
