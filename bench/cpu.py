"""``python -m bench.cpu``: the CPU time of a signed-in page, or of a vote, in process.

Wall-clock loads need a quiet machine; this needs none. It builds a small
database (``bench.generate`` at ``--scale``: 0.03 puts 300 ideas in the big
challenge), signs ``--people`` participants in, starts the app as ``ideas serve`` does
(its lifespan with it: the similar ideas' indexes and the language model load
beside it) and sends its requests through the ASGI app itself (httpx's
ASGITransport), one after another, going round the sorts and the people
(each request as the next person, as the load test asks). For each of
``--runs`` runs of ``--requests`` requests it takes the process's CPU time
(``time.process_time``), and prints the median per request, the queries a
page runs, and the longest request of all (a page that stalls the event loop
shows there). With ``--bare``, the bare stack (``bench.bare``) serves the same
requests instead: the two figures side by side are the ratio ``make bench``
judges, without a server or a load generator between. ``--page`` says what is
requested: the big challenge's page in each sort (``challenge``, the default), its
most influential idea's page (``idea``), votes (``vote``: each person votes for
an idea of theirs, then withdraws it on the next pass, as ``bench/vote.lua`` does), or
its compare page (``compare``: a pair of ideas for each person to choose between).

With ``--instructions`` it runs again under valgrind's callgrind, which counts
the instructions of the process's main thread over the runs' requests only (the
start-up's threads apart): the same count each time, whatever else the machine
is doing, where CPU time on a busy host varies by a tenth or more from run to
run. Two versions of the code, or the app and ``--bare``, compared that way
differ by what they execute; a count says nothing of cache misses.

    python -m bench.cpu sqlite
    python -m bench.cpu sqlite --page vote --instructions
    python -m bench.cpu sqlite --page vote --bare
    python -m bench.cpu postgresql --runs 5 --requests 300 --profile /tmp/spy.txt
    python -m bench.cpu sqlite --bare       # the bare stack's page, the same way
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.__main__ import build, database, environment
from bench.bare import serve_app as bare_app
from bench.generate import BIG_CHALLENGE
from bench.signed_in import sign_in
from ideas.app import serve_app
from ideas.settings import load_settings
from ideas.submissions.queries import Sort
from ideas.web.sessions import cookie_name

SORTS = [sort.value for sort in Sort.offered(searching=False)]


@contextlib.contextmanager
def timing_collections() -> Iterator[list[float]]:
    """The CPU time each full (oldest generation) collection takes while the block runs."""
    pauses: list[float] = []
    started = [0.0]

    def timed(phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started[0] = time.thread_time()
        else:
            pauses.append(time.thread_time() - started[0])

    gc.callbacks.append(timed)
    try:
        yield pauses
    finally:
        gc.callbacks.remove(timed)


@contextlib.contextmanager
def counting_queries() -> Iterator[list[int]]:
    """The statements every engine runs while the block runs, counted in the list's one item."""
    counted = [0]

    def count(*_: object) -> None:
        counted[0] += 1

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        event.remove(Engine, "before_cursor_execute", count)


@contextlib.contextmanager
def profiled(path: Path | None) -> Iterator[None]:
    """py-spy samples this process while the block runs, into ``path`` (collapsed stacks)."""
    if path is None:
        yield
        return
    spy = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "py-spy"),
            "record",
            "--rate",
            "250",
            "--format",
            "raw",
            "--output",
            str(path),
            "--pid",
            str(os.getpid()),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1)  # until it samples
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)


PAGES = ("challenge", "idea", "vote", "compare")
# Set in the process callgrind runs (``--instructions``): the folder it writes its counts to.
INSTRUMENTED = "BENCH_CALLGRIND_FOLDER"


@contextlib.contextmanager
def instrumented() -> Iterator[None]:
    """Callgrind counts instructions while the block runs, in a process it runs."""
    if INSTRUMENTED not in os.environ:
        yield
        return
    pid = str(os.getpid())
    subprocess.run(["callgrind_control", "--instr=on", pid], check=True, capture_output=True)
    try:
        yield
    finally:
        subprocess.run(["callgrind_control", "--instr=off", pid], check=True, capture_output=True)


def main_thread_instructions(folder: Path) -> int:
    """The instructions callgrind counted in the main thread, whose file ends in -01
    (``--separate-threads``)."""
    [path] = folder.glob("callgrind.out.*-01")
    for line in reversed(path.read_text().splitlines()):
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise ValueError(f"callgrind wrote no totals in {path}")


def under_callgrind(arguments: list[str]) -> int:
    """Run ``python -m bench.cpu ARGUMENTS`` under callgrind; the instructions it counted."""
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed: apt-get install valgrind")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--separate-threads=yes",
                "--instr-atstart=no",
                f"--callgrind-out-file={folder}/callgrind.out.%p",
                sys.executable,
                "-m",
                "bench.cpu",
                *arguments,
            ],
            env={**os.environ, INSTRUMENTED: str(folder)},
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"under callgrind:\n{done.stdout}\n{done.stderr[-3000:]}")
        return main_thread_instructions(folder)


async def start_up_done(longest: float = 120) -> None:
    """Until what start-up does beside it (the language model, the similar ideas' indexes,
    in threads) is done: while it runs, every statement waits for the GIL on its way
    back, and a run's CPU time counts that work too."""
    waited = time.monotonic()
    while time.monotonic() - waited < longest:
        before = time.process_time()
        await asyncio.sleep(0.5)
        if time.process_time() - before < 0.05:
            return


async def measure(
    url: str,
    folder: Path,
    runs: int,
    requests: int,
    people: int,
    profile: Path | None = None,
    bare: bool = False,
    kind: str = "challenge",
    idea_path: str = "",
) -> None:
    signed_in = await sign_in(url, people=people, pairs=1)
    os.environ.update(environment(url, folder, 8000))
    cookie = cookie_name(load_settings())
    app = bare_app() if bare else serve_app()
    labels = SORTS if kind == "challenge" else [kind]
    times: dict[str, list[float]] = {label: [] for label in labels}
    turns = [0]  # votes and withdrawals sent, over all the runs
    # Each request's CPU time (all threads), wall time, when it began, and its sort.
    slowest: list[tuple[float, float, float, str]] = []
    begun = time.perf_counter()
    async with app.router.lifespan_context(app):
        await start_up_done()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://127.0.0.1:8000",
            # As wrk asks: no compression.
            headers={"Accept-Encoding": "identity"},
        ) as client:

            def send(n: int) -> Any:
                # Each request as the next person, as the load test asks.
                person = signed_in.people[n % len(signed_in.people)]
                headers = {"Cookie": f"{cookie}={person.token}"}
                if kind == "idea":
                    return client.get(idea_path, headers=headers)
                if kind == "compare":
                    return client.get(f"/challenges/{BIG_CHALLENGE}/compare", headers=headers)
                if kind == "vote":
                    turn, pairs = turns[0], signed_in.pairs
                    turns[0] += 1
                    pair = pairs[turn % len(pairs)]
                    return client.post(
                        f"/ideas/{pair.idea_id}/vote",
                        data={"action": "withdraw" if turn // len(pairs) % 2 else "vote"},
                        headers={
                            "Cookie": f"{cookie}={pair.person.token}",
                            "X-CSRF-Token": pair.person.csrf_token,
                            "HX-Request": "true",
                        },
                    )
                sort = SORTS[n % len(SORTS)]
                return client.get(
                    f"/challenges/{BIG_CHALLENGE}", params={"sort": sort}, headers=headers
                )

            async def page(n: int) -> float:
                label = labels[n % len(labels)]
                started, cpu_started = time.perf_counter(), time.process_time()
                response = await send(n)
                if response.status_code != 200:
                    raise SystemExit(f"{response.status_code}: {response.text[:500]}")
                took = time.perf_counter() - started
                times[label].append(took)
                slowest.append((time.process_time() - cpu_started, took, started - begun, label))
                return took

            # Warm: statement caches, kept fragments; for votes, each pair's vote and its
            # withdrawal once, so that both ways have run before anything is measured.
            warm_up = 2 * len(signed_in.pairs) if kind == "vote" else 3 * len(SORTS)
            for n in range(warm_up):
                await page(n)
            with counting_queries() as counted:
                for n in range(len(labels)):
                    await page(n)
            cpu: list[float] = []
            tracked = len(gc.get_objects())
            with timing_collections() as pauses, profiled(profile), instrumented():
                for _ in range(runs):
                    started = time.process_time()
                    for n in range(requests):
                        await page(n)
                    cpu.append((time.process_time() - started) / requests * 1000)
    longest = ", ".join(
        f"{cpu * 1000:.0f} ms CPU, {took * 1000:.0f} ms wall ({sort}, at {at:.1f} s)"
        for cpu, took, at, sort in sorted(slowest, reverse=True)[:5]
    )
    print(
        f"{url.split(':')[0]}{' (bare stack)' if bare else ''}: CPU ms/request median {statistics.median(cpu):.2f} "
        f"(runs {', '.join(f'{ms:.2f}' for ms in cpu)}); "
        f"queries/request {counted[0] / len(labels):.1f}\n  median ms by page: "
        + ", ".join(f"{sort} {statistics.median(ms) * 1000:.1f}" for sort, ms in times.items())
        + f"\n  longest: {longest}"
        + f"\n  objects the collector walks: {tracked} ({gc.get_freeze_count()} frozen); "
        + f"full collections: {len(pauses)}, longest {max(pauses, default=0) * 1000:.0f} ms CPU"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kind", choices=("sqlite", "postgresql"))
    parser.add_argument("--scale", type=float, default=0.03)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--people", type=int, default=50, help="signed in, taking turns")
    parser.add_argument("--profile", type=Path, help="py-spy's samples of the runs, to this file")
    parser.add_argument("--bare", action="store_true", help="the bare stack's page instead")
    parser.add_argument("--page", choices=PAGES, default="challenge", help="what is requested")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count the main thread's instructions per request under callgrind instead",
    )
    arguments = parser.parse_args()
    if arguments.instructions and INSTRUMENTED not in os.environ:
        counted = under_callgrind(sys.argv[1:])
        requests = arguments.runs * arguments.requests
        print(
            f"{arguments.kind}{' (bare stack)' if arguments.bare else ''}, {arguments.page}: "
            f"{counted / requests:,.0f} instructions per request in the main thread "
            f"(callgrind, {requests:,} requests)"
        )
        return
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        with database(arguments.kind, folder, "cpu") as url:
            generated, _seconds = build(url, arguments.scale)
            asyncio.run(
                measure(
                    url,
                    folder,
                    arguments.runs,
                    arguments.requests,
                    arguments.people,
                    arguments.profile,
                    arguments.bare,
                    arguments.page,
                    generated.idea_path,
                )
            )


if __name__ == "__main__":
    main()
