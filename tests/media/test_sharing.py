"""What a shared link shows (og:*, twitter:*), the card drawn when a page has no picture,
and pictures on the cards of lists: each follows the visibility of what it belongs to."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges.phases import Phase
from ideas.submissions.models import Idea, IdeaStatus
from tests.factories.accounts import Person
from tests.factories.pictures import a_picture, idea_with_picture
from tests.factories.rounds import set_status
from tests.html import Page

PUBLIC_CARD = "public, max-age=300"
PRIVATE = "private, no-store"


def meta(page: Page, name: str) -> str:
    found = page.select(f'meta[property="{name}"], meta[name="{name}"]')
    assert len(found) == 1, f"expected one {name}, found {len(found)}"
    return str(found[0].get("content"))


def path_of(url: str) -> str:
    assert url.startswith(("http://", "https://")), url
    return httpx.URL(url).raw_path.decode()


async def assert_card_answers(person: Person, url: str, *, cache: str = PUBLIC_CARD) -> None:
    response = await person.get(path_of(url))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == cache
    assert response.headers["last-modified"]
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)
    again = await person.get(path_of(url), headers={"If-None-Match": response.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")


async def test_challenge_idea_and_home_pages_share_a_card_drawn_for_them(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    host = await make_user("Hamid", host=True)
    challenge = await make_challenge(host, title="Greener yards")
    idea = await make_idea(challenge, await make_user("Amara"), title="Rain gardens")

    pages = {
        "/": ("website", "Ideas", "/card.png"),
        f"/challenges/{challenge.slug}": (
            "website",
            "Greener yards",
            f"/challenges/{challenge.slug}/card.png",
        ),
        f"/ideas/{idea.id}/{idea.slug}": ("article", "Rain gardens", f"/ideas/{idea.id}/card.png"),
    }
    for path, (kind, title, card) in pages.items():
        page = Page(await visitor.get(path))
        assert meta(page, "og:type") == kind
        assert meta(page, "og:title") == title
        assert meta(page, "og:description")
        assert path_of(meta(page, "og:url")) == path
        assert meta(page, "twitter:card") == "summary_large_image"
        assert path_of(meta(page, "og:image")) == card
        assert meta(page, "twitter:image") == meta(page, "og:image")
        assert (meta(page, "og:image:width"), meta(page, "og:image:height")) == ("1200", "630")
        await assert_card_answers(visitor, meta(page, "og:image"))


async def test_a_cover_or_an_ideas_picture_is_what_its_link_shows(
    make_user: Any, make_challenge: Any, session: AsyncSession, visitor: Person
) -> None:
    host = await make_user("Hamid", host=True)
    challenge = await make_challenge(host, cover=a_picture(), cover_alt="A schoolyard")
    idea = await idea_with_picture(session, challenge, await make_user("Amara"), "Rain gardens")

    shared = {
        f"/challenges/{challenge.slug}": (challenge.cover_id, "A schoolyard"),
        f"/ideas/{idea.id}/{idea.slug}": (idea.image_id, "A sketch"),
    }
    for path, (picture_id, alt) in shared.items():
        page = Page(await visitor.get(path))
        assert path_of(meta(page, "og:image")) == f"/pictures/{picture_id}/full.webp"
        assert meta(page, "og:image:alt") == alt
        image = await visitor.get(path_of(meta(page, "og:image")))
        assert (image.status_code, image.headers["content-type"]) == (200, "image/webp")
    # The idea's page holds its picture's place, by its size, before it loads.
    shown = Page(await visitor.get(f"/ideas/{idea.id}/{idea.slug}")).one("img.idea__image")
    assert (shown.get("width"), shown.get("height"), shown.get("alt")) == ("120", "90", "A sketch")


async def test_a_drafts_card_is_shown_to_its_hosts_only_and_never_kept_by_shared_caches(
    make_user: Any, make_challenge: Any, sign_in: Any, visitor: Person
) -> None:
    host = await make_user("Hamid", host=True)
    draft = await make_challenge(host, phase=Phase.DRAFT, cover=a_picture())
    participant = await sign_in(await make_user("Priya"))
    card = f"/challenges/{draft.slug}/card.png"

    assert (await visitor.get(card)).status_code == 404
    assert (await participant.get(card)).status_code == 404
    assert (await visitor.get(f"/pictures/{draft.cover_id}/card.webp")).status_code == 404
    await assert_card_answers(await sign_in(host), f"http://testserver{card}", cache=PRIVATE)


async def test_a_hidden_ideas_card_is_its_authors_only(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession,
    visitor: Person,
) -> None:  # fmt: skip
    challenge = await make_challenge(await make_user("Hamid", host=True))
    author = await make_user("Amara")
    idea = await make_idea(challenge, author)
    await set_status(session, idea, IdeaStatus.HIDDEN)
    card = f"/ideas/{idea.id}/card.png"

    assert (await visitor.get(card)).status_code == 404
    assert (await (await sign_in(await make_user("Priya"))).get(card)).status_code == 404
    await assert_card_answers(await sign_in(author), f"http://testserver{card}", cache=PRIVATE)


async def test_a_card_is_drawn_anew_when_its_counts_change(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user("Hamid", host=True))
    card = f"/challenges/{challenge.slug}/card.png"
    before = await visitor.get(card)

    await make_idea(challenge, await make_user("Amara"))

    after = await visitor.get(card, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]


async def test_cards_in_lists_show_covers_and_pictures_decoratively_sized_and_lazy(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession,
    visitor: Person,
) -> None:  # fmt: skip
    host = await make_user("Hamid", host=True)
    with_cover = await make_challenge(host, cover=a_picture(), title="With a cover")
    await make_challenge(host, title="Without")
    author = await make_user("Amara")
    pictured = await idea_with_picture(session, with_cover, author, "Rain gardens")
    await make_idea(with_cover, author, title="Plain idea")

    home = Page(await visitor.get("/"))
    covers = home.select(".challenge-card img.card__cover")
    assert len(covers) == 1
    detail = Page(await visitor.get(f"/challenges/{with_cover.slug}"))
    pictures = detail.select(".idea-card img.card__picture")
    assert len(pictures) == 1
    assert len(detail.select(".idea-card")) == 2
    for image in (*covers, *pictures):
        assert image.get("alt") == ""
        assert image.get("loading") == "lazy"
        assert int(image.get("width", 0)) > 0
        assert int(image.get("height", 0)) > 0
        response = await visitor.get(image.get("src"))
        assert (response.status_code, response.headers["content-type"]) == (200, "image/webp")
    assert pictures[0].get("src") == f"/pictures/{pictured.image_id}/card.webp"

    # The kept card (ideas.web.fragments) follows its picture away.
    await session.execute(update(Idea).where(Idea.id == pictured.id).values(image_id=None))
    await session.commit()
    again = Page(await visitor.get(f"/challenges/{with_cover.slug}"))
    assert again.select(".idea-card img.card__picture") == []


async def test_share_links_are_plain_links(
    make_user: Any, make_challenge: Any, visitor: Person
) -> None:
    challenge = await make_challenge(await make_user("Hamid", host=True), title="Greener yards")

    page = Page(await visitor.get(f"/challenges/{challenge.slug}"))

    copy = page.one(".share a[data-copy-link]")
    assert path_of(str(copy.get("href"))) == f"/challenges/{challenge.slug}"
    mail = str(page.one('.share a[href^="mailto:"]').get("href"))
    assert "subject=Greener%20yards" in mail
    assert page.one(".share__native").get("hidden") is not None
    assert page.select(".share script") == []
