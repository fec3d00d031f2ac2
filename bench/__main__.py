"""``python -m bench``: load-test the challenge and idea pages on a large database.

For SQLite and for PostgreSQL (both needed) it builds a database with
``bench.generate`` at BENCH_SCALE (1.0: 100,000 ideas, 10,000 of them in the
big challenge) and one at a hundredth of that, serves both at once with
``ideas serve --workers 2``, and loads each page with wrk (BENCH_CONNECTIONS
connections for BENCH_SECONDS seconds), one load at a time. It prints
requests per second and the 50th and 99th percentile latencies against the
targets, and a summary, also written as JSON to bench/results-<database>.json.

Up to 2,000 people of each database sign in (``bench.signed_in``). Each sort
of the challenge page is loaded as visitors see it (from the page cache), then
as signed-in people see it (made anew for each, ``bench/compare.lua`` taking
each request as the next person) on the large database and right after on
the small one: the share of that throughput the large database keeps says
how the page's work grows with the data. Then the vote endpoint, each pair of
a person and an idea of the big challenge voting and withdrawing the vote in
turn (``bench/vote.lua``), and the big challenge's compare page. The scripts
count the answers by status. A 409 from the vote endpoint means a pair's
previous turn did not happen (that request failed, or was lost with a
connection the server closed after an error) or, rarely, that a vote and its
withdrawal raced.

Figures from different machines differ: the run starts by timing a plain
Python loop as a yardstick, and notes beside a load when the host took more
than a twentieth of the CPU time for other guests while it ran (steal, from
/proc/stat), which makes that load's figures unsteady.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bench.generate import Generated, generate
from bench.signed_in import Pair, SignedIn, sign_in, write_pairs, write_people
from ideas.db import execute_autocommit
from ideas.settings import load_settings
from ideas.web.sessions import cookie_name

SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
POSTGRES_ADMIN_URL = os.environ.get(
    "IDEAS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
IDEAS = (sys.executable, "-m", "ideas")
WORKERS = 2
THREADS = 2  # wrk's
SMALL = 0.01  # the small database, as a share of the large one
SORTS = ("top", "newest", "built-on", "influence", "trending")
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# BENCH_DATABASES=sqlite (or postgresql) measures one of them only.
CHOSEN = [
    kind for kind in os.environ.get("BENCH_DATABASES", ",".join(DATABASES)).split(",") if kind
]
TARGET_RPS = {"sqlite": 400, "postgresql": 300}  # the challenge page
TARGET_P99_MS = 250
TARGET_KEPT = 0.85  # of the small database's throughput
PEOPLE = 2_000  # signed in, for the vote endpoint and the compare page
# (person, idea) pairs voting and withdrawing: one per person, or several per person to
# make up this many. A wrk thread's pass over its pairs (between a vote and its
# withdrawal) is then at least 8 times its connections.
PAIRS = 8 * CONNECTIONS
WARM_UP_SECONDS = 3
TARGET_VOTE_RPS = 600
TARGET_VOTE_P99_MS = 200
TARGET_COMPARE_RPS = 300
CONFLICTS_ALLOWED = 0.001  # 409s from the vote endpoint, as a share of its requests
RESULTS = Path(__file__).parent
SCRIPTS = Path(__file__).parent
TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass
class Load:
    """What wrk measured on one URL."""

    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int  # any status of 400 or more
    socket_errors: int
    requests: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # counted by the scripts only
    stolen: float | None = None  # share of the CPU time the host gave to others meanwhile


def cpu_times(stat: str | None = None) -> tuple[int, int] | None:
    """All CPU time and the time stolen (spent by the host on other guests), in clock
    ticks since boot, from /proc/stat; None where there is none."""
    if stat is None:
        try:
            stat = Path("/proc/stat").read_text()
        except OSError:
            return None
    fields = stat.split("\n", 1)[0].split()
    if not fields or fields[0] != "cpu" or len(fields) < 9:
        return None
    # user nice system idle iowait irq softirq steal (guest time is counted in user)
    ticks = [int(n) for n in fields[1:9]]
    return sum(ticks), ticks[7]


def stolen_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    if before is None or after is None or after[0] <= before[0]:
        return None
    return (after[1] - before[1]) / (after[0] - before[0])


def python_yardstick() -> float:
    """Seconds for ten million steps of a plain Python loop: to compare the speed of
    the machines (and moments) that results come from."""
    started = time.perf_counter()
    total = 0
    for n in range(10_000_000):
        total += n
    return time.perf_counter() - started


@dataclass
class PageResult:
    page: str
    path: str
    load: Load
    target: str
    missed: list[str]  # what fell short of the targets; empty when they were met
    # The challenge page as signed-in people see it, on the large and the small database.
    signed_in: Load | None = None
    small_rps: float | None = None
    kept: float | None = None


def wrk(url: str, seconds: int = SECONDS, script: Path | None = None, *args: str) -> Load:
    """Load ``url``; with a ``script``, as it writes the requests, given ``args``."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    if script is not None:
        command += ["-s", str(script), url, "--", *args]
    else:
        command.append(url)
    before = cpu_times()
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    stolen = stolen_share(before, cpu_times())

    def found(pattern: str) -> re.Match[str]:
        match = re.search(pattern, out)
        if match is None:
            raise SystemExit(f"unexpected wrk output for {url}:\n{out}")
        return match

    def percentile_ms(percent: int) -> float:
        value, unit = found(rf"\s{percent}(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\b").groups()
        return float(value) * TIME_UNITS_MS[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Load(
        rps=float(found(r"Requests/sec:\s+([\d.]+)").group(1)),
        p50_ms=percentile_ms(50),
        p99_ms=percentile_ms(99),
        non_2xx=int(bad.group(1)) if bad else 0,
        socket_errors=sum(map(int, errors.groups())) if errors else 0,
        requests=int(found(r"(\d+) requests in ").group(1)),
        statuses={
            code: int(count)
            for code, count in sorted(re.findall(r"^status (\d+) (\d+)$", out, re.MULTILINE))
        },
        stolen=stolen,
    )


def fetch(
    port: int, path: str, method: str = "GET", body: str = "", headers: dict[str, str] | None = None
) -> tuple[int, str]:
    """The status and body of a request, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def status(port: int, path: str) -> int:
    """The status of a GET, redirects not followed."""
    return fetch(port, path)[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(url: str, folder: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "IDEAS_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "GITHUB_CLIENT_ID": "bench",
        "GITHUB_CLIENT_SECRET": "bench",
        "IDEAS_BASE_URL": f"http://127.0.0.1:{port}",
        "IDEAS_DATA_DIR": str(folder),
        "DATABASE_URL": url,
        "IDEAS_LOG_LEVEL": "WARNING",
        "IDEAS_RATE_LIMITS": "false",
    }


@contextlib.contextmanager
def serve(url: str, folder: Path, warm_up: str) -> Iterator[int]:
    """The app serving ``url`` on a free port, until the block ends.

    Before it is measured, ``warm_up`` is loaded for a while: both workers are
    then up, their connection pools filled and their templates compiled.
    """
    port = free_port()
    log = folder / f"serve-{port}.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [*IDEAS, "serve", "--port", str(port), "--workers", str(WORKERS)],
            env=environment(url, folder, port),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start:\n{log.read_text()}")
            with contextlib.suppress(OSError):
                if status(port, "/readyz") == 200:
                    break
            time.sleep(0.2)
        wrk(f"http://127.0.0.1:{port}{warm_up}", seconds=2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextlib.contextmanager
def database(kind: str, folder: Path, name: str) -> Iterator[str]:
    """A migrated, empty database of ``kind``; a PostgreSQL one is dropped afterwards."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / name}.db"
    else:
        name = f"ideas_bench_{name}_{secrets.token_hex(4)}"
        url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        if kind == "postgresql":
            try:
                asyncio.run(execute_autocommit(POSTGRES_ADMIN_URL, f'CREATE DATABASE "{name}"'))
            except (OSError, SQLAlchemyError) as error:
                raise SystemExit(f"PostgreSQL is needed at {POSTGRES_ADMIN_URL}: {error}") from None
        subprocess.run(
            [*IDEAS, "migrate"],
            env=environment(url, folder, 0),
            check=True,
            capture_output=True,
        )
        yield url
    finally:
        if kind == "postgresql":
            asyncio.run(
                execute_autocommit(
                    POSTGRES_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
                )
            )


def build(url: str, scale: float) -> tuple[Generated, float]:
    started = time.perf_counter()
    generated = asyncio.run(generate(url, scale))
    return generated, time.perf_counter() - started


def measure(port: int, name: str, path: str) -> Load:
    answer = status(port, path)
    if answer != 200:
        raise SystemExit(f"{name}: {path} answered {answer}, not 200")
    return wrk(f"http://127.0.0.1:{port}{path}")


def targets(kind: str, name: str) -> tuple[int, int | None] | None:
    """The req/s and p99 (in ms; None: no target) a page should reach, if it has targets."""
    if name.startswith("challenge"):
        return TARGET_RPS[kind], TARGET_P99_MS
    if name == "vote":
        return TARGET_VOTE_RPS, TARGET_VOTE_P99_MS
    if name == "compare":
        return TARGET_COMPARE_RPS, None
    return None


def describe(rps: int, p99_ms: int | None) -> str:
    return f"≥{rps} req/s" + (f", p99 ≤{p99_ms}ms" if p99_ms is not None else "")


def start_sessions(url: str) -> tuple[SignedIn, float]:
    started = time.perf_counter()
    signed_in = asyncio.run(sign_in(url, people=PEOPLE, pairs=PAIRS))
    if not signed_in.pairs:
        raise SystemExit("nobody may vote on an idea of the big challenge: no pairs to load")
    return signed_in, time.perf_counter() - started


def split_pairs(signed_in: SignedIn) -> tuple[list[Pair], list[Pair]]:
    """The pairs the vote endpoint is measured on, and the last eighth, which warm it
    up first (the workers' connections prepare its statements): apart, so that the
    warm-up leaves the measured pairs' turns as they were."""
    split = len(signed_in.pairs) - max(1, len(signed_in.pairs) // 8)
    return signed_in.pairs[:split], signed_in.pairs[split:]


def measure_votes(port: int, folder: Path, cookie: str, signed_in: SignedIn) -> Load:
    """The vote endpoint under the pairs' votes and withdrawals (``bench/vote.lua``).

    First one pair votes and withdraws, which leaves it as it was: both must be
    answered 200, as htmx gets them.
    """
    first = signed_in.pairs[0]
    path = f"/ideas/{first.idea_id}/vote"
    headers = {
        "Cookie": f"{cookie}={first.person.token}",
        "X-CSRF-Token": first.person.csrf_token,
        "HX-Request": "true",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    for action in ("vote", "withdraw"):
        answer, body = fetch(port, path, "POST", f"action={action}", headers)
        if answer != 200:
            raise SystemExit(
                f"vote: action={action} as user {first.person.user_id} on {path} "
                f"answered {answer}, not 200:\n{body[:2000]}"
            )
    measured, warming = split_pairs(signed_in)
    url = f"http://127.0.0.1:{port}/"
    warm = folder / "pairs-warm-up.txt"
    write_pairs(warm, warming)
    wrk(url, WARM_UP_SECONDS, SCRIPTS / "vote.lua", str(warm), str(THREADS), cookie)
    pairs = folder / "pairs.txt"
    write_pairs(pairs, measured)
    return wrk(url, SECONDS, SCRIPTS / "vote.lua", str(pairs), str(THREADS), cookie)


def measure_compare(port: int, folder: Path, cookie: str, signed_in: SignedIn, path: str) -> Load:
    """The compare page, each request as the next person (``bench/compare.lua``)."""
    first = signed_in.people[0]
    answer, body = fetch(port, path, headers={"Cookie": f"{cookie}={first.token}"})
    if answer != 200 or 'name="token"' not in body:
        raise SystemExit(
            f"compare: {path} did not show user {first.user_id} a pair:\n{body[:2000]}"
        )
    return measure_as_people(port, folder / "people.txt", cookie, signed_in, path)


def measure_signed_in(port: int, people: Path, cookie: str, signed_in: SignedIn, path: str) -> Load:
    """A page as signed-in people see it: made for each of them, never from the cache."""
    answer, body = fetch(port, path, headers={"Cookie": f"{cookie}={signed_in.people[0].token}"})
    if answer != 200 or "Sign out" not in body:
        raise SystemExit(f"{path} did not answer a signed-in person with 200:\n{body[:2000]}")
    return measure_as_people(port, people, cookie, signed_in, path)


def measure_as_people(port: int, people: Path, cookie: str, signed_in: SignedIn, path: str) -> Load:
    """``path`` loaded by the signed-in people (written to ``people``), each request as
    the next person."""
    write_people(people, signed_in.people)
    url = f"http://127.0.0.1:{port}{path}"
    return wrk(url, SECONDS, SCRIPTS / "compare.lua", str(people), str(THREADS), cookie)


def judge(kind: str, name: str, load: Load) -> tuple[str, list[str]]:
    """The target of a page, and what of it (or of answering 2xx or 3xx) the load fell short of.

    The vote endpoint may answer a few 409s (a pair lost a turn, or a vote and
    its withdrawal raced), up to CONFLICTS_ALLOWED of its requests.
    """
    conflicts = load.statuses.get("409", 0) if name == "vote" else 0
    missed = ["non-2xx"] if load.non_2xx > conflicts else []
    if conflicts > CONFLICTS_ALLOWED * load.requests:
        missed.append("409s")
    target = targets(kind, name)
    if target is None:
        return "", missed
    rps, p99_ms = target
    if load.rps < rps:
        missed.append("req/s")
    if p99_ms is not None and load.p99_ms > p99_ms:
        missed.append("p99")
    return describe(rps, p99_ms), missed


def failures(load: Load) -> str:
    """The statuses of 400 or more the scripts counted, as "409: 3"."""
    return ", ".join(f"{code}: {n}" for code, n in load.statuses.items() if int(code) >= 400)


STOLEN_NOTED = 0.05  # a share of stolen CPU time worth a word next to the figures


def stolen_note(load: Load) -> str:
    if load.stolen is None or load.stolen < STOLEN_NOTED:
        return ""
    return f" ({load.stolen:.0%} of the CPU time stolen by the host)"


def show(name: str, load: Load, note: str) -> None:
    if load.socket_errors:
        note += f" ({load.socket_errors} socket errors or timeouts)"
    if failures(load):
        note += f" ({failures(load)})"
    note += stolen_note(load)
    print(
        f"  {name:22} {load.rps:8.0f} {load.p50_ms:7.1f}ms {load.p99_ms:7.1f}ms"
        f" {load.non_2xx:>8}  {note}"
    )


def outcome(target: str, missed: list[str]) -> str:
    if missed:
        return "missed: " + ", ".join(missed)
    return "met" if target else "no target"


def bench(kind: str, folder: Path, yardstick: float) -> dict[str, Any]:
    with database(kind, folder, "large") as url, database(kind, folder, "small") as small_url:
        large, large_seconds = build(url, SCALE)
        small, small_seconds = build(small_url, SCALE * SMALL)
        counts = ", ".join(f"{n:,} {what}" for what, n in large.counts.items())
        print(f"\n{DATABASES[kind]}: {counts}; generated in {large_seconds:.1f}s")
        print(f"  and {small.counts['ideas']:,} ideas for comparison, in {small_seconds:.1f}s")
        sorts = [(f"challenge, {sort}", f"{large.challenge_path}?sort={sort}") for sort in SORTS]
        smaller = f"{small.counts['ideas']:,} ideas"
        print(
            f"  {'page':22} {'req/s':>8} {'p50':>9} {'p99':>9} {'non-2xx':>8}  "
            f"target for the challenge page: ≥{TARGET_RPS[kind]} req/s, p99 ≤{TARGET_P99_MS}ms; "
            f"signed in, ≥{TARGET_KEPT:.0%} of its throughput on {smaller} (loaded just after)"
        )
        results = []

        def record(name: str, path: str, load: Load, *, with_target: bool = False) -> None:
            target, missed = judge(kind, name, load)
            note = outcome(target, missed)
            show(name, load, f"{note} ({target})" if with_target else note)
            results.append(PageResult(name, path, load, target, missed))

        # Both databases are served at once, so that each sort of the challenge page is
        # loaded on the small one right after the large. The share kept is taken from
        # pages made for signed-in people: a visitor's come from the page cache, whatever
        # the size of the database, and comparing two loads of the cache measures noise.
        with (
            serve(url, folder, sorts[0][1]) as port,
            serve(small_url, folder, sorts[0][1]) as small_port,
        ):
            signed_in, sign_in_seconds = start_sessions(url)
            signed_in_small, _ = start_sessions(small_url)
            cookie = cookie_name(load_settings(environment(url, folder, port)))
            print(
                f"  ({len(signed_in.people):,} people signed in, in {sign_in_seconds:.1f}s, "
                f"and {len(signed_in_small.people):,} on the small database)"
            )
            for name, path in sorts:
                load = measure(port, name, path)
                made = measure_signed_in(port, folder / "people.txt", cookie, signed_in, path)
                # The small database has a big challenge of the same name: the same path.
                on_small = measure_signed_in(
                    small_port, folder / "people-small.txt", cookie, signed_in_small, path
                )
                target, missed = judge(kind, name, load)
                kept = made.rps / on_small.rps
                if kept < TARGET_KEPT:
                    missed.append("kept")
                if made.non_2xx or on_small.non_2xx:
                    missed.append("non-2xx signed in")
                show(name, load, outcome(target, missed))
                show("  signed in", made, "made for each person")
                show(f"    on {smaller}", on_small, f"{kept:.0%} of it kept on the large one")
                results.append(
                    PageResult(
                        name,
                        path,
                        load,
                        target,
                        missed,
                        signed_in=made,
                        small_rps=on_small.rps,
                        kept=kept,
                    )
                )
            record("idea", large.idea_path, measure(port, "idea", large.idea_path))
            print(f"  {len(signed_in.pairs):,} pairs of a person and an idea to vote on")
            per_thread = len(split_pairs(signed_in)[0]) // THREADS
            if per_thread < 4 * CONNECTIONS // THREADS:
                print(
                    f"  (only {per_thread} requests between a vote and its withdrawal on a wrk "
                    f"thread of {CONNECTIONS // THREADS} connections: some may race, answering 409)"
                )
            print(f"  {'signed in':22} {'req/s':>8} {'p50':>9} {'p99':>9} {'non-2xx':>8}  target")
            record(
                "vote",
                "/ideas/{idea_id}/vote",
                measure_votes(port, folder, cookie, signed_in),
                with_target=True,
            )
            compare_path = f"{large.challenge_path}/compare"
            record(
                "compare",
                compare_path,
                measure_compare(port, folder, cookie, signed_in, compare_path),
                with_target=True,
            )
    summary = {
        "database": kind,
        "scale": SCALE,
        "seconds": SECONDS,
        "connections": CONNECTIONS,
        "workers": WORKERS,
        "cores": os.cpu_count(),
        "python_loop_seconds": round(yardstick, 2),
        "generated": {**large.counts, "seconds": round(large_seconds, 1)},
        "signed_in": {
            "people": len(signed_in.people),
            "pairs": len(signed_in.pairs),
            "seconds": round(sign_in_seconds, 1),
        },
        "pages": [asdict(result) for result in results],
    }
    (RESULTS / f"results-{kind}.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
    )
    return summary


def print_summary(summaries: list[dict[str, Any]]) -> None:
    print(f"\nSummary: scale {SCALE}, {CONNECTIONS} connections, {SECONDS}s per page")
    print(
        f"  {'database':11} {'page':20} {'req/s':>7} {'p50':>9} {'p99':>9} {'non-2xx':>8} {'kept':>5}  result"
    )
    for summary in summaries:
        for page in summary["pages"]:
            load = page["load"]
            kept = f"{page['kept']:.0%}" if page["kept"] is not None else "—"
            result = outcome(page["target"], page["missed"])
            failed = failures(Load(**load))
            if failed:
                result += f" ({failed})"
            result += stolen_note(Load(**load))
            print(
                f"  {DATABASES[summary['database']]:11} {page['page']:20} {load['rps']:7.0f}"
                f" {load['p50_ms']:7.1f}ms {load['p99_ms']:7.1f}ms {load['non_2xx']:>8} {kept:>5}  {result}"
            )


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    yardstick = python_yardstick()
    print(
        f"scale {SCALE}, {CONNECTIONS} connections, {SECONDS}s per page, "
        f"{WORKERS} workers, {os.cpu_count()} cores; "
        f"10 million Python loop steps took {yardstick:.2f}s"
    )
    summaries = []
    for kind in CHOSEN:
        with tempfile.TemporaryDirectory() as folder:
            summaries.append(bench(kind, Path(folder), yardstick))
    print_summary(summaries)


if __name__ == "__main__":
    main()
