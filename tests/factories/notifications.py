"""A real SMTP server on 127.0.0.1 that keeps what it receives, the settings that use
it, and reading the notifications and e-mail that were queued."""

from __future__ import annotations

import asyncio
import email
import email.policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.notifications import mail
from ideas.notifications.mail import MailSetup
from ideas.notifications.models import Notification, OutboxMail
from ideas.routes import site_path_builder
from ideas.settings import Settings
from tests.support.environ import TEST_ENVIRON

BASE_URL = "http://127.0.0.1:8000"


class Inbox:
    """What the SMTP server was sent, parsed; the server can be stopped and started."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []  # each message as it came over the wire
        self.refused: set[str] = set()  # addresses the server answers "no such user"
        self.slow = 0.0  # seconds the server takes to answer DATA, after keeping the message
        self.hang_up_after: int | None = None  # messages after which it drops the connection
        self._controller: Controller | None = None

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.hang_up_after is not None and len(self.messages) >= self.hang_up_after:
            server.transport.close()
            return "421 Closing"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    # aiosmtpd calls the handler's methods of these names for each recipient and message.
    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.raw.append(envelope.content)
        if self.slow:
            await asyncio.sleep(self.slow)
        return "250 Message accepted"

    def reset(self) -> None:
        """Empty, answering every message at once, and running."""
        self.messages.clear()
        self.raw.clear()
        self.refused.clear()
        self.slow = 0.0
        self.hang_up_after = None
        self.start()

    def start(self) -> None:
        if self._controller is None:
            self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


def mail_environ(port: int) -> dict[str, str]:
    return {
        **TEST_ENVIRON,
        "IDEAS_BASE_URL": BASE_URL,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_SECURITY": "none",
        "SMTP_FROM": "Ideas <ideas@example.org>",
    }


def mail_setup(settings: Settings) -> MailSetup | None:
    """What the site hands the services to queue e-mail with, made from its own routes."""
    return mail.setup_for(settings, site_path_builder(settings))


async def notifications_of(session: AsyncSession, user_id: int) -> list[Notification]:
    await session.commit()
    rows = await session.scalars(
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.id)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def outbox(session: AsyncSession) -> list[OutboxMail]:
    await session.commit()
    rows = await session.scalars(
        select(OutboxMail).order_by(OutboxMail.id).execution_options(populate_existing=True)
    )
    return list(rows)
