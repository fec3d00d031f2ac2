"""Sending the outbox over SMTP, and queueing daily digests.

A mail is sent at most once however many workers run. A worker leases the due
mail of up to ``BATCH`` people in a transaction of its own (PostgreSQL:
``FOR UPDATE SKIP LOCKED``, so two workers take different rows; SQLite: one
write transaction, under the single write lock), commits the lease, then
sends. The lease is short (``LEASE``) and renewed while the worker sends, so
the mail of a worker that died goes out soon after; a worker that could not
renew its lease stops before it runs out. An e-mail is recorded sent as soon
as the server accepts it, before anything else is done.

What one pass sends one person goes as one e-mail, a section per event; one
event alone goes as it was queued. Every e-mail keeps the Message-ID made when
it was queued (a grouped one, the Message-ID its mails were given when they
were leased together), so a resend is the same message to mail programs. A
failed e-mail waits 1, 2, 4, … minutes (at most an hour) before its next try,
its mails together, and after ``MAX_ATTEMPTS`` it is given up.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.policy
import logging
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock_time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

import aiosmtplib
from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User, UserStatus
from ideas.db import Database, write
from ideas.i18n import DEFAULT_LOCALE, known, use_locale
from ideas.notifications import mail, queries
from ideas.notifications.models import (
    EmailFrequency,
    Notification,
    OutboxMail,
    OutboxStatus,
)
from ideas.settings import Settings, SMTPSecurity

logger = logging.getLogger(__name__)

# A worker that dies holding mail leaves it to another after this long.
LEASE = timedelta(seconds=60)
BATCH = 50  # people whose mail one lease takes
BATCHES_PER_PASS = 10
GROUP_MAX = 50  # sections in one e-mail
MAX_ATTEMPTS = 8
SMTP_TIMEOUT = 30.0
RECORD_TRIES = 3
DIGEST_HOUR = 8  # local time (IDEAS_TIMEZONE) from which the day's digests go out
DIGEST_ITEMS = 50
# Headers as they are written: a List-Unsubscribe URL longer than a line must stay one
# plain token (RFC 8058), not be folded into encoded words that mail programs ignore.
# 998 is the longest line RFC 5322 allows; bodies go as 7-bit (quoted-printable).
POLICY = email.policy.SMTP.clone(max_line_length=998, cte_type="7bit")
ERRORS_OF_THE_DATABASE = (SQLAlchemyError, OSError)
ERRORS_OF_THE_CONNECTION = (aiosmtplib.SMTPException, OSError, TimeoutError)


def back_off(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 1, 2, 4, … minutes, at most 1 hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


@dataclass(frozen=True)
class Queued:
    """One mail of the outbox, as leased."""

    id: int
    to_address: str
    subject: str
    body_text: str
    footer_text: str
    unsubscribe_url: str
    message_id: str
    attempts: int
    locale: str | None = None  # the recipient's language, for the words that group mails


QUEUED_COLUMNS = (
    OutboxMail.id,
    OutboxMail.to_address,
    OutboxMail.subject,
    OutboxMail.body_text,
    OutboxMail.footer_text,
    OutboxMail.unsubscribe_url,
    OutboxMail.message_id,
    OutboxMail.attempts,
    User.locale,
)


@dataclass(frozen=True)
class Outgoing:
    """One e-mail: one mail as queued, or several to one person, a section each."""

    mails: tuple[Queued, ...]
    message_id: str

    @property
    def ids(self) -> list[int]:
        return [one.id for one in self.mails]

    @property
    def to_address(self) -> str:
        return self.mails[0].to_address

    @property
    def unsubscribe_url(self) -> str:
        return self.mails[-1].unsubscribe_url

    @property
    def attempts(self) -> int:
        return max(one.attempts for one in self.mails)

    def text(self, default_locale: str = DEFAULT_LOCALE) -> tuple[str, str]:
        """Its subject and body; several mails are grouped in the recipient's language."""
        if len(self.mails) == 1:
            [one] = self.mails
            return one.subject, mail.body([one.body_text], one.footer_text)
        with use_locale(known(self.mails[-1].locale) or default_locale):
            return mail.render_grouped(
                [one.body_text for one in self.mails], self.mails[-1].footer_text
            )


@dataclass(frozen=True)
class Lease:
    """What one worker took to send, until it renews the lease or gives the mail back."""

    token: str
    outgoing: list[Outgoing]
    people: int


@dataclass
class Report:
    sent: int = 0  # e-mails the server accepted
    failed: int = 0
    given_up: int = 0


def _due(now: datetime) -> Any:
    return (
        (OutboxMail.status == OutboxStatus.PENDING)
        & (OutboxMail.send_after <= now)
        & (or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until <= now))
    )


def _domain(message_id: str) -> str | None:
    return message_id.strip("<>").rpartition("@")[2] or None


def _compose(mails: Sequence[Queued]) -> tuple[list[Outgoing], dict[str, list[int]]]:
    """The e-mails that carry ``mails`` (in order of id), and the new Message-IDs of those
    that group several mails not sent together before. Mails that share a Message-ID
    (an e-mail that failed) go together again, as the same message."""
    by_person: dict[str, list[Queued]] = defaultdict(list)
    for one in mails:
        by_person[one.to_address].append(one)
    outgoing: list[Outgoing] = []
    named: dict[str, list[int]] = {}
    for theirs in by_person.values():
        shared = Counter(one.message_id for one in theirs)
        again: dict[str, list[Queued]] = defaultdict(list)
        fresh: list[Queued] = []
        for one in theirs:
            (again[one.message_id] if shared[one.message_id] > 1 else fresh).append(one)
        outgoing += [Outgoing(tuple(together), mid) for mid, together in again.items()]
        for start in range(0, len(fresh), GROUP_MAX):
            chunk = fresh[start : start + GROUP_MAX]
            if len(chunk) == 1:
                outgoing.append(Outgoing((chunk[0],), chunk[0].message_id))
                continue
            message_id = make_msgid(domain=_domain(chunk[0].message_id))
            named[message_id] = [one.id for one in chunk]
            outgoing.append(Outgoing(tuple(chunk), message_id))
    return outgoing, named


async def claim(database: Database, now: datetime, limit: int = BATCH) -> Lease:
    """Lease the due mail of up to ``limit`` people until ``now + LEASE``; committed on
    return. The oldest waiting are taken first; each person's due mail all at once."""
    token = secrets.token_hex(16)
    async with database.session() as session, write(session) as tx:
        people = list(
            await tx.scalars(
                select(OutboxMail.to_address)
                .where(_due(now))
                .group_by(OutboxMail.to_address)
                .order_by(func.min(OutboxMail.send_after), func.min(OutboxMail.id))
                .limit(limit)
            )
        )
        if not people:
            return Lease(token, [], 0)
        query = (
            select(*QUEUED_COLUMNS)
            .outerjoin(User, User.id == OutboxMail.user_id)
            .where(_due(now), OutboxMail.to_address.in_(people))
            .order_by(OutboxMail.id)
        )
        if database.dialect_name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=OutboxMail)
        leased = [Queued(*row) for row in await tx.execute(query)]
        if not leased:
            return Lease(token, [], len(people))
        await tx.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_([one.id for one in leased]))
            .values(claimed_until=now + LEASE, claim_token=token)
            .execution_options(synchronize_session=False)
        )
        outgoing, named = _compose(leased)
        for message_id, ids in named.items():
            await tx.execute(
                update(OutboxMail)
                .where(OutboxMail.id.in_(ids))
                .values(message_id=message_id)
                .execution_options(synchronize_session=False)
            )
    return Lease(token, outgoing, len(people))


def _message(settings: Settings, outgoing: Outgoing, now: datetime) -> EmailMessage:
    subject, text = outgoing.text(settings.default_locale)
    message = EmailMessage(policy=POLICY)
    message["From"] = settings.smtp_from
    message["To"] = outgoing.to_address
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = outgoing.message_id
    message["Auto-Submitted"] = "auto-generated"
    if outgoing.unsubscribe_url:
        # RFC 8058: mail programs offer one-click unsubscribe, which POSTs to this URL.
        message["List-Unsubscribe"] = f"<{outgoing.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
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


async def _record_sent(database: Database, outgoing: Outgoing, at: datetime) -> bool:
    """Record an e-mail the server accepted; tried again a few times if the database
    does not answer, since a mail not recorded would go out again when the lease ends."""
    for attempt in range(RECORD_TRIES):
        try:
            async with database.session() as session, write(session) as tx:
                await tx.execute(
                    update(OutboxMail)
                    .where(
                        OutboxMail.id.in_(outgoing.ids),
                        OutboxMail.status == OutboxStatus.PENDING,
                    )
                    .values(
                        status=OutboxStatus.SENT,
                        sent_at=at,
                        claimed_until=None,
                        claim_token=None,
                        attempts=OutboxMail.attempts + 1,
                        last_error="",
                        message_id=outgoing.message_id,
                    )
                    .execution_options(synchronize_session=False)
                )
            return True
        except ERRORS_OF_THE_DATABASE:
            logger.exception("Could not record mail %s as sent", outgoing.ids)
            await asyncio.sleep(0.5 * 2**attempt)
    return False


async def _record_failed(
    database: Database, failed: Sequence[Outgoing], error: BaseException, now: datetime
) -> int:
    """Record a failed try of each e-mail, its mails together; how many were given up."""
    text = f"{type(error).__name__}: {error}"[:500]
    given_up = 0
    async with database.session() as session, write(session) as tx:
        for outgoing in failed:
            attempts = outgoing.attempts + 1
            last_try = attempts >= MAX_ATTEMPTS
            given_up += last_try
            await tx.execute(
                update(OutboxMail)
                .where(OutboxMail.id.in_(outgoing.ids), OutboxMail.status == OutboxStatus.PENDING)
                .values(
                    attempts=attempts,
                    last_error=text,
                    claimed_until=None,
                    claim_token=None,
                    send_after=now + back_off(attempts),
                    status=OutboxStatus.FAILED if last_try else OutboxStatus.PENDING,
                    message_id=outgoing.message_id,
                )
                .execution_options(synchronize_session=False)
            )
    return given_up


async def _release(database: Database, token: str, unsent: Sequence[Outgoing]) -> None:
    """Give back leased mail this worker will not send; the next pass takes it."""
    ids = [i for outgoing in unsent for i in outgoing.ids]
    if not ids:
        return
    async with database.session() as session, write(session) as tx:
        await tx.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_(ids), OutboxMail.claim_token == token)
            .values(claimed_until=None, claim_token=None)
            .execution_options(synchronize_session=False)
        )


@dataclass
class _Keeper:
    """Renews a lease every quarter of ``LEASE`` while its mail goes out, and says
    whether enough of it is left to start sending another e-mail."""

    database: Database
    token: str
    clock: Callable[[], datetime]
    renewed: float = field(default_factory=time.monotonic)
    lost: set[int] = field(default_factory=set)

    async def run(self, ids: set[int]) -> None:
        while True:
            await asyncio.sleep(LEASE.total_seconds() / 4)
            try:
                async with self.database.session() as session, write(session) as tx:
                    kept = set(
                        await tx.scalars(
                            update(OutboxMail)
                            .where(
                                OutboxMail.claim_token == self.token,
                                OutboxMail.status == OutboxStatus.PENDING,
                            )
                            .values(claimed_until=self.clock() + LEASE)
                            .returning(OutboxMail.id)
                            .execution_options(synchronize_session=False)
                        )
                    )
            except ERRORS_OF_THE_DATABASE:
                logger.warning("Could not renew the lease of mail being sent", exc_info=True)
                continue
            self.renewed = time.monotonic()
            self.lost |= ids - kept

    def may_send(self, outgoing: Outgoing) -> bool:
        """Half the lease left since it was last renewed, and its mails still this worker's."""
        left = LEASE.total_seconds() - (time.monotonic() - self.renewed)
        return left > LEASE.total_seconds() / 2 and not self.lost & set(outgoing.ids)


async def _send_lease(
    database: Database,
    settings: Settings,
    lease: Lease,
    clock: Callable[[], datetime],
    now: datetime,
    report: Report,
) -> bool:
    """Send the leased e-mails; False when the pass should stop."""
    keeper = _Keeper(database, lease.token, clock)
    sending = {i for outgoing in lease.outgoing for i in outgoing.ids}
    renewing = asyncio.create_task(keeper.run(sending), name="mail lease")
    unsent = list(lease.outgoing)
    sender = parseaddr(settings.smtp_from)[1]
    smtp = _client(settings)
    try:
        try:
            await smtp.connect()
        except ERRORS_OF_THE_CONNECTION as error:
            logger.warning("Sending %d e-mails failed: %s", len(unsent), error)
            report.failed += len(unsent)
            report.given_up += await _record_failed(database, unsent, error, now)
            return True
        while unsent:
            outgoing = unsent[0]
            if not keeper.may_send(outgoing):
                await _release(database, lease.token, unsent)
                return False
            message = _message(settings, outgoing, clock()).as_bytes(policy=POLICY)
            try:
                await smtp.sendmail(sender, [outgoing.to_address], message)
            except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused) as error:
                # The server refused this one e-mail; the connection is still good.
                unsent.pop(0)
                logger.warning("Mail %s refused: %s", outgoing.ids, error)
                report.failed += 1
                report.given_up += await _record_failed(database, [outgoing], error, now)
                continue
            except ERRORS_OF_THE_CONNECTION as error:
                # The connection broke; the e-mail being sent may have arrived. It goes
                # again with its Message-ID, by which mail programs know it.
                logger.warning("Sending %d e-mails failed: %s", len(unsent), error)
                report.failed += len(unsent)
                report.given_up += await _record_failed(database, unsent, error, now)
                return True
            unsent.pop(0)
            if not await _record_sent(database, outgoing, clock()):
                return False
            report.sent += 1
            sending -= set(outgoing.ids)
        return True
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
        if smtp.is_connected:
            with contextlib.suppress(*ERRORS_OF_THE_CONNECTION):
                await smtp.quit()


async def send_due(database: Database, settings: Settings, now: datetime) -> Report:
    """Send the mail that is due. Safe to run in any number of processes at once."""
    report = Report()
    if not settings.smtp_configured:
        return report
    started = time.monotonic()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    for _ in range(BATCHES_PER_PASS):
        lease = await claim(database, clock())
        if not lease.outgoing:
            break
        if not await _send_lease(database, settings, lease, clock, now, report):
            break
        if lease.people < BATCH:
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
    with use_locale(setup.locale_of(person)):
        digest = setup.render(
            "digest.txt",
            name=person.display_name,
            entries=[
                (item, setup.origin + queries.link_path(setup.path_for, item)) for item in items
            ],
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
        "subject": digest.subject,
        "body_text": digest.section,
        "footer_text": digest.footer,
        "message_id": setup.message_id(),
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
