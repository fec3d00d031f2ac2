"""The pairwise ranking: when it is refitted, the results page, and the ideas list sorted by it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.submissions.models import Idea, IdeaStatus
from ideas.voting.compare_services import (
    REFIT_AFTER,
    REFIT_AFTER_COMPARISONS,
    refit,
)
from tests.factories.accounts import Person
from tests.factories.comparing import (
    answer,
    compare_url,
    pair_for,
    results_url,
)
from tests.factories.queries import fresh
from tests.factories.rounds import add_ideas, walk
from tests.html import Page

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
    assert counted.ranking_fitted_at is not None
    assert counted.ranking_fitted_at > fitted_at
    assert counted.comparisons_since_fit == 0
    # So does any answer once the last fit is five minutes old.
    stale = utcnow() - REFIT_AFTER - timedelta(seconds=1)
    await session.execute(
        update(Challenge).where(Challenge.id == challenge.id).values(ranking_fitted_at=stale)
    )
    await session.commit()
    timed = await answer_as(people[2])
    assert timed.ranking_fitted_at is not None
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
    values: dict[Idea, dict[str, Any]] = {
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
        # With its 95% interval from the 14 comparisons: 0.36 ± 1.96 x sqrt(0.36 x 0.64 / 14).
        ["Liked", "9", "1", "wins 36% against a random other idea (11%\u201361%)", "2", "14"],
        ["Preferred", "2", "2", "wins 64% against a random other idea (39%\u201389%)", "1", "14"],
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
