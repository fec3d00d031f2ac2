"""Themes of a challenge: found by the worker when enough changed, never by a request;
stable when nothing changed; carried over (with a host's name) when ideas came in; a
filter of the challenge's ideas list; sizes and growth on the host dashboard."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.db import Database, utcnow
from ideas.moderation.services import hide_idea
from ideas.similarity import queries as similarity
from ideas.themes import services
from ideas.themes.models import Theme, ThemeFit
from tests.factories.accounts import Person
from tests.factories.themes import TOPICS, find_in_the_worker, stored_themes, topical_ideas
from tests.html import Page


async def test_the_worker_groups_the_ideas_into_named_themes_and_not_again_when_nothing_changed(
    make_challenge: Any, host: User, author: User, session: AsyncSession, database: Database
) -> None:
    challenge = await make_challenge(host)
    made = await topical_ideas(session, challenge, author)

    assert await find_in_the_worker(database) == 1
    themes = await stored_themes(session, challenge.id)
    assert sorted(sorted(ideas) for _, _, ideas in themes) == sorted(
        sorted(i.id for i in ideas) for ideas in made.values()
    )
    names = {name for _, name, _ in themes}
    assert any("compost" in name for name in names)
    assert await find_in_the_worker(database) == 0


async def test_found_again_on_the_same_ideas_the_themes_keep_their_ids_and_names(
    make_challenge: Any, host: User, author: User, session: AsyncSession
) -> None:
    challenge = await make_challenge(host)
    await topical_ideas(session, challenge, author)
    await services.refit(session, challenge.id, utcnow())
    before = await stored_themes(session, challenge.id)

    similarity.forget()
    await services.refit(session, challenge.id, utcnow())

    assert await stored_themes(session, challenge.id) == before
    assert len(before) == 3


async def test_after_new_ideas_a_theme_keeps_its_id_and_the_name_its_host_gave_it(
    make_challenge: Any, host: User, author: User, session: AsyncSession, database: Database
) -> None:
    challenge = await make_challenge(host)
    made = await topical_ideas(session, challenge, author)
    await services.refit(session, challenge.id, utcnow())
    compost = next(t for t in await stored_themes(session, challenge.id) if "compost" in t[1])
    await services.rename_theme(
        session,
        challenge_id=challenge.id,
        theme_id=compost[0],
        name="Food scraps",
        actor_id=host.id,
        now=utcnow(),
    )
    more = {
        topic: [(f"{title}, again", summary) for title, summary in ideas[:4]]
        for topic, ideas in TOPICS.items()
    }
    added = await topical_ideas(session, challenge, author, more)

    # Twelve ideas came in: enough for the worker to find the themes again.
    assert await find_in_the_worker(database) == 1
    after = {
        theme_id: (name, ideas)
        for theme_id, name, ideas in await stored_themes(session, challenge.id)
    }
    name, ideas = after[compost[0]]
    assert name == "Food scraps"
    # It carries on the theme it overlaps most: most of the compost ideas, and only those.
    assert ideas <= {i.id for i in made["compost"] + added["compost"]}
    assert len(ideas & compost[2]) >= len(compost[2]) // 2


async def test_a_few_changes_wait_for_more_or_for_ten_minutes(
    make_challenge: Any, host: User, author: User, session: AsyncSession, database: Database
) -> None:
    challenge = await make_challenge(host)
    made = await topical_ideas(session, challenge, author)
    assert await find_in_the_worker(database) == 1
    await hide_idea(
        session, idea_id=made["trees"][0].id, actor_id=host.id, reason="Off topic", now=utcnow()
    )
    assert await find_in_the_worker(database) == 0

    await session.execute(
        update(ThemeFit)
        .where(ThemeFit.challenge_id == challenge.id)
        .values(fitted_at=utcnow() - services.REFIT_AFTER - timedelta(seconds=1))
    )
    await session.commit()
    assert await find_in_the_worker(database) == 1
    themes = await stored_themes(session, challenge.id)
    assert made["trees"][0].id not in set().union(*(ideas for _, _, ideas in themes))


async def test_too_few_ideas_have_no_themes_and_the_dashboard_says_so(
    make_challenge: Any,
    make_idea: Any,
    host: User,
    author: User,
    session: AsyncSession,
    database: Database,
    sign_in: Any,
) -> None:
    challenge = await make_challenge(host)
    for _ in range(5):
        await make_idea(challenge, author)
    await find_in_the_worker(database)
    assert await stored_themes(session, challenge.id) == []

    page = Page(await (await sign_in(host)).get(f"/challenges/{challenge.slug}/dashboard"))
    assert "Not enough ideas yet" in page.text("#themes .empty")
    assert page.select("#ideas-theme") == []


async def test_the_dashboard_shows_each_theme_with_its_size_and_growth(
    make_challenge: Any, host: User, author: User, session: AsyncSession, sign_in: Any
) -> None:
    challenge = await make_challenge(host)
    made = await topical_ideas(session, challenge, author)
    # Two of the compost ideas came in more than a week ago.
    for idea in made["compost"][:2]:
        await session.execute(
            update(type(idea))
            .where(type(idea).id == idea.id)
            .values(created_at=utcnow() - timedelta(days=8))
        )
    await session.commit()
    await services.refit(session, challenge.id, utcnow())
    compost = next(t for t in await stored_themes(session, challenge.id) if "compost" in t[1])

    page = Page(await (await sign_in(host)).get(f"/challenges/{challenge.slug}/dashboard"))

    assert len(page.select("#themes .theme")) == 3
    row = f"#theme-{compost[0]}"
    assert "compost" in page.text(f"{row} .theme__name")
    assert page.text(f"{row} .theme__size") == "6 ideas, 4 new in the last 7 days"
    link = page.one(f"{row} .theme__ideas").get("href")
    assert link == f"/challenges/{challenge.slug}?theme={compost[0]}"


async def test_the_ideas_list_filters_by_theme_and_keeps_the_sort(
    make_challenge: Any,
    host: User,
    author: User,
    session: AsyncSession,
    visitor: Person,
) -> None:
    challenge = await make_challenge(host)
    made = await topical_ideas(session, challenge, author)
    await services.refit(session, challenge.id, utcnow())
    bikes = next(
        t for t in await stored_themes(session, challenge.id) if made["bikes"][0].id in t[2]
    )

    page = Page(await visitor.get(f"/challenges/{challenge.slug}?sort=newest&theme={bikes[0]}"))

    titles = [a.text_content() for a in page.select("#ideas .idea-card .card__title a")]
    assert titles == [i.title for i in reversed(made["bikes"])]
    chosen = page.one("#ideas-theme option[selected]")
    assert chosen.get("value") == str(bikes[0])
    assert page.one('#ideas form.idea-filters input[name="sort"]').get("value") == "newest"
    sorts = {a.text_content(): a.get("href") for a in page.select(".sort-nav a")}
    assert f"theme={bikes[0]}" in sorts["Top"]
    assert "theme=" not in page.one(".idea-filters__actions a").get("href")


async def test_a_theme_of_another_challenge_filters_nothing(
    make_challenge: Any, host: User, author: User, session: AsyncSession, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    other = await make_challenge(host)
    await topical_ideas(session, challenge, author)
    await services.refit(session, challenge.id, utcnow())
    theme_id = await session.scalar(
        select(func.min(Theme.id)).where(Theme.challenge_id == challenge.id)
    )
    await topical_ideas(session, other, author, {"compost": TOPICS["compost"][:2]})

    page = Page(await visitor.get(f"/challenges/{other.slug}?theme={theme_id}"))

    assert len(page.select("#ideas .idea-card")) == 2
    assert page.select("#ideas-theme") == []
