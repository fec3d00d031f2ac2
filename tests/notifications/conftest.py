"""A real SMTP server on 127.0.0.1 that keeps what it receives, settings that use it, and
a database whose services queue e-mail to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from ideas.db import Database
from ideas.settings import Settings, load_settings
from tests.factories.notifications import (
    Inbox,
    mail_environ,
    mail_setup,
)
from tests.support.ports import free_port


@pytest.fixture(scope="session")
def smtp_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def _smtp_server(smtp_port: int) -> Iterator[Inbox]:
    """Listening for the whole session (of this worker), so that no other server the
    tests start (on this worker or another) is given its port between two tests."""
    server = Inbox(smtp_port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def inbox(_smtp_server: Inbox) -> Inbox:
    """The SMTP server, empty and answering as it should; running even if the last test
    stopped it."""
    _smtp_server.reset()
    return _smtp_server


@pytest.fixture
def settings(smtp_port: int) -> Settings:
    """Here the site sends e-mail, to the test SMTP server."""
    return load_settings(mail_environ(smtp_port))


@pytest.fixture
def database(connection: AsyncConnection, settings: Settings) -> Database:
    """Here the database carries the site's mail set-up, so services queue e-mail."""
    database = Database(connection, serialize_writes=True)
    database.mail = mail_setup(settings)
    return database
