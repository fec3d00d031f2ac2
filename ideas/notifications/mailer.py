"""Sending the outbox over SMTP, and queueing daily digests.

A mail is sent at most once however many workers run: a worker first claims
due rows in a transaction of its own (PostgreSQL: ``FOR UPDATE SKIP LOCKED``,
so two workers take different rows; SQLite: one ``UPDATE … RETURNING``, which
holds the single write lock), commits the claim, then sends. A claim lasts
``CLAIM`` minutes; a worker stops taking from its batch well before then, so
no claim runs out while its mail may still be going out. A failed mail waits
1, 2, 4, … minutes (at most an hour) before its next try, and after
``MAX_ATTEMPTS`` it is given up.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

import aiosmtplib
from sqlalchemy import exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User, UserStatus
from ideas.db import Database, write
from ideas.notifications import mail, queries
from ideas.notifications.models import (
    EmailFrequency,
    Notification,
    OutboxMail,
    OutboxStatus,
)
from ideas.settings import Settings, SMTPSecurity

logger = logging.getLogger(__name__)

CLAIM = timedelta(minutes=5)
BATCH = 50
BATCHES_PER_PASS = 10
MAX_ATTEMPTS = 8
SMTP_TIMEOUT = 30.0
# Stop sending from a batch when less than this is left of its claim.
CLAIM_MARGIN = timedelta(seconds=3 * SMTP_TIMEOUT)
DIGEST_HOUR = 8  # local time (IDEAS_TIMEZONE) from which the day's digests go out
DIGEST_ITEMS = 50


def back_off(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 1, 2, 4, … minutes, at most 1 hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


@dataclass(frozen=True)
class Claimed:
    id: int
    to_address: str
    subject: str
    body_text: str
    unsubscribe_url: str
    attempts: int


@dataclass
class Report:
    sent: int = 0
    failed: int = 0
    given_up: int = 0


def _due(now: datetime) -> Any:
    return (
        (OutboxMail.status == OutboxStatus.PENDING)
        & (OutboxMail.send_after <= now)
        & (or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until <= now))
    )


CLAIMED_COLUMNS = (
    OutboxMail.id,
    OutboxMail.to_address,
    OutboxMail.subject,
    OutboxMail.body_text,
    OutboxMail.unsubscribe_url,
    OutboxMail.attempts,
)


async def claim(database: Database, now: datetime, limit: int = BATCH) -> list[Claimed]:
    """Take up to ``limit`` due mails for this worker until ``now + CLAIM``; committed on return."""
    async with database.session() as session, write(session) as tx:
        oldest_first = (OutboxMail.send_after, OutboxMail.id)
        if database.dialect_name == "postgresql":
            ids = list(
                await tx.scalars(
                    select(OutboxMail.id)
                    .where(_due(now))
                    .order_by(*oldest_first)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                return []
            condition: Any = OutboxMail.id.in_(ids)
        else:
            condition = OutboxMail.id.in_(
                select(OutboxMail.id).where(_due(now)).order_by(*oldest_first).limit(limit)
            )
        rows = (
            await tx.execute(
                update(OutboxMail)
                .where(condition)
                .values(claimed_until=now + CLAIM)
                .returning(*CLAIMED_COLUMNS)
                .execution_options(synchronize_session=False)
            )
        ).all()
    return sorted((Claimed(*row) for row in rows), key=lambda claimed: claimed.id)


def _message(settings: Settings, claimed: Claimed, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = claimed.to_address
    message["Subject"] = claimed.subject
    message["Date"] = format_datetime(now)
    domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    if claimed.unsubscribe_url:
        # RFC 8058: mail programs offer one-click unsubscribe, which POSTs to this URL.
        message["List-Unsubscribe"] = f"<{claimed.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(claimed.body_text)
    return message


def _client(settings: Settings) -> aiosmtplib.SMTP:
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=password or None,
        use_tls=settings.smtp_security is SMTPSecurity.TLS,
        start_tls=settings.smtp_security is SMTPSecurity.STARTTLS,
        timeout=SMTP_TIMEOUT,
    )


async def _mark_sent(database: Database, mail_id: int, now: datetime) -> None:
    async with database.session() as session, write(session) as tx:
        await tx.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail_id, OutboxMail.status == OutboxStatus.PENDING)
            .values(
                status=OutboxStatus.SENT,
                sent_at=now,
                claimed_until=None,
                attempts=OutboxMail.attempts + 1,
                last_error="",
            )
            .execution_options(synchronize_session=False)
        )


async def _mark_failed(
    database: Database, claimed: Sequence[Claimed], error: BaseException, now: datetime
) -> int:
    """Record a failed try of each mail; returns how many were given up for good."""
    text = f"{type(error).__name__}: {error}"[:500]
    given_up = 0
    async with database.session() as session, write(session) as tx:
        for one in claimed:
            attempts = one.attempts + 1
            last_try = attempts >= MAX_ATTEMPTS
            given_up += last_try
            await tx.execute(
                update(OutboxMail)
                .where(OutboxMail.id == one.id, OutboxMail.status == OutboxStatus.PENDING)
                .values(
                    attempts=attempts,
                    last_error=text,
                    claimed_until=None,
                    send_after=now + back_off(attempts),
                    status=OutboxStatus.FAILED if last_try else OutboxStatus.PENDING,
                )
                .execution_options(synchronize_session=False)
            )
    return given_up


async def _release(database: Database, claimed: Sequence[Claimed]) -> None:
    """Hand back mails this worker had no time left to send; the next pass takes them."""
    async with database.session() as session, write(session) as tx:
        await tx.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_([one.id for one in claimed]))
            .values(claimed_until=None)
            .execution_options(synchronize_session=False)
        )


async def _send_batch(
    database: Database, settings: Settings, batch: list[Claimed], now: datetime, report: Report
) -> bool:
    """Send one claimed batch; False if the pass should stop (the claim ran short)."""
    started = time.monotonic()
    budget = (CLAIM - CLAIM_MARGIN).total_seconds()
    try:
        async with _client(settings) as smtp:
            for position, one in enumerate(batch):
                if time.monotonic() - started > budget:
                    await _release(database, batch[position:])
                    return False
                try:
                    await smtp.send_message(_message(settings, one, now))
                except (
                    aiosmtplib.SMTPResponseException,
                    aiosmtplib.SMTPRecipientsRefused,
                ) as error:
                    # The server refused this one mail; the connection is still good.
                    logger.warning("Mail %s refused: %s", one.id, error)
                    report.failed += 1
                    report.given_up += await _mark_failed(database, [one], error, now)
                    continue
                await _mark_sent(database, one.id, now)
                report.sent += 1
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
        unsent = await _unsent(database, batch)
        if unsent:
            logger.warning("Sending %d mails failed: %s", len(unsent), error)
            report.failed += len(unsent)
            report.given_up += await _mark_failed(database, unsent, error, now)
    return True


async def _unsent(database: Database, batch: Sequence[Claimed]) -> list[Claimed]:
    """The mails of ``batch`` still pending (a connection can break after some went out)."""
    async with database.session() as session:
        pending = set(
            await session.scalars(
                select(OutboxMail.id).where(
                    OutboxMail.id.in_([one.id for one in batch]),
                    OutboxMail.status == OutboxStatus.PENDING,
                )
            )
        )
    return [one for one in batch if one.id in pending]


async def send_due(database: Database, settings: Settings, now: datetime) -> Report:
    """Send the mails that are due. Safe to run in any number of processes at once."""
    report = Report()
    if not settings.smtp_configured:
        return report
    for _ in range(BATCHES_PER_PASS):
        batch = await claim(database, now)
        if not batch:
            break
        if not await _send_batch(database, settings, batch, now, report) or len(batch) < BATCH:
            break
    return report


# Daily digests ----------------------------------------------------------------------


def digest_cutoff(settings: Settings, now: datetime) -> datetime:
    """When today's digests go out: ``DIGEST_HOUR`` o'clock in the site's time zone."""
    local = now.astimezone(settings.zone)
    return datetime.combine(local.date(), clock_time(DIGEST_HOUR), tzinfo=settings.zone)


async def queue_digests(database: Database, settings: Settings, now: datetime) -> int:
    """Queue today's digest for each person who chose one and has unread notifications
    since their last; each is keyed by person and date, so it is never queued twice."""
    setup = database.mail
    if setup is None or not settings.smtp_configured:
        return 0
    cutoff = digest_cutoff(settings, now)
    if now < cutoff:
        return 0
    async with database.session() as session:
        people = list(
            await session.scalars(
                select(User.id).where(
                    User.email_frequency == EmailFrequency.DAILY,
                    User.status == UserStatus.ACTIVE,
                    User.email.is_not(None),
                    User.email != "",
                    or_(User.last_digest_at.is_(None), User.last_digest_at < cutoff),
                    exists().where(
                        Notification.user_id == User.id,
                        Notification.read_at.is_(None),
                        Notification.created_at <= now,
                        or_(
                            User.last_digest_at.is_(None),
                            Notification.created_at > User.last_digest_at,
                        ),
                    ),
                )
            )
        )
        queued = 0
        for user_id in people:
            async with write(session) as tx:
                queued += await _queue_digest(tx, setup, settings, user_id, now, cutoff)
    return queued


async def _queue_digest(
    tx: AsyncSession,
    setup: mail.MailSetup,
    settings: Settings,
    user_id: int,
    now: datetime,
    cutoff: datetime,
) -> int:
    # Locked and looked at again: another worker may have queued it meanwhile.
    person = await tx.get(User, user_id, with_for_update=True, populate_existing=True)
    if (
        person is None
        or person.email_frequency != EmailFrequency.DAILY
        or not person.email
        or (person.last_digest_at is not None and person.last_digest_at >= cutoff)
    ):
        return 0
    items, total = await queries.digest_items(
        tx, user_id, since=person.last_digest_at, until=now, size=DIGEST_ITEMS
    )
    if not items:
        return 0
    unsubscribe = setup.unsubscribe_url(user_id)
    subject, body = setup.render(
        "digest.txt",
        name=person.display_name,
        entries=[(item, setup.origin + queries.link_path(setup.path_for, item)) for item in items],
        total=total,
        notifications_url=setup.url_for("notifications"),
        settings_url=setup.url_for("settings"),
        unsubscribe_url=unsubscribe,
    )
    day = now.astimezone(settings.zone).date().isoformat()
    values = {
        "key": f"digest:{user_id}:{day}",
        "user_id": user_id,
        "to_address": person.email,
        "subject": subject,
        "body_text": body,
        "unsubscribe_url": unsubscribe,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "last_error": "",
        "created_at": now,
        "send_after": now,
    }
    insert = postgresql_insert if tx.get_bind().dialect.name == "postgresql" else sqlite_insert
    added = await tx.execute(
        insert(OutboxMail).values(**values).on_conflict_do_nothing().returning(OutboxMail.id)
    )
    person.last_digest_at = now
    return 1 if added.first() is not None else 0
