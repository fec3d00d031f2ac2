"""One URL serves the page and, for htmx, its fragment, and says that it varies."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories.accounts import Person
from tests.html import Page


@pytest.fixture
async def challenge_url(make_user: Any, make_challenge: Any, make_idea: Any) -> str:
    challenge = await make_challenge(await make_user(host=True))
    for title in ("Compost club", "Soup kitchen", "Share shelf"):
        await make_idea(challenge, await make_user(), title=title)
    return f"/challenges/{challenge.slug}?sort=newest"


def titles(page: Page) -> list[str]:
    return [" ".join(t.text_content().split()) for t in page.select("#ideas .card__title")]


async def test_an_htmx_request_for_a_challenge_gets_only_its_ideas_section(
    visitor: Person, challenge_url: str
) -> None:
    full = Page(await visitor.get(challenge_url))
    response = await visitor.get(challenge_url, headers={"HX-Request": "true"})

    assert response.status_code == 200
    fragment = Page(response)
    assert fragment.select("html, head, body, .site-header, main, footer, h1") == []
    assert fragment.root.tag == "section"
    assert fragment.root.get("id") == "ideas"
    assert titles(fragment) == titles(full) == ["Share shelf", "Soup kitchen", "Compost club"]
    assert fragment.one("a[aria-current=true]").text_content() == "Newest"


async def test_the_full_page_has_the_layout_and_the_same_section(
    visitor: Person, challenge_url: str
) -> None:
    page = Page(await visitor.get(challenge_url))
    assert page.one("html") is not None
    assert page.one(".site-header") is not None
    assert page.one("main#main #ideas") is not None


@pytest.mark.parametrize("hx_request", [None, "true"], ids=["full", "fragment"])
async def test_both_the_page_and_the_fragment_say_they_vary_on_hx_request(
    visitor: Person, challenge_url: str, hx_request: str | None
) -> None:
    headers = {"HX-Request": hx_request} if hx_request else {}
    response = await visitor.get(challenge_url, headers=headers)
    assert "HX-Request" in [v.strip() for v in response.headers["Vary"].split(",")]
