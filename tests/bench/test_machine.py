"""The benchmark waits for the app to finish starting before it loads it: a server's
processes are quiet once they no longer use the CPU on their own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from bench.machine import tree_cpu_seconds, wait_until_quiet

# A parent that starts a child which keeps a core busy for a while, then both wait.
BUSY_CHILD = """
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c",
    "import time\\nend = time.monotonic() + float(sys.argv[1])\\n"
    "while time.monotonic() < end: pass\\ntime.sleep(60)", sys.argv[1]])
time.sleep(60)
"""


def test_a_server_is_quiet_once_its_workers_stop_working() -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", BUSY_CHILD.replace("sys.argv[1]", "'2.5'")], start_new_session=True
    )
    try:
        started = time.monotonic()
        quiet_after = wait_until_quiet(server.pid)

        assert quiet_after is not None
        # The child's CPU counts: the parent alone is quiet at once.
        assert time.monotonic() - started >= 2
        used = tree_cpu_seconds(server.pid)
        assert used is not None
        # The parent alone uses a few hundredths of a second; the child's 2.5 s of spinning
        # get at least a second even on a machine busy with other work.
        assert used >= 1.0
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def test_a_process_that_is_gone_says_nothing() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()

    assert tree_cpu_seconds(gone.pid) is None
    assert wait_until_quiet(gone.pid) is None
