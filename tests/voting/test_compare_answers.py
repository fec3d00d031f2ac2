"""Answering a pair: one comparison saved per answer, and every forged or stale answer refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.errors import Forbidden
from ideas.submissions.models import Idea, IdeaCoauthor, IdeaStatus
from ideas.voting.compare_services import (
    record_comparison,
)
from tests.factories.comparing import (
    Shown,
    answer,
    compare_url,
    comparisons,
    pair_for,
    shown,
    token_for,
)
from tests.factories.queries import fresh
from tests.factories.rounds import set_status
from tests.factories.web import HTMX
from tests.html import Page

# Answering ------------------------------------------------------------------------


async def test_answering_saves_one_comparison_and_moves_the_ranking(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host)
    a, b = await make_idea(challenge, author), await make_idea(challenge, author)
    person = await sign_in(tomas)
    pair = await pair_for(person, challenge)

    response = await answer(person, challenge, pair, pair.right)

    assert response.status_code == 303
    assert response.headers["location"] == f"{compare_url(challenge)}?done=saved"
    saved = await comparisons(session)
    assert len(saved) == 1
    row = saved[0]
    assert (row.challenge_id, row.user_id) == (challenge.id, tomas.id)
    assert (row.first_id, row.second_id, row.winner_id) == (a.id, b.id, pair.right)
    winner, loser = await fresh(session, Idea, pair.right), await fresh(session, Idea, pair.left)
    assert winner.comparison_count == loser.comparison_count == 1
    assert winner.strength > 0 > loser.strength
    # The first answer of a round fits the ranking at once, after the response.
    assert winner.pairwise_score > 0.5 > loser.pairwise_score
    refitted = await fresh(session, Challenge, challenge.id)
    assert refitted.ranking_fitted_at is not None
    assert refitted.comparisons_since_fit == 0
    page = Page(await person.get(response.headers["location"]))
    assert page.text("#compare-status") == "Saved. Here is the next pair."
    assert page.text(".compare__done").startswith("You have compared every pair")


async def test_an_answer_between_refits_moves_the_two_scores_people_see(
    make_challenge: Any,
    make_idea: Any,
    make_user: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host)
    for _ in range(3):
        await make_idea(challenge, author)
    first = await sign_in(tomas)
    pair = await pair_for(first, challenge)
    await answer(first, challenge, pair, pair.left)  # the round's first answer: a refit
    second = await sign_in(await make_user("Ines"))
    pair = await pair_for(second, challenge)
    before = {i: (await fresh(session, Idea, i)).pairwise_score for i in pair.ids}
    # Of three ideas, at least one of the two shown was in the first answer.
    winner = next(i for i in (pair.left, pair.right) if before[i] is not None)
    loser = pair.right if winner == pair.left else pair.left

    await answer(second, challenge, pair, winner)

    after = {i: (await fresh(session, Idea, i)).pairwise_score for i in pair.ids}
    assert (await fresh(session, Challenge, challenge.id)).comparisons_since_fit == 1
    assert after[winner] > before[winner]
    if before[loser] is None:
        assert after[loser] is not None
        assert after[loser] < 0.5
    else:
        assert after[loser] < before[loser]


async def test_cant_decide_saves_a_comparison_without_a_winner(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host)
    await make_idea(challenge, author)
    await make_idea(challenge, author)
    person = await sign_in(tomas)

    response = await answer(person, challenge, await pair_for(person, challenge), None)

    assert response.status_code == 303
    [row] = await comparisons(session)
    assert row.winner_id is None
    scores = (await session.scalars(select(Idea.pairwise_score))).all()
    assert list(scores) == pytest.approx([0.5, 0.5])


async def test_with_htmx_the_next_pair_comes_in_place_with_a_confirmation(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host)
    for _ in range(3):
        await make_idea(challenge, author)
    person = await sign_in(tomas)
    pair = await pair_for(person, challenge)

    response = await answer(person, challenge, pair, pair.left, **HTMX)

    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    fragment = Page(response)
    assert fragment.select("h1, html, body, nav") == []
    fragment.one("section#compare-pair")
    following = shown(fragment)
    assert following.ids != pair.ids
    status = fragment.one('[data-hx-swap-oob="innerHTML"]')
    assert status.get("id") == "compare-status"
    assert status.text_content() == "Saved. Here is the next pair."
    assert fragment.one("#compare-heading").get("autofocus") is not None
    assert fragment.text(".compare__progress") == "You have answered 1 pair in this challenge."
    assert len(await comparisons(session)) == 1


async def test_a_first_visit_does_not_move_the_focus(
    make_challenge: Any, make_idea: Any, host: User, author: User, tomas: User, sign_in: Any
) -> None:
    challenge = await make_challenge(host)
    await make_idea(challenge, author)
    await make_idea(challenge, author)

    page = Page(await (await sign_in(tomas)).get(compare_url(challenge)))

    assert page.select("[autofocus]") == []
    assert page.text("#compare-status") == ""


async def test_a_forged_token_is_refused_and_nothing_is_saved(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host)
    a, b = await make_idea(challenge, author), await make_idea(challenge, author)
    person = await sign_in(tomas)
    pair = await pair_for(person, challenge)
    forged = Shown(pair.left, pair.right, {**pair.fields, "token": "0" * 64})
    unsigned = {"first": str(a.id), "second": str(b.id), "winner": str(a.id)}

    responses = [
        await answer(person, challenge, forged, pair.left),
        await person.post(compare_url(challenge), unsigned),
    ]

    for response in responses:
        assert response.status_code == 400
        assert "not for a pair this page showed you" in Page(response).text("main")
    assert await comparisons(session) == []


async def test_a_token_made_for_someone_else_is_refused(
    make_challenge: Any,
    make_idea: Any,
    make_user: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host)
    await make_idea(challenge, author)
    await make_idea(challenge, author)
    pair = await pair_for(await sign_in(tomas), challenge)

    response = await answer(await sign_in(await make_user()), challenge, pair, pair.left)

    assert response.status_code == 400
    assert await comparisons(session) == []


async def test_a_token_for_another_pair_does_not_answer_this_one(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host)
    a, b, c = [await make_idea(challenge, author) for _ in range(3)]
    person = await sign_in(tomas)
    fields = token_for(challenge, tomas, a, b)
    fields["second"] = str(c.id)

    response = await person.post(compare_url(challenge), {**fields, "winner": str(a.id)})

    assert response.status_code == 400
    assert await comparisons(session) == []


async def test_a_choice_outside_the_pair_is_a_bad_request(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host)
    a, b, c = [await make_idea(challenge, author) for _ in range(3)]
    person = await sign_in(tomas)

    response = await person.post(
        compare_url(challenge), {**token_for(challenge, tomas, a, b), "winner": str(c.id)}
    )

    assert response.status_code == 400
    assert await comparisons(session) == []


async def test_the_same_answer_sent_twice_counts_once_and_is_answered_as_the_first(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    """A double click on "left is better", or the page sent again: one answer, no error."""
    challenge = await make_challenge(host)
    await make_idea(challenge, author), await make_idea(challenge, author)
    person = await sign_in(tomas)
    pair = await pair_for(person, challenge)

    first = await answer(person, challenge, pair, pair.left)
    again = await answer(person, challenge, pair, pair.left)

    assert (first.status_code, again.status_code) == (303, 303)
    assert again.headers["location"] == first.headers["location"]
    [row] = await comparisons(session)
    assert row.winner_id == pair.left


async def test_answering_the_same_pair_twice_is_a_conflict_and_changes_nothing(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host)
    a, b = await make_idea(challenge, author), await make_idea(challenge, author)
    person = await sign_in(tomas)
    pair = await pair_for(person, challenge)
    await answer(person, challenge, pair, pair.left)
    before = [
        (i.comparison_count, i.strength, i.pairwise_score)
        for i in [await fresh(session, Idea, a.id), await fresh(session, Idea, b.id)]
    ]
    counter = (await fresh(session, Challenge, challenge.id)).comparisons_since_fit

    again = await answer(person, challenge, pair, pair.right)

    assert again.status_code == 409
    assert "already answered this pair" in Page(again).text("main")
    [row] = await comparisons(session)
    assert row.winner_id == pair.left
    after = [
        (i.comparison_count, i.strength, i.pairwise_score)
        for i in [await fresh(session, Idea, a.id), await fresh(session, Idea, b.id)]
    ]
    assert after == before
    assert (await fresh(session, Challenge, challenge.id)).comparisons_since_fit == counter


@pytest.mark.parametrize("status", [IdeaStatus.HIDDEN, IdeaStatus.WITHDRAWN])
async def test_a_pair_with_a_hidden_or_withdrawn_idea_is_refused(
    status: IdeaStatus,
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host)
    a, b = await make_idea(challenge, author), await make_idea(challenge, author)
    person = await sign_in(tomas)
    pair = await pair_for(person, challenge)
    await set_status(session, a, status)

    response = await answer(person, challenge, pair, pair.left)

    assert response.status_code == 403
    assert f"is {status.value}, so it can no longer be compared" in Page(response).text("main")
    assert await comparisons(session) == []
    assert (await fresh(session, Idea, b.id)).comparison_count == 0


async def test_an_idea_of_another_challenge_is_refused_even_with_a_signed_token(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge, other = await make_challenge(host), await make_challenge(host)
    here, there = await make_idea(challenge, author), await make_idea(other, author)
    person = await sign_in(tomas)

    response = await person.post(
        compare_url(challenge), {**token_for(challenge, tomas, here, there), "winner": "none"}
    )

    assert response.status_code == 404
    assert await comparisons(session) == []


async def test_ones_own_idea_is_refused_even_with_a_signed_token(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host)
    own, other = await make_idea(challenge, tomas), await make_idea(challenge, author)
    person = await sign_in(tomas)

    response = await person.post(
        compare_url(challenge), {**token_for(challenge, tomas, own, other), "winner": str(own.id)}
    )

    assert response.status_code == 403
    assert "your own idea" in Page(response).text("main")
    assert await comparisons(session) == []


async def test_the_service_refuses_an_answer_about_ones_own_or_co_written_idea(
    make_challenge: Any,
    make_idea: Any,
    make_user: Any,
    host: User,
    author: User,
    tomas: User,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host)
    own, other = await make_idea(challenge, tomas), await make_idea(challenge, author)
    coauthor = await make_user("Cleo")
    session.add(IdeaCoauthor(idea_id=own.id, user_id=coauthor.id, added_at=utcnow()))
    await session.commit()
    first, second = sorted((own.id, other.id))

    for person in (tomas, coauthor):
        with pytest.raises(Forbidden, match="You cannot compare your own idea"):
            await record_comparison(
                session,
                challenge_id=challenge.id,
                user_id=person.id,
                first_id=first,
                second_id=second,
                winner_id=None,
                now=utcnow(),
            )

    assert await comparisons(session) == []


@pytest.mark.parametrize("phase", [Phase.TEAMS, Phase.CLOSED])
async def test_the_service_refuses_an_answer_after_review(
    phase: Phase,
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    tomas: User,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host, phase=phase)
    a, b = await make_idea(challenge, author), await make_idea(challenge, author)

    with pytest.raises(Forbidden, match="not possible while the challenge is in the"):
        await record_comparison(
            session,
            challenge_id=challenge.id,
            user_id=tomas.id,
            first_id=min(a.id, b.id),
            second_id=max(a.id, b.id),
            winner_id=a.id,
            now=utcnow(),
        )

    assert await comparisons(session) == []
