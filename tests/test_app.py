"""The application as ``ideas serve`` builds it."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.environ import TEST_ENVIRON

BUILD_AND_COUNT = """
import gc
from ideas.app import serve_app
before = gc.get_freeze_count()
serve_app()
print(before, gc.get_freeze_count())
"""


def test_serving_keeps_what_start_up_built_out_of_full_collections() -> None:
    """A worker freezes its start-up objects (``gc.freeze``): full collections then
    walk only what requests made since, and do not pause the worker for long."""
    done = subprocess.run(
        [sys.executable, "-c", BUILD_AND_COUNT],
        env={**os.environ, **TEST_ENVIRON},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    before, after = map(int, done.stdout.split())
    assert before == 0
    # The modules, mappers and routes: far more than anything a request leaves.
    assert after > 50_000
