"""Participants vote for ideas and take their votes back; a challenge may set a budget."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ideas.accounts.models import User
from ideas.accounts.services import delete_account
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.errors import Conflict, Forbidden, NotFound
from ideas.submissions.models import Idea, IdeaCoauthor, IdeaStatus
from ideas.voting import services
from ideas.voting.models import Vote
from ideas.web.ratelimit import PER_ACCOUNT, Limit
from tests.factories.accounts import Person, visitor_with_a_session
from tests.factories.queries import counting
from tests.factories.rounds import add_varied_ideas, idea_url, set_status
from tests.html import Page

HTMX = {"HX-Request": "true"}


# Helpers ------------------------------------------------------------------------


def vote_url(idea: Idea) -> str:
    return f"/ideas/{idea.id}/vote"


async def vote(
    person: Person, idea: Idea, action: str = "vote", *, htmx: bool = False, **fields: str
) -> Any:
    return await person.post(
        vote_url(idea), {"action": action, **fields}, headers=HTMX if htmx else None
    )


async def tally(session: AsyncSession, idea: Idea) -> tuple[int, int]:
    """The idea's vote_count and how many vote rows it has, read fresh."""
    await session.commit()
    counted = await session.scalar(select(Idea.vote_count).where(Idea.id == idea.id))
    rows = await session.scalar(
        select(func.count()).select_from(Vote).where(Vote.idea_id == idea.id)
    )
    return int(counted or 0), int(rows or 0)


async def all_votes(session: AsyncSession) -> int:
    await session.commit()
    return int(await session.scalar(select(func.count()).select_from(Vote)) or 0)


def button(page: Page, idea: Idea) -> Any:
    return page.one(f"#vote-{idea.id} button")


def shown_count(page: Page, idea: Idea) -> str:
    return page.text(f"#vote-{idea.id} .vote__count")


@pytest.fixture
async def round_(make_user: Any, make_challenge: Any, make_idea: Any) -> dict[str, Any]:
    """A challenge taking ideas (no vote budget) with one idea by Amara."""
    host = await make_user("Hamid", host=True)
    author = await make_user("Amara")
    challenge = await make_challenge(host)
    idea = await make_idea(challenge, author, title="Compost club")
    return {"host": host, "author": author, "challenge": challenge, "idea": idea}


# Voting and withdrawing ---------------------------------------------------------


async def test_participant_votes_and_goes_back_to_the_idea(
    round_: dict[str, Any], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    idea = round_["idea"]
    priya = await sign_in(await make_user("Priya"))
    before = idea.last_activity_at

    response = await vote(priya, idea)

    assert response.status_code == 303
    assert response.headers["location"] == f"{idea_url(idea)}#vote-{idea.id}"
    assert await tally(session, idea) == (1, 1)
    saved = await session.scalar(
        select(Idea).where(Idea.id == idea.id).execution_options(populate_existing=True)
    )
    assert saved is not None
    assert saved.last_activity_at > before
    page = Page(await priya.get(idea_url(idea)))
    pressed = button(page, idea)
    assert pressed.get("aria-pressed") == "true"
    assert " ".join(pressed.text_content().split()).startswith("Voted ✓ — withdraw")
    assert page.one(f"#vote-{idea.id} input[name=action]").get("value") == "withdraw"
    assert shown_count(page, idea) == "1 vote"
    assert page.one(f"#vote-{idea.id} .vote__count").get("aria-live") == "polite"


async def test_participant_withdraws_their_vote(
    round_: dict[str, Any], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    idea = round_["idea"]
    priya = await sign_in(await make_user("Priya"))
    await vote(priya, idea)

    response = await vote(priya, idea, "withdraw")

    assert response.status_code == 303
    assert await tally(session, idea) == (0, 0)
    page = Page(await priya.get(idea_url(idea)))
    assert button(page, idea).get("aria-pressed") == "false"
    assert " ".join(button(page, idea).text_content().split()).startswith("Vote for")
    assert page.one(f"#vote-{idea.id} input[name=action]").get("value") == "vote"
    assert shown_count(page, idea) == "0 votes"


async def test_the_vote_button_is_a_plain_form(
    round_: dict[str, Any], make_user: Any, sign_in: Any
) -> None:
    idea = round_["idea"]
    priya = await sign_in(await make_user("Priya"))

    page = Page(await priya.get(idea_url(idea)))

    form = page.one(f"#vote-{idea.id} form")
    assert form.get("method") == "post"
    assert form.get("action") == vote_url(idea)
    assert form.get("hx-post") == vote_url(idea)
    assert form.get("hx-target") == f"#vote-{idea.id}"
    assert page.one(f"#vote-{idea.id} input[name=csrf_token]").get("value") == priya.csrf
    assert page.one(f"#vote-{idea.id} input[name=next]").get("value") == (
        f"{idea_url(idea)}#vote-{idea.id}"
    )


async def test_htmx_vote_answers_with_the_button_in_its_new_state(
    round_: dict[str, Any], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    idea = round_["idea"]
    priya = await sign_in(await make_user("Priya"))

    response = await vote(priya, idea, htmx=True)

    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "idea.voted"
    assert "HX-Retarget" not in response.headers
    fragment = Page(response)
    assert fragment.select("main, html body header") == []
    assert button(fragment, idea).get("aria-pressed") == "true"
    assert shown_count(fragment, idea) == "1 vote"
    assert fragment.select("#votes-left") == []  # no budget, nothing left to count
    assert await tally(session, idea) == (1, 1)

    withdrawn = await vote(priya, idea, "withdraw", htmx=True)

    assert withdrawn.status_code == 200
    assert withdrawn.headers["HX-Trigger"] == "idea.voted"
    assert button(Page(withdrawn), idea).get("aria-pressed") == "false"
    assert shown_count(Page(withdrawn), idea) == "0 votes"
    assert await tally(session, idea) == (0, 0)


async def test_the_plain_post_goes_back_where_the_person_was_on_this_site_only(
    round_: dict[str, Any], make_user: Any, sign_in: Any
) -> None:
    idea, challenge = round_["idea"], round_["challenge"]
    priya = await sign_in(await make_user("Priya"))
    back = f"/challenges/{challenge.slug}?sort=newest#vote-{idea.id}"

    from_list = await vote(priya, idea, next=back)
    elsewhere = await vote(priya, idea, "withdraw", next="https://evil.example/")

    assert from_list.headers["location"] == back
    assert elsewhere.headers["location"] == f"{idea_url(idea)}#vote-{idea.id}"


async def test_an_unknown_action_is_refused(
    round_: dict[str, Any], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    idea = round_["idea"]
    priya = await sign_in(await make_user("Priya"))

    response = await vote(priya, idea, "twice")

    assert response.status_code == 400
    assert await tally(session, idea) == (0, 0)


# Refusals -----------------------------------------------------------------------


async def test_a_vote_sent_twice_counts_once_and_is_answered_as_the_first(
    round_: dict[str, Any], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    """A double click, or the form sent again: the vote stands, once, and no error."""
    idea = round_["idea"]
    priya = await sign_in(await make_user("Priya"))
    first = await vote(priya, idea)

    again = await vote(priya, idea)
    again_in_place = await vote(priya, idea, htmx=True)

    assert (first.status_code, again.status_code) == (303, 303)
    assert again.headers["location"] == first.headers["location"]
    assert again_in_place.status_code == 200
    assert again_in_place.headers["HX-Trigger"] == "idea.voted"
    fragment = Page(again_in_place)
    assert fragment.select(f"#vote-{idea.id} [role=alert]") == []
    assert button(fragment, idea).get("aria-pressed") == "true"
    assert shown_count(fragment, idea) == "1 vote"
    assert await tally(session, idea) == (1, 1)


async def test_the_unique_constraint_backs_one_vote_per_idea(
    round_: dict[str, Any], make_user: Any, session: AsyncSession
) -> None:
    idea = round_["idea"]
    priya = await make_user("Priya")
    await services.cast_vote(session, idea_id=idea.id, user_id=priya.id, now=utcnow())

    with pytest.raises(Conflict, match="already voted"):
        await services.cast_vote(session, idea_id=idea.id, user_id=priya.id, now=utcnow())

    assert await tally(session, idea) == (1, 1)


async def test_withdrawing_a_vote_never_cast_changes_nothing_and_is_no_error(
    round_: dict[str, Any], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    """The same as a withdrawal sent twice: there is no vote, as asked."""
    idea = round_["idea"]
    priya = await sign_in(await make_user("Priya"))
    tomas = await sign_in(await make_user("Tomas"))
    await vote(tomas, idea)

    response = await vote(priya, idea, "withdraw")
    in_place = await vote(priya, idea, "withdraw", htmx=True)

    assert response.status_code == 303
    assert in_place.status_code == 200
    assert button(Page(in_place), idea).get("aria-pressed") == "false"
    assert await tally(session, idea) == (1, 1)


@pytest.mark.parametrize("status", [IdeaStatus.HIDDEN, IdeaStatus.WITHDRAWN])
async def test_nobody_votes_for_a_hidden_or_withdrawn_idea(
    status: IdeaStatus,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    host = await make_user("Hamid", host=True)
    author = await make_user("Amara")
    # Self-votes allowed, so that only the idea's status stands in the author's way.
    challenge = await make_challenge(host, allow_self_votes=True)
    idea = await make_idea(challenge, author)
    await set_status(session, idea, status)
    priya, hamid, amara = (
        await sign_in(await make_user("Priya")),
        await sign_in(host),
        await sign_in(author),
    )

    by_participant = await vote(priya, idea)
    by_host = await vote(hamid, idea)
    by_author = await vote(amara, idea)
    page = Page(await hamid.get(idea_url(idea)))

    assert by_participant.status_code == 404
    assert by_host.status_code == 403
    assert by_author.status_code == 403
    assert f"This idea is {status.value}, so it takes no votes." in Page(by_host).text("main")
    assert await tally(session, idea) == (0, 0)
    assert page.select(f"#vote-{idea.id} form") == []
    assert page.text(f"#vote-{idea.id} .vote__note") == (
        f"This idea is {status.value}, so it takes no votes."
    )


@pytest.mark.parametrize("status", [IdeaStatus.HIDDEN, IdeaStatus.WITHDRAWN])
async def test_the_service_refuses_votes_for_an_idea_nobody_can_see(
    status: IdeaStatus, round_: dict[str, Any], make_user: Any, session: AsyncSession
) -> None:
    idea = round_["idea"]
    await set_status(session, idea, status)
    priya = await make_user("Priya")

    with pytest.raises(Conflict, match=f"This idea is {status.value}"):
        await services.cast_vote(session, idea_id=idea.id, user_id=priya.id, now=utcnow())

    assert await tally(session, idea) == (0, 0)


async def test_an_idea_of_another_challenge_is_not_found(
    round_: dict[str, Any], make_user: Any, make_challenge: Any, session: AsyncSession
) -> None:
    idea = round_["idea"]
    other = await make_challenge(round_["host"])
    priya = await make_user("Priya")

    with pytest.raises(NotFound):
        await services.cast_vote(
            session, idea_id=idea.id, user_id=priya.id, now=utcnow(), challenge_id=other.id
        )
    await services.cast_vote(session, idea_id=idea.id, user_id=priya.id, now=utcnow())
    with pytest.raises(NotFound):
        await services.withdraw_vote(
            session, idea_id=idea.id, user_id=priya.id, now=utcnow(), challenge_id=other.id
        )

    assert await tally(session, idea) == (1, 1)


async def test_nobody_votes_for_their_own_idea(
    round_: dict[str, Any], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    idea, author = round_["idea"], round_["author"]
    coauthor = await make_user("Ciro")
    await session.execute(insert(IdeaCoauthor), [{"idea_id": idea.id, "user_id": coauthor.id}])
    await session.commit()
    amara, ciro = await sign_in(author), await sign_in(coauthor)

    by_author = await vote(amara, idea)
    by_coauthor = await vote(ciro, idea, htmx=True)
    page = Page(await amara.get(idea_url(idea)))

    assert by_author.status_code == 403
    assert "You cannot vote for your own idea." in Page(by_author).text("main")
    assert by_coauthor.status_code == 403
    assert Page(by_coauthor).text(f"#vote-{idea.id} [role=alert]") == (
        "You cannot vote for your own idea."
    )
    assert await tally(session, idea) == (0, 0)
    assert page.select(f"#vote-{idea.id} form") == []
    assert page.text(f"#vote-{idea.id} .vote__note") == "You cannot vote for your own idea."


async def test_the_service_refuses_a_vote_for_ones_own_idea(
    round_: dict[str, Any], make_user: Any, session: AsyncSession
) -> None:
    idea, author = round_["idea"], round_["author"]
    coauthor = await make_user("Ciro")
    await session.execute(insert(IdeaCoauthor), [{"idea_id": idea.id, "user_id": coauthor.id}])
    await session.commit()

    for person in (author, coauthor):
        with pytest.raises(Forbidden, match="your own idea"):
            await services.cast_vote(session, idea_id=idea.id, user_id=person.id, now=utcnow())

    assert await tally(session, idea) == (0, 0)


async def test_a_challenge_may_allow_votes_for_ones_own_idea(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True), allow_self_votes=True)
    author = await make_user("Amara")
    idea = await make_idea(challenge, author)
    amara = await sign_in(author)

    response = await vote(amara, idea)

    assert response.status_code == 303
    assert await tally(session, idea) == (1, 1)


@pytest.mark.parametrize(
    ("phase", "status"),
    [(Phase.DRAFT, 404), (Phase.TEAMS, 403), (Phase.CLOSED, 403)],
)
async def test_nobody_votes_outside_the_ideas_and_review_phases(
    phase: Phase,
    status: int,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=phase)
    idea = await make_idea(challenge, await make_user())
    priya = await make_user("Priya")
    # A vote from earlier in the round, which can no longer be taken back either.
    await session.execute(
        insert(Vote),
        [{"idea_id": idea.id, "user_id": priya.id, "challenge_id": challenge.id}],
    )
    await session.execute(update(Idea).where(Idea.id == idea.id).values(vote_count=1))
    await session.commit()
    person = await sign_in(priya)
    other = await sign_in(await make_user("Tomas"))

    withdrawn = await vote(person, idea, "withdraw")
    cast = await vote(other, idea)

    assert withdrawn.status_code == status
    assert cast.status_code == status
    assert await tally(session, idea) == (1, 1)


async def test_a_closed_round_shows_the_count_and_who_voted_without_a_button(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=Phase.CLOSED)
    idea = await make_idea(challenge, await make_user())
    priya = await make_user("Priya")
    await session.execute(
        insert(Vote), [{"idea_id": idea.id, "user_id": priya.id, "challenge_id": challenge.id}]
    )
    await session.execute(update(Idea).where(Idea.id == idea.id).values(vote_count=1))
    await session.commit()
    voter, other = await sign_in(priya), await sign_in(await make_user())

    mine = Page(await voter.get(idea_url(idea)))
    theirs = Page(await other.get(idea_url(idea)))

    assert mine.select(f"#vote-{idea.id} form") == []
    assert mine.text(f"#vote-{idea.id} .vote__note") == "You voted for this idea."
    assert theirs.text(f"#vote-{idea.id} .vote__note").startswith("Voting is closed")
    assert shown_count(theirs, idea) == "1 vote"


async def test_voting_is_open_in_the_review_phase(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=Phase.REVIEW)
    idea = await make_idea(challenge, await make_user())
    priya = await sign_in(await make_user())

    assert (await vote(priya, idea)).status_code == 303
    assert await tally(session, idea) == (1, 1)


async def test_a_visitor_cannot_vote_and_is_asked_to_sign_in(
    round_: dict[str, Any],
    make_client: Any,
    visitor: Person,
    session: AsyncSession,
    settings: Any,
) -> None:
    idea = round_["idea"]
    browser = await visitor_with_a_session(make_client, session, settings)

    response = await vote(browser, idea)
    in_place = await vote(browser, idea, htmx=True)
    page = Page(await visitor.get(idea_url(idea)))

    assert response.status_code == 403
    assert "Sign in" in Page(response).text("main")
    assert in_place.status_code == 403
    assert await tally(session, idea) == (0, 0)
    assert page.select(f"#vote-{idea.id} form") == []
    link = page.one(f"#vote-{idea.id} .vote__note a")
    assert link.text_content() == "Sign in to vote"
    assert link.get("href") == (f"/sign-in?next={idea_url(idea)}%23vote-{idea.id}")


async def test_a_suspended_account_cannot_vote(
    round_: dict[str, Any], make_user: Any, session: AsyncSession
) -> None:
    idea = round_["idea"]
    priya = await make_user("Priya")
    await delete_account(session, user_id=priya.id, now=utcnow())

    with pytest.raises(Forbidden):
        await services.cast_vote(session, idea_id=idea.id, user_id=priya.id, now=utcnow())

    assert await tally(session, idea) == (0, 0)


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
    assert oob.get("hx-swap-oob") == "innerHTML"
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


# The ideas list -----------------------------------------------------------------


async def test_each_card_of_the_list_carries_its_vote_button(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    priya_user = await make_user("Priya")
    others = [await make_idea(challenge, await make_user()) for _ in range(3)]
    own = await make_idea(challenge, priya_user, title="Mine")
    coauthored = await make_idea(challenge, await make_user(), title="Ours")
    await session.execute(
        insert(IdeaCoauthor), [{"idea_id": coauthored.id, "user_id": priya_user.id}]
    )
    await session.commit()
    priya = await sign_in(priya_user)
    await vote(priya, others[1])

    page = Page(await priya.get(f"/challenges/{challenge.slug}"))

    assert button(page, others[0]).get("aria-pressed") == "false"
    assert button(page, others[1]).get("aria-pressed") == "true"
    assert shown_count(page, others[1]) == "1 vote"
    form = page.one(f"#vote-{others[0].id} form")
    assert page.one(f"#vote-{others[0].id} input[name=next]").get("value") == (
        f"/challenges/{challenge.slug}#vote-{others[0].id}"
    )
    assert form.get("hx-post") == vote_url(others[0])
    for mine in (own, coauthored):
        assert page.select(f"#vote-{mine.id} form") == []
        assert page.text(f"#vote-{mine.id} .vote__note") == "You cannot vote for your own idea."


async def test_a_vote_from_the_list_goes_back_to_the_list(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())
    priya = await sign_in(await make_user("Priya"))
    url = f"/challenges/{challenge.slug}?sort=newest"
    page = Page(await priya.get(url))
    back = page.one(f"#vote-{idea.id} input[name=next]").get("value")

    response = await vote(priya, idea, next=back)

    assert response.headers["location"] == f"{url}#vote-{idea.id}"


async def test_more_ideas_loaded_in_place_carry_their_vote_state(
    engine: AsyncEngine, session: AsyncSession, make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True), tags=("Food",))
    authors = [await make_user() for _ in range(3)]
    ids = await add_varied_ideas(session, challenge, authors, 25)
    priya_user = await make_user("Priya")
    # The oldest ideas come last in the newest-first order, on the second page.
    last = ids[-1]
    await session.execute(
        insert(Vote), [{"idea_id": last, "user_id": priya_user.id, "challenge_id": challenge.id}]
    )
    await session.commit()
    priya = await sign_in(priya_user)
    first = Page(await priya.get(f"/challenges/{challenge.slug}?sort=newest"))
    more_url = first.one("#ideas .idea-list__more a").get("href")

    more = Page(await priya.get(more_url, headers=HTMX))

    assert more.one(f"#vote-{last} button").get("aria-pressed") == "true"
    assert len(more.select(".idea-card .vote button[aria-pressed=false]")) == 4


async def test_the_list_with_vote_buttons_runs_the_same_queries_with_3_or_30_ideas(
    engine: AsyncEngine,
    session: AsyncSession,
    make_user: Any,
    make_challenge: Any,
    sign_in: Any,
) -> None:
    host = await make_user(host=True)
    authors = [await make_user() for _ in range(3)]
    priya_user = await make_user("Priya")
    sizes: dict[int, tuple[int, int]] = {}
    for size in (3, 30):
        challenge = await make_challenge(
            host, tags=("Food",), vote_budget=40 if size == 30 else None
        )
        ids = await add_varied_ideas(session, challenge, authors, size)
        await session.execute(
            insert(Vote),
            [
                {"idea_id": idea_id, "user_id": priya_user.id, "challenge_id": challenge.id}
                for idea_id in ids[::2]
            ],
        )
        await session.execute(insert(IdeaCoauthor), [{"idea_id": ids[1], "user_id": priya_user.id}])
        await session.commit()
        priya = await sign_in(priya_user)
        with counting(engine) as page_queries:
            page = await priya.get(f"/challenges/{challenge.slug}")
        with counting(engine) as idea_queries:
            await priya.get(f"/ideas/{ids[0]}/idea-0")
        assert page.status_code == 200
        assert len(Page(page).select(".idea-card .vote")) == min(size, 20)
        sizes[size] = (len(page_queries), len(idea_queries))

    assert sizes[3] == sizes[30]


# Exports ------------------------------------------------------------------------


async def test_hosts_download_the_votes(
    round_: dict[str, Any], make_user: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge, idea = round_["challenge"], round_["idea"]
    second = await make_idea(challenge, round_["author"], title="=Sum of parts")
    priya, tomas = await make_user("Priya"), await make_user("Tomas")
    now = utcnow()
    await services.cast_vote(
        session, idea_id=idea.id, user_id=priya.id, now=now - timedelta(minutes=2)
    )
    await services.cast_vote(
        session, idea_id=second.id, user_id=tomas.id, now=now - timedelta(minutes=1)
    )
    await delete_account(session, user_id=tomas.id, now=now)
    hamid = await sign_in(round_["host"])

    dashboard = Page(await hamid.get(f"/challenges/{challenge.slug}/dashboard"))
    as_csv = await hamid.get(f"/challenges/{challenge.slug}/export/votes.csv")
    as_json = await hamid.get(f"/challenges/{challenge.slug}/export/votes.json")

    links = [link.get("href") for link in dashboard.select("#exports a")]
    assert f"/challenges/{challenge.slug}/export/votes.csv" in links
    assert f"/challenges/{challenge.slug}/export/votes.json" in links
    assert as_csv.status_code == 200
    assert as_csv.headers["content-disposition"] == (
        f'attachment; filename="{challenge.slug}-votes.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.text, newline="")))
    assert [list(row) for row in rows] == [["idea_id", "idea_title", "voter", "created_at"]] * 2
    assert [(row["idea_id"], row["idea_title"], row["voter"]) for row in rows] == [
        (str(idea.id), "Compost club", "Priya"),
        (str(second.id), "'=Sum of parts", "deleted participant"),
    ]
    records = json.loads(as_json.text)
    assert [record["voter"] for record in records] == ["Priya", "deleted participant"]
    assert records[0]["created_at"].endswith("+00:00")


async def test_participants_cannot_download_the_votes(
    round_: dict[str, Any], make_user: Any, sign_in: Any
) -> None:
    challenge = round_["challenge"]
    priya = await sign_in(await make_user("Priya"))

    response = await priya.get(f"/challenges/{challenge.slug}/export/votes.csv")

    assert response.status_code == 403


# Rate limits --------------------------------------------------------------------


async def test_votes_are_rate_limited_per_account(
    round_: dict[str, Any], make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    idea = round_["idea"]
    priya = await sign_in(await make_user("Priya"))
    per_minute = PER_ACCOUNT[Limit.VOTE][0].amount
    for n in range(per_minute):
        response = await vote(priya, idea, "vote" if n % 2 == 0 else "withdraw")
        assert response.status_code == 303
    votes_before = await tally(session, idea)

    refused = await vote(priya, idea, "vote" if per_minute % 2 == 0 else "withdraw")
    in_place = await vote(priya, idea, "vote" if per_minute % 2 == 0 else "withdraw", htmx=True)

    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    page = Page(refused)
    assert "Wait" in page.text(f"#vote-{idea.id} [role=alert]")
    assert page.one(f"#vote-{idea.id} form").get("action") == vote_url(idea)
    assert in_place.status_code == 429
    assert "Wait" in Page(in_place).text(f"#vote-{idea.id} [role=alert]")
    assert await tally(session, idea) == votes_before


async def _statements_of_a_vote(session: AsyncSession, idea: Idea, voter: User) -> list[str]:
    """The SQL a vote runs, savepoints and BEGIN left out."""
    statements: list[str] = []
    engine = (await session.connection()).engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        await services.cast_vote(
            session, idea_id=idea.id, user_id=voter.id, now=utcnow(), challenge_id=idea.challenge_id
        )
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    return [s for s in statements if not s.startswith(("BEGIN", "SAVEPOINT", "RELEASE"))]


async def test_the_voter_row_is_the_lock_that_orders_one_persons_votes(
    round_: dict[str, Any], make_user: Any, session: AsyncSession
) -> None:
    """With a budget, the votes spent are counted after the voter's row is locked."""
    idea, challenge = round_["idea"], round_["challenge"]
    await session.execute(
        update(Challenge).where(Challenge.id == challenge.id).values(vote_budget=3)
    )
    priya = await make_user("Priya")

    work = await _statements_of_a_vote(session, idea, priya)

    # The INSERT that counts the votes spent against the budget in its WHERE.
    counting = next(n for n, s in enumerate(work) if "vote_budget IS NULL OR (SELECT count(*)" in s)
    if session.bind.dialect.name == "postgresql":
        # NO KEY UPDATE: it orders one person's votes without blocking the foreign-key
        # checks of rows that point at them (a notification for them, say).
        lock = next(n for n, s in enumerate(work) if s.endswith("FOR NO KEY UPDATE"))
        assert "FROM users" in work[lock]
        assert lock < counting
    else:
        # On SQLite the write lock, taken by BEGIN IMMEDIATE, already orders all writes.
        assert counting == 0
    assert await tally(session, idea) == (1, 1)


async def test_without_a_budget_a_vote_locks_nothing_but_its_rows(
    round_: dict[str, Any], make_user: Any, session: AsyncSession
) -> None:
    """No budget, nothing to count: the vote is one statement, the voter's row untouched."""
    idea = round_["idea"]
    priya = await make_user("Priya")

    work = await _statements_of_a_vote(session, idea, priya)

    assert not [s for s in work if "FOR NO KEY UPDATE" in s or "FOR UPDATE" in s]
    assert "INSERT INTO votes" in work[0]
    assert await tally(session, idea) == (1, 1)
