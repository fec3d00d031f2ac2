"""Dates, times, numbers and lists written the way each language writes them;
the API's error texts in the language asked for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ideas.i18n import (
    format_day,
    format_list,
    format_moment,
    format_number,
    format_relative,
    gettext,
    ngettext,
    text_direction,
    use_locale,
)
from tests.factories.accounts import Person

MOMENT = datetime(2026, 12, 6, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "moment", "day", "number", "listed"),
    [
        ("en", "6 Dec 2026, 14:30", "6 Dec", "12,000", "Ana, Ben and Chen"),
        ("es", "6 dic 2026, 14:30", "6 dic", "12.000", "Ana, Ben y Chen"),
        ("fr", "6 déc. 2026, 14:30", "6 déc.", "12\u202f000", "Ana, Ben et Chen"),
        ("ar", "6 ديسمبر 2026، 14:30", "6 ديسمبر", "12,000", "Ana وBen وChen"),
    ],
)
def test_dates_numbers_and_lists_are_written_the_language_s_way(
    locale: str, moment: str, day: str, number: str, listed: str
) -> None:
    with use_locale(locale):
        assert format_moment(MOMENT) == moment
        assert format_day(date(2026, 12, 6), "MMMd") == day
        assert format_number(12000) == number
        assert format_list(["Ana", "Ben", "Chen"]) == listed


@pytest.mark.parametrize(
    ("locale", "ago", "soon", "now"),
    [
        ("en", "3 days ago", "in 2 hours", "just now"),
        ("es", "hace 3 días", "dentro de 2 horas", "justo ahora"),
        ("fr", "il y a 3 jours", "dans 2 heures", "à l\u2019instant"),
        ("ar", "قبل 3 أيام", "خلال ساعتين", "الآن"),
    ],
)
def test_relative_times_count_whole_units(locale: str, ago: str, soon: str, now: str) -> None:
    with use_locale(locale):
        assert format_relative(MOMENT - timedelta(days=3, hours=5), MOMENT) == ago
        assert format_relative(MOMENT + timedelta(hours=2, minutes=59), MOMENT) == soon
        assert format_relative(MOMENT - timedelta(seconds=20), MOMENT) == now


def test_arabic_has_a_form_for_each_of_its_plural_categories() -> None:
    with use_locale("ar"):
        said = [ngettext("%(num)d idea", "%(num)d ideas", n) for n in (0, 1, 2, 3, 11, 100)]
    assert said == ["لا أفكار", "فكرة واحدة", "فكرتان", "3 أفكار", "11 فكرةً", "100 فكرة"]


def test_english_is_the_source_and_needs_no_catalog() -> None:
    assert gettext("Hello %(name)s,", name="Ana") == "Hello Ana,"
    assert text_direction("en") == "ltr"
    assert text_direction("ar") == "rtl"


async def test_the_api_answers_errors_in_the_language_asked_for(visitor: Person) -> None:
    response = await visitor.get("/api/v1/no-such-thing", headers={"Accept-Language": "es"})

    assert response.status_code == 404
    assert response.json()["message"] == "No hay nada público en esta dirección."
    assert "Accept-Language" in response.headers["Vary"]
    assert response.headers["Content-Language"] == "es"
