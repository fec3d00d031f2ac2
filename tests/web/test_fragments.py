"""One URL serves the page and, for htmx, the fragment."""

from __future__ import annotations

from typing import Any

from tests.html import Page


async def test_the_challenge_page_and_its_ideas_fragment_share_one_url(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    await make_idea(challenge, await make_user(), title="Compost club")
    url = f"/challenges/{challenge.slug}?sort=newest"

    full = await visitor.get(url)
    fragment = await visitor.get(url, headers={"HX-Request": "true"})

    assert full.headers["Vary"] == fragment.headers["Vary"] == "HX-Request"
    assert Page(full).one("html") is not None
    page = Page(fragment)
    assert page.select("html") == []
    assert page.root.get("id") == "ideas"
    assert page.text(".card__title") == "Compost club"
    assert page.one("a[aria-current=true]").text_content() == "Newest"
