"""Hosts create, open and run challenges; others may not."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.audit import AuditEntry
from ideas.challenges.models import Challenge, ChallengeHost
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from tests.factories.queries import count
from tests.html import Page

GOOD_CHALLENGE = {
    "title": "Less food waste in canteens",
    "question": "How might we cut food waste in school canteens?",
    "sponsor": "City Schools Catering",
    "brief": "## Background\n\nA **third** is thrown away. <script>alert(1)</script>",
    "slug": "",
    "ideas_opens_at": "2030-03-01T09:00",
    "review_opens_at": "2030-03-15T09:00",
    "teams_opens_at": "",
    "closes_at": "2030-04-30T18:00",
}


async def test_host_creates_a_draft_challenge(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    host_user = await make_user("Hamid", host=True)
    hamid = await sign_in(host_user)

    response = await hamid.post("/challenges/new", GOOD_CHALLENGE)

    assert response.status_code == 303
    assert response.headers["location"] == "/challenges/less-food-waste-in-canteens"
    challenge = (await session.scalars(select(Challenge))).one()
    assert challenge.sponsor == "City Schools Catering"
    assert challenge.ideas_opens_at is not None
    assert challenge.ideas_opens_at.isoformat() == "2030-03-01T09:00:00+00:00"
    assert challenge.teams_opens_at is None
    assert challenge.phase_at(utcnow()) is Phase.DRAFT
    assert "<script>" not in challenge.brief_html
    assert "<h2>Background</h2>" in challenge.brief_html
    hosts = (await session.scalars(select(ChallengeHost.user_id))).all()
    assert hosts == [host_user.id]
    assert (await session.scalars(select(AuditEntry.action))).all() == [
        "user.create",
        "challenge.create",
    ]


async def test_the_form_is_shown_to_hosts(make_user: Any, sign_in: Any) -> None:
    hamid = await sign_in(await make_user(host=True))
    response = await hamid.get("/challenges/new")
    page = Page(response)
    assert response.status_code == 200
    assert [label.get("for") for label in page.select("form#challenge-form label")][:2] == [
        "f-title",
        "f-question",
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Title is required."),
        (
            {"question": "q" * 301},
            "question",
            "Question must be at most 300 characters (it is 301).",
        ),
        (
            {"slug": "Not A Slug!"},
            "slug",
            "Use lowercase letters, digits and single hyphens, like food-waste.",
        ),
        (
            {"review_opens_at": "2030-02-01T09:00"},
            "review_opens_at",
            "This must be after the start of the Ideas phase.",
        ),
        (
            {"closes_at": "soon"},
            "closes_at",
            "Start of the closed phase must be a date and time, like 2026-03-01T09:00.",
        ),
    ],
)
async def test_bad_challenge_input_is_shown_beside_its_field_and_nothing_is_saved(
    make_user: Any,
    sign_in: Any,
    session: AsyncSession,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    hamid = await sign_in(await make_user(host=True))
    typed = {**GOOD_CHALLENGE, **changes}

    response = await hamid.post("/challenges/new", typed)

    assert response.status_code == 200
    page = Page(response)
    assert page.text(f"#f-{field}-error") == f"Error: {message}"
    for name, value in typed.items():
        assert page.field_value(name) == value
    assert await count(session, Challenge) == 0


async def test_an_address_already_taken_is_refused_beside_the_field(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    existing = await make_challenge(host)
    hamid = await sign_in(host)

    response = await hamid.post("/challenges/new", {**GOOD_CHALLENGE, "slug": existing.slug})

    assert response.status_code == 200
    assert Page(response).text("#f-slug-error").startswith("Error: That address is already used")
    assert await count(session, Challenge) == 1


async def test_participant_cannot_create_a_challenge(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya = await sign_in(await make_user())

    form = await priya.get("/challenges/new")
    response = await priya.post("/challenges/new", GOOD_CHALLENGE)

    assert form.status_code == response.status_code == 403
    assert await count(session, Challenge) == 0


async def test_visitor_cannot_create_a_challenge(visitor: Any, session: AsyncSession) -> None:
    page = await visitor.get("/challenges/new")
    response = await visitor.post("/challenges/new", {"title": "Mine"})
    assert page.status_code == 303
    assert page.headers["location"] == "/sign-in?next=/challenges/new"
    assert response.status_code == 403
    assert await count(session, Challenge) == 0


async def test_a_draft_is_invisible_to_everyone_but_its_hosts_and_admins(
    make_user: Any, make_challenge: Any, sign_in: Any, visitor: Any
) -> None:
    host = await make_user(host=True)
    draft = await make_challenge(host, phase=Phase.DRAFT, title="Secret plans")
    other_host = await sign_in(await make_user(host=True))
    participant = await sign_in(await make_user())
    admin = await sign_in(await make_user(admin=True))
    own_host = await sign_in(host)

    for person in (visitor, participant, other_host):
        page = await person.get(f"/challenges/{draft.slug}")
        home = await person.get("/")
        assert page.status_code == 404
        assert "Secret plans" not in home.text
    for person in (own_host, admin):
        assert (await person.get(f"/challenges/{draft.slug}")).status_code == 200
    assert "Secret plans" in Page(await own_host.get("/")).text(
        "section[aria-labelledby=drafts-heading]"
    )


async def test_host_opens_a_draft_by_hand_and_it_is_in_the_audit_log(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession, visitor: Any
) -> None:
    host = await make_user(host=True)
    draft = await make_challenge(host, phase=Phase.DRAFT)
    hamid = await sign_in(host)

    response = await hamid.post(f"/challenges/{draft.slug}/phase", {"phase": "ideas"})

    assert response.status_code == 303
    refreshed = await session.get(Challenge, draft.id, populate_existing=True)
    assert refreshed is not None
    assert refreshed.phase_at(utcnow()) is Phase.IDEAS
    entry = (
        await session.scalars(select(AuditEntry).where(AuditEntry.action == "challenge.phase"))
    ).one()
    assert (entry.actor_id, entry.data) == (host.id, {"before": "draft", "after": "ideas"})
    assert (await visitor.get(f"/challenges/{draft.slug}")).status_code == 200


async def test_participant_cannot_switch_the_phase(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=Phase.IDEAS)
    priya = await sign_in(await make_user())

    response = await priya.post(f"/challenges/{challenge.slug}/phase", {"phase": "closed"})

    assert response.status_code == 403
    refreshed = await session.get(Challenge, challenge.id, populate_existing=True)
    assert refreshed is not None
    assert refreshed.phase_switched_to is None
    assert (
        await session.scalar(select(AuditEntry).where(AuditEntry.action == "challenge.phase"))
        is None
    )


async def test_a_host_of_another_challenge_cannot_switch_this_one(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=Phase.IDEAS)
    stranger = await sign_in(await make_user(host=True))

    response = await stranger.post(f"/challenges/{challenge.slug}/phase", {"phase": "closed"})

    assert response.status_code == 403
    refreshed = await session.get(Challenge, challenge.id, populate_existing=True)
    assert refreshed is not None
    assert refreshed.phase_switched_to is None


async def test_switching_to_an_unknown_phase_is_a_bad_request(
    make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    hamid = await sign_in(host)
    response = await hamid.post(f"/challenges/{challenge.slug}/phase", {"phase": "party"})
    assert response.status_code == 400


async def test_home_lists_open_challenges_before_closed_ones(
    make_user: Any, make_challenge: Any, visitor: Any
) -> None:
    host = await make_user(host=True)
    await make_challenge(host, phase=Phase.CLOSED, title="Old round")
    await make_challenge(host, phase=Phase.IDEAS, title="Current round")

    page = Page(await visitor.get("/"))

    assert [
        a.text_content()
        for a in page.select("section[aria-labelledby=open-heading] .card__title a")
    ] == ["Current round"]
    assert [
        a.text_content()
        for a in page.select("section[aria-labelledby=closed-heading] .card__title a")
    ] == ["Old round"]


async def test_challenge_page_shows_the_phase_timeline(
    make_user: Any, make_challenge: Any, visitor: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=Phase.REVIEW)
    page = Page(await visitor.get(f"/challenges/{challenge.slug}"))
    steps = page.select("ol.timeline li")
    assert [" ".join(s.text_content().split()).split(" ")[0] for s in steps] == [
        "Draft",
        "Ideas",
        "Review",
        "Teams",
        "Closed",
    ]
    assert page.one("ol.timeline li[aria-current=step]").text_content().strip().startswith("Review")
    assert "Teams begins" in page.text(".time-left")
