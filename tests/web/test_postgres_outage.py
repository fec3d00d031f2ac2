"""PostgreSQL stopped in the middle of requests, and started again.

The server is a throwaway cluster of this test's own, on a free port (never
the machine's shared server): pages answer 503 while it is down, not 500;
the log has one line when the outage begins and one when it ends, not a
traceback per request; the site recovers without a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from ideas import migrate
from ideas.db import Database
from ideas.settings import Settings, load_settings
from tests.factories.accounts import Person
from tests.support.environ import IN_CI, TEST_ENVIRON


class Cluster:
    def __init__(self, folder: Path, port: int) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        self.bin = Path(bins[-1]) if bins else None
        self.folder = folder
        self.port = port
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, program: str, *args: str) -> None:
        assert self.bin is not None
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:  # initdb refuses root; the cluster belongs to postgres
            command = ["su", "postgres", "-c", " ".join(command)]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        self._run("initdb", "-D", f"{self.folder}/data", "-U", "postgres", "--auth=trust")

    def start(self) -> None:
        options = f"'-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1'"
        self._run(
            "pg_ctl",
            "-D",
            f"{self.folder}/data",
            "-o",
            options,
            "-l",
            f"{self.folder}/log",
            "start",
            "-w",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", f"{self.folder}/data", "-m", mode, "stop", "-w")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    folder = Path(tempfile.mkdtemp(prefix="ideas-pg-"))
    cluster = Cluster(folder, _free_port())
    if cluster.bin is None or not (cluster.bin / "initdb").exists():
        message = "PostgreSQL's server programs (initdb, pg_ctl) are not installed"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    try:
        cluster.init()
        cluster.start()
        migrate.upgrade(cluster.url)
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def settings() -> Settings:
    # Four browsers posting as fast as they can would meet the per-account limits.
    return load_settings({**TEST_ENVIRON, "IDEAS_RATE_LIMITS": "false"})


@pytest.fixture
async def database(cluster: Cluster) -> AsyncIterator[Database]:
    database = Database.from_url(cluster.url)
    yield database
    await database.dispose()


@pytest.fixture(autouse=True)
async def _stop_watching(app: Starlette) -> AsyncIterator[None]:
    yield
    await app.state.outages.close()


async def test_stopping_postgresql_mid_requests_answers_503_and_recovers_by_itself(
    cluster: Cluster,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    host = await make_user(host=True)
    idea = await make_idea(await make_challenge(host), await make_user())
    person: Person = await sign_in(await make_user())
    # When each request was sent and when it was answered, and how.
    statuses: list[tuple[float, float, int]] = []
    done = asyncio.Event()

    async def browse(n: int) -> None:
        while not done.is_set():
            sent = time.monotonic()
            if n % 2:
                response = await person.post(f"/ideas/{idea.id}/comments", {"body": "Still here?"})
            else:
                # Signed in: a visitor's page may come from the page cache while the
                # database is down, and rightly so.
                response = await person.get(f"/ideas/{idea.id}/{idea.slug}")
            statuses.append((sent, time.monotonic(), response.status_code))
            await asyncio.sleep(0.02)

    browsers = [asyncio.create_task(browse(n)) for n in range(4)]
    try:
        await asyncio.sleep(0.5)
        await asyncio.to_thread(cluster.stop)
        stopped = time.monotonic()
        await asyncio.sleep(2)
        # Requests answered before this moment were all made while the server was
        # down; one answered while it was starting may rightly succeed.
        starting = time.monotonic()
        await asyncio.to_thread(cluster.start)
        started = time.monotonic()
        deadline = started + 20
        while time.monotonic() < deadline:
            recent = [s for _, t, s in statuses if t > started + 0.5]
            if len(recent) >= 8 and all(s in {200, 303} for s in recent[-8:]):
                break
            await asyncio.sleep(0.2)
    finally:
        done.set()
        await asyncio.gather(*browsers)

    seen = {status for _, _, status in statuses}
    assert seen <= {200, 303, 503}, seen
    while_down = [s for sent, t, s in statuses if sent > stopped and t < starting]
    assert while_down, "requests were made while PostgreSQL was down"
    assert set(while_down) == {503}
    recovered = [s for _, t, s in statuses if t > started][-8:]
    assert recovered
    assert set(recovered) <= {200, 303}

    for _ in range(50):  # the probe sees the database back within a second or two
        if any("ended" in r.getMessage() for r in caplog.records if r.name == "ideas.outages"):
            break
        await asyncio.sleep(0.1)
    log = [r.getMessage() for r in caplog.records if r.name == "ideas.outages"]
    assert len(log) == 2, log
    assert log[0].startswith("Database outage began (unreachable)")
    assert log[1].startswith("Database outage ended (unreachable)")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def _set_read_only(cluster: Cluster, on: bool) -> None:
    admin = Database.from_url(cluster.url)
    try:
        async with admin.bind.connect() as connection:  # type: ignore[union-attr]
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            value = "on" if on else "off"
            await connection.exec_driver_sql(
                f"ALTER SYSTEM SET default_transaction_read_only = {value}"
            )
            await connection.exec_driver_sql("SELECT pg_reload_conf()")
    finally:
        await admin.dispose()
    await asyncio.sleep(0.3)  # every backend reads the configuration again


async def test_a_read_only_postgresql_answers_503_and_recovers(
    cluster: Cluster,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    visitor: Person,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    host = await make_user(host=True)
    idea = await make_idea(await make_challenge(host), await make_user())
    person: Person = await sign_in(await make_user())
    comments = f"/ideas/{idea.id}/comments"

    await _set_read_only(cluster, True)
    refused = await person.post(comments, {"body": "Anyone?"})
    ready = await visitor.get("/readyz")
    await _set_read_only(cluster, False)
    ready_again = await visitor.get("/readyz")
    posted = await person.post(comments, {"body": "Anyone?"})

    assert refused.status_code == 503
    assert int(refused.headers["retry-after"]) > 0
    assert (ready.status_code, ready.json()["database"]) == (503, "read-only")
    assert ready_again.status_code == 200
    assert posted.status_code == 303
    log = [r.getMessage() for r in caplog.records if r.name == "ideas.outages"]
    assert [line.split(" (")[0] for line in log] == [
        "Database outage began",
        "Database outage ended",
    ]
    assert "read-only" in log[0]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
