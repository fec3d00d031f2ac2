"""Site-wide search of challenges and ideas, never showing a draft to others than its hosts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from tests.factories.accounts import Person
from tests.factories.rounds import add_ideas, titles
from tests.factories.web import HTMX
from tests.html import Page

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
