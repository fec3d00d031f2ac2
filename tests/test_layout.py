"""The tests stay easy to find: no test file grows past what one can read through."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MOST_LINES = 800


def test_no_test_file_is_longer_than_800_lines() -> None:
    """Split a longer file by the rule its tests check, into files named after it."""
    too_long = {
        str(path.relative_to(ROOT)): lines
        for folder in ("tests", "bench")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "node_modules" not in path.parts
        and (lines := len(path.read_text().splitlines())) > MOST_LINES
    }
    assert not too_long, too_long
