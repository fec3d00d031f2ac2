"""Every page says what it is about in one `<meta name="description">`: a page about
a challenge, an idea or a person with their own words, any other with the site's."""

from __future__ import annotations

from typing import Any

from ideas.challenges.phases import Phase
from tests.factories.accounts import Person
from tests.html import Page

SITE = (
    "Ideas: communities ask a question, people post and build on each other's ideas, "
    "vote, and form teams around the strongest."
)


def description(page: Page) -> str:
    found = page.select('head meta[name="description"]')
    assert len(found) == 1, "one description, never two"
    return str(found[0].get("content"))


async def test_pages_about_something_describe_it(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True), title="Food waste")
    author = await make_user("Priya")
    idea = await make_idea(challenge, author, title="Share leftovers")

    expected = {
        f"/challenges/{challenge.slug}": challenge.question,
        f"/ideas/{idea.id}/{idea.slug}": idea.summary,
        f"/ideas/{idea.id}/lineage": "What “Share leftovers” builds on and what builds on it.",
        f"/ideas/{idea.id}/history": "Every revision of “Share leftovers”.",
        f"/challenges/{challenge.slug}/results": (
            "Results of “Food waste”: the ideas ranked by votes and by pairwise comparisons."
        ),
        "/search?q=bins": "Challenges and ideas matching “bins”.",
        "/": (
            "Questions communities are working on together: post an idea, build on someone "
            "else's, and join a team around the strongest ones."
        ),
        "/sign-in": "Sign in to post ideas, vote, comment and join teams.",
    }
    for path, wanted in expected.items():
        response = await visitor.get(path)
        assert response.status_code == 200, path
        assert description(Page(response)) == wanted, path


async def test_every_other_page_has_the_sites_description(
    make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    hamid = await sign_in(host)

    for path in [
        "/settings",
        "/notifications",
        "/challenges/new",
        f"/challenges/{challenge.slug}/dashboard",
        f"/challenges/{challenge.slug}/edit",
        "/no-such-page",
    ]:
        response = await hamid.get(path)
        assert response.status_code in (200, 404), path
        assert description(Page(response)) == SITE, path


async def test_a_description_keeps_quotes_inside_its_attribute(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user(), title='The "best" <b>bins</b>')

    page = Page(await visitor.get(f"/ideas/{idea.id}/lineage"))

    assert description(page) == 'What “The "best" <b>bins</b>” builds on and what builds on it.'
