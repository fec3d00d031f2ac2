"""Browser tests: Playwright driving Debian's Chromium against a live server.

A session fixture runs ``ideas migrate``, ``ideas demo`` and ``ideas serve``
in a temporary folder, in development mode so the demo personas can sign in.
Without Chromium the tests are skipped with the reason, except under CI=true,
where they fail.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

CHROMIUM = "/usr/lib/chromium/chromium"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"Chromium is not installed at {CHROMIUM} (make browsers installs it)"
    for item in items:
        if "tests/browser" in str(item.path):
            if IN_CI:
                item.add_marker(pytest.mark.usefixtures("_fail_without_chromium"))
            else:
                item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(scope="session")
def _fail_without_chromium() -> None:
    pytest.fail(f"Chromium is not installed at {CHROMIUM}; CI must install it")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("live")
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("IDEAS_", "DATABASE_URL", "SECRET_KEY"))
    }
    env.update(
        IDEAS_ENV="development",
        IDEAS_DATA_DIR=str(folder / "data"),
        IDEAS_HOST="127.0.0.1",
        IDEAS_PORT=str(port),
        IDEAS_LOG_LEVEL="WARNING",
    )
    ideas = [sys.executable, "-m", "ideas"]
    subprocess.run([*ideas, "migrate"], env=env, cwd=folder, check=True, capture_output=True)
    subprocess.run([*ideas, "demo"], env=env, cwd=folder, check=True, capture_output=True)
    log = (folder / "server.log").open("w")
    server = subprocess.Popen([*ideas, "serve"], env=env, cwd=folder, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)  # noqa: S310 - our own server
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"the server did not start: {(folder / 'server.log').read_text()}")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    return live_server


def sign_in_as(page: Page, name: str) -> None:
    """Sign in through the development sign-in page as the demo persona ``name``."""
    page.goto("/sign-in")
    page.get_by_role("button", name=re.compile(name)).click()
    expect(page.locator(".account-nav .who")).to_contain_text(name)
