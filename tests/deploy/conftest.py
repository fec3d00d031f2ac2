"""The deployment layout of deploy/: PgBouncer, nginx and the script that runs them.

These tests start Debian's nginx, pgbouncer, redis-server and PostgreSQL's
server binaries. Outside CI a missing one skips them with the reason; under
CI=true they fail instead (.ci/run installs them).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.factories.browser import CHROMIUM, CHROMIUM_ARGS

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
RUN_LOCAL = Path(__file__).resolve().parents[2] / "deploy" / "run-local"
NEEDED = ["nginx", "pgbouncer", "redis-server"]


def missing() -> list[str]:
    absent = [name for name in NEEDED if shutil.which(name) is None]
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")) and not shutil.which("initdb"):
        absent.append("initdb (PostgreSQL's server)")
    return absent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    absent = missing()
    if not absent:
        return
    message = (
        f"not installed: {', '.join(absent)} (Debian: nginx pgbouncer redis-server postgresql)"
    )
    for item in items:
        if "tests/deploy" in str(item.path):
            if IN_CI:
                item.add_marker(pytest.mark.usefixtures("_fail_without_packages"))
            else:
                item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(scope="session")
def _fail_without_packages() -> None:
    pytest.fail(f"not installed: {', '.join(missing())}; CI must install them")


@pytest.fixture(scope="session")
def run_local() -> ModuleType:
    """deploy/run-local, imported: the same code the operator runs."""
    loader = importlib.machinery.SourceFileLoader("run_local", str(RUN_LOCAL))
    spec = importlib.util.spec_from_loader("run_local", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder that PostgreSQL and PgBouncer, run as another user, can reach
    (pytest's own temporary folders are private to this user)."""
    folder = Path(tempfile.mkdtemp(prefix="ideas-deploy-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
