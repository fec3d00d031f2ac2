"""Running the `ideas` command as a person would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_ideas(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("IDEAS_", "DATABASE_URL", "SECRET_KEY"))
    }
    return subprocess.run(
        [sys.executable, "-m", "ideas", *args],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
