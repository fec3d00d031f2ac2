"""Who compares, and in which phases."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts import sessions
from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.web.sessions import cookie_name
from tests.factories.accounts import Person
from tests.factories.comparing import (
    compare_url,
    comparisons,
    pair_for,
    results_url,
    token_for,
)
from tests.html import Page

# Phases and people -----------------------------------------------------------------


async def test_a_drafts_compare_and_results_pages_do_not_exist_for_participants(
    make_challenge: Any, host: User, tomas: User, sign_in: Any, visitor: Person
) -> None:
    challenge = await make_challenge(host, phase=Phase.DRAFT)
    person = await sign_in(tomas)

    assert (await person.get(compare_url(challenge))).status_code == 404
    assert (await person.post(compare_url(challenge), {"winner": "none"})).status_code == 404
    assert (await visitor.get(compare_url(challenge))).status_code == 404
    assert (await visitor.get(results_url(challenge))).status_code == 404


@pytest.mark.parametrize("phase", [Phase.TEAMS, Phase.CLOSED])
async def test_comparing_is_closed_after_review(
    phase: Phase,
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    a, b = await make_idea(challenge, author), await make_idea(challenge, author)
    person = await sign_in(tomas)
    await pair_for(person, challenge)  # open in review
    await session.execute(
        update(Challenge)
        .where(Challenge.id == challenge.id)
        .values(phase_switched_to=phase, phase_switched_at=utcnow())
    )
    await session.commit()

    page = await person.get(compare_url(challenge))
    post = await person.post(
        compare_url(challenge), {**token_for(challenge, tomas, a, b), "winner": str(a.id)}
    )

    assert page.status_code == post.status_code == 403
    assert "not possible while the challenge is in the" in Page(post).text("main")
    assert await comparisons(session) == []


async def test_a_visitor_is_asked_to_sign_in_and_cannot_answer(
    make_challenge: Any,
    make_idea: Any,
    make_client: Any,
    settings: Any,
    host: User,
    author: User,
    session: AsyncSession,
    visitor: Person,
) -> None:
    challenge = await make_challenge(host)
    a, b = await make_idea(challenge, author), await make_idea(challenge, author)
    token, web_session = await sessions.start(session, None, now=utcnow(), replacing=None)
    client = make_client()
    client.cookies.set(cookie_name(settings), token)
    with_session = Person(client=client, csrf=web_session.csrf_token, user=None)

    page = Page(await visitor.get(compare_url(challenge)))
    post = await with_session.post(
        compare_url(challenge),
        {"first": str(a.id), "second": str(b.id), "token": "0" * 64, "winner": "none"},
    )

    link = page.one("#compare-pair a.button")
    assert link.text_content() == "Sign in to compare"
    assert link.get("href") == f"/sign-in?next=%2Fchallenges%2F{challenge.slug}%2Fcompare"
    assert page.select("#compare-pair form") == []
    assert post.status_code == 403
    assert "Sign in" in Page(post).text("main")
    assert await comparisons(session) == []


async def test_hosts_compare_too_but_never_their_own_ideas(
    make_challenge: Any, make_idea: Any, host: User, author: User, sign_in: Any
) -> None:
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    await make_idea(challenge, host)
    others = {(await make_idea(challenge, author)).id for _ in range(2)}

    assert (await pair_for(await sign_in(host), challenge)).ids == others


async def test_the_challenge_page_links_to_comparing_while_it_is_open(
    make_challenge: Any, host: User, tomas: User, sign_in: Any, visitor: Person
) -> None:
    open_round = await make_challenge(host)
    closed = await make_challenge(host, phase=Phase.CLOSED)
    person = await sign_in(tomas)

    def compare_links(page: Page) -> list[str]:
        return [a.get("href") for a in page.select("header.challenge__head a")]

    participant = compare_links(Page(await person.get(f"/challenges/{open_round.slug}")))
    after = compare_links(Page(await person.get(f"/challenges/{closed.slug}")))
    for_visitor = compare_links(Page(await visitor.get(f"/challenges/{open_round.slug}")))

    assert compare_url(open_round) in participant
    assert results_url(open_round) in participant
    assert compare_url(closed) not in after
    assert results_url(closed) in after
    assert compare_url(open_round) not in for_visitor
