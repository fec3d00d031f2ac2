"""Participants compare two ideas at a time; the answers rank the ideas pairwise."""

from __future__ import annotations

import asyncio
import csv
import io
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ideas.accounts import sessions
from ideas.accounts.models import User
from ideas.accounts.services import create_user
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.challenges.services import create_challenge
from ideas.cli import main as cli
from ideas.db import Database, utcnow
from ideas.errors import Forbidden
from ideas.submissions.forms import IdeaInput
from ideas.submissions.models import Idea, IdeaCoauthor, IdeaStatus
from ideas.submissions.services import post_idea
from ideas.voting import pairs
from ideas.voting.compare_services import (
    REFIT_AFTER,
    REFIT_AFTER_COMPARISONS,
    record_comparison,
    refit,
)
from ideas.voting.models import Comparison
from ideas.web.sessions import cookie_name
from tests.conftest import schedule_for
from tests.factories.accounts import Person
from tests.factories.queries import counting, fresh
from tests.factories.rounds import add_ideas, set_status, walk
from tests.html import Page
from tests.support.environ import TEST_ENVIRON

HTMX = {"HX-Request": "true"}
SECRET = TEST_ENVIRON["SECRET_KEY"]


# Helpers ------------------------------------------------------------------------


def compare_url(challenge: Challenge) -> str:
    return f"/challenges/{challenge.slug}/compare"


def results_url(challenge: Challenge, query: str = "") -> str:
    return f"/challenges/{challenge.slug}/results" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Shown:
    """The pair on a compare page, as its form carries it."""

    left: int
    right: int
    fields: dict[str, str]

    @property
    def ids(self) -> set[int]:
        return {self.left, self.right}


def shown(page: Page) -> Shown:
    form = page.one("#compare-pair form")
    fields = {
        name: page.one(f'#compare-pair input[name="{name}"]').get("value")
        for name in ("first", "second", "token")
    }
    buttons = form.cssselect('button[name="winner"]')
    assert [b.text_content().split(":")[0] for b in buttons] == [
        "Left one",
        "Right one",
        "Can't decide",
    ]
    return Shown(int(buttons[0].get("value")), int(buttons[1].get("value")), fields)


async def pair_for(person: Person, challenge: Challenge) -> Shown:
    response = await person.get(compare_url(challenge))
    assert response.status_code == 200
    return shown(Page(response))


async def answer(
    person: Person, challenge: Challenge, pair: Shown, winner: int | None, **headers: str
) -> Any:
    return await person.post(
        compare_url(challenge),
        {**pair.fields, "winner": "none" if winner is None else str(winner)},
        headers=headers or None,
    )


async def comparisons(session: AsyncSession) -> list[Comparison]:
    await session.commit()
    return list((await session.scalars(select(Comparison).order_by(Comparison.id))).all())


async def set_counts(session: AsyncSession, counts: dict[Idea, int]) -> None:
    for idea, count in counts.items():
        await session.execute(update(Idea).where(Idea.id == idea.id).values(comparison_count=count))
    await session.commit()


def token_for(challenge: Challenge, user: User, a: Idea, b: Idea) -> dict[str, str]:
    pair = pairs.ordered(a.id, b.id)
    return {
        "first": str(pair[0]),
        "second": str(pair[1]),
        "token": pairs.sign(SECRET, challenge_id=challenge.id, user_id=user.id, pair=pair),
    }


@pytest.fixture
async def host(make_user: Any) -> User:
    user: User = await make_user("Hamid", host=True)
    return user


@pytest.fixture
async def author(make_user: Any) -> User:
    user: User = await make_user("Priya")
    return user


@pytest.fixture
async def tomas(make_user: Any) -> User:
    user: User = await make_user("Tomás")
    return user


# Pairs ----------------------------------------------------------------------------


async def test_a_participant_is_shown_two_ideas_side_by_side_with_three_buttons(
    make_challenge: Any, make_idea: Any, host: User, author: User, tomas: User, sign_in: Any
) -> None:
    challenge = await make_challenge(host, tags=("Food",))
    first = await make_idea(challenge, author, title="Weigh the bins")
    second = await make_idea(challenge, author, title="Share leftovers")

    page = Page(await (await sign_in(tomas)).get(compare_url(challenge)))

    assert page.text("h1") == "Compare ideas"
    pair = shown(page)
    assert pair.ids == {first.id, second.id}
    titles = [a.text_content() for a in page.select("#compare-pair article h3 a")]
    assert sorted(titles) == ["Share leftovers", "Weigh the bins"]
    left = page.one("#compare-left")
    assert "By Priya" in " ".join(left.text_content().split())
    assert left.cssselect("h3 a")[0].get("href").startswith("/ideas/")
    form = page.one("#compare-pair form")
    assert form.get("method") == "post"
    assert form.get("action") == compare_url(challenge) == form.get("hx-post")
    assert (form.get("hx-target"), form.get("hx-swap")) == ("#compare-pair", "outerHTML")
    assert page.text(".compare__progress") == "You have answered 0 pairs in this challenge."
    assert page.one("#compare-status").get("role") == "status"
    assert not page.select("[style]")


async def test_pairs_never_include_the_participants_own_or_co_written_ideas(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host)
    own = await make_idea(challenge, tomas)
    co_written = await make_idea(challenge, author)
    session.add(IdeaCoauthor(idea_id=co_written.id, user_id=tomas.id, added_at=utcnow()))
    await session.commit()
    others = {(await make_idea(challenge, author)).id for _ in range(2)}
    person = await sign_in(tomas)

    for _ in range(5):
        assert (await pair_for(person, challenge)).ids == others
    assert own.id not in others


async def test_answered_pairs_are_not_offered_again_until_none_is_left(
    make_challenge: Any, make_idea: Any, host: User, author: User, tomas: User, sign_in: Any
) -> None:
    challenge = await make_challenge(host)
    ideas = {(await make_idea(challenge, author)).id for _ in range(3)}
    person = await sign_in(tomas)
    seen = []

    for _ in range(3):
        pair = await pair_for(person, challenge)
        seen.append(frozenset(pair.ids))
        assert (await answer(person, challenge, pair, pair.left)).status_code == 303

    assert len(set(seen)) == 3
    assert set().union(*seen) == ideas
    page = Page(await person.get(compare_url(challenge)))
    assert page.select("#compare-pair form") == []
    assert page.text(".compare__done").startswith(
        "You have compared every pair available to you (3 pairs)."
    )


async def test_the_least_compared_ideas_are_offered_first(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host)
    ideas = [await make_idea(challenge, author) for _ in range(8)]
    await set_counts(session, dict.fromkeys(ideas, 6))
    await set_counts(session, {ideas[2]: 0, ideas[5]: 1})
    person = await sign_in(tomas)

    for _ in range(5):
        assert (await pair_for(person, challenge)).ids == {ideas[2].id, ideas[5].id}


async def test_chance_picks_among_ideas_compared_about_as_often(
    make_challenge: Any, make_idea: Any, host: User, author: User, session: AsyncSession
) -> None:
    challenge = await make_challenge(host)
    ideas = [await make_idea(challenge, author) for _ in range(6)]
    rng = random.Random(5)

    offered = set()
    for _ in range(30):
        pair = await pairs.next_pair(session, challenge.id, host.id, rng=rng)
        assert pair is not None
        offered.add(pair.key)
        assert {pair.left.id, pair.right.id} <= {idea.id for idea in ideas}

    assert len(offered) > 5


def test_choosing_skips_answered_pairs_and_says_when_none_is_left() -> None:
    rng = random.Random(1)
    candidates = [(1, 0), (2, 0), (3, 5)]

    assert set(pairs.choose(candidates, {(1, 2)}, rng) or ()) in ({1, 3}, {2, 3})
    assert pairs.choose(candidates, {(1, 2), (1, 3), (2, 3)}, rng) is None
    assert pairs.choose([(1, 0)], set(), rng) is None


async def test_the_compare_page_runs_the_same_queries_whatever_the_number_of_ideas(
    make_challenge: Any,
    make_user: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
    engine: AsyncEngine,
) -> None:
    small, large = await make_challenge(host), await make_challenge(host)
    await add_ideas(session, small, author, *({"title": f"Idea {n}"} for n in range(3)))
    await add_ideas(session, large, author, *({"title": f"Idea {n}"} for n in range(80)))
    person = await sign_in(tomas)

    counts = []
    for challenge in (small, large):
        with counting(engine) as statements:
            response = await person.get(compare_url(challenge))
        assert response.status_code == 200
        counts.append(len(statements))

    # The session, the challenge (with whether the viewer hosts it), the pairs answered,
    # the least-compared candidates, and the two ideas shown with their people, then tags.
    assert counts == [6, 6]


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
    assert scores == [pytest.approx(0.5), pytest.approx(0.5)]


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
    status = fragment.one('[hx-swap-oob="innerHTML"]')
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


# Refitting --------------------------------------------------------------------------


async def test_the_ranking_is_refitted_after_enough_answers_or_time(
    make_challenge: Any,
    make_idea: Any,
    make_user: Any,
    host: User,
    author: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host)
    for _ in range(3):
        await make_idea(challenge, author)
    fitted_at = utcnow() - timedelta(minutes=1)
    people = [await sign_in(await make_user()) for _ in range(3)]

    async def answer_as(person: Person) -> Challenge:
        pair = await pair_for(person, challenge)
        assert (await answer(person, challenge, pair, pair.left)).status_code == 303
        saved: Challenge = await fresh(session, Challenge, challenge.id)
        return saved

    # A recent fit, and fewer than 25 answers since: no refit yet.
    await session.execute(
        update(Challenge)
        .where(Challenge.id == challenge.id)
        .values(ranking_fitted_at=fitted_at, comparisons_since_fit=REFIT_AFTER_COMPARISONS - 2)
    )
    await session.commit()
    waiting = await answer_as(people[0])
    assert (waiting.ranking_fitted_at, waiting.comparisons_since_fit) == (
        fitted_at,
        REFIT_AFTER_COMPARISONS - 1,
    )
    # The 25th answer since the last fit refits.
    counted = await answer_as(people[1])
    assert counted.ranking_fitted_at > fitted_at
    assert counted.comparisons_since_fit == 0
    # So does any answer once the last fit is five minutes old.
    stale = utcnow() - REFIT_AFTER - timedelta(seconds=1)
    await session.execute(
        update(Challenge).where(Challenge.id == challenge.id).values(ranking_fitted_at=stale)
    )
    await session.commit()
    timed = await answer_as(people[2])
    assert timed.ranking_fitted_at > stale
    assert timed.comparisons_since_fit == 0


async def test_reading_pages_never_refits(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
    visitor: Person,
) -> None:
    challenge = await make_challenge(host)
    await make_idea(challenge, author)
    await make_idea(challenge, author)
    await session.execute(
        update(Challenge).where(Challenge.id == challenge.id).values(comparisons_since_fit=99)
    )
    await session.commit()

    await (await sign_in(tomas)).get(compare_url(challenge))
    await visitor.get(results_url(challenge))

    unchanged = await fresh(session, Challenge, challenge.id)
    assert (unchanged.ranking_fitted_at, unchanged.comparisons_since_fit) == (None, 99)


async def test_ten_answers_favouring_one_idea_put_it_first(
    make_challenge: Any,
    make_idea: Any,
    make_user: Any,
    host: User,
    author: User,
    session: AsyncSession,
    sign_in: Any,
    visitor: Person,
) -> None:
    challenge = await make_challenge(host)
    ideas = [await make_idea(challenge, author, title=f"Idea {n}") for n in range(5)]
    favourite = ideas[3]
    answered = 0
    for _ in range(5):
        person = await sign_in(await make_user())
        for _ in range(2):
            pair = await pair_for(person, challenge)
            winner = favourite.id if favourite.id in pair.ids else None
            assert (await answer(person, challenge, pair, winner)).status_code == 303
            answered += 1
    assert answered == 10
    await refit(session, challenge.id, utcnow())

    page = Page(await visitor.get(results_url(challenge, "by=pairwise")))

    rows = page.select("#results tbody tr")
    assert rows[0].get("id") == f"result-{favourite.id}"
    assert rows[0].cssselect(".results__pairwise-rank")[0].text_content() == "1"


# Results ------------------------------------------------------------------------------


async def test_the_results_show_both_rankings_and_the_comparison_counts(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    session: AsyncSession,
    visitor: Person,
) -> None:
    challenge = await make_challenge(host)
    liked = await make_idea(challenge, author, title="Liked")
    preferred = await make_idea(challenge, author, title="Preferred")
    unseen = await make_idea(challenge, author, title="Unseen")
    hidden = await make_idea(challenge, author, title="Hidden")
    values = {
        liked: {"vote_count": 9, "pairwise_score": 0.36, "comparison_count": 14},
        preferred: {"vote_count": 2, "pairwise_score": 0.64, "comparison_count": 14},
        unseen: {"vote_count": 2, "pairwise_score": None, "comparison_count": 0},
        hidden: {"vote_count": 50, "pairwise_score": 0.9, "status": IdeaStatus.HIDDEN},
    }
    for idea, columns in values.items():
        await session.execute(update(Idea).where(Idea.id == idea.id).values(**columns))
    await session.commit()

    by_votes = Page(await visitor.get(results_url(challenge)))
    by_pairwise = Page(await visitor.get(results_url(challenge, "by=pairwise")))

    def table(page: Page) -> list[list[str]]:
        return [
            [" ".join(cell.text_content().split()) for cell in row.cssselect("th, td")]
            for row in page.select("#results tbody tr")
        ]

    assert table(by_votes) == [
        ["Liked", "9", "1", "wins 36% against a random other idea", "2", "14"],
        ["Preferred", "2", "2", "wins 64% against a random other idea", "1", "14"],
        ["Unseen", "2", "2", "not ranked yet", "\u2013", "0"],
    ]
    assert [row[0] for row in table(by_pairwise)] == ["Preferred", "Liked", "Unseen"]
    caption = by_pairwise.text("#results caption")
    assert caption == f"Ideas of “{challenge.title}”, sorted by pairwise score, highest first"
    headers = by_pairwise.select("#results thead th")
    assert all(th.get("scope") == "col" for th in headers)
    assert [th.get("aria-sort") for th in headers] == [None, None, None, "descending", None, None]
    assert all(th.get("scope") == "row" for th in by_pairwise.select("#results tbody th"))
    assert "Bradley\u2013Terry" in by_votes.text(".results__method")


async def test_the_results_of_a_challenge_without_ideas_say_so(
    make_challenge: Any, host: User, visitor: Person
) -> None:
    challenge = await make_challenge(host, phase=Phase.CLOSED)

    page = Page(await visitor.get(results_url(challenge, "by=nonsense")))

    assert page.text("h1") == "Results"
    assert page.text("p.empty") == "No ideas yet."


# Sorting the ideas list by pairwise rank ----------------------------------------------


@pytest.mark.parametrize("htmx", [False, True], ids=["links", "htmx"])
async def test_the_pairwise_order_pages_without_repeats_or_gaps(
    htmx: bool,
    make_challenge: Any,
    host: User,
    author: User,
    session: AsyncSession,
    visitor: Person,
) -> None:
    challenge = await make_challenge(host)
    # Ties, and many ideas never compared (no score), across page boundaries.
    scores = [None, 0.25, 0.5, None, 0.75, 0.5, None]
    ids = await add_ideas(
        session,
        challenge,
        author,
        *({"title": f"Idea {n}", "pairwise_score": scores[n % 7]} for n in range(47)),
    )

    seen = await walk(visitor, f"/challenges/{challenge.slug}?sort=pairwise", htmx=htmx)

    assert len(seen) == len(set(seen)) == 47
    assert set(seen) == set(ids)
    expected = sorted(
        range(47), key=lambda n: (scores[n % 7] is None, -(scores[n % 7] or 0), -ids[n])
    )
    assert seen == [ids[n] for n in expected]


async def test_the_ideas_list_offers_the_pairwise_rank(
    make_challenge: Any, host: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)

    page = Page(await visitor.get(f"/challenges/{challenge.slug}?sort=pairwise"))

    current = page.one("#ideas .sort-nav a[aria-current=true]")
    assert current.text_content() == "Pairwise rank"


# The API, the shortlist, the export and the command ---------------------------------


async def test_the_api_gives_each_idea_its_comparisons_and_pairwise_score(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    session: AsyncSession,
    visitor: Person,
) -> None:
    challenge = await make_challenge(host)
    ranked, unranked = await make_idea(challenge, author), await make_idea(challenge, author)
    await session.execute(
        update(Idea).where(Idea.id == ranked.id).values(pairwise_score=0.7, comparison_count=4)
    )
    await session.commit()

    listed = (await visitor.get(f"/api/v1/challenges/{challenge.slug}/ideas?sort=pairwise")).json()
    one = (await visitor.get(f"/api/v1/ideas/{unranked.id}")).json()

    assert [item["id"] for item in listed["items"]] == [ranked.id, unranked.id]
    counts = listed["items"][0]["counts"]
    assert (counts["comparisons"], counts["pairwise_score"]) == (4, 0.7)
    assert (one["counts"]["comparisons"], one["counts"]["pairwise_score"]) == (0, None)


async def test_hosts_see_both_rankings_while_shortlisting(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    session: AsyncSession,
    sign_in: Any,
) -> None:
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    ranked, unranked = await make_idea(challenge, author), await make_idea(challenge, author)
    await session.execute(
        update(Idea).where(Idea.id == ranked.id).values(pairwise_score=0.614, comparison_count=9)
    )
    await session.commit()

    page = Page(await (await sign_in(host)).get(f"/challenges/{challenge.slug}/shortlist"))

    assert page.text(f"#idea-{ranked.id} .host-row__pairwise") == (
        "pairwise score 61% (9 comparisons)"
    )
    assert page.text(f"#idea-{unranked.id} .host-row__pairwise") == (
        "no pairwise score yet (0 comparisons)"
    )


async def test_hosts_export_the_comparisons(
    make_challenge: Any,
    make_idea: Any,
    make_user: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
) -> None:
    challenge = await make_challenge(host)
    a = await make_idea(challenge, author, title="=Weigh the bins")
    b = await make_idea(challenge, author, title="Share leftovers")
    person = await sign_in(tomas)
    await answer(person, challenge, await pair_for(person, challenge), b.id)
    other = await sign_in(await make_user("Ana"))
    await answer(other, challenge, await pair_for(other, challenge), None)

    response = await (await sign_in(host)).get(
        f"/challenges/{challenge.slug}/export/comparisons.csv"
    )

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [{key: value for key, value in row.items() if key != "created_at"} for row in rows] == [
        {
            "challenge": challenge.slug,
            "first_id": str(a.id),
            "first_title": "'=Weigh the bins",
            "second_id": str(b.id),
            "second_title": "Share leftovers",
            "winner_id": str(b.id),
            "answered_by": "Tomás",
        },
        {
            "challenge": challenge.slug,
            "first_id": str(a.id),
            "first_title": "'=Weigh the bins",
            "second_id": str(b.id),
            "second_title": "Share leftovers",
            "winner_id": "",
            "answered_by": "Ana",
        },
    ]
    assert all(row["created_at"] for row in rows)


def test_the_rank_command_refits_one_challenge_or_all(
    committing_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def arrange() -> list[int]:
        database = Database.from_url(committing_database_url)
        try:
            async with database.session() as session:
                now = utcnow()
                people = [
                    await create_user(
                        session,
                        display_name=name,
                        email=f"{name}@example.org",
                        provider="test",
                        subject=name,
                        is_host=True,
                        now=now,
                    )
                    for name in ("hamid", "priya", "tomas")
                ]
                rounds = []
                for slug in ("first-round", "second-round"):
                    challenge = await create_challenge(
                        session,
                        host_id=people[0].id,
                        data=ChallengeInput(
                            title=slug,
                            slug=slug,
                            question="How?",
                            sponsor="",
                            brief="",
                            schedule=schedule_for(Phase.IDEAS, now),
                        ),
                        now=now,
                    )
                    rounds.append(challenge)
                ideas = [
                    await post_idea(
                        session,
                        challenge_id=rounds[0].id,
                        author_id=people[1].id,
                        data=IdeaInput(title=f"Idea {n}", summary="Summary.", body=""),
                        now=now,
                    )
                    for n in range(2)
                ]
                session.add(
                    Comparison(
                        challenge_id=rounds[0].id,
                        user_id=people[2].id,
                        first_id=ideas[0].id,
                        second_id=ideas[1].id,
                        winner_id=ideas[1].id,
                        created_at=now,
                    )
                )
                await session.commit()
                return [idea.id for idea in ideas]
        finally:
            await database.dispose()

    async def scores() -> list[float | None]:
        database = Database.from_url(committing_database_url)
        try:
            async with database.session() as session:
                found = await session.scalars(select(Idea.pairwise_score).order_by(Idea.id))
                return list(found.all())
        finally:
            await database.dispose()

    asyncio.run(arrange())
    for name, value in {**TEST_ENVIRON, "DATABASE_URL": committing_database_url}.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()

    one = runner.invoke(cli, ["rank", "first-round"])
    every = runner.invoke(cli, ["rank"])
    unknown = runner.invoke(cli, ["rank", "no-such-round"])

    assert one.exit_code == 0, one.output
    assert one.output == "first-round: 2 ideas ranked from 1 comparisons.\n"
    assert every.output.splitlines() == [
        "first-round: 2 ideas ranked from 1 comparisons.",
        "second-round: 0 ideas ranked from 0 comparisons.",
    ]
    assert unknown.exit_code == 1
    assert "no-such-round" in unknown.output
    loser, winner = asyncio.run(scores())
    assert loser is not None
    assert winner is not None
    assert loser < 0.5 < winner
