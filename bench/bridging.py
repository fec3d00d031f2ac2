"""``python -m bench.bridging``: time the worker's bridging fit and themes on the benchmark's
big round.

Builds a SQLite database (or the PostgreSQL one at BENCH_BRIDGING_URL, which must
be migrated and empty) with the benchmark generator's big challenge: 10,000
ideas, 5,000 people and 100,000 votes (``bench.generate``), plus 20,000
comparisons drawn here, and runs the worker's job for that challenge
(``ideas.voting.bridging_services.refit``: read the exports, fit, bootstrap,
store) in a fresh process, then its themes job (``ideas.themes.services.refit``:
vectors, LSA, k-means, names, store) in the same process, printing the wall time
of each and the process's peak memory after each as JSON. The targets, for both
together: under 60 s and under 1 GiB.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench.generate import (
    CHALLENGES,
    Size,
    challenge_rows,
    draw_ideas,
    idea_rows,
    load,
    user_rows,
    vote_rows,
)
from ideas.accounts.models import User
from ideas.challenges.models import Challenge, ChallengeHost
from ideas.db import Database, create_engine, utcnow
from ideas.submissions import fulltext
from ideas.submissions.models import Idea
from ideas.voting.models import Comparison, Vote

TARGET_SECONDS = 60.0
TARGET_BYTES = 1 << 30
COMPARISONS = 20_000
SIZE = Size(users=5_000, ideas=10_000 + CHALLENGES - 1, big=10_000, votes=100_000, comments=0)


async def build(url: str, seed: int = 7) -> dict[str, int]:
    """The big round and its comparisons in the empty, migrated database at ``url``."""
    rng = random.Random(seed)
    now = utcnow()
    ideas = draw_ideas(SIZE, rng, now)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(fulltext.drop)
            await connection.execute(insert(User), user_rows(SIZE, now))
            await connection.execute(insert(Challenge), challenge_rows(SIZE, now))
            await connection.execute(
                insert(ChallengeHost),
                [{"challenge_id": n, "user_id": 1} for n in range(1, CHALLENGES + 1)],
            )
        await load(engine, Idea, idea_rows(ideas))
        await load(engine, Vote, vote_rows(ideas, SIZE, rng, now))
        async with engine.begin() as connection:
            await connection.run_sync(fulltext.create)
    finally:
        await engine.dispose()
    big = [idea for idea in ideas if idea.challenge_id == 1]
    seen: set[tuple[int, int, int]] = set()
    rows: list[dict[str, Any]] = []
    while len(rows) < COMPARISONS:
        user_id = rng.randint(1, SIZE.users)
        a, b = rng.sample(big, 2)
        first, second = (a, b) if a.id < b.id else (b, a)
        if (user_id, first.id, second.id) in seen:
            continue
        seen.add((user_id, first.id, second.id))
        share = first.popularity / (first.popularity + second.popularity)
        roll = rng.random()
        winner = None if roll > 0.9 else (first.id if roll < share * 0.9 else second.id)
        rows.append(
            {
                "challenge_id": 1,
                "user_id": user_id,
                "first_id": first.id,
                "second_id": second.id,
                "winner_id": winner,
                "created_at": now,
            }
        )
    database = Database.from_url(url)
    try:
        async with database.session() as session:
            await session.execute(insert(Comparison), rows)
            await session.commit()
    finally:
        await database.dispose()
    return {
        "ideas": len(big),
        "votes": sum(i.votes for i in big),
        "comparisons": len(rows),
    }


async def measure(url: str) -> dict[str, Any]:
    """The worker's bridging job on challenge 1, timed, with what it stored."""
    import ideas.models  # noqa: F401 - every table, so that foreign keys resolve
    from ideas.themes import services as theme_services
    from ideas.themes.models import ThemeFit
    from ideas.voting import bridging_services
    from ideas.voting.models import BridgingFit

    database = Database.from_url(url)
    try:
        async with database.session() as session:
            started, cpu = time.perf_counter(), time.process_time()
            fitted = await bridging_services.refit(session, 1, utcnow())
            seconds = time.perf_counter() - started
            cpu_seconds = time.process_time() - cpu
            fit = await session.scalar(select(BridgingFit).where(BridgingFit.challenge_id == 1))
            peak = _peak()
            started, cpu = time.perf_counter(), time.process_time()
            themed = await theme_services.refit(session, 1, utcnow())
            theme_seconds = time.perf_counter() - started
            theme_cpu_seconds = time.process_time() - cpu
            theme_fit = await session.scalar(select(ThemeFit).where(ThemeFit.challenge_id == 1))
    finally:
        await database.dispose()
    assert fit is not None
    assert theme_fit is not None
    both_peak = _peak()
    total = seconds + theme_seconds
    return {
        "themes": {
            "seconds": round(theme_seconds, 2),
            "cpu_seconds": round(theme_cpu_seconds, 2),
            "fit_seconds": round(themed.seconds, 2),
            "peak_bytes_with_bridging": both_peak,
            "themes": themed.themes,
            "ideas_in_themes": themed.ideas,
        },
        "seconds_with_themes": round(total, 2),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),  # this process's, on all its threads
        "fit_seconds": round(fitted.seconds, 2),
        "peak_bytes": peak,
        "enough": fit.enough,
        "people": fit.people,
        "ratings": fit.ratings,
        "groups": fit.groups,
        "ideas_scored": fitted.ideas,
        "within_targets": total < TARGET_SECONDS and both_peak < TARGET_BYTES,
    }


def _peak() -> int:
    """The process's peak resident memory so far, in bytes."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def main() -> None:
    if sys.argv[1:2] == ["measure"]:
        print(json.dumps(asyncio.run(measure(sys.argv[2]))))
        return
    url = os.environ.get("BENCH_BRIDGING_URL")
    with tempfile.TemporaryDirectory() as folder:
        if url is None:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
            from ideas.migrate import upgrade

            upgrade(url)
        counts = asyncio.run(build(url))
        done = subprocess.run(
            [sys.executable, "-m", "bench.bridging", "measure", url],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(done.stdout)
    print(json.dumps({"data": counts, **result}, indent=2))
    if not result["within_targets"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
