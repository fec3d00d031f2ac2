"""The shortlist counter follows a host's changes: in place with JavaScript, after the
reload without it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories.browser import sign_in_as

pytestmark = pytest.mark.browser
SHORTLIST = "/challenges/warmer-homes-this-winter/shortlist"


def test_the_shortlist_counter_follows_each_change(new_page: Any, javascript: bool) -> None:
    host = new_page()
    sign_in_as(host, "Hamid Rahimi")
    host.goto(SHORTLIST)
    counter = host.locator("#shortlist-count")
    expect(counter).to_have_text(re.compile(r"^1 of \d+ ideas shortlisted\.$"))
    ideas = counter.inner_text().split()[2]  # "1 of N ideas shortlisted."
    if javascript:
        host.evaluate("window.samePage = true")
    row = host.locator("li.host-row", has_text="Lend thermal cameras from the library")

    row.get_by_role("button", name="Shortlist").click()
    expect(row.get_by_role("button", name="Remove from the shortlist")).to_be_visible()
    expect(counter).to_have_text(f"2 of {ideas} ideas shortlisted.")

    row.get_by_role("button", name="Remove from the shortlist").click()
    expect(row.get_by_role("button", name="Shortlist")).to_be_visible()
    expect(counter).to_have_text(f"1 of {ideas} ideas shortlisted.")
    if javascript:
        assert host.evaluate("window.samePage") is True
