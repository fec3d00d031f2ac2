"""Time zones by their IANA names: what a person may pick, and how it reads in a list."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ideas.zones import offset_label, request_zone, zone_named, zone_of

SITE = ZoneInfo("Europe/London")


def test_a_zone_reads_with_its_offset_at_that_moment() -> None:
    winter = datetime(2026, 1, 15, 12, tzinfo=UTC)
    summer = datetime(2026, 7, 15, 12, tzinfo=UTC)

    assert offset_label(ZoneInfo("Asia/Tokyo"), winter) == "Asia/Tokyo (UTC+09:00)"
    assert offset_label(ZoneInfo("Europe/Lisbon"), summer) == "Europe/Lisbon (UTC+01:00)"
    assert offset_label(ZoneInfo("America/St_Johns"), winter) == "America/St_Johns (UTC-03:30)"


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "localtime", "Europe/" + "x" * 80, "../etc"])
def test_no_such_zone_is_none(name: str) -> None:
    assert zone_named(name) is None


def test_a_request_reads_the_choice_then_the_browser_then_the_site() -> None:
    assert request_zone("Asia/Tokyo", "Europe/Lisbon", SITE).key == "Asia/Tokyo"
    assert request_zone(None, "Europe/Lisbon", SITE).key == "Europe/Lisbon"
    assert request_zone("Nowhere/Else", "nonsense", SITE) is SITE
    assert zone_of(None, SITE) is SITE
    assert zone_of("Asia/Tokyo", SITE).key == "Asia/Tokyo"
