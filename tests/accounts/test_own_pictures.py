"""A person's own picture: uploaded on the settings page, kept here, shown beside their
name wherever it is written; their initials when they have none or may not be seen."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User, UserStatus
from ideas.accounts.services import delete_account, set_avatar
from ideas.db import utcnow
from ideas.media.models import Picture
from tests.factories.accounts import Person, visitor_with_a_session
from tests.factories.pictures import an_avatar, picture_bytes
from tests.html import Page

PUBLIC = "public, max-age=31536000, s-maxage=300, immutable"


async def upload(person: Person, content: bytes, **fields: str) -> Any:
    return await person.client.post(
        "/settings/picture",
        data={"csrf_token": person.csrf, **fields},
        files={"picture": ("me.png", content, "image/png")},
    )


async def avatar_of(session: AsyncSession, user: User) -> int | None:
    session.expire_all()
    found: int | None = await session.scalar(select(User.avatar_id).where(User.id == user.id))
    return found


async def test_a_person_uploads_a_picture_shown_beside_their_name(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession,
    visitor: Person,
) -> None:  # fmt: skip
    amara = await make_user("Amara Okafor")
    me = await sign_in(amara)
    challenge = await make_challenge(await make_user("Hamid", host=True))
    await make_idea(challenge, amara, title="Rain gardens")

    response = await upload(me, picture_bytes((800, 600)))

    assert response.status_code == 303
    assert response.headers["location"] == "/settings?done=picture#picture"
    avatar_id = await avatar_of(session, amara)
    assert avatar_id is not None
    src = f"/pictures/{avatar_id}/avatar.webp"
    profile = Page(await visitor.get(f"/people/{amara.id}"))
    image = profile.one(".profile__head img.avatar")
    assert (image.get("src"), image.get("alt")) == (src, "")
    card = Page(await visitor.get(f"/challenges/{challenge.slug}"))
    assert card.one(".idea-card .byline img.avatar").get("src") == src
    served = await visitor.get(src)
    assert (served.status_code, served.headers["content-type"]) == (200, "image/webp")
    assert served.headers["cache-control"] == PUBLIC
    settings = Page(await me.get("/settings?done=picture"))
    assert settings.one("#picture-form img.avatar").get("src") == src


async def test_without_a_picture_a_person_shows_as_initials(
    make_user: Any, visitor: Person
) -> None:
    amara = await make_user("Amara Okafor")

    page = Page(await visitor.get(f"/people/{amara.id}"))

    assert page.select(".profile__head img.avatar") == []
    assert page.text(".profile__head .avatar") == "AO"


async def test_a_file_that_is_not_a_picture_is_refused_beside_the_field(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    amara = await make_user("Amara Okafor")
    me = await sign_in(amara)

    response = await upload(me, b"%PDF-1.4 not a picture")

    assert response.status_code == 200
    page = Page(response)
    assert "not a picture" in page.text("#f-picture-error")
    assert page.one("#f-picture").get("aria-invalid") == "true"
    assert page.select(".error-summary a[href='#f-picture']")
    assert await avatar_of(session, amara) is None


async def test_sending_no_file_asks_for_one(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    amara = await make_user("Amara Okafor")
    me = await sign_in(amara)

    response = await me.client.post("/settings/picture", data={"csrf_token": me.csrf})

    assert response.status_code == 200
    assert Page(response).select("#f-picture-error")
    assert await avatar_of(session, amara) is None


async def test_an_upload_without_the_form_token_is_refused_and_changes_nothing(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    amara = await make_user("Amara Okafor")
    me = await sign_in(amara)

    response = await me.client.post(
        "/settings/picture", files={"picture": ("me.png", picture_bytes(), "image/png")}
    )

    assert response.status_code == 403
    assert await avatar_of(session, amara) is None


async def test_a_visitor_cannot_upload_a_picture(
    make_client: Any, session: AsyncSession, settings: Any
) -> None:
    visitor = await visitor_with_a_session(make_client, session, settings)

    response = await visitor.client.post(
        "/settings/picture",
        data={"csrf_token": visitor.csrf},
        files={"picture": ("me.png", picture_bytes(), "image/png")},
    )

    assert response.status_code == 403
    assert await session.scalar(select(func.count()).select_from(Picture)) == 0


async def test_a_person_takes_their_picture_away(
    make_user: Any, sign_in: Any, session: AsyncSession, visitor: Person
) -> None:
    amara = await make_user("Amara Okafor")
    await set_avatar(session, user_id=amara.id, picture=an_avatar())
    me = await sign_in(amara)
    assert Page(await me.get("/settings")).select("#f-remove_picture")

    response = await me.post("/settings/picture", {"remove_picture": "on"})

    assert response.status_code == 303
    assert await avatar_of(session, amara) is None
    page = Page(await visitor.get(f"/people/{amara.id}"))
    assert page.text(".profile__head .avatar") == "AO"


async def test_a_suspended_persons_picture_is_not_served_nor_shown(
    make_user: Any, sign_in: Any, session: AsyncSession, visitor: Person
) -> None:
    amara = await make_user("Amara Okafor")
    await set_avatar(session, user_id=amara.id, picture=an_avatar())
    avatar_id = await avatar_of(session, amara)
    src = f"/pictures/{avatar_id}/avatar.webp"
    assert (await visitor.get(src)).status_code == 200

    await session.execute(
        update(User).where(User.id == amara.id).values(status=UserStatus.SUSPENDED)
    )
    await session.commit()

    assert (await visitor.get(src)).status_code == 404
    admin = await sign_in(await make_user("Ada", admin=True))
    assert (await admin.get(src)).status_code == 404
    page = Page(await admin.get(f"/people/{amara.id}"))
    assert page.select(".profile__head img.avatar") == []


async def test_deleting_an_account_takes_its_picture_away(
    make_user: Any, session: AsyncSession, visitor: Person
) -> None:
    amara = await make_user("Amara Okafor")
    await set_avatar(session, user_id=amara.id, picture=an_avatar())
    avatar_id = await avatar_of(session, amara)

    await delete_account(session, user_id=amara.id, now=utcnow())

    assert await avatar_of(session, amara) is None
    assert (await visitor.get(f"/pictures/{avatar_id}/avatar.webp")).status_code == 404
