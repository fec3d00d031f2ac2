"""``python -m bench.per_request [sqlite] [postgresql]``: what a signed-in request costs
the process, measured in it, without a server or a load generator.

On a fresh migrated database of each kind (as the tests make them) with one
challenge, one idea and a signed-in person, the app is called through
``httpx.ASGITransport`` for: the notifications badge (a signed-in page that
does almost nothing of its own, so mostly what every request pays: the
middleware, the session, the router, a template), and the vote endpoint, vote
and withdrawal in turn, sent by htmx and as a plain form. For each it prints
the CPU time per request (``time.process_time``, the median of RUNS runs of N
requests, the client's own work included) and the Python calls the app made
per request (cProfile around the app alone: a count that the machine's other
work does not move, where the time does). Settings as ``python -m bench``
serves the app: production, rate limits off.
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from starlette.types import Receive, Scope, Send

from ideas.accounts import sessions
from ideas.app import create_app
from ideas.db import Database, utcnow
from ideas.settings import load_settings
from ideas.web.sessions import cookie_name
from tests.factories import challenges, people, submissions
from tests.support.databases import new_database

N = int(os.environ.get("N", "300"))
RUNS = int(os.environ.get("RUNS", "5"))
WARM_UP = 30
PROFILED = 100


def environment(url: str, folder: str) -> dict[str, str]:
    return {
        "IDEAS_ENV": "production",
        "SECRET_KEY": "s" * 48,
        "GITHUB_CLIENT_ID": "bench",
        "GITHUB_CLIENT_SECRET": "bench",
        "IDEAS_BASE_URL": "http://127.0.0.1:8000",
        "IDEAS_DATA_DIR": folder,
        "DATABASE_URL": url,
        "IDEAS_LOG_LEVEL": "WARNING",
        "IDEAS_RATE_LIMITS": "false",
    }


async def measure(kind: str, url: str, folder: str) -> None:
    settings = load_settings(environment(url, folder))
    database = Database.from_settings(settings)
    async with database.session() as session:
        host = await people.person(session, 1, host=True)
        author = await people.person(session, 2)
        voter = await people.person(session, 3)
        challenge = await challenges.challenge(session, host, 1)
        idea = await submissions.idea(session, challenge, author, 1)
        token, web_session = await sessions.start(session, voter, now=utcnow(), replacing=None)
    app = create_app(settings, database)
    profiler: list[cProfile.Profile] = []

    async def profiled(scope: Scope, receive: Receive, send: Send) -> None:
        if not profiler:
            await app(scope, receive, send)
            return
        profiler[0].enable()
        try:
            await app(scope, receive, send)
        finally:
            profiler[0].disable()

    transport = httpx.ASGITransport(app=profiled)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        client.cookies.set(cookie_name(settings), token)
        sent = [0]

        async def badge() -> None:
            response = await client.get("/notifications/badge")
            assert response.status_code == 200, response.status_code

        def vote(htmx: bool) -> Callable[[], Awaitable[None]]:
            async def send_vote() -> None:
                sent[0] += 1
                headers = {"X-CSRF-Token": web_session.csrf_token}
                if htmx:
                    headers["HX-Request"] = "true"
                response = await client.post(
                    f"/ideas/{idea.id}/vote",
                    data={"action": "vote" if sent[0] % 2 else "withdraw"},
                    headers=headers,
                )
                assert response.status_code == (200 if htmx else 303), response.status_code

            return send_vote

        cases = {"badge": badge, "vote (htmx)": vote(True), "vote (form)": vote(False)}
        for name, run in cases.items():
            sent[0] = 0
            for _ in range(WARM_UP):
                await run()
            sent[0] = 0
            times = []
            for _ in range(RUNS):
                started = time.process_time()
                for _ in range(N):
                    await run()
                times.append((time.process_time() - started) * 1000 / N)
            profiler.append(cProfile.Profile())
            for _ in range(PROFILED):
                await run()
            # Set by pstats as it reads the profile, unknown to its type stubs.
            calls = vars(pstats.Stats(profiler.pop()))["total_calls"] / PROFILED
            print(
                f"{kind:10} {name:12} {statistics.median(times):6.2f} ms CPU "
                f"({' '.join(f'{t:.2f}' for t in times)})  {calls:6.0f} calls",
                flush=True,
            )
    await database.dispose()


def main() -> None:
    for kind in sys.argv[1:] or ["sqlite", "postgresql"]:
        folder = tempfile.mkdtemp(prefix="ideas-per-request-")
        with new_database(kind, Path(folder)) as url:
            asyncio.run(measure(kind, url, folder))


if __name__ == "__main__":
    main()
