"""Live pages under load: many open event streams per app process, and a vote reaching them.

``measure_live`` opens ``streams`` event streams (text/event-stream, as the
big challenge's page opens one for each visitor) on the app at ``port`` with
raw asyncio connections, and holds them. It reads each app process's memory
(VmRSS) and open sockets before and after, so as to report the streams each
process holds and the memory each costs it. Then signed-in people vote one
after another (``pairs``, none voted yet); for each vote it times, on every
stream, from the moment the vote was sent to the moment its event arrived,
and waits for every stream to hear it (or for ``WAIT_SECONDS``) before the
next. The 50th and 99th percentiles are over every stream and every vote.

A process's own memory grows while it serves anyway (caches fill); the
streams are opened after a warm-up, and the figure is the growth divided by
the streams: an upper bound of what one costs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.signed_in import Pair

TARGET_P99_MS = 500.0
OPEN_AT_ONCE = 200  # connections opened together (the listen backlog is 2048)
WAIT_SECONDS = 10.0  # for every stream to hear one vote
SETTLE_SECONDS = 1.0  # after the streams are open, before memory is read
MARKER = b"event: voted-"


@dataclass
class LiveResult:
    streams: int
    per_process: dict[int, int]  # process id → streams it holds (its sockets that opened)
    kib_per_stream: dict[int, float]  # process id → memory growth per stream it holds
    open_seconds: float
    votes: int
    samples: int
    missed: int  # (stream, vote) pairs that did not hear the vote in time
    p50_ms: float
    p99_ms: float
    max_ms: float
    target_p99_ms: float = TARGET_P99_MS
    failed_votes: list[int] = field(default_factory=list)  # statuses other than 200

    @property
    def passed(self) -> bool:
        return not self.missed and not self.failed_votes and self.p99_ms <= self.target_p99_ms


def raise_open_files_limit(wanted: int) -> int:
    """Let this process (and the servers it starts) open ``wanted`` files, if the hard limit
    allows; the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        soft = min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


def app_processes(port: int) -> list[int]:
    """The worker processes of the `ideas serve` listening on ``port`` (or the server
    itself when it has no workers)."""
    wanted = ["serve", "--port", str(port)]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if "ideas" in argv and all(part in argv for part in wanted):
            children = Path(f"/proc/{entry.name}/task/{entry.name}/children").read_text().split()
            workers = [int(child) for child in children if _is_worker(int(child))]
            return workers or [int(entry.name)]
    raise RuntimeError(f"no `ideas serve` on port {port}")


def _is_worker(pid: int) -> bool:
    """uvicorn's workers, not multiprocessing's resource tracker beside them."""
    with contextlib.suppress(OSError):
        return b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    return False


def memory_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def sockets(pid: int) -> int:
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            if os.readlink(fd).startswith("socket:"):
                count += 1
    return count


class Tally:
    """How many streams heard each vote; says when all of them heard the one awaited."""

    def __init__(self, streams: int) -> None:
        self.streams = streams
        self.counts: list[int] = []
        self.awaited = 0
        self.all_heard = asyncio.Event()

    def heard(self, index: int) -> None:
        while len(self.counts) <= index:
            self.counts.append(0)
        self.counts[index] += 1
        if index == self.awaited and self.counts[index] == self.streams:
            self.all_heard.set()

    def await_vote(self, index: int) -> None:
        self.awaited = index
        self.all_heard.clear()
        if len(self.counts) > index and self.counts[index] == self.streams:
            self.all_heard.set()


class Stream(asyncio.Protocol):
    """One open event stream, read by callbacks (no task per stream: the client must not
    be what is measured): the times at which it heard each vote, in order."""

    def __init__(self, request: bytes, tally: Tally) -> None:
        self.request = request
        self.tally = tally
        self.heard: list[float] = []
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.received = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        if not self.opened.done():
            self.received += data
            if not self.received.startswith(b"HTTP/1.1 200") and b"\r\n" in self.received:
                self.opened.set_exception(RuntimeError(f"not opened: {self.received[:200]!r}"))
            elif b"retry:" in self.received:
                # The first message says the stream is registered with the hub.
                self.opened.set_result(None)
                self.received = self.received[-len(MARKER) :]
            return
        text = self.received + data
        for _ in range(text.count(MARKER)):
            self.heard.append(now)
            self.tally.heard(len(self.heard) - 1)
        # A marker cut in two by a read is found with the next one.
        self.received = text[-len(MARKER) + 1 :]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(RuntimeError("the stream closed at once"))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def open_stream(port: int, path: str, tally: Tally) -> Stream:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
    ).encode()
    loop = asyncio.get_running_loop()
    _transport, stream = await loop.create_connection(
        lambda: Stream(request, tally), "127.0.0.1", port
    )
    await stream.opened
    return stream


async def post_vote(port: int, cookie: str, pair: Pair) -> int:
    body = b"action=vote"
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"POST /ideas/{pair.idea_id}/vote HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Cookie: {cookie}={pair.person.token}\r\nX-CSRF-Token: {pair.person.csrf_token}\r\n"
        "HX-Request: true\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    status_line = await reader.readline()
    await reader.read()
    writer.close()
    return int(status_line.split()[1])


async def _measure(
    port: int, path: str, streams_wanted: int, pairs: list[Pair], cookie: str
) -> LiveResult:
    processes = app_processes(port)
    memory_before = {pid: memory_kib(pid) for pid in processes}
    sockets_before = {pid: sockets(pid) for pid in processes}
    started = time.perf_counter()
    tally = Tally(streams_wanted)
    streams: list[Stream] = []
    while len(streams) < streams_wanted:
        batch = min(OPEN_AT_ONCE, streams_wanted - len(streams))
        streams += await asyncio.gather(*(open_stream(port, path, tally) for _ in range(batch)))
    open_seconds = time.perf_counter() - started
    await asyncio.sleep(SETTLE_SECONDS)
    held = {pid: sockets(pid) - sockets_before[pid] for pid in processes}
    kib = {
        pid: (memory_kib(pid) - memory_before[pid]) / held[pid] if held[pid] else 0.0
        for pid in processes
    }
    latencies: list[float] = []
    missed = 0
    failed: list[int] = []
    try:
        for number, pair in enumerate(pairs, start=1):
            sent = time.perf_counter()
            status = await post_vote(port, cookie, pair)
            if status != 200:
                failed.append(status)
                continue
            index = number - len(failed) - 1
            tally.await_vote(index)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(tally.all_heard.wait(), WAIT_SECONDS)
            for stream in streams:
                if len(stream.heard) > index:
                    latencies.append((stream.heard[index] - sent) * 1000)
                else:
                    missed += 1
            await asyncio.sleep(0.1)
    finally:
        for stream in streams:
            stream.close()
    ordered = sorted(latencies) or [float("nan")]
    return LiveResult(
        streams=len(streams),
        per_process=held,
        kib_per_stream={pid: round(value, 1) for pid, value in kib.items()},
        open_seconds=round(open_seconds, 2),
        votes=len(pairs),
        samples=len(latencies),
        missed=missed,
        p50_ms=round(statistics.median(ordered), 1),
        p99_ms=round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1),
        max_ms=round(ordered[-1], 1),
        failed_votes=failed,
    )


def measure_live(port: int, path: str, streams: int, pairs: list[Pair], cookie: str) -> LiveResult:
    """Hold ``streams`` event streams of ``path`` open on the app at ``port`` and time each
    vote of ``pairs`` reaching them all."""
    raise_open_files_limit(streams + 1024)
    return asyncio.run(_measure(port, path, streams, pairs, cookie))


def describe(result: LiveResult) -> str:
    held = ", ".join(
        f"process {pid}: {count:,} streams, {result.kib_per_stream[pid]:.1f} KiB each"
        for pid, count in result.per_process.items()
    )
    verdict = "met" if result.passed else "MISSED"
    problems = ""
    if result.missed:
        problems += f"; {result.missed:,} deliveries missed"
    if result.failed_votes:
        problems += f"; votes answered {sorted(set(result.failed_votes))}"
    return (
        f"{result.streams:,} streams open in {result.open_seconds:.1f}s ({held}); "
        f"{result.votes} votes reached them: p50 {result.p50_ms:.0f} ms, "
        f"p99 {result.p99_ms:.0f} ms, max {result.max_ms:.0f} ms "
        f"(target p99 ≤ {result.target_p99_ms:.0f} ms: {verdict}{problems})"
    )
