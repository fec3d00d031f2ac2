"""Each card of the ideas list carries its vote button."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ideas.submissions.models import IdeaCoauthor
from ideas.voting.models import Vote
from tests.factories.queries import counting
from tests.factories.rounds import add_varied_ideas
from tests.factories.voting import button, shown_count, vote, vote_url
from tests.factories.web import HTMX
from tests.html import Page

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
    assert form.get("data-hx-post") == vote_url(others[0])
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
        # The first idea page of a challenge in this process builds its similar-ideas index.
        await priya.get(f"/ideas/{ids[0]}/idea-0")
        with counting(engine) as idea_queries:
            await priya.get(f"/ideas/{ids[0]}/idea-0")
        assert page.status_code == 200
        assert len(Page(page).select(".idea-card .vote")) == min(size, 20)
        sizes[size] = (len(page_queries), len(idea_queries))

    assert sizes[3] == sizes[30]
