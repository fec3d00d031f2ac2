"""Full-text search of a challenge's ideas: stemmed words, relevance, and what people type taken as words."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.submissions import forms, search
from tests.factories.accounts import Person
from tests.factories.rounds import add_ideas, listed, titles
from tests.html import Page

# Full-text search --------------------------------------------------------------------


async def test_search_finds_stemmed_words_in_title_summary_and_body(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(
        session,
        challenge,
        author,
        {"title": "Compost bins"},
        {"title": "Soil club", "summary": "We compost the peelings."},
        {"title": "Garden", "body": "Every class **composts** its scraps."},
        {"title": "Bike racks", "summary": "Ride to school."},
    )
    base = f"/challenges/{challenge.slug}"

    found = await listed(visitor, f"{base}?q=composting&sort=newest")

    assert found == ["Compost bins", "Soil club", "Garden"]
    assert await listed(visitor, f"{base}?q=COMPOSTED+soil&sort=newest") == ["Soil club"]
    assert await listed(visitor, f"{base}?q=the+compost+bins") == ["Compost bins"]
    assert await listed(visitor, f"{base}?q=trains") == []


async def test_search_results_come_in_order_of_relevance(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(
        session,
        challenge,
        author,
        {
            "title": "Lunch menus",
            "body": "Plan menus with the cooks; leftovers could go to compost now and then.",
            "vote_count": 50,
        },
        {"title": "Compost corner", "summary": "A compost heap, compost tea and compost bins."},
        {"title": "Compost rota", "summary": "Classes take turns at the compost heap."},
    )

    page = Page(await visitor.get(f"/challenges/{challenge.slug}?q=compost"))

    assert titles(page) == ["Compost corner", "Compost rota", "Lunch menus"]
    assert page.one(".sort-nav a[aria-current=true]").text_content() == "Best match"
    assert page.one("#ideas-q").get("value") == "compost"
    assert page.text(".idea-filters__result") == "3 ideas match “compost”."
    # Another order can be chosen for the matches.
    top = await listed(visitor, f"/challenges/{challenge.slug}?q=compost&sort=top")
    assert top == ["Lunch menus", "Compost rota", "Compost corner"]


@pytest.mark.parametrize(
    "q",
    [
        '"foo" OR NEAR(',
        "-",
        "*",
        '"',
        "compost*",
        "NOT compost",
        "compost OR",
        "AND",
        "(compost",
        "title:compost",
        "^compost",
        "compost -heap",
        "compost & heap | !x <-> y",
        "'; DROP TABLE ideas; --",
        "NEAR(compost heap, 2)",
        "\x00compost",
        "c" * 2000,
    ],
)
async def test_search_operators_in_what_people_type_are_only_words(
    session: AsyncSession,
    make_challenge: Any,
    host: User,
    author: User,
    make_client: Any,
    q: str,
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(session, challenge, author, {"title": "Compost heap"}, {"title": "Foo near"})
    visitor = Person(client=make_client(raise_app_exceptions=False), csrf="", user=None)

    response = await visitor.get(f"/challenges/{challenge.slug}", params={"q": q})
    site = await visitor.get("/search", params={"q": q})
    similar = await visitor.get(
        f"/challenges/{challenge.slug}/ideas/similar", params={"title": q, "summary": q}
    )

    assert response.status_code == site.status_code == 200
    # The similar ideas shown while typing take no more than the form lets anyone type.
    assert similar.status_code == (400 if len(q) > forms.TITLE_MAX else 200)
    expected = {
        '"foo" OR NEAR(': ["Foo near"],  # every word, none an operator
        "-": [],
        "*": [],
        "compost*": ["Compost heap"],
        "compost -heap": ["Compost heap"],
    }
    if q in expected:
        assert titles(Page(response)) == expected[q]


async def test_search_words_are_quoted_for_fts5_and_plain_for_postgresql() -> None:
    assert search.words('"foo" OR NEAR( the Compost-bins, compost*') == [
        "foo",
        "near",
        "compost",
        "bins",
    ]
    assert search.words("a an to of Peel", min_length=3) == ["peel"]
    assert search._fts5_query(["foo", 'x"y'], any_word=True) == '"foo" OR "x""y"'


async def test_search_reads_the_full_text_index(session: AsyncSession) -> None:
    found = search.matching(session, "composting bins")
    assert found is not None
    dialect = session.get_bind().dialect
    sql = str(select(found.c.id).compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    if dialect.name == "sqlite":
        plan = " ".join(row[-1] for row in await session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
        assert "ideas_fts VIRTUAL TABLE INDEX" in plan
        return
    # The query spells the document as the GIN index does, so the index can serve it.
    await session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join((await session.scalars(text(f"EXPLAIN {sql}"))).all())
    assert "ix_ideas_search" in plan
