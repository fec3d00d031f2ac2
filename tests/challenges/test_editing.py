"""Hosts edit a challenge's brief, schedule, tags and settings, with a preview."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.audit import AuditEntry
from ideas.challenges import services
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.models import Challenge, ChallengeTag
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.errors import Forbidden, Invalid
from tests.factories.queries import count
from tests.html import Page

EDIT = {
    "title": "Less food waste",
    "question": "How might we cut food waste in school canteens?",
    "sponsor": "City Schools",
    "brief": "## What we know\n\nA third is thrown away.",
    "tags": "Food, Schools , food, Logistics",
    "ideas_opens_at": "",
    "review_opens_at": "",
    "teams_opens_at": "",
    "closes_at": "",
    "vote_budget": "5",
    "team_capacity": "4",
    "report_threshold": "2",
}


async def reload(session: AsyncSession, challenge: Challenge) -> Challenge:
    fresh = await session.get(Challenge, challenge.id, populate_existing=True)
    assert fresh is not None
    return fresh


async def test_host_edits_the_brief_tags_and_settings(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.DRAFT)
    hamid = await sign_in(host)

    response = await hamid.post(f"/challenges/{challenge.slug}/edit", {**EDIT, "slug": "food"})

    assert response.status_code == 303
    assert response.headers["location"] == "/challenges/food"
    saved = await reload(session, challenge)
    assert (saved.title, saved.slug, saved.sponsor) == ("Less food waste", "food", "City Schools")
    assert "<h2>What we know</h2>" in saved.brief_html
    assert (saved.vote_budget, saved.team_capacity, saved.report_threshold) == (5, 4, 2)
    assert saved.one_team_per_participant is False  # the box was not ticked
    tags = await session.scalars(
        select(ChallengeTag.name)
        .where(ChallengeTag.challenge_id == challenge.id)
        .order_by(ChallengeTag.position)
    )
    assert tags.all() == ["Food", "Schools", "Logistics"]
    entry = (
        await session.scalars(select(AuditEntry).where(AuditEntry.action == "challenge.edit"))
    ).one()
    assert entry.actor_id == host.id
    assert "vote_budget" in entry.data["changed"]


async def test_the_edit_form_shows_what_the_challenge_holds(
    make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, tags=("Food", "Schools"), vote_budget=3)
    page = Page(await (await sign_in(host)).get(f"/challenges/{challenge.slug}/edit"))
    assert page.field_value("title") == challenge.title
    assert page.field_value("tags") == "Food, Schools"
    assert page.field_value("vote_budget") == "3"
    assert page.one("#f-one_team_per_participant").get("checked") is not None


async def test_tags_can_be_removed_and_reordered(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.DRAFT, tags=("A", "B", "C"))
    hamid = await sign_in(host)
    response = await hamid.post(
        f"/challenges/{challenge.slug}/edit", {**EDIT, "slug": challenge.slug, "tags": "C, A"}
    )
    assert response.status_code == 303
    tags = await session.scalars(
        select(ChallengeTag.name)
        .where(ChallengeTag.challenge_id == challenge.id)
        .order_by(ChallengeTag.position)
    )
    assert tags.all() == ["C", "A"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"vote_budget": "-1"},
            "vote_budget",
            "Vote budget must be between 1 and 1,000. Leave it empty for no limit.",
        ),
        (
            {"vote_budget": "lots"},
            "vote_budget",
            "Vote budget must be a whole number, like 2. Leave it empty for no limit.",
        ),
        ({"team_capacity": "1"}, "team_capacity", "Team capacity must be between 2 and 50."),
        (
            {"report_threshold": "0"},
            "report_threshold",
            "Reports before hiding must be between 1 and 100.",
        ),
        (
            {"tags": "x" * 41},
            "tags",
            f"Each tag must be at most 40 characters (“{'x' * 41}” is longer).",
        ),
        (
            {"ideas_opens_at": "2030-05-01T09:00", "closes_at": "2030-04-01T09:00"},
            "closes_at",
            "This must be after the start of the Ideas phase.",
        ),
        ({"title": ""}, "title", "Title is required."),
    ],
)
async def test_bad_edits_come_back_beside_their_field_and_nothing_is_saved(
    make_user: Any,
    make_challenge: Any,
    sign_in: Any,
    session: AsyncSession,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.IDEAS)
    before = (challenge.title, challenge.vote_budget, challenge.team_capacity)
    typed = {**EDIT, **changes}

    response = await (await sign_in(host)).post(f"/challenges/{challenge.slug}/edit", typed)

    assert response.status_code == 200
    page = Page(response)
    assert page.text(f"#f-{field}-error") == f"Error: {message}"
    for name, value in typed.items():
        assert page.field_value(name) == value
    saved = await reload(session, challenge)
    assert (saved.title, saved.vote_budget, saved.team_capacity) == before
    assert (
        await session.scalar(select(AuditEntry).where(AuditEntry.action == "challenge.edit"))
        is None
    )


async def test_a_budget_below_zero_is_refused_when_creating_too(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    hamid = await sign_in(await make_user(host=True))
    response = await hamid.post("/challenges/new", {**EDIT, "slug": "", "vote_budget": "-3"})
    assert response.status_code == 200
    assert Page(response).text("#f-vote_budget-error").startswith("Error: Vote budget must be")
    assert await count(session, Challenge) == 0


async def test_the_address_can_change_only_while_in_draft(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.IDEAS)
    hamid = await sign_in(host)

    form = Page(await hamid.get(f"/challenges/{challenge.slug}/edit"))
    response = await hamid.post(f"/challenges/{challenge.slug}/edit", {**EDIT, "slug": "moved"})

    assert form.select("input#f-slug") == []  # shown as text, not as a field
    assert response.status_code == 303
    assert response.headers["location"] == f"/challenges/{challenge.slug}"
    assert (await reload(session, challenge)).slug == challenge.slug


async def test_an_address_taken_by_another_challenge_is_refused_on_edit(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    other = await make_challenge(host)
    draft = await make_challenge(host, phase=Phase.DRAFT)
    response = await (await sign_in(host)).post(
        f"/challenges/{draft.slug}/edit", {**EDIT, "slug": other.slug}
    )
    assert response.status_code == 200
    assert Page(response).text("#f-slug-error").startswith("Error: That address is already used")
    assert (await reload(session, draft)).slug == draft.slug


@pytest.mark.parametrize("who", ["participant", "other host", "visitor"])
async def test_only_the_challenges_hosts_may_edit_it(
    make_user: Any,
    make_challenge: Any,
    sign_in: Any,
    visitor: Any,
    session: AsyncSession,
    who: str,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    person = {
        "participant": lambda: sign_in_user(make_user(), sign_in),
        "other host": lambda: sign_in_user(make_user(host=True), sign_in),
    }.get(who)
    client = await person() if person else visitor

    page = await client.get(f"/challenges/{challenge.slug}/edit")
    response = await client.post(f"/challenges/{challenge.slug}/edit", {**EDIT, "slug": "x"})

    # A visitor is sent to sign in first; a form post is refused all the same.
    assert page.status_code == (303 if who == "visitor" else 403)
    assert response.status_code == 403
    assert (await reload(session, challenge)).title == challenge.title


async def sign_in_user(user: Any, sign_in: Any) -> Any:
    return await sign_in(await user)


async def test_a_draft_cannot_be_edited_by_others_and_looks_missing(
    make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    draft = await make_challenge(await make_user(host=True), phase=Phase.DRAFT)
    priya = await sign_in(await make_user())
    assert (await priya.get(f"/challenges/{draft.slug}/edit")).status_code == 404


async def test_a_closed_challenge_can_no_longer_be_edited(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.CLOSED)
    response = await (await sign_in(host)).post(
        f"/challenges/{challenge.slug}/edit", {**EDIT, "slug": challenge.slug}
    )
    assert response.status_code == 403
    assert (await reload(session, challenge)).title == challenge.title


# Preview --------------------------------------------------------------------------


async def test_the_preview_button_shows_the_sanitised_brief_and_saves_nothing(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    brief = "**Bold** <script>alert(1)</script> [x](javascript:alert(1))"

    response = await (await sign_in(host)).post(
        f"/challenges/{challenge.slug}/edit", {**EDIT, "brief": brief, "intent": "preview"}
    )

    assert response.status_code == 200
    page = Page(response)
    assert page.one("#f-brief-preview strong").text_content() == "Bold"
    assert page.select("#f-brief-preview script") == []
    assert page.select("#f-brief-preview a[href^=javascript]") == []
    assert page.field_value("brief") == brief
    assert (await reload(session, challenge)).brief == ""


async def test_the_live_preview_renders_markdown_safely(make_user: Any, sign_in: Any) -> None:
    priya = await sign_in(await make_user())
    response = await priya.post(
        "/preview?field=brief",
        {"brief": "# Title\n\n<img src=x onerror=alert(1)> _fine_"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = Page(f"<div>{response.text}</div>")
    assert page.one("h2").text_content() == "Title"
    assert page.one("em").text_content() == "fine"
    assert page.select("img") == []


# The service refuses on its own ------------------------------------------------------------


def edited(challenge: Challenge, **changes: Any) -> ChallengeInput:
    """``challenge`` as it is, with ``changes``."""
    values: dict[str, Any] = {
        "title": challenge.title,
        "slug": challenge.slug,
        "question": challenge.question,
        "sponsor": challenge.sponsor,
        "brief": challenge.brief,
        "schedule": challenge.schedule,
    }
    return ChallengeInput(**(values | changes))


async def test_the_service_refuses_an_edit_by_anyone_but_the_hosts(
    make_user: Any, make_challenge: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True), title="As it was")
    other_host = await make_user(host=True)
    await make_challenge(other_host)

    for person in (await make_user(), other_host):
        with pytest.raises(Forbidden, match="You are not allowed to do that"):
            await services.update_challenge(
                session,
                challenge_id=challenge.id,
                actor_id=person.id,
                data=edited(challenge, title="Taken over"),
                now=utcnow(),
            )

    assert (await reload(session, challenge)).title == "As it was"


async def test_the_service_refuses_an_edit_once_the_round_is_closed(
    make_user: Any, make_challenge: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.CLOSED, title="As it was")

    with pytest.raises(Forbidden, match="Closed phase"):
        await services.update_challenge(
            session,
            challenge_id=challenge.id,
            actor_id=host.id,
            data=edited(challenge, title="Rewritten"),
            now=utcnow(),
        )

    assert (await reload(session, challenge)).title == "As it was"


async def test_the_service_keeps_the_address_once_the_round_has_opened(
    make_user: Any, make_challenge: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.IDEAS)
    address = challenge.slug

    with pytest.raises(Invalid) as refused:
        await services.update_challenge(
            session,
            challenge_id=challenge.id,
            actor_id=host.id,
            data=edited(challenge, slug="somewhere-else"),
            now=utcnow(),
        )

    assert refused.value.errors == {"slug": services.ADDRESS_FIXED}
    assert (await reload(session, challenge)).slug == address
