"""Themes in the browser: the demo's host sees the themes of the round on the dashboard,
names one, and follows it to the challenge's ideas list filtered by that theme.

Run twice: with JavaScript (the themes section is swapped in place) and without.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from ideas.demo import VOTING_SLUG
from tests.factories.browser import sign_in_as

pytestmark = pytest.mark.browser


def test_a_host_sees_the_themes_on_the_dashboard_names_one_and_lists_its_ideas(
    new_page: Any, javascript: bool
) -> None:
    host = new_page()
    sign_in_as(host, "Hamid Rahimi")
    host.goto(f"/challenges/{VOTING_SLUG}/dashboard")
    themes = host.locator("#themes .theme")
    expect(themes.first).to_be_visible()
    assert themes.count() >= 2
    expect(themes.first.locator(".theme__size")).to_contain_text("ideas")

    name = f"Lunches {uuid.uuid4().hex[:6]}"
    first = themes.first
    if javascript:
        host.evaluate("window.samePage = true")
    first.get_by_label("Your name for this theme").fill(name)
    first.get_by_role("button", name="Rename").click()
    expect(host.locator("#themes .theme").first.locator(".theme__name")).to_have_text(name)
    if javascript:
        assert host.evaluate("window.samePage") is True

    host.locator("#themes .theme").first.get_by_role("link", name="See its ideas").click()
    expect(host.get_by_label("Theme")).to_have_value(
        host.url.rpartition("theme=")[2].partition("&")[0]
    )
    expect(host.locator("#ideas-theme option[selected]")).to_have_text(name)
    expect(host.locator("#ideas .idea-card").first).to_be_visible()
