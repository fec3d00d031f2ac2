"""The machine the benchmark runs on: how fast it is, and how much of it the host took
for other guests while a load ran (steal), which makes that load's figures unsteady."""

from __future__ import annotations

import os
import time
from pathlib import Path


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


QUIET_SHARE = 0.05  # of one core: a server using less than this is not busy on its own
QUIET_WAIT_SECONDS = 120


def tree_cpu_seconds(pid: int) -> float | None:
    """The CPU time of process ``pid`` and its children (a server's workers), in seconds;
    None where /proc does not say."""
    total = 0.0
    pending = [pid]
    while pending:
        each = pending.pop()
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{each}/task/{each}/children").read_text().split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        pending += [int(child) for child in children]
    return total


def wait_until_quiet(pid: int) -> float | None:
    """Seconds until the server ``pid`` spends less than QUIET_SHARE of a core over a second
    with no load: done with what it does as it starts. None where /proc does not say, or
    if it is still busy after QUIET_WAIT_SECONDS."""
    started = time.monotonic()
    before = tree_cpu_seconds(pid)
    while before is not None and time.monotonic() - started < QUIET_WAIT_SECONDS:
        time.sleep(1)
        after = tree_cpu_seconds(pid)
        if after is None:
            return None
        if after - before < QUIET_SHARE:
            return time.monotonic() - started
        before = after
    return None
