"""Which two ideas a participant is offered to compare."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ideas.accounts.models import User
from ideas.db import utcnow
from ideas.submissions.models import Idea, IdeaCoauthor, IdeaTag
from ideas.voting import pairs
from tests.factories.comparing import (
    answer,
    compare_url,
    pair_for,
    shown,
)
from tests.factories.queries import counting
from tests.factories.rounds import add_ideas, tag_ids
from tests.html import Page


async def set_counts(session: AsyncSession, counts: dict[Idea, int]) -> None:
    for idea, count in counts.items():
        await session.execute(update(Idea).where(Idea.id == idea.id).values(comparison_count=count))
    await session.commit()


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
    assert form.get("action") == compare_url(challenge) == form.get("data-hx-post")
    assert (form.get("data-hx-target"), form.get("data-hx-swap")) == ("#compare-pair", "outerHTML")
    assert page.text(".compare__progress") == "You have answered 0 pairs in this challenge."
    assert page.one("#compare-status").get("role") == "status"
    assert not page.select("[style]")


async def test_each_idea_of_the_pair_names_its_author_and_co_authors_and_shows_its_tags(
    make_challenge: Any,
    make_idea: Any,
    make_user: Any,
    host: User,
    author: User,
    tomas: User,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(host, tags=("Food", "Schools", "Waste"))
    tagged = await make_idea(challenge, author, title="Weigh the bins")
    plain = await make_idea(challenge, author, title="Share leftovers")
    tags = await tag_ids(session, challenge)
    cleo, dara = await make_user("Cleo"), await make_user("Dara")
    session.add_all(
        [
            IdeaTag(idea_id=tagged.id, tag_id=tags["Waste"]),
            IdeaTag(idea_id=tagged.id, tag_id=tags["Food"]),
            IdeaCoauthor(idea_id=tagged.id, user_id=dara.id, added_at=utcnow()),
            IdeaCoauthor(idea_id=tagged.id, user_id=cleo.id, added_at=utcnow()),
        ]
    )
    await session.commit()

    page = Page(await (await sign_in(tomas)).get(compare_url(challenge)))

    cards = {
        card.cssselect("h3 a")[0].text_content(): card
        for card in page.select("#compare-pair article")
    }
    assert set(cards) == {"Weigh the bins", "Share leftovers"}
    weigh, share = cards["Weigh the bins"], cards["Share leftovers"]
    authors = " ".join(weigh.cssselect(".compare__authors")[0].text_content().split())
    assert authors == "By Priya, Dara and Cleo"  # in the order they joined
    assert [tag.text_content() for tag in weigh.cssselect(".tag")] == ["Food", "Waste"]
    assert " ".join(share.cssselect(".compare__authors")[0].text_content().split()) == "By Priya"
    assert not share.cssselect(".tag-list")
    assert plain.id in shown(page).ids


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
    # the least-compared candidates, and the two ideas shown with their authors and tags,
    # then their co-authors.
    assert counts == [6, 6]
