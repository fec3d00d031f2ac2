"""Check-in dates are days in the round's own time zone: a date is due once that day
is over there ("reminded once that day is over", as the form says), for the reminders
and for what the pages show, however far the zone is from UTC."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges.models import Challenge
from ideas.impact import services
from ideas.notifications.models import Notification
from ideas.zones import day_ended_at, end_of_day
from tests.factories.impact import ImpactRound, impact_round
from tests.html import Page

UTC = ZoneInfo("UTC")
ZONES = ("Pacific/Auckland", "America/Los_Angeles")


async def _round_in(
    zone: str, session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> ImpactRound:
    r = await impact_round(session, make_user, make_challenge, make_idea)
    await session.execute(
        update(Challenge).where(Challenge.id == r.challenge.id).values(time_zone=zone)
    )
    await session.commit()
    return r


def _midnight_after(day: date, zone: str) -> datetime:
    """The midnight that ends ``day`` in ``zone``, in UTC, worked out here by hand."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(zone)).astimezone(
        ZoneInfo("UTC")
    )


@pytest.mark.parametrize("zone", ZONES)
async def test_a_check_in_is_due_when_its_day_ends_in_the_rounds_zone(
    zone: str, session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    r = await _round_in(zone, session, make_user, make_challenge, make_idea)
    day = (r.clock + timedelta(days=40)).date()
    await services.set_check_ins(
        session, challenge_id=r.challenge.id, days=[day], actor_id=r.host.id, now=r.tick(),
        site_zone=UTC,
    )  # fmt: skip
    database = session.info["database"]
    due = _midnight_after(day, zone)
    # In UTC, the day would end hours later (Auckland) or earlier (Los Angeles).
    assert due != _midnight_after(day, "UTC")
    minute = timedelta(minutes=1)
    assert await services.remind_check_ins(database, due - minute, UTC) == 0
    assert await services.remind_check_ins(database, due, UTC) == 1
    await session.commit()
    told = (
        await session.scalars(select(Notification).where(Notification.kind == "impact.check_in"))
    ).all()
    assert {n.data["due"] for n in told} == {day.isoformat()}


async def test_a_host_late_in_the_evening_can_still_ask_for_news_by_today(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any
) -> None:
    """23:30 in Los Angeles is already tomorrow in UTC: the day is not over yet."""
    zone = "America/Los_Angeles"
    r = await _round_in(zone, session, make_user, make_challenge, make_idea)
    day = (r.clock + timedelta(days=40)).date()
    evening = datetime.combine(day, time(23, 30), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    assert evening.date() > day
    await services.set_check_ins(
        session, challenge_id=r.challenge.id, days=[day], actor_id=r.host.id, now=evening,
        site_zone=UTC,
    )  # fmt: skip
    database = session.info["database"]
    assert await services.remind_check_ins(database, evening, UTC) == 0
    assert await services.remind_check_ins(database, evening + timedelta(minutes=30), UTC) == 1


@pytest.mark.parametrize("zone", ZONES)
async def test_the_round_page_shows_and_offers_the_dates_as_typed(
    zone: str,
    session: AsyncSession,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
) -> None:
    r = await _round_in(zone, session, make_user, make_challenge, make_idea)
    days = sorted({(r.clock + timedelta(days=n)).date() for n in (20, 50)})
    host = await sign_in(r.host)
    url = f"/challenges/{r.challenge.slug}/impact"
    typed = "\n".join(d.isoformat() for d in days)
    saved = await host.post(f"{url}/check-ins", {"dates": typed})
    assert saved.status_code == 303
    page = Page(await host.get(url))
    assert [t.text_content() for t in page.select(".check-ins time")] == [
        d.isoformat() for d in days
    ]
    assert page.field_value("dates") == typed
    assert zone in page.text("main")


@pytest.mark.parametrize("zone", [*ZONES, "America/Santiago", "UTC"])
def test_a_day_and_the_moment_it_ends_give_each_other_back(zone: str) -> None:
    """Across a year, clock changes included (Santiago's happen at midnight)."""
    first = date(2027, 1, 1)
    for n in range(366):
        day = first + timedelta(days=n)
        assert day_ended_at(end_of_day(day, ZoneInfo(zone)), ZoneInfo(zone)) == day
