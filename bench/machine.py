"""The machine the benchmark runs on: how fast it is, and how much of it the host took
for other guests while a load ran (steal), which makes that load's figures unsteady."""

from __future__ import annotations

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
