"""The notifications worker waits out a database outage with one line, not a
traceback every pass, and goes on by itself; it stops when told, even when the
database driver turns the cancellation into an error of its own."""

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


async def test_the_worker_stops_when_cancelled_inside_the_database_driver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The driver answers a cancellation that lands mid-query with an error of its own;
    the worker stops all the same, so that the app it runs in can stop too."""
    started = asyncio.Event()

    async def a_pass_in_the_driver(database: Database, settings: object) -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            raise RuntimeError("another operation is in progress") from None

    monkeypatch.setattr(worker, "run_once", a_pass_in_the_driver)
    database = Database.from_url(f"sqlite:///{tmp_path / 'ideas.db'}")
    passes = asyncio.create_task(
        worker.run_forever(database, load_settings(TEST_ENVIRON), interval=0.01)
    )
    await started.wait()
    passes.cancel()

    done, _ = await asyncio.wait([passes], timeout=5)
    assert done == {passes}
    assert passes.cancelled()
    await database.dispose()
