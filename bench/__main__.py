"""``python -m bench``: serve the app on fresh data and measure its main pages.

For each database (SQLite always; PostgreSQL when reachable) it builds a
database with the demo data plus BENCH_IDEAS extra ideas in one challenge,
serves it with ``ideas serve``, and loads each page with wrk (32 connections,
BENCH_SECONDS seconds), printing requests per second and the 50th and 99th
percentile latencies.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.generate import add_ideas
from ideas.db import Database, execute_autocommit

IDEAS = int(os.environ.get("BENCH_IDEAS", "10000"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
POSTGRES_ADMIN_URL = os.environ.get(
    "IDEAS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
CHALLENGE = "food-waste-in-school-canteens"
PAGES = [
    ("home", "/"),
    ("challenge, top", f"/challenges/{CHALLENGE}?sort=top"),
    ("challenge, newest", f"/challenges/{CHALLENGE}?sort=newest"),
    ("challenge, built on", f"/challenges/{CHALLENGE}?sort=built-on"),
    ("idea", "/ideas/1/let-children-choose-their-portion-size"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ideas(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "ideas", *args], env=env, check=True, capture_output=True)


def wrk(url: str) -> tuple[float, str, str]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"\s50%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    p99 = re.search(r"\s99%\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses\n{out}")
    return rps, p50, p99


def run(label: str, url: str, workers: int, folder: Path) -> None:
    env = {
        **os.environ,
        "IDEAS_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "IDEAS_DATA_DIR": str(folder),
        "DATABASE_URL": url,
        "IDEAS_LOG_LEVEL": "WARNING",
    }
    ideas("migrate", env=env)
    ideas("demo", env=env)

    async def generate() -> int:
        database = Database.from_url(url)
        try:
            async with database.session() as session:
                return await add_ideas(session, CHALLENGE, IDEAS)
        finally:
            await database.dispose()

    started = time.perf_counter()
    count = asyncio.run(generate())
    print(
        f"\n{label}: {count:,} ideas in the challenge (generated in {time.perf_counter() - started:.1f}s), {workers} worker(s)"
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ideas", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        print(f"  {'page':22} {'req/s':>8} {'p50':>9} {'p99':>9}")
        for name, path in PAGES:
            rps, p50, p99 = wrk(f"http://127.0.0.1:{port}{path}")
            print(f"  {name:22} {rps:8.0f} {p50:>9} {p99:>9}")
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    print(f"{CONNECTIONS} connections, {SECONDS}s per page, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        run("SQLite", f"sqlite+aiosqlite:///{folder}/bench.db", 2, Path(folder))
    name = f"ideas_bench_{secrets.token_hex(4)}"
    try:
        asyncio.run(execute_autocommit(POSTGRES_ADMIN_URL, f'CREATE DATABASE "{name}"'))
    except OSError as error:
        print(f"\nPostgreSQL: skipped, not reachable ({error})")
        return
    try:
        with tempfile.TemporaryDirectory() as folder:
            url = (
                make_url(POSTGRES_ADMIN_URL)
                .set(database=name)
                .render_as_string(hide_password=False)
            )
            run("PostgreSQL", url, 2, Path(folder))
    finally:
        asyncio.run(
            execute_autocommit(POSTGRES_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        )


if __name__ == "__main__":
    main()
