"""Browser tests: Playwright driving Debian's Chromium against a live server.

A session fixture runs ``ideas migrate``, ``ideas demo`` and ``ideas serve``
in a temporary folder, in development mode so the demo personas can sign in.
Without Chromium the tests are skipped with the reason, except under CI=true,
where they fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.factories.browser import CHROMIUM, CHROMIUM_ARGS, serving
from tests.support.environ import IN_CI
from tests.support.ports import free_port

# What a page shows after a request may take a while on a busy two-core machine running two
# workers of tests; an expectation that holds returns as soon as it does.
expect.set_options(timeout=15_000)


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


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site in development, with the demo data and its personas."""
    with serving(
        tmp_path_factory.mktemp("live"),
        free_port(),
        demo=True,
        IDEAS_ENV="development",
        # The journeys post far faster than a person; the limits have tests of their own.
        IDEAS_RATE_LIMITS="false",
    ) as url:
        yield url


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    return live_server


@pytest.fixture(params=[True, False], ids=["with-javascript", "without-javascript"])
def javascript(request: pytest.FixtureRequest) -> bool:
    """Journeys run twice: with JavaScript (htmx in place) and without (plain forms)."""
    return bool(request.param)


@pytest.fixture
def site_url(base_url: str) -> str:
    """The site a journey runs on; a module with a server of its own overrides it."""
    return base_url


@pytest.fixture
def new_page(browser: Browser, site_url: str, javascript: bool) -> Iterator[Callable[[], Page]]:
    """Makes pages, each in a browser context of its own (another person), closed after."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(base_url=site_url, java_script_enabled=javascript)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
