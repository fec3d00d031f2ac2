"""Reading a challenge's themes, as the worker last stored them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import policy
from ideas.challenges.models import Challenge
from ideas.db import json_rows, rows_of
from ideas.submissions.models import Idea
from ideas.themes.clustering import MIN_IDEAS
from ideas.themes.models import IdeaTheme, Theme, ThemeFit

GROWTH_DAYS = 7  # the dashboard's growth: ideas of a theme posted in this many days


@dataclass(frozen=True)
class ThemeChoice:
    """A theme as a list of ideas offers it: its id and the name it is shown by."""

    id: int
    name: str


# A challenge's themes as a column of a query about the challenge (``Challenge.id``
# correlated): each (position, id, shown name), in no order; ``choices_from`` orders them.
# The challenge page reads them so, with its challenge.
CHALLENGE_THEMES_COLUMN = (
    select(json_rows(Theme.position, Theme.id, Theme.shown_name))
    .where(Theme.challenge_id == Challenge.id)
    .scalar_subquery()
)


def choices_from(column: Iterable[tuple[Any, ...]]) -> tuple[ThemeChoice, ...]:
    """The themes ``CHALLENGE_THEMES_COLUMN`` read, largest first, as ``challenge_themes``."""
    return tuple(ThemeChoice(theme_id, name) for _, theme_id, name in sorted(column))


# Built once: the API asks it for every page of a challenge's ideas, and building the
# statement cost more than running it.
_CHALLENGE_THEMES = (
    select(Theme.id, Theme.shown_name)
    .where(Theme.challenge_id == bindparam("challenge_id", type_=Integer))
    .order_by(Theme.position, Theme.id)
)


async def challenge_themes(session: AsyncSession, challenge_id: int) -> list[ThemeChoice]:
    """The challenge's themes, largest first. One query."""
    rows = await rows_of(session, _CHALLENGE_THEMES, {"challenge_id": challenge_id})
    return [ThemeChoice(theme_id, name) for theme_id, name in rows]


async def themes_of(session: AsyncSession, idea_ids: Iterable[int]) -> dict[int, ThemeChoice]:
    """The theme of each of these ideas that is in one, by idea id. One query, none for
    no ideas."""
    ids = list(idea_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(IdeaTheme.idea_id, Theme.id, Theme.shown_name)
        .join(Theme, Theme.id == IdeaTheme.theme_id)
        .where(IdeaTheme.idea_id.in_(ids))
    )
    return {idea_id: ThemeChoice(theme_id, name) for idea_id, theme_id, name in rows}


@dataclass(frozen=True)
class ThemeSize:
    theme: Theme
    ideas: int  # listed ideas in it now
    recent: int  # of those, posted in the last GROWTH_DAYS days


@dataclass(frozen=True)
class DashboardThemes:
    """The themes the host dashboard shows, or why there are none."""

    themes: Sequence[ThemeSize]
    fitted_at: datetime | None  # the last fit (None: not yet)
    fewest_ideas: int = MIN_IDEAS
    growth_days: int = GROWTH_DAYS


async def theme_sizes(session: AsyncSession, challenge_id: int, now: datetime) -> list[ThemeSize]:
    """The challenge's themes with how many listed ideas each has (the ideas a list kept
    to the theme shows) and how many of them came in the last ``GROWTH_DAYS`` days,
    largest first. One query."""
    recent_since = now - timedelta(days=GROWTH_DAYS)
    rows = await session.execute(
        select(
            Theme,
            func.count(Idea.id),
            func.count(Idea.id).filter(Idea.created_at >= recent_since),
        )
        .outerjoin(IdeaTheme, IdeaTheme.theme_id == Theme.id)
        .outerjoin(
            Idea,
            and_(Idea.id == IdeaTheme.idea_id, Idea.status.in_(policy.LISTED_STATUSES)),
        )
        .where(Theme.challenge_id == challenge_id)
        .group_by(Theme.id)
        .order_by(Theme.position, Theme.id)
    )
    return [ThemeSize(theme, int(ideas), int(recent)) for theme, ideas, recent in rows]


async def dashboard_themes(
    session: AsyncSession, challenge_id: int, now: datetime
) -> DashboardThemes:
    """The challenge's themes with their sizes and growth (``theme_sizes``), and when they
    were found. Two queries."""
    themes = await theme_sizes(session, challenge_id, now)
    fitted_at = await session.scalar(
        select(ThemeFit.fitted_at).where(ThemeFit.challenge_id == challenge_id)
    )
    return DashboardThemes(themes, fitted_at)
