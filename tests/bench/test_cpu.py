"""``python -m bench.cpu --instructions``: reading what callgrind counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.cpu import main_thread_instructions


def test_the_count_is_the_main_threads_own(tmp_path: Path) -> None:
    # With --separate-threads callgrind writes a file per thread; the main thread's is -01.
    (tmp_path / "callgrind.out.4242-01").write_text(
        "version: 1\ncreator: callgrind\nevents: Ir\nsummary: 1234\nfn=main\n16 1234\ntotals: 1234\n"
    )
    (tmp_path / "callgrind.out.4242-02").write_text("events: Ir\nsummary: 99\ntotals: 99\n")
    assert main_thread_instructions(tmp_path) == 1234


def test_a_count_without_totals_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "callgrind.out.7-01").write_text("events: Ir\n")
    with pytest.raises(ValueError, match="no totals"):
        main_thread_instructions(tmp_path)
