"""Signing in through a real OpenID Connect provider, in Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.accounts.oidc import running_provider
from tests.factories.browser import serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def oidc_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site, served by `ideas serve`, with only the test provider to sign in with."""
    with running_provider() as oidc:
        settings = oidc.environ()
        with serving(
            tmp_path_factory.mktemp("oidc-site"), oidc.app_port, demo=False, **settings
        ) as url:
            yield url


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
