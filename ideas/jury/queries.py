"""Reading a challenge's jury: its setup, its jurors' queues, and its calibrated figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from ideas.accounts.models import User
from ideas.accounts.names import public_name
from ideas.i18n import _
from ideas.jury import assignment, calibration
from ideas.jury.models import (
    SCOPE_SHORTLIST,
    Criterion,
    Juror,
    JuryConflict,
    JuryScore,
    JurySettings,
)
from ideas.submissions.models import SHORTLISTED_STATUSES, VISIBLE_STATUSES, Idea
from ideas.teams.models import Team


async def settings_of(session: AsyncSession, challenge_id: int) -> JurySettings | None:
    return await session.get(JurySettings, challenge_id)


async def criteria_of(session: AsyncSession, challenge_id: int) -> list[Criterion]:
    rows = await session.scalars(
        select(Criterion)
        .where(Criterion.challenge_id == challenge_id)
        .order_by(Criterion.position, Criterion.id)
    )
    return list(rows)


async def jurors_of(session: AsyncSession, challenge_id: int) -> list[Juror]:
    rows = await session.scalars(
        select(Juror)
        .options(joinedload(Juror.user))
        .where(Juror.challenge_id == challenge_id)
        .order_by(Juror.id)
    )
    return list(rows)


async def juror_for(session: AsyncSession, challenge_id: int, user: User | None) -> Juror | None:
    """``user``'s place on the jury. An invitation reaches an account when it is sent
    (to an account using the address) or when someone signs in with the address,
    verified (``services.claim``): never by an address alone."""
    if user is None or not user.is_active:
        return None
    found: Juror | None = await session.scalar(
        select(Juror).where(Juror.challenge_id == challenge_id, Juror.user_id == user.id)
    )
    return found


async def has_scores(session: AsyncSession, challenge_id: int) -> bool:
    return bool(
        await session.scalar(select(exists().where(JuryScore.challenge_id == challenge_id)))
    )


async def scope_ideas(session: AsyncSession, challenge_id: int, scope: str) -> list[Idea]:
    """The ideas the jury scores, with what ``policy.has_conflict`` reads."""
    statuses = SHORTLISTED_STATUSES if scope == SCOPE_SHORTLIST else VISIBLE_STATUSES
    rows = await session.scalars(
        select(Idea)
        .options(selectinload(Idea.coauthors), selectinload(Idea.team).selectinload(Team.members))
        .where(Idea.challenge_id == challenge_id, Idea.status.in_(statuses))
        .order_by(Idea.id)
    )
    return list(rows)


async def conflicts_of(session: AsyncSession, challenge_id: int) -> list[JuryConflict]:
    rows = await session.scalars(
        select(JuryConflict)
        .where(JuryConflict.challenge_id == challenge_id)
        .order_by(JuryConflict.id)
    )
    return list(rows)


async def scores_of(session: AsyncSession, challenge_id: int) -> list[JuryScore]:
    rows = await session.scalars(
        select(JuryScore).where(JuryScore.challenge_id == challenge_id).order_by(JuryScore.id)
    )
    return list(rows)


@dataclass(frozen=True)
class Jury:
    """Everything about a challenge's jury, read in a fixed number of queries."""

    settings: JurySettings | None
    criteria: list[Criterion]
    jurors: list[Juror]
    ideas: list[Idea]
    conflicts: list[JuryConflict]
    scores: list[JuryScore]

    @property
    def juror_ids(self) -> list[int]:
        return [j.user_id for j in self.jurors if j.user_id is not None]

    @property
    def per_idea(self) -> int:
        return self.settings.jurors_per_idea if self.settings is not None else 2

    def ineligible(self) -> dict[int, set[int]]:
        """Idea → jurors who may not score it: its authors, its team, declared conflicts."""
        barred: dict[int, set[int]] = {idea.id: set() for idea in self.ideas}
        for idea in self.ideas:
            people = {idea.author_id, *(c.user_id for c in idea.coauthors)}
            if idea.team is not None:
                people |= {m.user_id for m in idea.team.members}
            barred[idea.id] |= people & set(self.juror_ids)
        for conflict in self.conflicts:
            barred.setdefault(conflict.idea_id, set()).add(conflict.user_id)
        return barred

    def queues(self) -> dict[int, set[int]]:
        begun: dict[int, list[int]] = {}
        for score in self.scores:
            begun.setdefault(score.idea_id, []).append(score.user_id)
        return assignment.assign(
            [i.id for i in self.ideas],
            self.juror_ids,
            self.per_idea,
            ineligible=self.ineligible(),
            begun=begun,
        )

    def submitted_marks(self) -> list[calibration.Mark]:
        criteria = {c.id for c in self.criteria}
        in_scope = {i.id for i in self.ideas}
        return [
            calibration.Mark(s.user_id, s.idea_id, int(c), int(v))
            for s in self.scores
            if s.submitted_at is not None and s.idea_id in in_scope
            for c, v in sorted(s.marks.items())
            if int(c) in criteria
        ]

    def weights(self) -> dict[int, float]:
        return {c.id: float(c.weight) for c in self.criteria}

    def progress(self) -> tuple[int, int]:
        """(scores submitted, scores the queues call for)."""
        queues = self.queues()
        wanted = {(j, i) for j, ideas in queues.items() for i in ideas}
        done = {(s.user_id, s.idea_id) for s in self.scores if s.submitted_at is not None}
        return len(wanted & done), len(wanted)


async def jury(session: AsyncSession, challenge_id: int) -> Jury:
    settings = await settings_of(session, challenge_id)
    scope = settings.scope if settings is not None else "all"
    return Jury(
        settings=settings,
        criteria=await criteria_of(session, challenge_id),
        jurors=await jurors_of(session, challenge_id),
        ideas=await scope_ideas(session, challenge_id, scope),
        conflicts=await conflicts_of(session, challenge_id),
        scores=await scores_of(session, challenge_id),
    )


@dataclass(frozen=True)
class Figures:
    scores: dict[int, calibration.JuryScore]
    agreement: calibration.Agreement
    disagreements: list[calibration.JuryScore]


def figures(found: Jury) -> Figures:
    marks = found.submitted_marks()
    weights = found.weights()
    scores = calibration.jury_scores(marks, weights)
    return Figures(
        scores=scores,
        agreement=calibration.agreement(marks, weights),
        disagreements=calibration.disagreements(scores),
    )


def juror_labels(jurors: Sequence[Juror]) -> dict[int, str]:
    """ "Juror 1", "Juror 2"… in the order they were invited (needs ``Juror.user``); a juror
    who agreed to be named, by their public name."""
    labels = {}
    for n, juror in enumerate(jurors, start=1):
        if juror.user_id is None:
            continue
        if juror.named and juror.user is not None:
            labels[juror.user_id] = public_name(juror.user)
        else:
            labels[juror.user_id] = _("Juror %(number)d", number=n)
    return labels


@dataclass(frozen=True)
class JuryNotice:
    """What a challenge's page says of its jury: the published weighting (None: no
    jury), and whether the viewer is a juror (a link to their queue)."""

    jury_weight: float | None
    is_juror: bool


NO_JURY = JuryNotice(None, False)
