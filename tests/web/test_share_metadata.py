"""Open Graph and Twitter card metadata, so shared links show a title and a description."""

from __future__ import annotations

from typing import Any

from ideas.challenges.phases import Phase
from tests.factories.accounts import Person
from tests.factories.web import MakeSite
from tests.html import Page

ORIGIN = "http://127.0.0.1:8000"


def meta(page: Page, selector: str) -> str:
    return str(page.one(selector).get("content"))


def share_tags(page: Page) -> dict[str, str]:
    """Every Open Graph and Twitter card value of the page, by name."""
    found = {
        str(element.get("property")): str(element.get("content"))
        for element in page.select('head meta[property^="og:"]')
    }
    found.update(
        {
            str(element.get("name")): str(element.get("content"))
            for element in page.select('head meta[name^="twitter:"]')
        }
    )
    return found


async def test_an_idea_page_describes_itself_as_an_article(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user(), title="Share leftovers")
    canonical = f"{ORIGIN}/ideas/{idea.id}/share-leftovers"

    page = Page(await visitor.get(f"/ideas/{idea.id}/share-leftovers"))

    assert share_tags(page) == {
        "og:type": "article",
        "og:site_name": "Ideas",
        "og:title": "Share leftovers",
        "og:description": idea.summary,
        "og:url": canonical,
        "og:image": f"{ORIGIN}/ideas/{idea.id}/card.png",
        "og:image:type": "image/png",
        "og:image:width": "1200",
        "og:image:height": "630",
        "og:image:alt": "Share leftovers",
        "twitter:card": "summary_large_image",
        "twitter:title": "Share leftovers",
        "twitter:description": idea.summary,
        "twitter:image": f"{ORIGIN}/ideas/{idea.id}/card.png",
        "twitter:image:alt": "Share leftovers",
    }
    assert page.one('head link[rel="canonical"]').get("href") == canonical
    assert meta(page, 'head meta[name="description"]') == idea.summary


async def test_a_challenge_page_describes_itself_as_a_website_with_a_feed(
    make_user: Any, make_challenge: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user(host=True), title="Food waste")
    canonical = f"{ORIGIN}/challenges/{challenge.slug}"

    page = Page(await visitor.get(f"/challenges/{challenge.slug}?sort=newest"))

    assert share_tags(page) == {
        "og:type": "website",
        "og:site_name": "Ideas",
        "og:title": "Food waste",
        "og:description": challenge.question,
        "og:url": canonical,
        "og:image": f"{canonical}/card.png",
        "og:image:type": "image/png",
        "og:image:width": "1200",
        "og:image:height": "630",
        "og:image:alt": "Food waste",
        "twitter:card": "summary_large_image",
        "twitter:title": "Food waste",
        "twitter:description": challenge.question,
        "twitter:image": f"{canonical}/card.png",
        "twitter:image:alt": "Food waste",
    }
    assert page.one('head link[rel="canonical"]').get("href") == canonical
    feed = page.one('head link[rel="alternate"][type="application/atom+xml"]')
    assert feed.get("href") == f"{canonical}/feed.atom"
    assert feed.get("title") == "New ideas: Food waste"


async def test_a_draft_page_offers_no_feed(
    make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    draft = await make_challenge(host, phase=Phase.DRAFT)
    hamid = await sign_in(host)

    page = Page(await hamid.get(f"/challenges/{draft.slug}"))

    assert page.select('link[type="application/atom+xml"]') == []
    assert meta(page, 'meta[property="og:title"]') == draft.title


async def test_quotes_and_angle_brackets_in_a_title_stay_inside_the_attribute(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    title = '"Quoted" <script>alert(1)</script> & more'
    challenge = await make_challenge(await make_user(host=True), title=title)
    idea = await make_idea(challenge, await make_user(), title=title)

    idea_response = await visitor.get(f"/ideas/{idea.id}/{idea.slug}")
    challenge_response = await visitor.get(f"/challenges/{challenge.slug}")

    for response in (idea_response, challenge_response):
        page = Page(response)
        assert meta(page, 'meta[property="og:title"]') == title
        assert meta(page, 'meta[name="twitter:title"]') == title
        assert page.select("head script:not([src])") == []
        assert '"Quoted"' not in response.text.split("<body")[0]
        assert "&#34;Quoted&#34; &lt;script&gt;" in response.text


async def test_urls_use_the_sites_public_address(
    make_user: Any, make_challenge: Any, make_idea: Any, make_site: MakeSite
) -> None:
    site = make_site(base_url="http://10.0.0.5:8000", IDEAS_BASE_URL="https://ideas.example.org")
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())

    idea_page = Page(await site.client.get(f"/ideas/{idea.id}/{idea.slug}"))
    challenge_page = Page(await site.client.get(f"/challenges/{challenge.slug}"))

    public = "https://ideas.example.org"
    assert meta(idea_page, 'meta[property="og:url"]') == f"{public}/ideas/{idea.id}/{idea.slug}"
    assert meta(idea_page, 'meta[property="og:image"]') == f"{public}/ideas/{idea.id}/card.png"
    assert meta(challenge_page, 'meta[property="og:url"]') == (
        f"{public}/challenges/{challenge.slug}"
    )


async def test_without_a_public_address_urls_use_the_address_asked_for(
    make_user: Any, make_challenge: Any, make_site: MakeSite
) -> None:
    site = make_site(base_url="http://ideas.test:8080")
    challenge = await make_challenge(await make_user(host=True))

    page = Page(await site.client.get(f"/challenges/{challenge.slug}"))

    assert meta(page, 'meta[property="og:url"]') == (
        f"http://ideas.test:8080/challenges/{challenge.slug}"
    )
