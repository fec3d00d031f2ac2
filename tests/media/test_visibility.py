"""A picture follows the visibility of what it belongs to (SPEC §5): a draft's cover and a
withdrawn or hidden idea's picture are 404 to those who may not see them, and only
pictures of public things are cached publicly."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.challenges.services import shortlist
from ideas.db import utcnow
from ideas.media import pictures
from ideas.submissions.forms import IdeaInput
from ideas.submissions.models import Idea, IdeaStatus
from ideas.submissions.services import post_idea, withdraw_idea
from tests.factories.accounts import Person
from tests.factories.challenges import schedule_for
from tests.factories.rounds import set_status

PUBLIC = "public, max-age=31536000, s-maxage=300, immutable"
PRIVATE = "private, no-store"
VIEWERS = ("visitor", "participant", "author", "host", "admin")
SIZES = ("card", "full")

_colours = iter(range(1, 10_000))


def a_picture() -> pictures.Prepared:
    """A picture unlike any other (pictures with the same pixels are stored once)."""
    n = next(_colours)
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (n % 256, (n * 7) % 256, (n * 13) % 256)).save(out, format="PNG")
    return pictures.prepare(out.getvalue(), field="picture")


@dataclass
class Cast:
    people: dict[str, Person]
    host: User
    author: User


@pytest.fixture
async def cast(make_user: Any, sign_in: Any, visitor: Person) -> Cast:
    host = await make_user("Hamid", host=True)
    author = await make_user("Amara")
    people = {
        "visitor": visitor,
        "participant": await sign_in(await make_user("Priya")),
        "author": await sign_in(author),
        "host": await sign_in(host),
        "admin": await sign_in(await make_user("Ada", admin=True)),
    }
    return Cast(people, host, author)


async def idea_with_picture(
    session: AsyncSession, challenge: Challenge, author: User, title: str
) -> Idea:
    return await post_idea(
        session,
        challenge_id=challenge.id,
        author_id=author.id,
        data=IdeaInput(title=title, summary="S", body="", image=a_picture()),
        now=utcnow(),
    )


def expected(owner: str, viewer: str) -> tuple[int, str | None]:
    if owner in {"ideas-phase cover", "closed cover", "published idea", "shortlisted idea"}:
        return 200, PUBLIC
    may = {"host", "admin"} if owner == "draft cover" else {"author", "host", "admin"}
    return (200, PRIVATE) if viewer in may else (404, None)


async def test_a_picture_is_served_to_whoever_may_see_its_owner_and_cached_publicly_only_if_public(
    cast: Cast, make_challenge: Any, session: AsyncSession
) -> None:
    host, author = cast.host, cast.author
    draft = await make_challenge(host, phase=Phase.DRAFT, cover=a_picture())
    open_round = await make_challenge(host, phase=Phase.IDEAS, cover=a_picture())
    closed = await make_challenge(host, phase=Phase.CLOSED, cover=a_picture())
    ideas = {
        status: await idea_with_picture(session, open_round, author, f"{status} idea")
        for status in ("published", "shortlisted", "withdrawn", "hidden")
    }
    await shortlist(
        session,
        challenge_id=open_round.id,
        idea_id=ideas["shortlisted"].id,
        note="",
        actor_id=host.id,
        now=utcnow(),
    )
    await withdraw_idea(session, idea_id=ideas["withdrawn"].id, actor_id=author.id, now=utcnow())
    await set_status(session, ideas["hidden"], IdeaStatus.HIDDEN)
    owners = {
        "draft cover": draft.cover_id,
        "ideas-phase cover": open_round.cover_id,
        "closed cover": closed.cover_id,
        **{f"{status} idea": idea.image_id for status, idea in ideas.items()},
    }
    assert len(set(owners.values())) == len(owners)

    seen, wanted = {}, {}
    for owner, picture_id in owners.items():
        for viewer, person in cast.people.items():
            for size in SIZES:
                response = await person.get(f"/pictures/{picture_id}/{size}.webp")
                served = response.status_code == 200
                seen[owner, viewer, size] = (
                    response.status_code,
                    response.headers.get("cache-control") if served else None,
                )
                wanted[owner, viewer, size] = expected(owner, viewer)
                if served:
                    assert response.headers["content-type"] == "image/webp"
                    assert response.content[:4] == b"RIFF"

    assert seen == wanted


async def test_when_its_idea_is_hidden_a_public_picture_stops_being_served(
    cast: Cast, make_challenge: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(cast.host)
    idea = await idea_with_picture(session, challenge, cast.author, "Compost club")
    url = f"/pictures/{idea.image_id}/card.webp"
    visitor = cast.people["visitor"]
    before = await visitor.get(url)
    assert (before.status_code, before.headers["cache-control"]) == (200, PUBLIC)
    etag = before.headers["etag"]
    revalidated = await visitor.get(url, headers={"If-None-Match": etag})
    assert (revalidated.status_code, revalidated.content) == (304, b"")

    await set_status(session, idea, IdeaStatus.HIDDEN)

    assert (await visitor.get(url)).status_code == 404
    # A shared cache asking again with the ETag it kept gets no "not modified" either.
    assert (await visitor.get(url, headers={"If-None-Match": etag})).status_code == 404
    author = await cast.people["author"].get(url)
    assert (author.status_code, author.headers["cache-control"]) == (200, PRIVATE)
    assert author.headers["vary"] == "Cookie"


async def test_a_picture_of_a_public_and_a_hidden_idea_is_public(
    cast: Cast, make_challenge: Any, session: AsyncSession
) -> None:
    """The same picture uploaded twice is stored once: it is public while one owner is."""
    challenge = await make_challenge(cast.host)
    shared = a_picture()
    public = await post_idea(
        session,
        challenge_id=challenge.id,
        author_id=cast.author.id,
        data=IdeaInput(title="One", summary="S", body="", image=shared),
        now=utcnow(),
    )
    hidden = await post_idea(
        session,
        challenge_id=challenge.id,
        author_id=cast.host.id,
        data=IdeaInput(title="Two", summary="S", body="", image=shared),
        now=utcnow(),
    )
    await set_status(session, hidden, IdeaStatus.HIDDEN)
    assert public.image_id == hidden.image_id

    response = await cast.people["visitor"].get(f"/pictures/{public.image_id}/full.webp")

    assert (response.status_code, response.headers["cache-control"]) == (200, PUBLIC)


async def test_a_picture_that_belongs_to_nothing_any_more_is_served_to_nobody(
    cast: Cast, make_challenge: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(cast.host, cover=a_picture())
    replaced = challenge.cover_id
    await session.execute(
        update(Challenge).where(Challenge.id == challenge.id).values(cover_id=None)
    )
    await session.commit()

    for person in cast.people.values():
        assert (await person.get(f"/pictures/{replaced}/card.webp")).status_code == 404


async def test_a_draft_that_opens_shows_its_cover_to_everyone(
    cast: Cast, make_challenge: Any, session: AsyncSession
) -> None:
    draft = await make_challenge(cast.host, phase=Phase.DRAFT, cover=a_picture())
    url = f"/pictures/{draft.cover_id}/card.webp"
    assert (await cast.people["visitor"].get(url)).status_code == 404
    opened = schedule_for(Phase.IDEAS, utcnow())
    await session.execute(
        update(Challenge)
        .where(Challenge.id == draft.id)
        .values(ideas_opens_at=opened.ideas, review_opens_at=opened.review)
    )
    await session.commit()

    response = await cast.people["visitor"].get(url)

    assert (response.status_code, response.headers["cache-control"]) == (200, PUBLIC)
