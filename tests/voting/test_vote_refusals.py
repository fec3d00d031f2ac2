"""Votes that are refused: twice, hidden or foreign ideas, one's own idea, the wrong phase or person."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.services import delete_account
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.errors import Conflict, Forbidden, NotFound
from ideas.submissions.models import Idea, IdeaCoauthor, IdeaStatus
from ideas.voting import services
from ideas.voting.models import Vote
from tests.factories.accounts import Person, visitor_with_a_session
from tests.factories.rounds import idea_url, set_status
from tests.factories.voting import button, shown_count, tally, vote
from tests.html import Page

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
