"""Finding ideas: sorting, filtering, full-text search, paging, site search, similar ideas."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge, ChallengeTag
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.submissions import search
from ideas.submissions.models import Idea, IdeaLink, IdeaStatus, IdeaTag
from ideas.submissions.queries import PAGE_SIZE, Cursor, Sort, pairwise_key
from tests.conftest import Person
from tests.html import Page

HTMX = {"HX-Request": "true"}


async def add_ideas(
    session: AsyncSession, challenge: Challenge, author: User, *specs: dict[str, Any]
) -> list[int]:
    """Ideas written straight to the table, each ``spec`` overriding the defaults.

    The idea count of the challenge is kept right, as posting would.
    """
    now = utcnow()
    rows = []
    for n, spec in enumerate(specs):
        title = spec.get("title", f"Idea {n}")
        rows.append(
            {
                "challenge_id": challenge.id,
                "author_id": author.id,
                "title": title,
                "slug": f"idea-{n}",
                "summary": f"Summary of {title}.",
                "body": "",
                "created_at": now - timedelta(minutes=n),
                "updated_at": now,
                "last_activity_at": now,
                **spec,
            }
        )
    ids = list((await session.scalars(insert(Idea).returning(Idea.id), rows)).all())
    await session.execute(
        update(Challenge)
        .where(Challenge.id == challenge.id)
        .values(idea_count=Challenge.idea_count + len(ids))
    )
    await session.commit()
    return ids


async def tag_ids(session: AsyncSession, challenge: Challenge) -> dict[str, int]:
    rows = await session.execute(
        select(ChallengeTag.name, ChallengeTag.id).where(ChallengeTag.challenge_id == challenge.id)
    )
    return {row.name: row.id for row in rows}


def titles(page: Page) -> list[str]:
    return [" ".join(a.text_content().split()) for a in page.select(".idea-card .card__title a")]


def idea_ids(page: Page) -> list[int]:
    return [int(a.get("href").split("/")[2]) for a in page.select(".idea-card .card__title a")]


async def listed(person: Person, url: str) -> list[str]:
    response = await person.get(url)
    assert response.status_code == 200
    return titles(Page(response))


async def walk(person: Person, url: str, *, htmx: bool) -> list[int]:
    """Every idea id of a list, page after page through its "More ideas" links."""
    response = await person.get(url)
    assert response.status_code == 200
    page = Page(response)
    seen = idea_ids(page)
    for _ in range(100):
        more = page.select(".idea-list__more a")
        if not more:
            return seen
        assert len(idea_ids(page)) == PAGE_SIZE
        next_url = more[0].get("hx-get" if htmx else "href")
        response = await person.get(next_url, headers=HTMX if htmx else {})
        assert response.status_code == 200
        page = Page(response)
        seen += idea_ids(page)
    raise AssertionError("the list never ends")


@pytest.fixture
async def host(make_user: Any) -> User:
    user: User = await make_user("Hamid", host=True)
    return user


@pytest.fixture
async def author(make_user: Any) -> User:
    user: User = await make_user("Priya")
    return user


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
    assert newest.get("hx-get") == newest.get("href")
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
    assert form.get("hx-get") == form.get("action")
    assert (form.get("hx-target"), form.get("hx-push-url")) == ("#ideas", "true")
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

    assert response.status_code == site.status_code == similar.status_code == 200
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
    assert link.get("href") == link.get("hx-get")
    assert (link.get("hx-target"), link.get("hx-swap")) == ("closest li", "outerHTML")

    response = await visitor.get(link.get("hx-get"), headers=HTMX)

    assert "HX-Request" in response.headers["Vary"]
    fragment = Page(response)
    assert [child.tag for child in fragment.root] == ["li"] * (PAGE_SIZE + 1)
    assert len(fragment.select("li.idea-card")) == PAGE_SIZE
    assert fragment.select("section, form, nav, h2, html, body") == []
    assert titles(fragment) == [f"Idea {n}" for n in range(20, 40)]
    last = Page(await visitor.get(fragment.one("li.idea-list__more a").get("hx-get"), headers=HTMX))
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


# Site-wide search ------------------------------------------------------------------------


async def test_site_search_finds_challenges_and_ideas_grouped_by_challenge(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    canteens = await make_challenge(host, title="Less waste in canteens")
    streets = await make_challenge(host, title="Greener streets")
    await add_ideas(
        session,
        canteens,
        author,
        *({"title": f"Compost plan {n}"} for n in range(7)),
        {"title": "Menus"},
    )
    await add_ideas(session, streets, author, {"title": "Street compost bins"})

    response = await visitor.get("/search?q=compost")

    assert response.status_code == 200
    page = Page(response)
    assert page.text(".search-results__summary") == "0 challenges and 8 ideas match “compost”."
    groups = page.select(".search-group")
    assert len(groups) == 2
    headings = [" ".join(g.cssselect("h3")[0].text_content().split()) for g in groups]
    assert sorted(headings) == ["In Greener streets 1", "In Less waste in canteens 7"]
    canteen_group = groups[headings.index("In Less waste in canteens 7")]
    assert len(canteen_group.cssselect(".idea-card")) == 5
    see_all = canteen_group.cssselect(".search-group__all a")[0]
    assert see_all.get("href") == f"/challenges/{canteens.slug}?q=compost#ideas"

    by_title = Page(await visitor.get("/search?q=WASTE+IN"))
    assert [a.text_content() for a in by_title.select(".challenge-card a")] == [
        "Less waste in canteens"
    ]
    by_question = Page(await visitor.get("/search?q=how+might+WE"))
    assert len(by_question.select(".challenge-card")) == 2
    await session.execute(
        update(Challenge)
        .where(Challenge.id == streets.id)
        .values(brief="Plant trees along the **ring road**.")
    )
    await session.commit()
    by_brief = Page(await visitor.get("/search?q=Ring+Road"))
    assert [a.text_content() for a in by_brief.select(".challenge-card a")] == ["Greener streets"]


async def test_site_search_treats_like_wildcards_as_text(
    make_challenge: Any, host: User, visitor: Person
) -> None:
    await make_challenge(host, title="Plain title")
    page = Page(await visitor.get("/search?q=%25"))
    assert page.select(".challenge-card") == []
    page = Page(await visitor.get("/search?q=_"))
    assert page.select(".challenge-card") == []


async def test_site_search_never_shows_a_draft_or_its_ideas_to_others_than_its_hosts(
    session: AsyncSession,
    make_challenge: Any,
    make_user: Any,
    host: User,
    author: User,
    visitor: Person,
    sign_in: Any,
) -> None:
    draft = await make_challenge(host, phase=Phase.DRAFT, title="Secret compost round")
    await add_ideas(session, draft, author, {"title": "Hidden compost idea"})
    participant = await sign_in(await make_user())
    hamid = await sign_in(host)

    for person in (visitor, participant):
        page = Page(await person.get("/search?q=compost"))
        assert page.select(".challenge-card, .idea-card") == []
    page = Page(await hamid.get("/search?q=compost"))
    assert [a.text_content() for a in page.select(".challenge-card a")] == ["Secret compost round"]
    assert titles(page) == ["Hidden compost idea"]


async def test_the_search_page_works_empty_and_as_an_htmx_fragment(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(session, challenge, author, {"title": "Compost"})

    empty = Page(await visitor.get("/search"))
    response = await visitor.get("/search?q=compost", headers=HTMX)

    assert empty.one("form.search-form[role=search] input[name=q]").get("value") == ""
    assert empty.select(".idea-card") == []
    assert "HX-Request" in response.headers["Vary"]
    fragment = Page(response)
    assert fragment.root.get("id") == "results"
    assert fragment.select("html, form") == []
    assert titles(fragment) == ["Compost"]


async def test_every_page_has_a_site_search_box(visitor: Person) -> None:
    page = Page(await visitor.get("/"))
    form = page.one(".site-header form[role=search]")
    assert (form.get("action"), form.get("method")) == ("/search", "get")
    field = form.cssselect("input[name=q]")[0]
    assert form.cssselect(f"label[for={field.get('id')}]")


# Similar ideas -----------------------------------------------------------------------------


async def test_similar_ideas_come_from_the_same_challenge_with_a_build_on_link(
    session: AsyncSession, make_challenge: Any, host: User, author: User, sign_in: Any
) -> None:
    challenge = await make_challenge(host)
    other = await make_challenge(host)
    compost, _, _ = await add_ideas(
        session,
        challenge,
        author,
        {"title": "Compost the canteen scraps", "summary": "Bins beside every table."},
        {"title": "Bike racks", "summary": "Ride to school."},
        {"title": "Soup kitchen", "summary": "Cook what is left over."},
    )
    await add_ideas(session, other, author, {"title": "Compost bins in the park"})
    priya = await sign_in(author)

    response = await priya.get(
        f"/challenges/{challenge.slug}/ideas/similar",
        params={"title": "Composting", "summary": "Put bins in the canteen"},
        headers=HTMX,
    )

    assert response.status_code == 200
    page = Page(response)
    items = page.select(".similar__item")
    assert [i.cssselect(".similar__title")[0].text_content() for i in items] == [
        "Compost the canteen scraps"
    ]
    # A submit button of the idea form, so that what was typed comes back with it.
    build = items[0].cssselect("button.similar__build")[0]
    assert (build.get("type"), build.get("name"), build.get("value")) == (
        "submit",
        "add_parent",
        str(compost),
    )
    assert build.get("hx-get") == f"/challenges/{challenge.slug}/ideas/build-on/{compost}"
    assert " ".join(build.text_content().split()).startswith("Build on this instead")


async def test_similar_ideas_are_at_most_five_most_alike_first(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(
        session,
        challenge,
        author,
        *({"title": f"Garden {n}", "summary": "Grow beans."} for n in range(7)),
        {"title": "Garden compost", "summary": "Grow beans in compost, garden compost."},
    )

    page = Page(
        await visitor.get(
            f"/challenges/{challenge.slug}/ideas/similar?title=compost+garden&summary=beans"
        )
    )

    found = [a.text_content() for a in page.select(".similar__title")]
    assert len(found) == 5
    assert found[0] == "Garden compost"


@pytest.mark.parametrize(
    ("title", "summary"),
    [("", ""), ("an ox", "to be or"), ("The", "and with"), ("Trains", "Railway timetable")],
)
async def test_nothing_similar_gives_an_empty_fragment(
    session: AsyncSession,
    make_challenge: Any,
    host: User,
    author: User,
    visitor: Person,
    title: str,
    summary: str,
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(
        session,
        challenge,
        author,
        {"title": "An ox to be", "summary": "The ox and the cart, with hay."},
    )

    response = await visitor.get(
        f"/challenges/{challenge.slug}/ideas/similar",
        params={"title": title, "summary": summary},
    )

    assert response.status_code == 200
    assert response.text == ""


async def test_similar_ideas_of_a_draft_are_not_found_by_visitors(
    make_challenge: Any, host: User, visitor: Person
) -> None:
    draft = await make_challenge(host, phase=Phase.DRAFT)
    response = await visitor.get(f"/challenges/{draft.slug}/ideas/similar?title=compost")
    assert response.status_code == 404
