"""Time zones: each person reads times in their own zone, and hosts type a challenge's
schedule in the challenge's zone; everything is stored in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import zones
from ideas.accounts.models import User
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from tests.factories.accounts import Person
from tests.html import Page

SCHEDULE = {
    "title": "Less food waste",
    "question": "How might we cut food waste in school canteens?",
    "ideas_opens_at": "2027-07-01T10:00",
    "review_opens_at": "",
    "teams_opens_at": "",
    "closes_at": "",
    "team_capacity": "4",
    "report_threshold": "2",
}
# 10:00 in Lisbon on 1 July (summer time, UTC+1) is 09:00 UTC and 18:00 in Tokyo.
IN_UTC = datetime(2027, 7, 1, 9, 0, tzinfo=UTC)


async def change(session: AsyncSession, model: Any, id_: int, **values: Any) -> None:
    await session.execute(update(model).where(model.id == id_).values(**values))
    await session.commit()


async def reload(session: AsyncSession, model: Any, id_: int) -> Any:
    return await session.get(model, id_, populate_existing=True)


def test_a_request_zone_is_the_persons_then_the_browsers_then_the_sites() -> None:
    site = ZoneInfo("UTC")
    assert zones.request_zone("Europe/Lisbon", "Asia/Tokyo", site).key == "Europe/Lisbon"
    assert zones.request_zone(None, "Asia/Tokyo", site).key == "Asia/Tokyo"
    assert zones.request_zone(None, "Not/AZone", site) is site
    assert zones.request_zone("../../etc/passwd", None, site) is site
    assert zones.zone_named("x" * 100) is None


async def test_host_in_lisbon_types_the_schedule_in_lisbon_time(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    await change(session, User, host.id, time_zone="Europe/Lisbon")
    challenge = await make_challenge(host, phase=Phase.DRAFT)
    hamid = await sign_in(host)

    form = Page(await hamid.get(f"/challenges/{challenge.slug}/edit"))
    assert form.field_value("time_zone") in {"UTC", "Europe/Lisbon"}
    response = await hamid.post(
        f"/challenges/{challenge.slug}/edit",
        {**SCHEDULE, "slug": challenge.slug, "time_zone": "Europe/Lisbon", "language": "en"},
    )

    assert response.status_code == 303
    saved = await reload(session, Challenge, challenge.id)
    assert saved.time_zone == "Europe/Lisbon"
    assert saved.ideas_opens_at == IN_UTC
    # The edit form gives the time back as it was typed, in the challenge's zone.
    again = Page(await hamid.get(f"/challenges/{challenge.slug}/edit"))
    assert again.field_value("ideas_opens_at") == "2027-07-01T10:00"


async def test_participant_in_tokyo_sees_the_phase_at_their_local_time(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    await change(
        session, Challenge, challenge.id, time_zone="Europe/Lisbon", review_opens_at=IN_UTC
    )
    participant = await make_user()
    await change(session, User, participant.id, time_zone="Asia/Tokyo")

    hamid = Page(await (await sign_in(host)).get(f"/challenges/{challenge.slug}"))
    tokyo = Page(await (await sign_in(participant)).get(f"/challenges/{challenge.slug}"))

    # The host reads it in the site's zone (UTC here) and in the challenge's.
    assert "1 Jul 2027, 09:00 UTC" in hamid.text(".timeline")
    assert "1 Jul 2027, 10:00 WEST" in hamid.text(".timeline")
    assert "1 Jul 2027, 18:00 JST" in tokyo.text(".timeline")
    assert "1 Jul 2027, 10:00 WEST" in tokyo.text(".timeline")
    assert "Asia/Tokyo" in tokyo.text(".timeline__zones")
    assert "Europe/Lisbon" in tokyo.text(".timeline__zones")


async def test_a_visitor_reads_times_in_the_zone_their_browser_reported(
    make_user: Any, make_challenge: Any, visitor: Person, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    await change(session, Challenge, challenge.id, review_opens_at=IN_UTC)

    visitor.client.cookies.set(zones.COOKIE, "Asia/Tokyo")
    tokyo = Page(await visitor.get(f"/challenges/{challenge.slug}"))
    visitor.client.cookies.set(zones.COOKIE, "Nowhere/Atlantis")
    site = Page(await visitor.get(f"/challenges/{challenge.slug}"))

    assert "1 Jul 2027, 18:00 JST" in tokyo.text(".timeline")
    assert "1 Jul 2027, 09:00 UTC" in site.text(".timeline")


async def test_person_chooses_a_time_zone_on_the_settings_page(
    make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    user = await make_user()
    person = await sign_in(user)

    response = await person.post("/settings/time-zone", {"time_zone": " America/Mexico_City "})

    assert response.status_code == 303
    assert (await reload(session, User, user.id)).time_zone == "America/Mexico_City"
    page = Page(await person.get("/settings"))
    assert page.field_value("time_zone") == "America/Mexico_City"
    # Emptied, it follows the browser again.
    assert (await person.post("/settings/time-zone", {"time_zone": ""})).status_code == 303
    assert (await reload(session, User, user.id)).time_zone is None


@pytest.mark.parametrize("typed", ["Europe/Lisbonne", "UTC+2", "../etc/localtime", "x" * 70])
async def test_an_unknown_time_zone_is_refused_beside_the_field(
    make_user: Any, sign_in: Any, session: AsyncSession, typed: str
) -> None:
    user = await make_user()
    await change(session, User, user.id, time_zone="Europe/Paris")
    person = await sign_in(user)

    response = await person.post("/settings/time-zone", {"time_zone": typed})

    assert response.status_code == 400
    page = Page(response)
    assert "time zone we know" in page.text("#f-time_zone-error")
    assert page.field_value("time_zone") == typed
    assert (await reload(session, User, user.id)).time_zone == "Europe/Paris"


async def test_a_challenge_with_an_unknown_time_zone_is_refused_beside_the_field(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.DRAFT)
    hamid = await sign_in(host)

    response = await hamid.post(
        f"/challenges/{challenge.slug}/edit",
        {**SCHEDULE, "slug": challenge.slug, "time_zone": "Mars/Olympus_Mons"},
    )

    page = Page(response)
    assert "time zone we know" in page.text("#f-time_zone-error")
    assert page.field_value("time_zone") == "Mars/Olympus_Mons"
    saved = await reload(session, Challenge, challenge.id)
    assert saved.time_zone is None
    assert saved.ideas_opens_at != IN_UTC
