"""Notifications by e-mail, sent to a real SMTP server: each one, daily digests, none;
one-click unsubscribe; retries with back-off; every mail sent exactly once."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.accounts.services import create_user
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.phases import Phase
from ideas.challenges.services import create_challenge
from ideas.db import Database, utcnow
from ideas.notifications import mail, mailer
from ideas.notifications.models import EmailFrequency, OutboxMail, OutboxStatus
from ideas.notifications.services import set_email_frequency
from ideas.settings import Settings
from ideas.submissions.forms import IdeaInput
from ideas.submissions.lineage import LinkInput
from ideas.submissions.services import post_idea
from tests.factories.accounts import Person
from tests.factories.challenges import schedule_for
from tests.factories.notifications import BASE_URL, Inbox, mail_setup, outbox
from tests.html import Page


async def build_on(
    session: AsyncSession, challenge_id: int, author_id: int, *parent_ids: int
) -> Any:
    return await post_idea(
        session,
        challenge_id=challenge_id,
        author_id=author_id,
        data=IdeaInput(
            title="Compost, but shared",
            summary="A shared compost bin.",
            body="",
            builds_on=tuple(LinkInput(parent_id=p, note="") for p in parent_ids),
        ),
        now=utcnow(),
    )


async def fresh(session: AsyncSession, user: User) -> User:
    await session.commit()
    found = await session.get(User, user.id, populate_existing=True)
    assert found is not None
    return found


@pytest.fixture
async def built_on(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> Any:
    """Amara's idea, and a function that has Bruno build on it."""
    challenge = await make_challenge(await make_user(host=True))
    amara, bruno = await make_user("Amara Obi"), await make_user("Bruno Diaz")
    idea = await make_idea(challenge, amara, title="Compost club")

    async def build() -> Any:
        return await build_on(session, challenge.id, bruno.id, idea.id)

    return amara, bruno, build


# Each notification -----------------------------------------------------------------------


async def test_each_notification_is_mailed_with_a_working_one_click_unsubscribe(
    session: AsyncSession,
    database: Database,
    settings: Settings,
    inbox: Inbox,
    built_on: Any,
    visitor: Person,
) -> None:
    amara, _, build = built_on
    child = await build()
    [queued] = await outbox(session)
    assert queued.key.startswith("n:")
    assert queued.status is OutboxStatus.PENDING

    report = await mailer.send_due(database, settings, utcnow())

    assert (report.sent, report.failed) == (1, 0)
    [message] = inbox.messages
    assert message["To"] == amara.email
    assert message["From"] == "Ideas <ideas@example.org>"
    assert (
        message["Subject"] == "Bruno Diaz built on your idea “Compost club”: “Compost, but shared”"
    )
    body = message.get_content().replace("\r\n", "\n")
    assert "Bruno Diaz built on your idea “Compost club”: “Compost, but shared”." in body
    assert f"{BASE_URL}/ideas/{child.id}\n" in body
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert unsubscribe in body
    assert unsubscribe.startswith(f"{BASE_URL}/unsubscribe/")
    [sent] = await outbox(session)
    assert (sent.status, sent.attempts) == (OutboxStatus.SENT, 1)
    assert sent.sent_at is not None

    # The link asks first (a link checker must not unsubscribe anyone) ...
    path = urlsplit(unsubscribe).path
    page = Page(await visitor.get(path))
    assert page.one("main form button").text_content().strip() == "Stop all e-mail"
    assert (await fresh(session, amara)).email_frequency == EmailFrequency.EACH
    # ... and a mail program's one-click POST (RFC 8058) has no session and no CSRF token.
    response = await visitor.client.post(
        path,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert (await fresh(session, amara)).email_frequency == EmailFrequency.NONE


async def test_the_confirm_button_of_the_unsubscribe_page_works_too(
    session: AsyncSession, settings: Settings, make_user: Any, visitor: Person
) -> None:
    amara = await make_user()
    path = f"/unsubscribe/{mail.unsubscribe_token(settings.effective_secret_key, amara.id)}"
    form = Page(await visitor.get(path)).one("main form")
    response = await visitor.client.post(form.get("action"))
    assert response.status_code == 200
    assert "no more e-mail" in Page(response).text("main .notice")
    assert (await fresh(session, amara)).email_frequency == EmailFrequency.NONE


@pytest.mark.parametrize(
    "token",
    ["{id}.forged", "{other}.{signature}", "{id}.", "nonsense", "{id}{signature}"],
)
async def test_a_forged_unsubscribe_token_changes_nothing(
    session: AsyncSession, settings: Settings, make_user: Any, visitor: Person, token: str
) -> None:
    amara, other = await make_user(), await make_user()
    signature = mail.unsubscribe_token(settings.effective_secret_key, amara.id).partition(".")[2]
    path = "/unsubscribe/" + token.format(id=amara.id, other=other.id, signature=signature)

    assert (await visitor.get(path)).status_code == 404
    response = await visitor.client.post(path, content=b"List-Unsubscribe=One-Click")
    assert response.status_code == 404
    assert (await fresh(session, amara)).email_frequency == EmailFrequency.EACH
    assert (await fresh(session, other)).email_frequency == EmailFrequency.EACH


async def test_a_token_signed_with_another_secret_is_refused(
    session: AsyncSession, make_user: Any, visitor: Person
) -> None:
    amara = await make_user()
    path = f"/unsubscribe/{mail.unsubscribe_token('another secret', amara.id)}"
    assert (await visitor.client.post(path)).status_code == 404
    assert (await fresh(session, amara)).email_frequency == EmailFrequency.EACH


# Who gets no e-mail -----------------------------------------------------------------------


async def test_someone_who_chose_no_email_gets_none(
    session: AsyncSession, built_on: Any, make_user: Any
) -> None:
    amara, _, build = built_on
    await set_email_frequency(
        session, user_id=amara.id, frequency=EmailFrequency.NONE, now=utcnow()
    )
    await build()
    assert await outbox(session) == []


async def test_someone_without_an_email_address_gets_none(
    session: AsyncSession, built_on: Any
) -> None:
    amara, _, build = built_on
    await session.execute(update(User).where(User.id == amara.id).values(email=None))
    await session.commit()
    await build()
    assert await outbox(session) == []


async def test_nothing_is_queued_where_smtp_is_not_configured(
    session: AsyncSession, database: Database, built_on: Any
) -> None:
    database.mail = None
    _, _, build = built_on
    await build()
    assert await outbox(session) == []


# Daily digests ----------------------------------------------------------------------------


async def test_a_daily_reader_gets_one_digest_a_day_of_what_they_have_not_read(
    session: AsyncSession,
    database: Database,
    settings: Settings,
    inbox: Inbox,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    amara, bruno = await make_user("Amara"), await make_user("Bruno")
    first, second = (
        await make_idea(challenge, amara, title="One"),
        await make_idea(challenge, amara, title="Two"),
    )
    await set_email_frequency(
        session, user_id=amara.id, frequency=EmailFrequency.DAILY, now=utcnow()
    )
    await build_on(session, challenge.id, bruno.id, first.id)
    await build_on(session, challenge.id, bruno.id, second.id)
    assert await outbox(session) == []  # nothing one by one

    tomorrow = utcnow().astimezone(UTC).date() + timedelta(days=1)
    early = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 7, tzinfo=UTC)
    morning = early + timedelta(hours=2)
    assert await mailer.queue_digests(database, settings, early) == 0  # before 8 o'clock
    assert await mailer.queue_digests(database, settings, morning) == 1
    assert await mailer.queue_digests(database, settings, morning + timedelta(hours=3)) == 0

    [digest] = await outbox(session)
    assert digest.key == f"digest:{amara.id}:{tomorrow.isoformat()}"
    assert (await mailer.send_due(database, settings, morning)).sent == 1
    [message] = inbox.messages
    assert message["Subject"] == "2 new notifications on Ideas"
    body = message.get_content().replace("\r\n", "\n")
    assert "Bruno built on your idea “One”: “Compost, but shared”" in body
    assert "Bruno built on your idea “Two”: “Compost, but shared”" in body
    assert message["List-Unsubscribe"] == f"<{digest.unsubscribe_url}>"

    # The next day brings no digest: nothing new since this one.
    assert await mailer.queue_digests(database, settings, morning + timedelta(days=1)) == 0


async def test_a_digest_leaves_out_what_was_read_on_the_site(
    session: AsyncSession,
    database: Database,
    settings: Settings,
    built_on: Any,
) -> None:
    amara, _, build = built_on
    await set_email_frequency(
        session, user_id=amara.id, frequency=EmailFrequency.DAILY, now=utcnow()
    )
    await build()
    from ideas.notifications.services import mark_all_read

    await mark_all_read(session, user_id=amara.id, up_to_id=None, now=utcnow())
    tomorrow = utcnow() + timedelta(days=1)
    morning = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, tzinfo=UTC)
    assert await mailer.queue_digests(database, settings, morning) == 0


# Failures, retries and exactly once -------------------------------------------------------


async def test_failed_mails_are_retried_after_a_back_off_and_each_arrives_once(
    session: AsyncSession,
    database: Database,
    settings: Settings,
    inbox: Inbox,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    authors = [await make_user() for _ in range(3)]
    ideas = [await make_idea(challenge, author) for author in authors]
    builder = await make_user()
    inbox.stop()
    for idea in ideas:  # three events, three mails
        await build_on(session, challenge.id, builder.id, idea.id)

    now = utcnow()
    failed = await mailer.send_due(database, settings, now)

    assert (failed.sent, failed.failed) == (0, 3)
    assert inbox.messages == []
    for row in await outbox(session):
        assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
        assert row.last_error
        assert row.send_after == now + timedelta(minutes=1)
        assert row.claimed_until is None

    inbox.start()
    assert (await mailer.send_due(database, settings, now + timedelta(seconds=30))).sent == 0
    later = now + timedelta(minutes=1, seconds=1)
    assert (await mailer.send_due(database, settings, later)).sent == 3
    assert (await mailer.send_due(database, settings, later)).sent == 0
    assert sorted(m["To"] for m in inbox.messages) == sorted(a.email for a in authors)
    assert {row.status for row in await outbox(session)} == {OutboxStatus.SENT}


async def test_a_refused_recipient_waits_for_a_retry_while_the_others_are_sent(
    session: AsyncSession,
    database: Database,
    settings: Settings,
    inbox: Inbox,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    refused, welcome = await make_user(), await make_user()
    inbox.refused.add(str(refused.email))
    builder = await make_user()
    for author in (refused, welcome):
        await build_on(session, challenge.id, builder.id, (await make_idea(challenge, author)).id)

    report = await mailer.send_due(database, settings, utcnow())

    assert (report.sent, report.failed) == (1, 1)
    assert [m["To"] for m in inbox.messages] == [welcome.email]
    by_address = {row.to_address: row for row in await outbox(session)}
    assert by_address[str(welcome.email)].status is OutboxStatus.SENT
    waiting = by_address[str(refused.email)]
    assert (waiting.status, waiting.attempts) == (OutboxStatus.PENDING, 1)
    assert "No such user" in waiting.last_error


def test_the_back_off_doubles_up_to_an_hour() -> None:
    waits = [mailer.back_off(n) for n in range(1, 10)]
    assert [int(w.total_seconds() // 60) for w in waits] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


async def test_a_mail_is_given_up_after_its_last_try(
    session: AsyncSession, database: Database, settings: Settings, inbox: Inbox, built_on: Any
) -> None:
    _, _, build = built_on
    await build()
    await session.execute(update(OutboxMail).values(attempts=mailer.MAX_ATTEMPTS - 1))
    await session.commit()
    inbox.stop()

    report = await mailer.send_due(database, settings, utcnow())

    assert (report.failed, report.given_up) == (1, 1)
    [row] = await outbox(session)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, mailer.MAX_ATTEMPTS)
    inbox.start()
    assert (await mailer.send_due(database, settings, utcnow() + timedelta(days=1))).sent == 0
    assert inbox.messages == []


async def test_mail_left_by_a_worker_that_died_goes_out_within_a_minute(
    session: AsyncSession, database: Database, settings: Settings, inbox: Inbox, built_on: Any
) -> None:
    _, _, build = built_on
    await build()
    now = utcnow()
    # A worker leased it and died before it sent anything.
    [leased] = (await mailer.claim(database, now)).outgoing

    assert (await mailer.claim(database, now + timedelta(seconds=30))).outgoing == []
    [again] = (await mailer.claim(database, now + timedelta(seconds=61))).outgoing
    assert again.ids == leased.ids
    assert timedelta(minutes=1) >= mailer.LEASE


async def test_two_workers_at_once_send_each_mail_exactly_once(
    committing_database_url: str, settings: Settings, inbox: Inbox
) -> None:
    first = Database.from_url(committing_database_url)
    first.mail = mail_setup(settings)
    second = Database.from_url(committing_database_url)
    now = utcnow()
    try:
        async with first.session() as session:

            async def person(name: str, host: bool = False) -> User:
                return await create_user(
                    session,
                    display_name=name,
                    email=f"{name.lower()}@example.org",
                    provider="test",
                    subject=secrets.token_hex(6),
                    is_host=host,
                    now=now,
                )

            host = await person("Host", host=True)
            challenge = await create_challenge(
                session,
                host_id=host.id,
                data=ChallengeInput(
                    title="Canteens",
                    slug="canteens",
                    question="How might we waste less?",
                    sponsor="",
                    brief="",
                    schedule=schedule_for(Phase.IDEAS, now),
                ),
                now=now - timedelta(days=30),
            )
            authors = [await person(name) for name in ("Ada", "Ben", "Cy")]
            parents = [
                await post_idea(
                    session,
                    challenge_id=challenge.id,
                    author_id=author.id,
                    data=IdeaInput(title=f"Idea of {author.display_name}", summary="S", body=""),
                    now=now,
                )
                for author in authors
            ]
            builder = await person("Builder")
            inbox.stop()
            for parent in parents:
                await build_on(session, challenge.id, builder.id, parent.id)

        sending = utcnow()
        failed = await mailer.send_due(first, settings, sending)
        assert (failed.sent, failed.failed) == (0, 3)
        inbox.start()

        later = sending + timedelta(minutes=2)
        reports = await asyncio.gather(
            mailer.send_due(first, settings, later),
            mailer.send_due(second, settings, later),
            mailer.send_due(first, settings, later),
            mailer.send_due(second, settings, later),
        )

        assert sum(report.sent for report in reports) == 3
        assert sum(report.failed for report in reports) == 0
        assert (await mailer.send_due(second, settings, later + timedelta(hours=1))).sent == 0
        assert sorted(m["To"] for m in inbox.messages) == [
            "ada@example.org",
            "ben@example.org",
            "cy@example.org",
        ]
        async with first.session() as session:
            rows = list(await session.scalars(select(OutboxMail)))
        assert [(row.status, row.attempts) for row in rows] == [(OutboxStatus.SENT, 2)] * 3
    finally:
        await first.dispose()
        await second.dispose()
