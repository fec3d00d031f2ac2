"""Finding and storing each challenge's themes in the background worker, and a host's
name for a theme.

A request never groups ideas: pages read the last fit stored here. Each worker
pass reads every challenge's ideas (how many are listed, and the latest change of
any) and fits again where ``REFIT_AFTER_CHANGES`` ideas were added or changed
since the last fit, or anything changed and the last fit is ``REFIT_AFTER`` old.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from ideas import audit, policy
from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.db import Database, end_reads, write
from ideas.errors import Invalid, NotFound
from ideas.i18n import _
from ideas.policy import Action
from ideas.similarity import queries as similarity
from ideas.similarity.index import LanguageVectors
from ideas.similarity.vectors import document
from ideas.submissions.models import Idea
from ideas.themes import clustering
from ideas.themes.models import NAME_MAX_LENGTH, IdeaTheme, Theme, ThemeFit

REFIT_AFTER_CHANGES = 10
REFIT_AFTER = timedelta(minutes=10)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Seen:
    """What a fit reads of a challenge's ideas: how many are listed, the latest change."""

    ideas: int
    last_change: datetime | None


async def seen(session: AsyncSession, challenge_id: int | None = None) -> dict[int, Seen]:
    """Every challenge's ideas as a fit sees them (or one challenge's), by challenge id."""
    listed = func.count().filter(Idea.status.in_(policy.LISTED_STATUSES))
    query = select(Idea.challenge_id, listed, func.max(Idea.updated_at)).group_by(Idea.challenge_id)
    if challenge_id is not None:
        query = query.where(Idea.challenge_id == challenge_id)
    return {
        found_id: Seen(int(count), last)
        for found_id, count, last in (await session.execute(query)).all()
    }


async def _changed_since(session: AsyncSession, fits: Mapping[int, ThemeFit]) -> dict[int, int]:
    """How many ideas of each fitted challenge changed (or came) since its fit's last change."""
    query = (
        select(Idea.challenge_id, func.count())
        .join(ThemeFit, ThemeFit.challenge_id == Idea.challenge_id)
        .where(Idea.updated_at > func.coalesce(ThemeFit.last_change, Idea.updated_at))
        .group_by(Idea.challenge_id)
    )
    rows = (await session.execute(query)).all() if fits else []
    return {challenge_id: int(count) for challenge_id, count in rows}


def due(now: Seen, fit: ThemeFit | None, changed: int, at: datetime) -> bool:
    """Whether a challenge's themes should be found again."""
    if fit is None:
        return True
    if now.ideas == fit.ideas and now.last_change == fit.last_change:
        return False
    changes = max(changed + abs(now.ideas - fit.ideas), 1)
    return changes >= REFIT_AFTER_CHANGES or at - fit.fitted_at >= REFIT_AFTER


@dataclass(frozen=True)
class Fitted:
    themes: int
    ideas: int  # ideas in a theme
    seconds: float  # the grouping itself, without reading and storing


def found_themes(
    groups: Mapping[str, LanguageVectors], documents: Mapping[int, str]
) -> list[clustering.Found]:
    """The themes of every language among ``groups``, kept to the ideas of ``documents``
    (the listed ones), each language's largest first, languages by their size."""
    found: list[clustering.Found] = []
    for language in sorted(groups, key=lambda lang: (-len(groups[lang].ids), lang)):
        group = groups[language]
        places = [place for place, i in enumerate(group.ids) if i in documents]
        if len(places) < clustering.MIN_IDEAS:
            continue
        found += clustering.themes_of(
            language,
            [group.ids[place] for place in places],
            group.rows[places],
            group.model,
            documents,
        )
    return found


async def refit(session: AsyncSession, challenge_id: int, now: datetime) -> Fitted:
    """Group the challenge's listed ideas into themes anew, and store them: a theme that
    carries on one of the last fit keeps its id and its host's name."""
    await end_reads(session)
    read = (await seen(session, challenge_id)).get(challenge_id, Seen(0, None))
    groups = await similarity.challenge_vectors(session, challenge_id)
    documents = {
        idea_id: document(title, summary)
        for idea_id, title, summary in await session.execute(
            select(Idea.id, Idea.title, Idea.summary).where(
                Idea.challenge_id == challenge_id, Idea.status.in_(policy.LISTED_STATUSES)
            )
        )
    }
    await end_reads(session)
    started = time.perf_counter()
    found = await asyncio.to_thread(found_themes, groups, documents)
    seconds = time.perf_counter() - started
    async with write(session) as tx:
        await _store(tx, challenge_id, found, now)
        await tx.execute(delete(ThemeFit).where(ThemeFit.challenge_id == challenge_id))
        tx.add(
            ThemeFit(
                challenge_id=challenge_id,
                fitted_at=now,
                ideas=read.ideas,
                last_change=read.last_change,
                themes=len(found),
                seconds=round(seconds, 3),
            )
        )
    return Fitted(len(found), sum(len(theme.idea_ids) for theme in found), seconds)


async def _store(
    tx: AsyncSession, challenge_id: int, found: Sequence[clustering.Found], now: datetime
) -> None:
    old: dict[int, list[int]] = {
        theme_id: []
        for theme_id in await tx.scalars(select(Theme.id).where(Theme.challenge_id == challenge_id))
    }
    for idea_id, theme_id in await tx.execute(
        select(IdeaTheme.idea_id, IdeaTheme.theme_id).where(IdeaTheme.theme_id.in_(list(old)))
    ):
        old[theme_id].append(idea_id)
    carried = clustering.matched([theme.idea_ids for theme in found], old)
    gone = set(old) - set(carried.values())
    if old:
        await tx.execute(delete(IdeaTheme).where(IdeaTheme.theme_id.in_(list(old))))
    if gone:
        await tx.execute(delete(Theme).where(Theme.id.in_(sorted(gone))))
    members: list[dict[str, int]] = []
    for position, theme in enumerate(found):
        values = {
            "language": theme.language,
            "name": theme.name,
            "words": list(theme.words),
            "position": position,
        }
        kept = carried.get(position)
        if kept is not None:
            await tx.execute(update(Theme).where(Theme.id == kept).values(**values))
        else:
            made = Theme(challenge_id=challenge_id, created_at=now, **values)
            tx.add(made)
            await tx.flush()
            kept = made.id
        members += [{"idea_id": idea_id, "theme_id": kept} for idea_id in theme.idea_ids]
    if members:
        await tx.execute(insert(IdeaTheme), members)


async def refit_where_due(database: Database, now: datetime) -> int:
    """The worker's job: find the themes of every challenge whose ideas changed enough.
    Returns how many challenges were fitted; a failure in one is logged, the others go on."""
    done = 0
    async with database.session() as session:
        current = await seen(session)
        fits = {
            fit.challenge_id: fit
            for fit in await session.scalars(
                select(ThemeFit).where(ThemeFit.challenge_id.in_(current))
            )
        }
        changed = await _changed_since(session, fits)
        waiting = sorted(
            cid
            for cid, now_seen in current.items()
            if due(now_seen, fits.get(cid), changed.get(cid, 0), now)
        )
        await end_reads(session)
        for challenge_id in waiting:
            try:
                await refit(session, challenge_id, now)
            except Exception:
                logger.exception("Finding the themes of challenge %s failed", challenge_id)
            else:
                done += 1
    return done


# A host names a theme -------------------------------------------------------------


def name_label() -> str:
    return _("Name")


async def rename_theme(
    session: AsyncSession,
    *,
    challenge_id: int,
    theme_id: int,
    name: str,
    actor_id: int,
    now: datetime,
) -> None:
    """A host names a theme (an empty name gives it back the name of its words); audited.
    The name is kept over later fits for as long as the theme carries on."""
    if len(name) > NAME_MAX_LENGTH:
        raise Invalid(
            {
                "name": _(
                    "%(label)s must be at most %(most)s characters (it is %(count)s).",
                    label=name_label(),
                    most=NAME_MAX_LENGTH,
                    count=len(name),
                )
            }
        )
    async with write(session) as tx:
        challenge = await tx.scalar(
            select(Challenge)
            .options(selectinload(Challenge.hosts))
            .where(Challenge.id == challenge_id)
        )
        if challenge is None:
            raise NotFound()
        roles = policy.challenge_roles(await tx.get(User, actor_id), challenge)
        policy.check(Action.NAME_THEMES, challenge, roles, now)
        theme = await tx.scalar(
            select(Theme).where(Theme.id == theme_id, Theme.challenge_id == challenge_id)
        )
        if theme is None:
            raise NotFound()
        before = theme.host_name
        theme.host_name = name or None
        audit.record(
            tx,
            actor_id=actor_id,
            action="theme.rename",
            subject_type="theme",
            subject_id=theme_id,
            challenge_id=challenge_id,
            at=now,
            before=before,
            after=theme.host_name,
            words=theme.name,
        )
