"""Posting and reading ideas over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.audit import AuditEntry
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.submissions.models import Idea
from tests.factories.queries import count
from tests.html import Page

GOOD_IDEA = {
    "title": "Share leftovers",
    "summary": "Give what is left to a food bank.",
    "body": "**Daily** pick-up.",
}


async def test_participant_posts_an_idea_in_the_ideas_phase(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host, author = await make_user(host=True), await make_user("Priya")
    challenge = await make_challenge(host, phase=Phase.IDEAS)
    priya = await sign_in(author)

    response = await priya.post(f"/challenges/{challenge.slug}/ideas/new", GOOD_IDEA)

    assert response.status_code == 303
    idea = (await session.scalars(select(Idea))).one()
    assert response.headers["location"] == f"/ideas/{idea.id}/share-leftovers"
    assert (idea.title, idea.author_id, idea.challenge_id) == (
        "Share leftovers",
        author.id,
        challenge.id,
    )
    assert idea.body_html == "<p><strong>Daily</strong> pick-up.</p>\n"
    refreshed = await session.get(Challenge, challenge.id, populate_existing=True)
    assert refreshed is not None
    assert refreshed.idea_count == 1
    actions = (await session.scalars(select(AuditEntry.action))).all()
    assert "idea.post" in actions


async def test_htmx_post_answers_with_a_client_redirect(
    make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    priya = await sign_in(await make_user())

    response = await priya.post(
        f"/challenges/{challenge.slug}/ideas/new", GOOD_IDEA, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/ideas/")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Title is required."),
        ("title", "x" * 121, "Title must be at most 120 characters (it is 121)."),
        ("summary", "   ", "Summary is required."),
        ("summary", "y" * 301, "Summary must be at most 300 characters (it is 301)."),
        ("body", "z" * 20_001, "Body must be at most 20,000 characters (it is 20,001)."),
    ],
)
async def test_bad_idea_input_comes_back_beside_its_field_and_nothing_is_saved(
    make_user: Any,
    make_challenge: Any,
    sign_in: Any,
    session: AsyncSession,
    field: str,
    value: str,
    message: str,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    priya = await sign_in(await make_user())
    typed = {**GOOD_IDEA, field: value}

    response = await priya.post(f"/challenges/{challenge.slug}/ideas/new", typed)

    assert response.status_code == 200
    page = Page(response)
    assert page.text(f"#f-{field}-error") == f"Error: {message}"
    assert page.one(f"#f-{field}").get("aria-invalid") == "true"
    for name, typed_value in typed.items():
        assert page.field_value(name) == typed_value
    assert await count(session, Idea) == 0


async def test_htmx_bad_input_returns_only_the_form(
    make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    priya = await sign_in(await make_user())

    response = await priya.post(
        f"/challenges/{challenge.slug}/ideas/new",
        {"title": "", "summary": "s"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "HX-Request" in [v.strip() for v in response.headers["Vary"].split(",")]
    page = Page(response)
    assert page.select("html") == []
    assert page.one("form#idea-form") is not None
    assert page.text("#f-title-error") == "Error: Title is required."


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.TEAMS, Phase.CLOSED])
async def test_participant_cannot_post_outside_the_ideas_phase(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession, phase: Phase
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=phase)
    priya = await sign_in(await make_user())

    response = await priya.post(f"/challenges/{challenge.slug}/ideas/new", GOOD_IDEA)

    assert response.status_code == 403
    assert await count(session, Idea) == 0


async def test_nobody_but_hosts_can_post_to_a_draft_it_is_invisible(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=Phase.DRAFT)
    priya = await sign_in(await make_user())

    response = await priya.post(f"/challenges/{challenge.slug}/ideas/new", GOOD_IDEA)

    assert response.status_code == 404
    assert await count(session, Idea) == 0


async def test_visitor_cannot_post_an_idea(
    make_user: Any, make_challenge: Any, visitor: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))

    form_page = await visitor.get(f"/challenges/{challenge.slug}/ideas/new")
    response = await visitor.post(f"/challenges/{challenge.slug}/ideas/new", GOOD_IDEA)

    assert form_page.status_code == 303
    assert form_page.headers["location"].startswith("/sign-in?next=")
    assert response.status_code == 403
    assert await count(session, Idea) == 0


async def test_visitor_reads_an_idea_on_its_canonical_url(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user("Tomás Ferreira"), title="Cargo bikes")

    short = await visitor.get(f"/ideas/{idea.id}")
    wrong = await visitor.get(f"/ideas/{idea.id}/wrong-slug")
    response = await visitor.get(f"/ideas/{idea.id}/cargo-bikes")

    assert short.status_code == wrong.status_code == 301
    assert short.headers["location"] == wrong.headers["location"] == f"/ideas/{idea.id}/cargo-bikes"
    assert response.status_code == 200
    page = Page(response)
    assert page.text("h1") == "Cargo bikes"
    assert "Tomás Ferreira" in page.text(".byline")


async def test_challenge_page_lists_its_ideas(
    make_user: Any, make_challenge: Any, make_idea: Any, visitor: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    other = await make_challenge(await make_user(host=True))
    author = await make_user()
    await make_idea(challenge, author, title="First")
    await make_idea(challenge, author, title="Second")
    await make_idea(other, author, title="Elsewhere")

    response = await visitor.get(f"/challenges/{challenge.slug}?sort=newest")

    titles = [a.text_content().strip() for a in Page(response).select("#ideas .card__title a")]
    assert titles == ["Second", "First"]


async def test_unknown_idea_is_404(visitor: Any, session: AsyncSession) -> None:
    response = await visitor.get("/ideas/999999/nothing")
    assert response.status_code == 404
