"""Reporting through the site, and reading the reports that were saved."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges.models import Challenge
from ideas.comments.models import Comment
from ideas.moderation.models import Report
from ideas.submissions.models import Idea
from tests.factories.accounts import Person
from tests.factories.web import HTMX


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
