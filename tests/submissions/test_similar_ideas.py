"""Similar ideas of the same challenge, at most five, most alike first."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.phases import Phase
from tests.factories.accounts import Person
from tests.factories.rounds import add_ideas
from tests.factories.web import HTMX
from tests.html import Page

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
    assert build.get("data-hx-get") == f"/challenges/{challenge.slug}/ideas/build-on/{compost}"
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
