"""A host names a theme from the dashboard: a plain form (htmx on top), audited; a name too
long comes back beside its field as typed; anyone else is refused and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.audit import AuditEntry
from ideas.challenges.models import Challenge
from ideas.db import utcnow
from ideas.errors import Forbidden, NotFound
from ideas.themes import services
from tests.factories.accounts import Person
from tests.factories.themes import stored_themes, topical_ideas
from tests.html import Page

HTMX = {"HX-Request": "true"}


@pytest.fixture
async def themed(
    make_challenge: Any, host: User, author: User, session: AsyncSession
) -> tuple[Challenge, int]:
    """A challenge with its themes found, and the id of its first theme."""
    challenge = await make_challenge(host)
    await topical_ideas(session, challenge, author)
    await services.refit(session, challenge.id, utcnow())
    return challenge, (await stored_themes(session, challenge.id))[0][0]


def name_url(challenge: Challenge, theme_id: int) -> str:
    return f"/challenges/{challenge.slug}/themes/{theme_id}/name"


async def _state(session: AsyncSession, challenge: Challenge) -> tuple[Any, ...]:
    """The audited renames and the challenge's themes."""
    await session.commit()
    audited = await session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "theme.rename")
    )
    return audited, await stored_themes(session, challenge.id)


async def test_a_host_names_a_theme_without_javascript_and_the_name_is_audited(
    themed: tuple[Challenge, int], host: User, session: AsyncSession, sign_in: Any, visitor: Person
) -> None:
    challenge, theme_id = themed
    person = await sign_in(host)

    response = await person.post(name_url(challenge, theme_id), {"name": "  Food scraps "})

    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/dashboard#theme-{theme_id}")
    page = Page(await person.get(f"/challenges/{challenge.slug}/dashboard"))
    assert page.text(f"#theme-{theme_id} .theme__name") == "Food scraps"
    assert page.one(f"#theme-{theme_id}-name").get("value") == "Food scraps"
    listing = Page(await visitor.get(f"/challenges/{challenge.slug}"))
    assert page.text(f"#theme-{theme_id} .theme__name") in [
        option.text_content() for option in listing.select("#ideas-theme option")
    ]
    entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "theme.rename"))
    assert entry is not None
    assert (entry.actor_id, entry.subject_id, entry.data["after"]) == (
        host.id,
        theme_id,
        "Food scraps",
    )


async def test_the_challenge_page_offers_a_theme_by_its_new_name_at_once(
    themed: tuple[Challenge, int], host: User, sign_in: Any
) -> None:
    """The ideas list's head is kept once made: a rename, which changes nothing else it
    shows, still reaches it."""
    challenge, theme_id = themed
    person = await sign_in(host)

    def offered(page: Page) -> list[str | None]:
        return [option.text_content() for option in page.select("#ideas-theme option")]

    before = offered(Page(await person.get(f"/challenges/{challenge.slug}")))
    await person.post(name_url(challenge, theme_id), {"name": "Food scraps"})
    after = offered(Page(await person.get(f"/challenges/{challenge.slug}")))

    assert "Food scraps" not in before
    assert "Food scraps" in after


async def test_with_htmx_the_themes_section_is_swapped_and_an_empty_name_gives_back_the_words(
    themed: tuple[Challenge, int], host: User, session: AsyncSession, sign_in: Any
) -> None:
    challenge, theme_id = themed
    person = await sign_in(host)
    await person.post(name_url(challenge, theme_id), {"name": "Food scraps"})

    response = await person.post(name_url(challenge, theme_id), {"name": ""}, headers=HTMX)

    assert response.status_code == 200
    fragment = Page(response)
    assert fragment.select("h1") == []
    assert fragment.text("#themes .notice") == "The theme is renamed."
    words = next(name for i, name, _ in await stored_themes(session, challenge.id) if i == theme_id)
    assert fragment.text(f"#theme-{theme_id} .theme__name") == words != "Food scraps"


async def test_a_name_too_long_comes_back_beside_its_field_as_typed(
    themed: tuple[Challenge, int], host: User, session: AsyncSession, sign_in: Any
) -> None:
    challenge, theme_id = themed
    person = await sign_in(host)
    before = await _state(session, challenge)
    typed = "A name that goes on " * 5

    response = await person.post(name_url(challenge, theme_id), {"name": typed})

    assert response.status_code == 400
    page = Page(response)
    assert "at most 80 characters" in page.text(f"#theme-{theme_id}-name-error")
    field = page.one(f"#theme-{theme_id}-name")
    assert field.get("value") == typed
    assert field.get("aria-invalid") == "true"
    assert await _state(session, challenge) == before


async def test_someone_who_does_not_host_the_challenge_may_not_name_its_themes(
    themed: tuple[Challenge, int],
    author: User,
    make_user: Any,
    session: AsyncSession,
    sign_in: Any,
    visitor: Person,
) -> None:
    challenge, theme_id = themed
    other_host = await make_user("Another host", host=True)
    before = await _state(session, challenge)

    for person in (await sign_in(author), await sign_in(other_host)):
        response = await person.post(name_url(challenge, theme_id), {"name": "Mine"})
        assert response.status_code == 403
        # Refused before the name is read: not the dashboard with a problem beside it.
        response = await person.post(name_url(challenge, theme_id), {"name": "Mine" * 30})
        assert response.status_code == 403
        assert Page(response).select("#themes") == []
    response = await visitor.post(name_url(challenge, theme_id), {"name": "Mine"})
    assert response.status_code == 403

    assert await _state(session, challenge) == before


async def test_the_service_refuses_anyone_but_the_hosts_and_a_theme_of_another_challenge(
    themed: tuple[Challenge, int],
    author: User,
    host: User,
    make_challenge: Any,
    session: AsyncSession,
) -> None:
    challenge, theme_id = themed
    other = await make_challenge(host)
    before = await _state(session, challenge)

    with pytest.raises(Forbidden):
        await services.rename_theme(
            session,
            challenge_id=challenge.id,
            theme_id=theme_id,
            name="Mine",
            actor_id=author.id,
            now=utcnow(),
        )
    with pytest.raises(NotFound):
        await services.rename_theme(
            session,
            challenge_id=other.id,
            theme_id=theme_id,
            name="Mine",
            actor_id=host.id,
            now=utcnow(),
        )
    assert await _state(session, challenge) == before
