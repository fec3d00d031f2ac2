"""Pictures: checked by content, re-encoded without metadata, served to who may see them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.media.models import Picture, PictureFile
from ideas.submissions.models import Idea
from tests.factories.queries import count
from tests.html import Page

FORM = {
    "title": "Greener yards",
    "question": "How might we green our schoolyards?",
    "slug": "",
    "sponsor": "",
    "brief": "",
    "team_capacity": "6",
    "report_threshold": "3",
}


def picture(kind: str = "JPEG", size: tuple[int, int] = (1200, 900), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, (40, 120, 80))
    out = io.BytesIO()
    extra: dict[str, Any] = {}
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "SecretCam"  # camera maker
        tags[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
        extra["exif"] = tags.tobytes()
    image.save(out, format=kind, **extra)
    return out.getvalue()


async def create_with(person: Any, content: bytes, name: str = "cover.jpg") -> Any:
    return await person.client.post(
        "/challenges/new",
        data={**FORM, "cover_alt": "A green yard", "csrf_token": person.csrf},
        files={"cover": (name, content, "image/jpeg")},
    )


async def test_a_cover_is_resized_stripped_and_served_to_whoever_may_see_it(
    make_user: Any, sign_in: Any, session: AsyncSession, visitor: Any
) -> None:
    host = await sign_in(await make_user(host=True))

    response = await create_with(host, picture(exif=True, size=(3000, 2000)))

    assert response.status_code == 303
    challenge = (await session.scalars(select(Challenge))).one()
    assert challenge.cover_id is not None
    assert challenge.cover_alt == "A green yard"
    files = {f.size: f for f in await session.scalars(select(PictureFile))}
    assert (files["card"].width, files["full"].width) == (640, 1600)
    served = Image.open(io.BytesIO(files["full"].data))
    assert served.format == "WEBP"
    assert not served.getexif()
    assert b"SecretCam" not in files["full"].data
    page = await host.get(response.headers["location"])
    src = Page(page).one("img.cover").get("src")
    assert Page(page).one("img.cover").get("alt") == "A green yard"
    image = await host.get(src)
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/webp"
    assert image.headers["cache-control"] == "private, no-store"
    # A new challenge is a draft: its cover is its hosts' until the round opens.
    assert (await visitor.get(src)).status_code == 404


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<svg onload=alert(1)></svg>", "That file is not a picture this site can use."),
        (b"%PDF-1.4 not a picture", "That file is not a picture this site can use."),
        (picture()[:400], "That picture is damaged or incomplete."),
    ],
    ids=["svg", "pdf named .jpg", "truncated"],
)
async def test_a_hostile_or_broken_file_gets_a_message_and_nothing_is_saved(
    make_user: Any, sign_in: Any, session: AsyncSession, content: bytes, message: str
) -> None:
    host = await sign_in(await make_user(host=True))

    response = await create_with(host, content)

    assert response.status_code == 200
    page = Page(response)
    assert page.text("#f-cover-error") == f"Error: {message}"
    assert page.field_value("title") == FORM["title"]
    assert await count(session, Challenge) == 0
    assert await count(session, Picture) == 0


async def test_a_picture_with_too_many_pixels_is_refused(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    bomb = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(bomb, format="PNG")  # 50 million pixels, a few kB
    host = await sign_in(await make_user(host=True))

    response = await create_with(host, bomb.getvalue(), "bomb.png")

    assert response.status_code == 200
    assert "too many pixels" in Page(response).text("#f-cover-error")
    assert await count(session, Picture) == 0


async def test_a_host_replaces_and_removes_the_cover(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    user = await make_user(host=True)
    challenge = await make_challenge(user, phase=Phase.DRAFT)
    host = await sign_in(user)
    edit = {**FORM, "slug": challenge.slug, "csrf_token": host.csrf}

    added = await host.client.post(
        f"/challenges/{challenge.slug}/edit",
        data=edit,
        files={"cover": ("c.png", picture("PNG"), "image/png")},
    )
    removed = await host.client.post(
        f"/challenges/{challenge.slug}/edit", data={**edit, "remove_cover": "on"}
    )

    assert added.status_code == removed.status_code == 303
    fresh = await session.get(Challenge, challenge.id, populate_existing=True)
    assert fresh is not None
    assert fresh.cover_id is None


async def test_an_unknown_picture_or_size_is_not_found(visitor: Any) -> None:
    assert (await visitor.get("/pictures/999/card.webp")).status_code == 404
    assert (await visitor.get("/pictures/1/huge.webp")).status_code == 404


async def test_an_idea_carries_a_picture_its_authors_can_replace(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await sign_in(await make_user())
    form = {"title": "Rain garden", "summary": "Plant where it floods.", "body": ""}

    posted = await author.client.post(
        f"/challenges/{challenge.slug}/ideas/new",
        data={**form, "image_alt": "A sketch of the garden", "csrf_token": author.csrf},
        files={"image": ("sketch.png", picture("PNG"), "image/png")},
    )
    broken = await author.client.post(
        posted.headers["location"].rsplit("/", 1)[0] + "/edit",
        data={**form, "csrf_token": author.csrf},
        files={"image": ("sketch.png", b"not a picture", "image/png")},
    )

    assert posted.status_code == 303
    idea = (await session.scalars(select(Idea))).one()
    assert idea.image_id is not None
    page = Page(await author.get(posted.headers["location"]))
    assert page.one("img.idea__image").get("alt") == "A sketch of the garden"
    assert broken.status_code == 200
    assert Page(broken).text("#f-image-error").startswith("Error: That file is not a picture")
    fresh = await session.get(Idea, idea.id, populate_existing=True)
    assert fresh is not None
    assert fresh.image_id == idea.image_id


# Phones' photos -------------------------------------------------------------------------


def phone_photo(
    size: tuple[int, int], *, turned: bool = True, mode: str = "RGB", quality: int = 97
) -> bytes:
    """A JPEG as a phone takes it: held upright, so stored sideways with an EXIF
    orientation that turns it a quarter."""
    # Gradients with noise compress about as a photo does.
    noise = Image.effect_noise(size, 60).convert(mode)
    gradient = Image.linear_gradient("L").resize(size).convert(mode)
    image = Image.blend(noise, gradient, 0.5)
    tags = Image.Exif()
    if turned:
        tags[0x0112] = 6  # rotate 90° clockwise to show
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, exif=tags.tobytes())
    return out.getvalue()


async def test_a_ten_megabyte_phone_photo_is_accepted_turned_upright_and_resized(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await sign_in(await make_user())
    photo = phone_photo((4032, 3024))
    assert len(photo) > 9_000_000

    posted = await author.client.post(
        f"/challenges/{challenge.slug}/ideas/new",
        data={
            "title": "Rain garden",
            "summary": "Plant where it floods.",
            "csrf_token": author.csrf,
        },
        files={"image": ("IMG_2041.jpg", photo, "image/jpeg")},
    )

    assert posted.status_code == 303
    files = {f.size: f for f in await session.scalars(select(PictureFile))}
    # Upright: the stored 4032 by 3024 shows 3024 wide and 4032 high, then is resized.
    assert (files["full"].width, files["full"].height) == (1600, 2133)
    assert (files["card"].width, files["card"].height) == (640, 853)


async def test_a_48_megapixel_photo_is_accepted(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await sign_in(await make_user(host=True))

    photo = phone_photo((8064, 6048), turned=False, mode="L", quality=75)
    assert len(photo) < LIMIT

    response = await create_with(host, photo)

    assert response.status_code == 303
    files = {f.size: f for f in await session.scalars(select(PictureFile))}
    assert (files["full"].width, files["full"].height) == (1600, 1200)


LIMIT = 25_000_000  # IDEAS_MAX_PICTURE_BYTES by default
IDEA_TEXT = {
    "title": "Rain garden",
    "summary": "Plant where it floods.",
    "body": "Dig a **shallow** bed by the downpipe.",
}


@pytest.fixture(params=["new challenge", "edit challenge", "new idea", "edit idea"])
async def picture_form(
    request: pytest.FixtureRequest,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
) -> tuple[Any, str, str, dict[str, str]]:
    """Someone at a form with a picture: (person, url, the picture's field, what they typed)."""
    host = await make_user(host=True)
    if request.param == "new challenge":
        return await sign_in(host), "/challenges/new", "cover", {**FORM, "brief": "Why **now**."}
    if request.param == "edit challenge":
        challenge = await make_challenge(host, phase=Phase.DRAFT)
        typed = {**FORM, "slug": challenge.slug, "brief": "Why **now**."}
        return await sign_in(host), f"/challenges/{challenge.slug}/edit", "cover", typed
    challenge = await make_challenge(host)
    author = await make_user()
    if request.param == "new idea":
        return await sign_in(author), f"/challenges/{challenge.slug}/ideas/new", "image", IDEA_TEXT
    idea = await make_idea(challenge, author)
    return await sign_in(author), f"/ideas/{idea.id}/edit", "image", IDEA_TEXT


async def test_a_picture_over_the_limit_brings_the_form_back_with_everything_typed(
    picture_form: tuple[Any, str, str, dict[str, str]], session: AsyncSession
) -> None:
    person, url, field, typed = picture_form
    pictures_before = await count(session, Picture)

    response = await person.client.post(
        url,
        data={**typed, "csrf_token": person.csrf},
        files={field: ("PXL_2026.jpg", b"\xff" * (LIMIT + 1_000_000), "image/jpeg")},
    )

    assert response.status_code == 413
    page = Page(response)
    assert page.text(f"#f-{field}-error") == (
        "Error: This file is 26 MB; a picture can be at most 25 MB. Choose a smaller one, "
        "or a copy the phone makes smaller when it shares it."
    )
    for name, value in typed.items():
        if name not in {"team_capacity", "report_threshold", "slug", "sponsor"}:
            assert page.field_value(name) == value, name
    assert await count(session, Picture) == pictures_before
