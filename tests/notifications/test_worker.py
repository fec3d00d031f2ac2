"""The outbox is sent by the app itself, or by ``ideas worker`` when one runs."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from ideas.db import Database, utcnow
from ideas.notifications import worker
from ideas.notifications.models import OutboxMail, OutboxStatus
from ideas.settings import Settings, load_settings
from tests.factories.notifications import Inbox, mail_environ, outbox
from tests.support.commands import run_ideas
from tests.support.databases import new_database


async def queue_one(session: AsyncSession, to: str = "amara@example.org") -> None:
    now = utcnow()
    session.add(
        OutboxMail(
            key="test:1",
            to_address=to,
            subject="Hello",
            body_text="Hello there.\n",
            message_id="<test.1@example.org>",
            created_at=now,
            send_after=now,
        )
    )
    await session.commit()


async def test_the_app_sends_queued_mail_in_the_background(
    committing_database_url: str, settings: Settings, inbox: Inbox
) -> None:
    # A database of its own, with a pool as in production: the pass that sends the mail
    # is cancelled wherever it is when the block ends, which a connection shared with the
    # test's own session would not survive.
    database = Database.from_url(committing_database_url)
    try:
        async with database.session() as session:
            await queue_one(session)

        async with worker.in_background(database, settings):
            for _ in range(400):  # up to 20 s on a busy machine; usually a few steps
                async with database.session() as session:
                    [row] = await outbox(session)
                if row.status is OutboxStatus.SENT:
                    break
                await asyncio.sleep(0.05)

        assert row.status is OutboxStatus.SENT
        [message] = inbox.messages
        assert message["Subject"] == "Hello"
    finally:
        await database.dispose()


async def test_the_app_leaves_sending_to_a_worker_process_when_told(
    session: AsyncSession, database: Database, smtp_port: int, inbox: Inbox
) -> None:
    settings = load_settings({**mail_environ(smtp_port), "IDEAS_SEND_FROM_APP": "false"})
    await queue_one(session)

    async with worker.in_background(database, settings):
        await asyncio.sleep(0.3)

    assert inbox.messages == []


def test_ideas_worker_once_sends_what_is_due(tmp_path: Path, smtp_port: int, inbox: Inbox) -> None:
    with new_database("sqlite", tmp_path) as url:

        async def arrange() -> None:
            database = Database.from_url(url)
            try:
                async with database.session() as session:
                    await queue_one(session)
            finally:
                await database.dispose()

        asyncio.run(arrange())
        done = run_ideas(
            "worker", "--once", env={**mail_environ(smtp_port), "DATABASE_URL": url}, cwd=tmp_path
        )

    assert done.returncode == 0, done.stderr
    assert "1 e-mails sent, 0 failed" in done.stdout
    assert [m["To"] for m in inbox.messages] == ["amara@example.org"]
