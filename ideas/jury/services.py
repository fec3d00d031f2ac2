"""What hosts and jurors do to a jury: one function each, one transaction each.

Hosts set the rubric, the settings (with the weighting of jury against crowd)
and invite jurors while the challenge is a draft or open for ideas; jurors score
in review, blind; hosts publish the scores. Each asks ``policy`` inside its
transaction and refuses on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import audit, policy
from ideas.accounts.models import User, UserStatus
from ideas.challenges import queries as challenge_queries
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.challenges.services import require_allowed
from ideas.db import Database, write
from ideas.errors import AlreadyDone, Conflict, Forbidden, Invalid, NotFound
from ideas.i18n import _, lazy_gettext
from ideas.jury import queries
from ideas.jury.forms import CriterionInput, ScoreInput, SettingsInput, mark_field
from ideas.jury.models import (
    SCALE_HIGH,
    SCALE_LOW,
    SCOPES,
    Criterion,
    Juror,
    JuryConflict,
    JuryScore,
    JurySettings,
)
from ideas.notifications.services import notify
from ideas.policy import Action
from ideas.submissions import queries as idea_queries

ALREADY_ON_JURY = lazy_gettext("That address is already on the jury.")
NOT_A_JUROR = lazy_gettext("Only the challenge's jurors score its ideas.")
NOT_IN_QUEUE = lazy_gettext("That idea is not one the jury scores.")
ALREADY_SUBMITTED = lazy_gettext("You have submitted your scores of this idea already.")


def normalized(address: str) -> str:
    return address.strip().lower()


async def _scored(tx: AsyncSession, challenge_id: int) -> bool:
    return await queries.has_scores(tx, challenge_id)


async def _settings(tx: AsyncSession, challenge_id: int, now: datetime) -> JurySettings:
    found = await tx.get(JurySettings, challenge_id, with_for_update=True)
    if found is None:
        found = JurySettings(challenge_id=challenge_id, updated_at=now)
        tx.add(found)
        await tx.flush()
    return found


# Setting up --------------------------------------------------------------------


async def save_rubric(
    session: AsyncSession,
    *,
    challenge_id: int,
    criteria: Sequence[CriterionInput],
    actor_id: int,
    now: datetime,
) -> list[Criterion]:
    """Replace the rubric: refused once a juror has scored (the marks name its criteria)."""
    if not criteria:
        raise Invalid({"name-0": _("Give the rubric at least one criterion.")})
    async with write(session) as tx:
        await require_allowed(tx, Action.SET_UP_JURY, challenge_id, actor_id, now)
        await _settings(tx, challenge_id, now)  # its lock keeps two saves in turn
        if await _scored(tx, challenge_id):
            raise Conflict(policy.RUBRIC_FROZEN)
        await tx.execute(delete(Criterion).where(Criterion.challenge_id == challenge_id))
        made = [
            Criterion(
                challenge_id=challenge_id,
                position=n,
                name=c.name,
                low=c.low,
                high=c.high,
                weight=c.weight,
            )
            for n, c in enumerate(criteria)
        ]
        tx.add_all(made)
        await tx.flush()
        audit.record(
            tx, actor_id=actor_id, action="jury.rubric", subject_type="challenge",
            subject_id=challenge_id, challenge_id=challenge_id, at=now,
            criteria=[{"name": c.name, "weight": c.weight} for c in criteria],
        )  # fmt: skip
    return made


async def save_settings(
    session: AsyncSession,
    *,
    challenge_id: int,
    data: SettingsInput,
    actor_id: int,
    now: datetime,
) -> JurySettings:
    """Which ideas, how many jurors each, and the weighting, which freezes at the first score."""
    if data.scope not in SCOPES or not 0 <= data.jury_weight <= 1 or data.jurors_per_idea < 1:
        raise Invalid({"jury_weight": _("Those settings are out of range.")})
    async with write(session) as tx:
        await require_allowed(tx, Action.SET_UP_JURY, challenge_id, actor_id, now)
        found = await _settings(tx, challenge_id, now)
        if abs(found.jury_weight - data.jury_weight) > 1e-9:
            policy.require_change_weighting(scored=await _scored(tx, challenge_id))
        found.jury_weight = data.jury_weight
        found.jurors_per_idea = data.jurors_per_idea
        found.scope = data.scope
        found.updated_at = now
        audit.record(
            tx, actor_id=actor_id, action="jury.settings", subject_type="challenge",
            subject_id=challenge_id, challenge_id=challenge_id, at=now,
            jury_weight=data.jury_weight, jurors_per_idea=data.jurors_per_idea, scope=data.scope,
        )  # fmt: skip
    return found


async def invite_juror(
    session: AsyncSession, *, challenge_id: int, email: str, actor_id: int, now: datetime
) -> Juror:
    """Invite whoever uses ``email`` to the jury (no host role needed). The answer is the
    same whoever uses the address, or nobody: the hosts learn nothing from it."""
    address = normalized(email)
    try:
        async with write(session) as tx:
            challenge = await require_allowed(tx, Action.SET_UP_JURY, challenge_id, actor_id, now)
            await _settings(tx, challenge_id, now)
            already = await tx.scalar(
                select(Juror.id).where(Juror.challenge_id == challenge_id, Juror.email == address)
            )
            if already is not None:
                raise Invalid({"email": ALREADY_ON_JURY})
            owner = await tx.scalar(
                select(User.id)
                .where(func.lower(User.email) == address, User.status == UserStatus.ACTIVE)
                .order_by(User.id)
                .limit(1)
            )
            juror = Juror(
                challenge_id=challenge_id,
                email=address,
                user_id=owner,
                invited_by_id=actor_id,
                invited_at=now,
            )
            tx.add(juror)
            await tx.flush()
            await _tell(tx, [owner], "jury.invitation", challenge, actor_id, now)
            audit.record(
                tx, actor_id=actor_id, action="jury.invite", subject_type="challenge",
                subject_id=challenge_id, challenge_id=challenge_id, at=now, email=address,
            )  # fmt: skip
    except IntegrityError:
        raise Invalid({"email": ALREADY_ON_JURY}) from None
    return juror


async def _tell(
    tx: AsyncSession,
    user_ids: Sequence[int | None],
    kind: str,
    challenge: Challenge,
    actor_id: int | None,
    now: datetime,
) -> None:
    await notify(
        tx,
        user_ids=user_ids,
        kind=kind,
        actor_id=actor_id,
        challenge_id=challenge.id,
        data={"challenge_title": challenge.title, "challenge_slug": challenge.slug},
        now=now,
    )


async def claim(tx: AsyncSession, *, user_id: int, address: str, now: datetime) -> int:
    """Invitations to a jury sent to ``address`` that reached nobody reach ``user_id``, who
    has just signed in with it, verified. Returns how many."""
    waiting = list(
        await tx.scalars(
            select(Juror).where(Juror.email == normalized(address), Juror.user_id.is_(None))
        )
    )
    for juror in waiting:
        juror.user_id = user_id
        challenge = await tx.get(Challenge, juror.challenge_id)
        if challenge is not None:
            await _tell(tx, [user_id], "jury.invitation", challenge, juror.invited_by_id, now)
    return len(waiting)


async def tell_jurors_review_opened(
    session: AsyncSession, *, challenge_id: int, now: datetime
) -> int:
    """Tell each juror not yet told that review is open (once each). Returns how many."""
    async with write(session) as tx:
        challenge = await challenge_queries.for_policy(tx, challenge_id)
        if challenge is None or challenge.phase_at(now) is not Phase.REVIEW:
            return 0
        jurors = list(
            await tx.scalars(
                select(Juror)
                .where(
                    Juror.challenge_id == challenge_id,
                    Juror.user_id.is_not(None),
                    Juror.review_told_at.is_(None),
                )
                .with_for_update()
            )
        )
        for juror in jurors:
            juror.review_told_at = now
        await _tell(tx, [j.user_id for j in jurors], "jury.review", challenge, None, now)
    return len(jurors)


# Scoring -----------------------------------------------------------------------


async def _juror_context(
    tx: AsyncSession, challenge_id: int, idea_id: int, user_id: int, now: datetime
) -> tuple[Challenge, User, Any]:
    """The challenge, the juror and the idea, once ``policy`` lets them score it."""
    challenge = await challenge_queries.for_policy(tx, challenge_id)
    user = await tx.get(User, user_id)
    if challenge is None or user is None:
        raise NotFound()
    juror = await queries.juror_for(tx, challenge_id, user)
    roles = policy.jury_roles(user, challenge, juror=juror is not None)
    if not policy.allows(Action.SEE_CHALLENGE, challenge.phase_at(now), roles):
        raise NotFound()
    if juror is None:
        raise Forbidden(NOT_A_JUROR)
    policy.check(Action.SCORE_IDEAS, challenge, roles, now)
    idea = await idea_queries.for_policy(tx, idea_id)
    if idea is None or idea.challenge_id != challenge_id:
        raise NotFound()
    settings = await queries.settings_of(tx, challenge_id)
    in_scope = await queries.scope_ideas(
        tx, challenge_id, settings.scope if settings is not None else "all"
    )
    if idea_id not in {i.id for i in in_scope}:
        raise Forbidden(NOT_IN_QUEUE)
    return challenge, user, idea


def _upsert(dialect: str) -> Any:
    return pg_insert if dialect == "postgresql" else sqlite_insert


async def save_score(
    session: AsyncSession,
    *,
    challenge_id: int,
    idea_id: int,
    user_id: int,
    data: ScoreInput,
    now: datetime,
) -> JuryScore:
    """Save a juror's marks of an idea as a draft, or submit them (every criterion then).

    One row per juror and idea, written by one INSERT … ON CONFLICT DO UPDATE that
    leaves a submitted score alone: two tabs sending the same score keep one.
    """
    async with write(session) as tx:
        challenge, user, idea = await _juror_context(tx, challenge_id, idea_id, user_id, now)
        declared = await tx.scalar(
            select(JuryConflict.id).where(
                JuryConflict.idea_id == idea_id, JuryConflict.user_id == user_id
            )
        )
        policy.require_no_conflict(user, idea, declared=declared is not None)
        criteria = await queries.criteria_of(tx, challenge_id)
        errors = _mark_errors(data, [c.id for c in criteria])
        if errors:
            raise Invalid(errors)
        marks = {str(c): m for c, m in sorted(data.marks.items())}
        values = {
            "challenge_id": challenge_id,
            "idea_id": idea_id,
            "user_id": user_id,
            "marks": marks,
            "note": data.note,
            "submitted_at": now if data.submit else None,
            "updated_at": now,
        }
        insert = _upsert(tx.get_bind().dialect.name)(JuryScore).values(**values)
        statement = insert.on_conflict_do_update(
            index_elements=["idea_id", "user_id"],
            set_={k: insert.excluded[k] for k in ("marks", "note", "submitted_at", "updated_at")},
            where=JuryScore.submitted_at.is_(None),
        ).returning(JuryScore.id)
        written = await tx.scalar(statement)
        if written is None:
            raise AlreadyDone(ALREADY_SUBMITTED)
        audit.record(
            tx, actor_id=user_id, action="jury.submit" if data.submit else "jury.draft",
            subject_type="idea", subject_id=idea_id, challenge_id=challenge_id, at=now,
        )  # fmt: skip
        if data.submit:
            await _maybe_all_scored(tx, challenge, now)
    score = await session.get(JuryScore, written, populate_existing=True)
    assert score is not None
    return score


def _mark_errors(data: ScoreInput, criterion_ids: Sequence[int]) -> dict[str, str]:
    errors = {}
    for criterion_id, mark in data.marks.items():
        if criterion_id not in criterion_ids:
            errors[mark_field(criterion_id)] = _("That criterion is not in the rubric.")
        elif not SCALE_LOW <= mark <= SCALE_HIGH:
            errors[mark_field(criterion_id)] = _("A score is a whole number from 1 to 5.")
    if data.submit:
        for criterion_id in criterion_ids:
            if criterion_id not in data.marks:
                errors[mark_field(criterion_id)] = _("Give a score from 1 to 5 to submit.")
    if not criterion_ids:
        errors["note"] = _("The jury has no rubric yet.")
    return errors


async def _maybe_all_scored(tx: AsyncSession, challenge: Challenge, now: datetime) -> None:
    """Once every queue is scored, the hosts hear of it (once)."""
    settings = await _settings(tx, challenge.id, now)
    if settings.all_scored_at is not None:
        return
    await tx.flush()
    done, wanted = (await queries.jury(tx, challenge.id)).progress()
    if wanted and done >= wanted:
        settings.all_scored_at = now
        await _tell(
            tx, [h.user_id for h in challenge.hosts], "jury.all_scored", challenge, None, now
        )
        audit.record(
            tx, actor_id=None, action="jury.all_scored", subject_type="challenge",
            subject_id=challenge.id, challenge_id=challenge.id, at=now,
        )  # fmt: skip


async def declare_conflict(
    session: AsyncSession,
    *,
    challenge_id: int,
    idea_id: int,
    user_id: int,
    reason: str,
    now: datetime,
) -> JuryConflict:
    """A juror takes an idea out of their queue, saying why; a draft score of it goes."""
    reason = reason.strip()
    if not reason:
        raise Invalid({"reason": _("Say why, for the hosts.")})
    async with write(session) as tx:
        await _juror_context(tx, challenge_id, idea_id, user_id, now)
        score = await tx.scalar(
            select(JuryScore).where(JuryScore.idea_id == idea_id, JuryScore.user_id == user_id)
        )
        if score is not None and score.submitted_at is not None:
            raise Conflict(ALREADY_SUBMITTED)
        if score is not None:
            await tx.delete(score)
        conflict = JuryConflict(
            challenge_id=challenge_id,
            idea_id=idea_id,
            user_id=user_id,
            reason=reason[:300],
            created_at=now,
        )
        tx.add(conflict)
        try:
            await tx.flush()
        except IntegrityError:
            raise AlreadyDone() from None
        audit.record(
            tx, actor_id=user_id, action="jury.conflict", subject_type="idea",
            subject_id=idea_id, challenge_id=challenge_id, at=now, reason=conflict.reason,
        )  # fmt: skip
    return conflict


async def set_named(
    session: AsyncSession, *, challenge_id: int, user_id: int, named: bool, now: datetime
) -> None:
    """A juror agrees (or not) to be named in the exports."""
    async with write(session) as tx:
        user = await tx.get(User, user_id)
        juror = await queries.juror_for(tx, challenge_id, user)
        if juror is None:
            raise Forbidden(NOT_A_JUROR)
        juror.named = named
        audit.record(
            tx, actor_id=user_id, action="jury.named", subject_type="challenge",
            subject_id=challenge_id, challenge_id=challenge_id, at=now, named=named,
        )  # fmt: skip


async def publish(
    session: AsyncSession, *, challenge_id: int, actor_id: int, now: datetime
) -> JurySettings:
    async with write(session) as tx:
        await require_allowed(tx, Action.PUBLISH_JURY, challenge_id, actor_id, now)
        found = await _settings(tx, challenge_id, now)
        if found.published_at is not None:
            raise AlreadyDone()
        if not await _scored(tx, challenge_id):
            raise Conflict(_("There are no scores to publish yet."))
        found.published_at = now
        audit.record(
            tx, actor_id=actor_id, action="jury.publish", subject_type="challenge",
            subject_id=challenge_id, challenge_id=challenge_id, at=now,
        )  # fmt: skip
    return found


async def announce_review(database: Database, now: datetime) -> int:
    """Tell the jurors of every challenge now in review, who have not been told yet, that
    scoring is open (the worker runs this: a phase begins by the clock, with no request).
    Returns how many jurors were told."""
    async with database.session() as session:
        waiting = list(
            await session.scalars(
                select(Juror.challenge_id)
                .where(Juror.user_id.is_not(None), Juror.review_told_at.is_(None))
                .distinct()
            )
        )
        told = 0
        for challenge_id in waiting:
            told += await tell_jurors_review_opened(session, challenge_id=challenge_id, now=now)
    return told
