"""The Nu HTML Checker (vnu.jar, from the npm package in tests/vnu), run once over many files."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.environ import IN_CI

VNU_JAR = Path(__file__).resolve().parent.parent / "vnu" / "node_modules/vnu-jar/build/dist/vnu.jar"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str
    extract: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}\n    {' '.join(self.extract.split())}"


def require_vnu() -> str:
    """The java command, or a skip (a failure under CI=true) saying what is missing."""
    java = shutil.which("java")
    missing = []
    if java is None:
        missing.append("Java (apt-get install default-jre-headless)")
    if not VNU_JAR.exists():
        missing.append(f"{VNU_JAR} (npm ci --prefix tests/vnu)")
    if missing:
        reason = "the HTML checker needs " + " and ".join(missing)
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    assert java is not None
    return java


def errors(files: list[Path], *, timeout: float = 300) -> list[Problem]:
    """Every error vnu finds in ``files``, checked in one run of the JVM."""
    java = require_vnu()
    done = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    # vnu writes its report to standard error, and exits 1 when it found errors.
    report = json.loads(done.stderr or done.stdout)
    return [
        Problem(
            file=Path(message.get("url", "").removeprefix("file:")).name,
            line=message.get("lastLine"),
            message=message.get("message", ""),
            extract=message.get("extract", ""),
        )
        for message in report.get("messages", [])
        if message.get("type") in {"error", "non-document-error"}
    ]
