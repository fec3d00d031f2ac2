"""The notifications worker waits out a database outage with one line, not a
traceback every pass, and goes on by itself."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

import pytest

from ideas import migrate
from ideas.db import Database
from ideas.notifications import worker
from ideas.settings import load_settings
from tests.support.environ import TEST_ENVIRON


async def test_the_worker_logs_an_outage_once_and_goes_on_when_it_ends(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    folder = tmp_path / "not-yet"
    url = f"sqlite:///{folder / 'ideas.db'}"
    database = Database.from_url(url)
    passes = asyncio.create_task(
        worker.run_forever(database, load_settings(TEST_ENVIRON), interval=0.01)
    )
    try:
        ready = tmp_path / "ready"
        ready.mkdir()
        await asyncio.to_thread(migrate.upgrade, f"sqlite:///{ready / 'ideas.db'}")
        await asyncio.sleep(0.3)  # many passes, all failing
        ready.rename(folder)  # the database appears whole, at once
        for _ in range(100):
            if any("go on" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.02)
    finally:
        passes.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await passes
        await database.dispose()

    lines = [r.getMessage() for r in caplog.records if r.name == worker.logger.name]
    assert len(lines) == 2, lines
    assert lines[0].startswith("Notifications wait for the database (unreachable)")
    assert lines[1] == "Notifications go on: the database is back (unreachable)"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
