"""Signing in through a real OpenID Connect provider, in Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.accounts.oidc import running_provider

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def oidc_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site, served by `ideas serve`, with only the test provider to sign in with."""
    with running_provider() as oidc:
        folder = tmp_path_factory.mktemp("oidc-site")
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("IDEAS_", "DATABASE_URL", "SECRET_KEY"))
        }
        env.update(oidc.environ(IDEAS_DATA_DIR=str(folder), IDEAS_LOG_LEVEL="WARNING"))
        ideas = [sys.executable, "-m", "ideas"]
        subprocess.run([*ideas, "migrate"], env=env, cwd=folder, check=True, capture_output=True)
        server = subprocess.Popen(
            [*ideas, "serve", "--port", str(oidc.app_port)],
            env=env,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{oidc.site_url}/healthz", timeout=1)  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.1)
            yield oidc.site_url
        finally:
            server.terminate()
            server.wait(timeout=10)


def test_a_person_signs_in_with_their_city_account_and_out_again(
    page: Page, oidc_site: str
) -> None:
    page.goto(f"{oidc_site}/")
    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_role("link", name="Sign in with City ID").click()

    expect(page.locator(".account-nav .who")).to_contain_text("Alice")
    assert page.url == f"{oidc_site}/"

    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_label("Name")).to_have_value("Alice")
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
