"""A live site for the browser tests, and signing in to it as a demo persona."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from playwright.sync_api import Page, expect

from tests.support import sites

CHROMIUM = "/usr/lib/chromium/chromium"
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


def site_environ(folder: Path, **settings: str) -> dict[str, str]:
    """The environment of the site kept in ``folder``, for `ideas` and its subcommands."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("IDEAS_", "DATABASE_URL", "SECRET_KEY"))
    }
    env.update(IDEAS_DATA_DIR=str(folder / "data"), IDEAS_LOG_LEVEL="WARNING", **settings)
    return env


def run_ideas(folder: Path, *args: str, **settings: str) -> str:
    """Run ``ideas ARGS`` for the site kept in ``folder``; what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "ideas", *args],
        env=site_environ(folder, **settings),
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


@contextlib.contextmanager
def serving(
    folder: Path, port: int, *, demo: bool | Literal["no crowd"] = False, **settings: str
) -> Iterator[str]:
    """`ideas migrate` (and `ideas demo`; "no crowd": the personas' own rounds only), then
    `ideas serve` on ``port`` until the block ends."""
    env = site_environ(folder, **settings)
    ideas = [sys.executable, "-m", "ideas"]

    def build(into: Path) -> None:
        run_ideas(into, "migrate", **settings)
        if demo:
            run_ideas(into, "demo", "--no-crowd" if demo == "no crowd" else "--crowd", **settings)

    # Made once per test run for each kind of site, then copied (tests/support/sites.py).
    kind = {False: "migrated", "no crowd": "personas", True: "demo"}[demo]
    sites.prepare(folder, kind, settings, build)
    log_path = folder / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [*ideas, "serve", "--port", str(port)], env=env, cwd=folder, stdout=log, stderr=log
        )
        url = f"http://127.0.0.1:{port}"
        try:
            # Seconds on a quiet machine; a busy one running two workers of tests takes longer.
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{url}/healthz", timeout=1)  # noqa: S310 - our own server
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"the server did not start: {log_path.read_text()}")
                    time.sleep(0.1)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)


def sign_in_as(page: Page, name: str) -> None:
    """Sign in through the development sign-in page as the demo persona ``name``."""
    page.goto("/sign-in")
    page.get_by_role("button", name=re.compile(name)).click()
    expect(page.locator(".account-nav .who")).to_contain_text(name)


def switch(host: Page, button: str, badge: str) -> None:
    host.get_by_role("button", name=button).click()
    expect(host.locator(".challenge__head .phase-badge")).to_have_text(badge)
