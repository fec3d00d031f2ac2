"""Telling people: notifications, follows, read marks and e-mail choices.

``notify`` runs inside the transaction of the event it tells of, so a
notification (and its e-mail in the outbox) exists exactly when the event does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User, UserStatus
from ideas.challenges.models import Challenge
from ideas.db import Database, write
from ideas.errors import NotFound
from ideas.i18n import use_locale
from ideas.live import events as live
from ideas.notifications.models import (
    ChallengeFollow,
    EmailFrequency,
    IdeaFollow,
    Notification,
    OutboxMail,
)
from ideas.notifications.queries import Item, display_name, link_path
from ideas.submissions.models import Idea

# Each kind names an event; the sentence for each is in templates/notifications/_sentence.html.
KINDS = (
    "idea.built_on",
    "idea.commented",
    "comment.replied",
    "idea.shortlisted",
    "idea.won",
    "idea.votes",
    "team.request",
    "team.invitation",
    "team.answer",
    "challenge.phase",
    "moderation.kept_hidden",
    "moderation.restored",
    "host.invitation",
    "jury.invitation",
    "jury.review",
    "jury.all_scored",
    "impact.update",
    "impact.check_in",
    "impact.follow_up",
    "pledge.met",
    "cluster.request",
    "cluster.answer",
    "idea.clustered",
)


async def notify(
    tx: AsyncSession,
    *,
    user_ids: Iterable[int | None],
    kind: str,
    actor_id: int | None,
    challenge_id: int | None = None,
    idea_id: int | None = None,
    data: dict[str, Any] | None = None,
    now: datetime,
) -> list[Notification]:
    """Tell each of ``user_ids`` (once, never the actor, only active people) about an event.

    Adds the notifications to the caller's transaction and, where SMTP is
    configured, an e-mail to the outbox for each recipient who wants one per
    notification. Returns the notifications added.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    wanted = sorted({uid for uid in user_ids if uid is not None and uid != actor_id})
    if not wanted:
        return []
    people = (
        await tx.execute(
            select(User.id, User.email, User.email_frequency, User.locale).where(
                User.id.in_(wanted), User.status == UserStatus.ACTIVE
            )
        )
    ).all()
    if not people:
        return []
    payload = dict(data or {})
    added = [
        Notification(
            user_id=person.id,
            kind=kind,
            actor_id=actor_id,
            challenge_id=challenge_id,
            idea_id=idea_id,
            data=payload,
            created_at=now,
        )
        for person in people
    ]
    tx.add_all(added)
    live.notified(tx, (person.id for person in people))
    database: Database = tx.info["database"]
    setup = database.mail
    mailed = [
        person
        for person in people
        if setup is not None and person.email and person.email_frequency == EmailFrequency.EACH
    ]
    if setup is None or not mailed:
        return added
    await tx.flush()
    context = await _mail_context(tx, actor_id=actor_id, challenge_id=challenge_id, idea_id=idea_id)
    by_user = {notification.user_id: notification for notification in added}
    for person in mailed:
        notification = by_user[person.id]
        item = Item(
            id=notification.id,
            kind=kind,
            data=payload,
            created_at=now,
            read_at=None,
            idea_id=idea_id,
            challenge_id=challenge_id,
            **context,
        )
        unsubscribe = setup.unsubscribe_url(person.id)
        with use_locale(setup.locale_of(person)):
            mail = setup.render(
                "notification.txt",
                item=item,
                link=setup.origin + link_path(setup.path_for, item),
                settings_url=setup.url_for("settings"),
                unsubscribe_url=unsubscribe,
            )
        tx.add(
            OutboxMail(
                key=f"n:{notification.id}",
                user_id=person.id,
                to_address=person.email,
                subject=mail.subject,
                body_text=mail.section,
                footer_text=mail.footer,
                message_id=setup.message_id(),
                unsubscribe_url=unsubscribe,
                created_at=now,
                send_after=now,
            )
        )
    return added


async def _mail_context(
    tx: AsyncSession, *, actor_id: int | None, challenge_id: int | None, idea_id: int | None
) -> dict[str, str]:
    """Names and titles an e-mail mentions, as they are now."""
    actor = await tx.get(User, actor_id) if actor_id is not None else None
    idea = await tx.get(Idea, idea_id) if idea_id is not None else None
    challenge = await tx.get(Challenge, challenge_id) if challenge_id is not None else None
    return {
        "actor_name": display_name(
            actor.display_name if actor else None, actor.status if actor else None
        ),
        "idea_title": idea.title if idea is not None else "",
        "challenge_title": challenge.title if challenge is not None else "",
        "challenge_slug": challenge.slug if challenge is not None else "",
    }


# Follows ---------------------------------------------------------------------------


async def _insert_ignoring_duplicate(tx: AsyncSession, model: Any, values: dict[str, Any]) -> None:
    """Insert a follow unless it is there already (two clicks at once are one follow)."""
    dialect = tx.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    await tx.execute(insert(model).values(**values).on_conflict_do_nothing())


async def follow_in(tx: AsyncSession, *, user_id: int, idea_id: int, now: datetime) -> None:
    """Inside a transaction already open: ``user_id`` follows the idea."""
    await _insert_ignoring_duplicate(
        tx, IdeaFollow, {"user_id": user_id, "idea_id": idea_id, "created_at": now}
    )


async def set_challenge_follow(
    session: AsyncSession, *, user_id: int, challenge_id: int, following: bool, now: datetime
) -> None:
    """Follow (or stop following) a challenge: its phase changes are notified."""
    async with write(session) as tx:
        if following:
            if await tx.get(Challenge, challenge_id) is None:
                raise NotFound()
            await _insert_ignoring_duplicate(
                tx,
                ChallengeFollow,
                {"user_id": user_id, "challenge_id": challenge_id, "created_at": now},
            )
        else:
            await tx.execute(
                delete(ChallengeFollow).where(
                    ChallengeFollow.user_id == user_id,
                    ChallengeFollow.challenge_id == challenge_id,
                )
            )


async def set_idea_follow(
    session: AsyncSession, *, user_id: int, idea_id: int, following: bool, now: datetime
) -> None:
    """Follow (or stop following) an idea: its new comments are notified."""
    async with write(session) as tx:
        if following:
            if await tx.get(Idea, idea_id) is None:
                raise NotFound()
            await follow_in(tx, user_id=user_id, idea_id=idea_id, now=now)
        else:
            await tx.execute(
                delete(IdeaFollow).where(
                    IdeaFollow.user_id == user_id, IdeaFollow.idea_id == idea_id
                )
            )


# Reading ---------------------------------------------------------------------------


async def mark_read(
    session: AsyncSession, *, user_id: int, notification_id: int, now: datetime
) -> Notification:
    """Mark one of the person's notifications read; NotFound if it is not theirs."""
    async with write(session) as tx:
        notification = await tx.get(Notification, notification_id)
        if notification is None or notification.user_id != user_id:
            raise NotFound()
        if notification.read_at is None:
            notification.read_at = now
            live.notified(tx, [user_id])  # the person's other pages show the new count
    return notification


async def mark_all_read(
    session: AsyncSession, *, user_id: int, up_to_id: int | None, now: datetime
) -> None:
    """Mark read every unread notification of the person, up to the newest they were shown."""
    async with write(session) as tx:
        query = update(Notification).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
        if up_to_id is not None:
            query = query.where(Notification.id <= up_to_id)
        await tx.execute(query.values(read_at=now).execution_options(synchronize_session=False))
        live.notified(tx, [user_id])


# A deleted account ----------------------------------------------------------------


async def forget_person(tx: AsyncSession, user_id: int) -> None:
    """Inside the transaction that deletes an account: its notifications, follows and
    e-mail (sent or waiting, which hold its address) go."""
    await tx.execute(delete(Notification).where(Notification.user_id == user_id))
    await tx.execute(delete(ChallengeFollow).where(ChallengeFollow.user_id == user_id))
    await tx.execute(delete(IdeaFollow).where(IdeaFollow.user_id == user_id))
    await tx.execute(delete(OutboxMail).where(OutboxMail.user_id == user_id))


# E-mail choices --------------------------------------------------------------------


async def set_email_frequency(
    session: AsyncSession, *, user_id: int, frequency: EmailFrequency, now: datetime
) -> None:
    """How notifications reach the person by e-mail: never, each one, or a daily digest."""
    async with write(session) as tx:
        person = await tx.get(User, user_id, with_for_update=True)
        if person is None:
            raise NotFound()
        if frequency is EmailFrequency.DAILY and person.email_frequency != EmailFrequency.DAILY:
            # The first digest tells of what comes from now on, not of every old notification.
            person.last_digest_at = now
        person.email_frequency = frequency.value
