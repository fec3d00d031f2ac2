"""Challenges and their ideas in a given state: phases, statuses, winners, and ideas
written straight to the table in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.models import Challenge, ChallengeTag
from ideas.challenges.phases import Phase
from ideas.challenges.services import switch_phase as switch_phase_service
from ideas.db import utcnow
from ideas.submissions.models import Idea, IdeaLink, IdeaStatus, IdeaTag
from ideas.submissions.queries import PAGE_SIZE
from tests.factories import challenges
from tests.factories.accounts import Person
from tests.factories.challenges import schedule_for
from tests.factories.web import HTMX
from tests.html import Page


async def switch_phase(session: AsyncSession, challenge: Challenge, to: Phase) -> None:
    await switch_phase_service(
        session, challenge_id=challenge.id, to=to, actor_id=challenge.created_by_id, now=utcnow()
    )


async def crown(session: AsyncSession, challenge: Challenge, idea: Idea, citation: str) -> None:
    """Shortlist ``idea`` and name it a winner, as a host does, each while hosts may."""
    await challenges.shortlist(session, challenge, idea)
    await challenges.pick_winner(session, challenge, idea, citation=citation)


async def set_phase(session: AsyncSession, challenge: Challenge, phase: Phase) -> None:
    schedule = schedule_for(phase, utcnow())
    await session.execute(
        update(Challenge)
        .where(Challenge.id == challenge.id)
        .values(
            ideas_opens_at=schedule.ideas,
            review_opens_at=schedule.review,
            teams_opens_at=schedule.teams,
            closes_at=schedule.closed,
        )
    )
    await session.commit()


async def set_status(session: AsyncSession, idea: Idea, status: IdeaStatus) -> None:
    await session.execute(update(Idea).where(Idea.id == idea.id).values(status=status))
    await session.commit()


async def add_ideas(
    session: AsyncSession, challenge: Challenge, author: User, *specs: dict[str, Any]
) -> list[int]:
    """Ideas written straight to the table, each ``spec`` overriding the defaults.

    The idea count of the challenge is kept right, as posting would.
    """
    now = utcnow()
    rows = []
    for n, spec in enumerate(specs):
        title = spec.get("title", f"Idea {n}")
        rows.append(
            {
                "challenge_id": challenge.id,
                "author_id": author.id,
                "title": title,
                "slug": f"idea-{n}",
                "summary": f"Summary of {title}.",
                "body": "",
                "created_at": now - timedelta(minutes=n),
                "updated_at": now,
                "last_activity_at": now,
                **spec,
            }
        )
    ids = list((await session.scalars(insert(Idea).returning(Idea.id), rows)).all())
    await session.execute(
        update(Challenge)
        .where(Challenge.id == challenge.id)
        .values(idea_count=Challenge.idea_count + len(ids))
    )
    await session.commit()
    return ids


async def walk(person: Person, url: str, *, htmx: bool) -> list[int]:
    """Every idea id of a list, page after page through its "More ideas" links."""
    response = await person.get(url)
    assert response.status_code == 200
    page = Page(response)
    seen = idea_ids(page)
    for _ in range(100):
        more = page.select(".idea-list__more a")
        if not more:
            return seen
        assert len(idea_ids(page)) == PAGE_SIZE
        next_url = more[0].get("data-hx-get" if htmx else "href")
        response = await person.get(next_url, headers=HTMX if htmx else {})
        assert response.status_code == 200
        page = Page(response)
        seen += idea_ids(page)
    raise AssertionError("the list never ends")


async def add_varied_ideas(
    session: AsyncSession, challenge: Challenge, authors: Sequence[User], how_many: int
) -> list[int]:
    """``how_many`` ideas in one statement, with varied counters, tags and build-on links.

    Every other idea is about compost and every third carries the challenge's
    first tag; every fifth builds on the idea before it.
    """
    now = utcnow()
    rows = [
        {
            "challenge_id": challenge.id,
            "author_id": authors[n % len(authors)].id,
            "title": f"Idea {n} about {'compost' if n % 2 == 0 else 'bicycles'}",
            "slug": f"idea-{n}",
            "summary": f"Summary of idea {n}.",
            "body": "Turn canteen scraps into soil." if n % 2 == 0 else "Ride to school.",
            "vote_count": n % 7,
            "build_count": n % 3,
            "influence": n % 5,
            "created_at": now - timedelta(minutes=n),
            "updated_at": now - timedelta(minutes=n),
            "last_activity_at": now - timedelta(minutes=(n * 7) % 50),
        }
        for n in range(how_many)
    ]
    ids = list((await session.scalars(insert(Idea).returning(Idea.id), rows)).all())
    tag_id = await session.scalar(
        select(ChallengeTag.id)
        .where(ChallengeTag.challenge_id == challenge.id)
        .order_by(ChallengeTag.position)
    )
    tagged = [{"idea_id": idea_id, "tag_id": tag_id} for idea_id in ids[::3]]
    if tagged:
        await session.execute(insert(IdeaTag), tagged)
    links = [
        {"child_id": child, "parent_id": parent, "note": ""}
        for parent, child in pairwise(ids)
        if child % 5 == 0
    ]
    if links:
        await session.execute(insert(IdeaLink), links)
    await session.execute(
        update(Challenge)
        .where(Challenge.id == challenge.id)
        .values(idea_count=Challenge.idea_count + how_many)
    )
    await session.commit()
    return ids


def idea_ids(page: Page) -> list[int]:
    return [int(a.get("href").split("/")[2]) for a in page.select(".idea-card .card__title a")]


def idea_url(idea: Idea) -> str:
    return f"/ideas/{idea.id}/{idea.slug}"


async def set_columns(session: AsyncSession, idea: Idea, **values: Any) -> None:
    await session.execute(update(Idea).where(Idea.id == idea.id).values(**values))
    await session.commit()


async def tag_ids(session: AsyncSession, challenge: Challenge) -> dict[str, int]:
    rows = await session.execute(
        select(ChallengeTag.name, ChallengeTag.id).where(ChallengeTag.challenge_id == challenge.id)
    )
    return {row.name: row.id for row in rows}


def titles(page: Page) -> list[str]:
    return [" ".join(a.text_content().split()) for a in page.select(".idea-card .card__title a")]


async def listed(person: Person, url: str) -> list[str]:
    response = await person.get(url)
    assert response.status_code == 200
    return titles(Page(response))
