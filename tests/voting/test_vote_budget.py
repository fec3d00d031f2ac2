"""A challenge may give each participant a budget of votes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.db import utcnow
from ideas.errors import Conflict
from ideas.submissions.models import IdeaStatus
from ideas.voting import services
from ideas.voting.models import Vote
from tests.factories.accounts import Person
from tests.factories.rounds import idea_url, set_status
from tests.factories.voting import tally, vote
from tests.html import Page


async def all_votes(session: AsyncSession) -> int:
    await session.commit()
    return int(await session.scalar(select(func.count()).select_from(Vote)) or 0)


# The vote budget ----------------------------------------------------------------


@pytest.fixture
async def budget_round(make_user: Any, make_challenge: Any, make_idea: Any) -> dict[str, Any]:
    """A challenge giving each participant 3 votes, with 5 ideas by Amara."""
    host = await make_user("Hamid", host=True)
    author = await make_user("Amara")
    challenge = await make_challenge(host, vote_budget=3)
    ideas = [await make_idea(challenge, author, title=f"Idea {n}") for n in range(5)]
    return {"challenge": challenge, "ideas": ideas}


async def test_the_vote_over_the_budget_is_refused_with_what_to_do(
    budget_round: dict[str, Any], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    ideas = budget_round["ideas"]
    priya = await sign_in(await make_user("Priya"))
    for idea in ideas[:3]:
        assert (await vote(priya, idea)).status_code == 303

    fourth = await vote(priya, ideas[3])
    in_place = await vote(priya, ideas[3], htmx=True)

    message = (
        "You have used all 3 of your votes in this challenge. "
        "Withdraw one to vote for another idea."
    )
    assert fourth.status_code == 409
    assert message in Page(fourth).text("main")
    assert in_place.status_code == 409
    assert Page(in_place).text(f"#vote-{ideas[3].id} [role=alert]") == message
    assert await tally(session, ideas[3]) == (0, 0)
    assert await all_votes(session) == 3


async def test_withdrawing_a_vote_frees_one_for_another_idea(
    budget_round: dict[str, Any], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    ideas = budget_round["ideas"]
    priya = await sign_in(await make_user("Priya"))
    for idea in ideas[:3]:
        await vote(priya, idea)

    await vote(priya, ideas[0], "withdraw")
    response = await vote(priya, ideas[3])

    assert response.status_code == 303
    assert await tally(session, ideas[0]) == (0, 0)
    assert await tally(session, ideas[3]) == (1, 1)
    assert await all_votes(session) == 3


async def test_the_budget_is_per_participant_and_per_challenge(
    budget_round: dict[str, Any],
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
) -> None:
    ideas = budget_round["ideas"]
    elsewhere = await make_challenge(await make_user(host=True), vote_budget=3)
    other_idea = await make_idea(elsewhere, await make_user())
    priya = await sign_in(await make_user("Priya"))
    tomas = await sign_in(await make_user("Tomas"))
    for idea in ideas[:3]:
        await vote(priya, idea)

    assert (await vote(tomas, ideas[0])).status_code == 303
    assert (await vote(priya, other_idea)).status_code == 303


async def test_a_vote_for_an_idea_taken_down_since_does_not_count(
    budget_round: dict[str, Any], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    ideas = budget_round["ideas"]
    priya = await sign_in(await make_user("Priya"))
    for idea in ideas[:3]:
        await vote(priya, idea)
    await set_status(session, ideas[0], IdeaStatus.HIDDEN)

    response = await vote(priya, ideas[3])

    assert response.status_code == 303
    assert await all_votes(session) == 4


async def test_votes_left_are_shown_and_follow_each_vote(
    budget_round: dict[str, Any], make_user: Any, sign_in: Any, visitor: Person
) -> None:
    challenge, ideas = budget_round["challenge"], budget_round["ideas"]
    priya = await sign_in(await make_user("Priya"))
    url = f"/challenges/{challenge.slug}"

    before = Page(await priya.get(url))
    answer = await vote(priya, ideas[0], htmx=True)
    after = Page(await priya.get(url))
    idea_page = Page(await priya.get(idea_url(ideas[1])))
    await vote(priya, ideas[1])
    last = await vote(priya, ideas[2], htmx=True)
    spent = Page(await priya.get(url))
    withdrawn = await vote(priya, ideas[2], "withdraw", htmx=True)

    assert before.text("#votes-left") == "3 of 3 votes left in this challenge"
    assert before.one("#votes-left").get("aria-live") == "polite"
    oob = Page(answer).one("#votes-left")
    assert oob.get("data-hx-swap-oob") == "innerHTML"
    assert " ".join(oob.text_content().split()) == "2 of 3 votes left in this challenge"
    assert after.text("#votes-left") == "2 of 3 votes left in this challenge"
    assert idea_page.text("#votes-left") == "2 of 3 votes left in this challenge"
    assert spent.text("#votes-left") == "You have used all 3 of your votes in this challenge"
    assert " ".join(Page(last).one("#votes-left").text_content().split()) == (
        "You have used all 3 of your votes in this challenge"
    )
    assert " ".join(Page(withdrawn).one("#votes-left").text_content().split()) == (
        "1 of 3 votes left in this challenge"
    )
    assert Page(await visitor.get(url)).select("#votes-left") == []


async def test_without_a_budget_there_are_no_votes_left_to_show(
    round_: dict[str, Any], make_user: Any, sign_in: Any
) -> None:
    challenge, idea = round_["challenge"], round_["idea"]
    priya = await sign_in(await make_user("Priya"))

    assert Page(await priya.get(f"/challenges/{challenge.slug}")).select("#votes-left") == []
    assert Page(await priya.get(idea_url(idea))).select("#votes-left") == []


async def test_the_budget_holds_in_the_service_too(
    budget_round: dict[str, Any], make_user: Any, session: AsyncSession
) -> None:
    ideas = budget_round["ideas"]
    priya = await make_user("Priya")
    for idea in ideas[:3]:
        ballot = await services.cast_vote(session, idea_id=idea.id, user_id=priya.id, now=utcnow())
    assert ballot.votes_left == 0

    with pytest.raises(Conflict, match="used all 3 of your votes"):
        await services.cast_vote(session, idea_id=ideas[3].id, user_id=priya.id, now=utcnow())

    assert await all_votes(session) == 3
