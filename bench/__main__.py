"""``python -m bench``: load-test the app's pages on a large database, against a bare stack.

For SQLite and for PostgreSQL (both needed) it builds a database with
``bench.generate`` at BENCH_SCALE (1.0: 100,000 ideas, 10,000 of them in the
big challenge), serves it with ``ideas serve --workers 2`` and, beside it on
the same database, the bare stack (``bench.bare``: the same libraries doing
the least work the same pages need, under uvicorn with 2 workers too), and
loads each page with wrk (BENCH_CONNECTIONS connections for BENCH_SECONDS
seconds), one load at a time. It prints requests per second and the 50th
and 99th percentile latencies, the bare stack's beside the app's with the
ratio app/bare, against the targets, and a summary, also written as JSON to
bench/results-<database>.json.

Up to 2,000 people sign in (``bench.signed_in``); the same sessions serve
both stacks. Each sort of the challenge page is loaded as visitors see it
(from the app's page cache: reported, marked "cached", not judged), then as
signed-in people see it (made anew for each, ``bench/compare.lua`` taking
each request as the next person) on the app and right after on the bare
stack; then the big challenge's most influential idea the same way. Those
signed-in pages are judged: at least TARGET_RATIO of the bare stack's
throughput, and a 99th percentile within TARGET_P99_MS. Then the vote
endpoint on each stack, each pair of a person and an idea of the big
challenge voting and withdrawing the vote in turn (``bench/vote.lua``),
judged by the same ratio, and the big challenge's compare page, which the
bare stack does not serve, by its own throughput, and its similar ideas
while a new idea is typed (``bench/similar.lua``, a new text each request),
by a 99th percentile of TARGET_SIMILAR_P99_MS with one request at a time per
worker (under CONNECTIONS connections it is shown with the wait Little's law
sets at its throughput, not judged). The scripts count the
answers by status. A 409 from the vote endpoint means a pair's previous turn
did not happen (that request failed, or was lost with a connection the
server closed after an error) or, rarely, that a vote and its withdrawal
raced: each stack has pairs of its own, and warms up on pairs of its own,
so that no load disturbs the turns of another.

Then the challenge page as signed-in people see it through nginx, configured
as deploy/ ships it, in front of the same two worker processes, against the
same processes served directly, one right after the other: the front must
keep FRONT_RATIO of the direct throughput. Without nginx that load is left
out, with a note.

Last, live pages (``bench.live``): BENCH_LIVE_STREAMS (2,000) event streams of the
big challenge's page held by each app process, the memory each costs it, and
BENCH_LIVE_VOTES votes timed until every stream heard each, against a 99th
percentile of 500 ms. SQLite tells only the streams of its own process, so it
gets a server of one process for this; PostgreSQL's two workers share its
LISTEN/NOTIFY.

Figures from different machines differ: the run starts by timing a plain
Python loop as a yardstick, and notes beside a load when the host took more
than a twentieth of the CPU time for other guests while it ran (steal, from
/proc/stat; bench/machine.py), which makes that load's figures unsteady.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import importlib.machinery
import importlib.util
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bench import live
from bench.generate import Generated, generate
from bench.machine import cpu_times, python_yardstick, stolen_share, wait_until_quiet
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
# The bare stack, under uvicorn as the app is: as many workers, no access log.
BARE = (
    sys.executable,
    "-m",
    "uvicorn",
    "--factory",
    "bench.bare:serve_app",
    "--host",
    "127.0.0.1",
    "--workers",
    str(WORKERS),
    "--no-access-log",
    "--no-server-header",
    "--log-level",
    "warning",
)
ROOT = Path(__file__).parent.parent
THREADS = 2  # wrk's
SORTS = ("top", "newest", "built-on", "influence", "trending")
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# BENCH_DATABASES=sqlite (or postgresql) measures one of them only.
CHOSEN = [
    kind for kind in os.environ.get("BENCH_DATABASES", ",".join(DATABASES)).split(",") if kind
]
# The pages made for signed-in people, and the vote endpoint, against the bare stack.
TARGET_RATIO = 0.65  # of the bare stack's requests per second
TARGET_P99_MS = 250  # the signed-in pages'
TARGET_COMPARE_RPS = 300
LIVE_STREAMS = int(os.environ.get("BENCH_LIVE_STREAMS", "2000"))  # held by each app process
LIVE_VOTES = int(os.environ.get("BENCH_LIVE_VOTES", "20"))
PEOPLE = 2_000  # signed in, for the signed-in pages, the vote endpoint and the compare page
# (person, idea) pairs voting and withdrawing, for each stack: one per person, or several
# per person to make up this many. Without the eighth that warms up, a wrk thread's pass
# over its pairs (between a vote and its withdrawal) is then 14 times its connections:
# at 8 times, a vote slow to commit on a busy machine was now and then withdrawn too early.
PAIRS = 16 * CONNECTIONS
WARM_UP_SECONDS = 3
WARM_UP_PASSES = 3  # over the people: what the app keeps for each person, kept by each worker
SERVERS: dict[int, int] = {}  # the process serving each port (``serve``)
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


@dataclass
class PageResult:
    page: str
    path: str
    load: Load
    target: str
    missed: list[str]  # what fell short of the targets; empty when they were met
    cached: bool = False  # a visitor's page from the page cache: shown, not judged
    bare: Load | None = None  # the bare stack's load of the same page, right after
    ratio: float | None = None  # the app's requests per second over the bare stack's


def wrk(
    url: str,
    seconds: int = SECONDS,
    script: Path | None = None,
    *args: str,
    connections: int = CONNECTIONS,
) -> Load:
    """Load ``url`` over ``connections``; with a ``script``, as it writes the requests,
    given ``args``."""
    threads = min(THREADS, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
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
def serve(command: tuple[str, ...], url: str, folder: Path) -> Iterator[int]:
    """``command`` (the app, or the bare stack) serving ``url`` on a free port, until the
    block ends; ``--port`` is added to it."""
    port = free_port()
    log = folder / f"serve-{port}.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [*command, "--port", str(port)],
            env=environment(url, folder, port),
            cwd=ROOT,
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
        SERVERS[port] = server.pid
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextlib.contextmanager
def nginx_in_front(folder: Path, port: int) -> Iterator[int | None]:
    """nginx as deploy/ configures it (through deploy/run-local's code), in front of the
    processes on ``port``; None when nginx is not installed."""
    if shutil.which("nginx") is None:
        yield None
        return
    loader = importlib.machinery.SourceFileLoader("run_local", str(ROOT / "deploy" / "run-local"))
    spec = importlib.util.spec_from_loader("run_local", loader)
    assert spec is not None
    run_local = importlib.util.module_from_spec(spec)
    loader.exec_module(run_local)
    nginx_port, process = run_local.start_nginx(folder / "nginx", [port])
    try:
        yield nginx_port
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=30)


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


@dataclass(frozen=True)
class Target:
    """What a load should reach: a share of the bare stack's requests per second, a 99th
    percentile, or requests per second of its own (None: no such target)."""

    ratio: float | None = None
    p99_ms: int | None = None
    rps: int | None = None

    def describe(self) -> str:
        parts = []
        if self.ratio is not None:
            parts.append(f"≥{self.ratio:.0%} of the bare stack's req/s")
        if self.rps is not None:
            parts.append(f"≥{self.rps} req/s")
        if self.p99_ms is not None:
            parts.append(f"p99 ≤{self.p99_ms}ms")
        return ", ".join(parts)


SIGNED_IN_PAGE = Target(ratio=TARGET_RATIO, p99_ms=TARGET_P99_MS)
# Similar ideas while a new idea is typed (bench/similar.lua: a new text each request),
# judged with one request at a time per worker: the answer's own time. Under
# CONNECTIONS connections each request also waits for those ahead of it: by Little's law
# the mean wait is CONNECTIONS / throughput, so a 50 ms p99 there would need 640 answers a
# second from two cores, more than the bare stack gives its cheapest request; that load is
# shown beside it with that floor, not judged.
TARGET_SIMILAR_P99_MS = 50
SIMILAR = Target(p99_ms=TARGET_SIMILAR_P99_MS)
SIMILAR_LOADED = f"similar, {CONNECTIONS} connections"
SIMILAR_WARM_UP_SECONDS = 15
SIMILAR_READY_SECONDS = 120  # each worker builds its index of 10,000 ideas as it starts
VOTE = Target(ratio=TARGET_RATIO)
COMPARE = Target(rps=TARGET_COMPARE_RPS)
# nginx in front of the processes, against them served directly: the front costs under 10%.
FRONT_RATIO = 0.9
FRONT = Target(ratio=FRONT_RATIO)
FRONT_PAGE = "challenge through nginx"


def target_for(name: str) -> Target | None:
    """The target of a page made anew for each request, if it has one."""
    if name.startswith("challenge") or name == "idea":
        return SIGNED_IN_PAGE
    if name == FRONT_PAGE:
        return FRONT
    return {"vote": VOTE, "compare": COMPARE, "similar": SIMILAR}.get(name)


def ratio(app: Load, bare: Load | None) -> float | None:
    """The app's requests per second over the bare stack's; None without a bare figure."""
    if bare is None or bare.rps <= 0:
        return None
    return app.rps / bare.rps


def bad_answers(name: str, load: Load) -> list[str]:
    """What of answering 2xx or 3xx the load fell short of.

    The vote endpoint may answer a few 409s (a pair lost a turn, or a vote and
    its withdrawal raced), up to CONFLICTS_ALLOWED of its requests.
    """
    conflicts = load.statuses.get("409", 0) if name == "vote" else 0
    missed = ["non-2xx"] if load.non_2xx > conflicts else []
    if conflicts > CONFLICTS_ALLOWED * load.requests:
        missed.append("409s")
    return missed


def judge(
    name: str, load: Load, bare: Load | None = None, *, cached: bool = False
) -> tuple[str, list[str]]:
    """The target of a page, and what of it the load fell short of, as of answering well
    (the bare stack's load too). A cached page is shown, not judged."""
    missed = bad_answers(name, load)
    if bare is not None:
        missed += [f"bare {what}" for what in bad_answers(name, bare)]
    target = None if cached else target_for(name)
    if target is None:
        return "", missed
    if target.rps is not None and load.rps < target.rps:
        missed.append("req/s")
    if target.p99_ms is not None and load.p99_ms > target.p99_ms:
        missed.append("p99")
    if target.ratio is not None:
        share = ratio(load, bare)
        if share is None or share < target.ratio:
            missed.append("app/bare")
    return target.describe(), missed


def outcome(target: str, missed: list[str], *, cached: bool = False) -> str:
    if missed:
        return "missed: " + ", ".join(missed)
    if cached:
        return "cached, not judged"
    return "met" if target else "no target"


def start_sessions(url: str) -> tuple[SignedIn, float]:
    started = time.perf_counter()
    signed_in = asyncio.run(sign_in(url, people=PEOPLE, pairs=2 * PAIRS))
    if len(signed_in.pairs) < 4:
        raise SystemExit("too few ideas of the big challenge to vote on: no pairs to load")
    return signed_in, time.perf_counter() - started


@dataclass(frozen=True)
class VotePairs:
    """A stack's pairs: those its vote endpoint is measured on, and those that warm it up
    first (the workers' connections prepare its statements), apart, so that the warm-up
    leaves the measured pairs' turns as they were."""

    measured: list[Pair]
    warming: list[Pair]

    @classmethod
    def of(cls, pairs: list[Pair]) -> VotePairs:
        """The last eighth (one at least) warms up; the rest are measured."""
        split = len(pairs) - max(1, len(pairs) // 8)
        return cls(pairs[:split], pairs[split:])


def split_pairs(signed_in: SignedIn) -> tuple[VotePairs, VotePairs]:
    """The app's pairs and the bare stack's, half each: a load ends with some of its
    pairs voted and some not, so no two loads share a pair."""
    half = len(signed_in.pairs) // 2
    return VotePairs.of(signed_in.pairs[:half]), VotePairs.of(signed_in.pairs[half:])


def measure_votes(port: int, folder: Path, cookie: str, pairs: VotePairs, stack: str) -> Load:
    """The vote endpoint under the pairs' votes and withdrawals (``bench/vote.lua``).

    First one pair votes and withdraws, which leaves it as it was: both must be
    answered 200, as htmx gets them.
    """
    first = pairs.measured[0]
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
                f"vote ({stack}): action={action} as user {first.person.user_id} on {path} "
                f"answered {answer}, not 200:\n{body[:2000]}"
            )
    url = f"http://127.0.0.1:{port}/"
    warm = folder / f"pairs-{stack}-warm-up.txt"
    write_pairs(warm, pairs.warming)
    wrk(url, WARM_UP_SECONDS, SCRIPTS / "vote.lua", str(warm), str(THREADS), cookie)
    measured = folder / f"pairs-{stack}.txt"
    write_pairs(measured, pairs.measured)
    return wrk(url, SECONDS, SCRIPTS / "vote.lua", str(measured), str(THREADS), cookie)


def measure_compare(port: int, people: Path, cookie: str, signed_in: SignedIn, path: str) -> Load:
    """The compare page, each request as the next person (``bench/compare.lua``)."""
    first = signed_in.people[0]
    answer, body = fetch(port, path, headers={"Cookie": f"{cookie}={first.token}"})
    if answer != 200 or 'name="token"' not in body:
        raise SystemExit(
            f"compare: {path} did not show user {first.user_id} a pair:\n{body[:2000]}"
        )
    return measure_as_people(port, people, cookie, path)


def measure_similar(port: int, challenge: str) -> tuple[Load, Load]:
    """Similar ideas of the big challenge while a new idea is typed, a different text each
    request (``bench/similar.lua``): with one connection per worker, then with
    CONNECTIONS. Each worker process builds its index of the challenge's ideas as it
    starts, answering that nothing is similar meanwhile: the load waits until it finds
    some, then warms up."""
    path = f"{challenge}/ideas/similar"
    deadline = time.monotonic() + SIMILAR_READY_SECONDS
    while True:
        answer, body = fetch(port, f"{path}?title=shared+garden&summary=compost+for+the+school")
        if answer == 200 and "similar__title" in body:
            break
        if answer != 200 or time.monotonic() > deadline:
            raise SystemExit(f"similar: {path} on port {port} found nothing:\n{body[:2000]}")
        time.sleep(0.5)
    url = f"http://127.0.0.1:{port}{path}"
    wrk(url, SIMILAR_WARM_UP_SECONDS, SCRIPTS / "similar.lua", "0")
    alone = wrk(url, SECONDS, SCRIPTS / "similar.lua", "1", connections=WORKERS)
    return alone, wrk(url, SECONDS, SCRIPTS / "similar.lua", "2")


def queue_floor_ms(load: Load, connections: int = CONNECTIONS) -> float:
    """The mean time a request of a closed load spends in the server, waiting included, at
    the throughput it got (Little's law): no percentile can be below it for long."""
    return 1000 * connections / load.rps if load.rps > 0 else float("inf")


def measure_signed_in(
    port: int, people: Path, cookie: str, signed_in: SignedIn, path: str, seconds: int = SECONDS
) -> Load:
    """A page as signed-in people see it: made for each of them, never from the cache."""
    answer, body = fetch(port, path, headers={"Cookie": f"{cookie}={signed_in.people[0].token}"})
    if answer != 200 or "Sign out" not in body:
        raise SystemExit(
            f"{path} on port {port} did not answer a signed-in person with 200:\n{body[:2000]}"
        )
    return measure_as_people(port, people, cookie, path, seconds)


def measure_as_people(
    port: int, people: Path, cookie: str, path: str, seconds: int = SECONDS
) -> Load:
    """``path`` loaded by the signed-in people (listed in ``people``), each request as the
    next person."""
    url = f"http://127.0.0.1:{port}{path}"
    return wrk(url, seconds, SCRIPTS / "compare.lua", str(people), str(THREADS), cookie)


def failures(load: Load) -> str:
    """The statuses of 400 or more the scripts counted, as "409: 3"."""
    return ", ".join(f"{code}: {n}" for code, n in load.statuses.items() if int(code) >= 400)


STOLEN_NOTED = 0.05  # a share of stolen CPU time worth a word next to the figures


def stolen(load: Load) -> str:
    if load.stolen is None or load.stolen < STOLEN_NOTED:
        return ""
    return f"{load.stolen:.0%} of the CPU time stolen by the host"


def stolen_note(load: Load) -> str:
    return f" ({stolen(load)})" if stolen(load) else ""


def notes(load: Load, bare: Load | None) -> str:
    """What the scripts counted as failures, and steal, for the app's load and the bare's."""
    note = ""
    for who, each in (("", load), ("bare: ", bare)):
        if each is None:
            continue
        if each.socket_errors:
            note += f" ({who}{each.socket_errors} socket errors or timeouts)"
        if failures(each):
            note += f" ({who}{failures(each)})"
        if stolen(each):
            note += f" ({who}{stolen(each)})"
    return note


def label(result: PageResult) -> str:
    return f"{result.page} (cached)" if result.cached else result.page


COLUMNS = (
    f"{'req/s':>8} {'p50':>9} {'p99':>9} {'non-2xx':>8} {'bare':>8} {'bare p99':>9} {'app/bare':>8}"
)


def figures(load: Load, bare: Load | None, share: float | None) -> str:
    bare_rps = f"{bare.rps:8.0f}" if bare is not None else f"{'—':>8}"
    bare_p99 = f"{bare.p99_ms:7.1f}ms" if bare is not None else f"{'—':>9}"
    shown = f"{share:8.0%}" if share is not None else f"{'—':>8}"
    return (
        f"{load.rps:8.0f} {load.p50_ms:7.1f}ms {load.p99_ms:7.1f}ms {load.non_2xx:>8} "
        f"{bare_rps} {bare_p99} {shown}"
    )


def show(result: PageResult) -> None:
    verdict = outcome(result.target, result.missed, cached=result.cached)
    print(
        f"  {label(result):30} {figures(result.load, result.bare, result.ratio)}  "
        f"{verdict}{notes(result.load, result.bare)}"
    )


def bench(kind: str, folder: Path, yardstick: float) -> dict[str, Any]:
    with database(kind, folder, "bench") as url:
        generated, generated_seconds = build(url, SCALE)
        counts = ", ".join(f"{n:,} {what}" for what, n in generated.counts.items())
        print(f"\n{DATABASES[kind]}: {counts}; generated in {generated_seconds:.1f}s")
        challenge = generated.challenge_path
        pages = [(f"challenge, {sort}", f"{challenge}?sort={sort}") for sort in SORTS]
        pages.append(("idea", generated.idea_path))
        results: list[PageResult] = []

        def record(
            name: str, path: str, load: Load, bare: Load | None = None, *, cached: bool = False
        ) -> None:
            target, missed = judge(name, load, bare, cached=cached)
            share = None if cached else ratio(load, bare)
            result = PageResult(name, path, load, target, missed, cached, bare=bare, ratio=share)
            show(result)
            results.append(result)

        with (
            serve((*IDEAS, "serve", "--workers", str(WORKERS)), url, folder) as port,
            serve(BARE, url, folder) as bare_port,
        ):
            signed_in, sign_in_seconds = start_sessions(url)
            cookie = cookie_name(load_settings(environment(url, folder, port)))
            people = folder / "people.txt"
            write_people(people, signed_in.people)
            quiet = wait_until_quiet(SERVERS[port])  # requests are measured, not start-up
            print(
                f"  {len(signed_in.people):,} people signed in, in {sign_in_seconds:.1f}s; the app "
                f"done starting {quiet or 0:.0f}s later; both stacks warmed up on the first page, "
                f"each person loading it {WARM_UP_PASSES} times"
            )
            for each in (port, bare_port):
                load = partial(measure_signed_in, each, people, cookie, signed_in, pages[0][1])
                rest = WARM_UP_PASSES * len(signed_in.people) / max(load(WARM_UP_SECONDS).rps, 1)
                if rest > WARM_UP_SECONDS + 1:
                    load(math.ceil(rest - WARM_UP_SECONDS))
            print(
                f"  signed-in pages: target {SIGNED_IN_PAGE.describe()}; "
                f"vote: target {VOTE.describe()}; visitors' pages come from the cache"
            )
            print(f"  {'page':30} {COLUMNS}  result")
            # Each page as visitors get it (from the app's page cache), then made for each
            # signed-in person by the app and, right after, by the bare stack.
            for name, path in pages:
                cached = measure(port, name, path)
                made = measure_signed_in(port, people, cookie, signed_in, path)
                bare = measure_signed_in(bare_port, people, cookie, signed_in, path)
                record(name, path, made, bare)
                record(name, path, cached, cached=True)
            app_pairs, bare_pairs = split_pairs(signed_in)
            print(
                f"  {len(app_pairs.measured):,} pairs of a person and an idea to vote on for "
                f"each stack, and {len(app_pairs.warming):,} more to warm up on"
            )
            per_thread = len(app_pairs.measured) // THREADS
            if per_thread < 4 * CONNECTIONS // THREADS:
                print(
                    f"  (only {per_thread} requests between a vote and its withdrawal on a wrk "
                    f"thread of {CONNECTIONS // THREADS} connections: some may race, answering 409)"
                )
            record(
                "vote",
                "/ideas/{idea_id}/vote",
                measure_votes(port, folder, cookie, app_pairs, "app"),
                measure_votes(bare_port, folder, cookie, bare_pairs, "bare"),
            )
            compare_path = f"{challenge}/compare"
            record(
                "compare",
                compare_path,
                measure_compare(port, people, cookie, signed_in, compare_path),
            )
            similar_path = f"{challenge}/ideas/similar"
            alone, loaded = measure_similar(port, challenge)
            print(
                f"  similar ideas: judged one request per worker at a time ({WORKERS} "
                f"connections); under {CONNECTIONS} connections each waits its turn, "
                f"{queue_floor_ms(loaded):.0f}ms on average at that throughput (Little's law)"
            )
            record("similar", similar_path, alone)
            record(SIMILAR_LOADED, similar_path, loaded)
            # The front: the first challenge page through nginx, then served directly.
            with nginx_in_front(folder, port) as front_port:
                if front_port is None:
                    print("  (nginx is not installed: the front is not measured)")
                else:
                    path = pages[0][1]
                    through = measure_signed_in(front_port, people, cookie, signed_in, path)
                    direct = measure_signed_in(port, people, cookie, signed_in, path)
                    print(f"  {FRONT_PAGE}: target {FRONT.describe()} (bare: served directly)")
                    record(FRONT_PAGE, path, through, direct)
            live_result = measure_live(kind, url, folder, port, cookie, challenge)
    summary = {
        "database": kind,
        "scale": SCALE,
        "seconds": SECONDS,
        "connections": CONNECTIONS,
        "workers": WORKERS,
        "cores": os.cpu_count(),
        "python_loop_seconds": round(yardstick, 2),
        "generated": {**generated.counts, "seconds": round(generated_seconds, 1)},
        "signed_in": {
            "people": len(signed_in.people),
            "pairs": len(signed_in.pairs),
            "seconds": round(sign_in_seconds, 1),
        },
        "bare_stack": " ".join(["python", *BARE[1:]]),
        "target_ratio": TARGET_RATIO,
        "target_p99_ms": TARGET_P99_MS,
        "pages": [asdict(result) for result in results],
        "live": asdict(live_result),
    }
    (RESULTS / f"results-{kind}.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
    )
    return summary


def measure_live(
    kind: str, url: str, folder: Path, port: int, cookie: str, challenge: str
) -> live.LiveResult:
    """LIVE_STREAMS event streams of the big challenge's page held by each app process, and
    LIVE_VOTES votes reaching them all. SQLite tells the streams of its one process only,
    so it gets a server of one process of its own; PostgreSQL's processes share its
    LISTEN/NOTIFY, and every one of them holds streams."""
    fresh = asyncio.run(sign_in(url, people=LIVE_VOTES, pairs=LIVE_VOTES, seed=29))
    path = f"/events{challenge}"
    if kind == "sqlite":
        with serve((*IDEAS, "serve", "--workers", "1"), url, folder) as one:
            result = live.measure_live(one, path, LIVE_STREAMS, fresh.pairs, cookie)
    else:
        result = live.measure_live(port, path, LIVE_STREAMS * WORKERS, fresh.pairs, cookie)
    print(f"  live pages: {live.describe(result)}")
    return result


def print_summary(summaries: list[dict[str, Any]]) -> None:
    print(f"\nSummary: scale {SCALE}, {CONNECTIONS} connections, {SECONDS}s per page")
    print(f"  {'database':11} {'page':30} {COLUMNS}  result")
    for summary in summaries:
        for page in summary["pages"]:
            bare = Load(**page["bare"]) if page["bare"] is not None else None
            result = PageResult(**{**page, "load": Load(**page["load"]), "bare": bare})
            verdict = outcome(result.target, result.missed, cached=result.cached)
            print(
                f"  {DATABASES[summary['database']]:11} {label(result):30} "
                f"{figures(result.load, bare, result.ratio)}  {verdict}{notes(result.load, bare)}"
            )
        held = live.LiveResult(**summary["live"])
        print(f"  {DATABASES[summary['database']]:11} live pages: {live.describe(held)}")


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    # Every stream is a file on each side; the servers started below inherit the limit.
    live.raise_open_files_limit(LIVE_STREAMS * WORKERS + 4096)
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
