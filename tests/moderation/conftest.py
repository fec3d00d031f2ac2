"""Helpers for the moderation tests: reporting through the site, and reading what was saved."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts import sessions
from ideas.challenges.models import Challenge
from ideas.comments.models import Comment
from ideas.comments.services import post_comment
from ideas.db import utcnow
from ideas.moderation.models import Report
from ideas.submissions.models import Idea
from ideas.web.sessions import cookie_name
from tests.conftest import Person

HTMX = {"HX-Request": "true"}


def idea_url(idea: Idea) -> str:
    return f"/ideas/{idea.id}/{idea.slug}"


async def report(
    person: Person,
    item: Idea | Comment,
    reason: str = "spam",
    note: str = "",
    *,
    htmx: bool = False,
) -> httpx.Response:
    """``person`` reports an idea or a comment through its "Report" form."""
    kind = "ideas" if isinstance(item, Idea) else "comments"
    return await person.post(
        f"/{kind}/{item.id}/report",
        {"reason": reason, "note": note},
        headers=HTMX if htmx else None,
    )


async def fresh(session: AsyncSession, model: type[Any], item_id: int) -> Any:
    """The row as saved now."""
    await session.commit()
    return await session.get(model, item_id, populate_existing=True)


async def report_rows(session: AsyncSession, item: Idea | Comment) -> list[Report]:
    await session.commit()
    column = Report.idea_id if isinstance(item, Idea) else Report.comment_id
    rows = await session.scalars(
        select(Report)
        .where(column == item.id)
        .order_by(Report.id)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def open_reports(session: AsyncSession, item: Idea | Comment) -> int:
    await session.commit()
    column = Report.idea_id if isinstance(item, Idea) else Report.comment_id
    found = await session.scalar(
        select(func.count())
        .select_from(Report)
        .where(column == item.id, Report.resolved_at.is_(None))
    )
    return int(found or 0)


async def idea_count(session: AsyncSession, challenge: Challenge) -> int:
    await session.commit()
    found = await session.scalar(select(Challenge.idea_count).where(Challenge.id == challenge.id))
    return int(found or 0)


@pytest.fixture
def make_comment(session: AsyncSession) -> Any:
    async def make(idea: Idea, author: Any, body: str = "A comment.") -> Comment:
        return await post_comment(
            session, idea_id=idea.id, author_id=author.id, body=body, now=utcnow()
        )

    return make


@pytest.fixture
def reporters(make_user: Any, sign_in: Any) -> Any:
    """``await reporters(3)`` → that many signed-in participants."""

    async def make(how_many: int) -> list[Person]:
        return [await sign_in(await make_user(f"Reporter {n}")) for n in range(1, how_many + 1)]

    return make


@pytest.fixture
def visitor_with_session(make_client: Any, session: AsyncSession, settings: Any) -> Any:
    """A visitor whose browser has a session and so a form token: refusals come from the
    view's own guard, not from the CSRF check."""

    async def make() -> Person:
        token, web_session = await sessions.start(session, None, now=utcnow(), replacing=None)
        client = make_client()
        client.cookies.set(cookie_name(settings), token)
        return Person(client=client, csrf=web_session.csrf_token, user=None)

    return make
