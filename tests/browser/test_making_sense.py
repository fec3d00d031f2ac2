"""Making sense of a round in one journey, on the demo's round open for ideas: its host
groups two ideas that say the same thing, sees the round's themes on the dashboard, and
the results page shows bridging beside votes and pairwise. (Each step has a journey of
its own too, with and without JavaScript: tests/browser/test_duplicates_journey.py,
test_themes.py and test_bridging_results.py.)

The host ungroups the two at the end, leaving the demo as the other journeys expect it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from ideas.demo import BRIDGING, NEAR_DUPLICATES, VOTING_SLUG
from tests.factories.browser import sign_in_as

pytestmark = pytest.mark.browser

CHALLENGE = f"/challenges/{VOTING_SLUG}"


def test_a_host_groups_duplicates_sees_themes_and_reads_bridging(
    browser: Browser, base_url: str
) -> None:
    context = browser.new_context(base_url=base_url)
    try:
        host = context.new_page()
        sign_in_as(host, "Hamid Rahimi")
        # The demo grouped its first pair; the second is left for the host to find.
        first, second = NEAR_DUPLICATES[1]

        host.goto(CHALLENGE)
        host.get_by_role("link", name="Duplicates", exact=True).click()
        expect(host.get_by_role("heading", level=1)).to_have_text("Duplicates")
        host.get_by_label(first).check()
        host.get_by_label(second).check()
        host.get_by_role("button", name="Group the chosen ideas").click()
        cluster = host.locator("#duplicates .cluster").filter(has_text=first)
        expect(cluster.get_by_role("link", name=second)).to_be_visible()
        host.goto(CHALLENGE)
        card = host.locator("#ideas .idea-card").filter(has_text=first)
        expect(card.locator(".card__cluster-members")).to_contain_text(second)

        # The dashboard shows the round's themes, each with its size.
        host.goto(f"{CHALLENGE}/dashboard")
        themes = host.locator("#themes .theme")
        expect(themes.first.locator(".theme__size")).to_contain_text("ideas")
        assert themes.count() >= 2

        # The results: bridging beside votes and pairwise, and its own order.
        host.goto(f"{CHALLENGE}/results")
        table = host.locator("#results")
        for name in ("Votes", "Pairwise score", "Bridging score"):
            expect(table.get_by_role("columnheader", name=name, exact=True)).to_be_visible()
        expect(table.get_by_role("row").filter(has_text=first).first).to_contain_text(
            "in a cluster with 1 other idea"
        )
        table.get_by_role("link", name="Bridging score", exact=True).click()
        expect(table.get_by_role("row").nth(1)).to_contain_text(BRIDGING)
        by_votes = table.get_by_role("link", name="Votes", exact=True)
        by_votes.click()
        expect(table.get_by_role("row").nth(1)).not_to_contain_text(BRIDGING)

        # Ungrouping gives each idea its own card again.
        host.goto(f"{CHALLENGE}/duplicates")
        host.locator("#duplicates .cluster").filter(has_text=first).get_by_role(
            "button", name="Ungroup"
        ).click()
        expect(host.locator("#duplicates .cluster").filter(has_text=first)).to_have_count(0)
        host.goto(CHALLENGE)
        expect(host.locator("#ideas .idea-card").filter(has_text=second)).to_have_count(1)
    finally:
        context.close()
