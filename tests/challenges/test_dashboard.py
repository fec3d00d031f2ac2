"""The host dashboard: a challenge's numbers, its activity per day and what waits for the host."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ideas.challenges.phases import Phase
from ideas.db import Database, utcnow
from ideas.submissions.models import IdeaStatus
from tests.factories.queries import counting
from tests.factories.rounds import set_columns
from tests.html import Page


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _stat(page: Page, key: str) -> int:
    return int(page.text(f"#stat-{key} dd"))


def _status(page: Page, key: str) -> int:
    return int(page.text(f"#status-{key} dd"))


async def test_host_sees_the_counts_of_their_challenge(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user("Hamid", host=True)
    challenge = await make_challenge(host)
    ana, ben, cleo = await make_user("Ana"), await make_user("Ben"), await make_user("Cleo")
    first = await make_idea(challenge, ana)
    second = await make_idea(challenge, ana)
    shortlisted = await make_idea(challenge, ben)
    winner = await make_idea(challenge, ben)
    withdrawn = await make_idea(challenge, cleo)
    hidden = await make_idea(challenge, cleo)
    await set_columns(session, first, vote_count=4, comment_count=2, build_count=1)
    await set_columns(session, second, vote_count=1)
    await set_columns(session, shortlisted, status=IdeaStatus.SHORTLISTED, vote_count=3)
    await set_columns(session, winner, status=IdeaStatus.WINNER, comment_count=5, build_count=2)
    await set_columns(session, withdrawn, status=IdeaStatus.WITHDRAWN, vote_count=2)
    await set_columns(session, hidden, status=IdeaStatus.HIDDEN)
    other = await make_challenge(host)
    await make_idea(other, await make_user("Dara"))
    hamid = await sign_in(host)

    response = await hamid.get(f"/challenges/{challenge.slug}/dashboard")

    assert response.status_code == 200
    page = Page(response)
    assert page.text("h1") == "Host dashboard"
    assert _stat(page, "participants") == 3
    assert _stat(page, "ideas") == 4
    assert _stat(page, "votes") == 4 + 1 + 3 + 2
    assert _stat(page, "comments") == 2 + 5
    assert _stat(page, "build-ons") == 1 + 2
    assert _status(page, "shortlisted") == 2
    assert _status(page, "winners") == 1
    assert _status(page, "withdrawn") == 1
    assert _status(page, "hidden") == 1


async def test_host_sees_the_chart_and_the_exports(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    await make_idea(challenge, await make_user())
    hamid = await sign_in(host)

    page = Page(await hamid.get(f"/challenges/{challenge.slug}/dashboard"))

    chart = page.one("svg.activity-chart__plot")
    assert chart.get("role") == "img"
    labelled_by = (chart.get("aria-labelledby") or "").split()
    assert page.one(f"#{labelled_by[0]}").tag == "title"
    assert page.select("details table#activity-table caption")
    exports = [link.get("href") for link in page.select("#exports a")]
    assert exports == [
        f"/challenges/{challenge.slug}/export/ideas.csv",
        f"/challenges/{challenge.slug}/export/ideas.json",
        f"/challenges/{challenge.slug}/export/votes.csv",
        f"/challenges/{challenge.slug}/export/votes.json",
        f"/challenges/{challenge.slug}/export/comparisons.csv",
        f"/challenges/{challenge.slug}/export/comparisons.json",
        f"/challenges/{challenge.slug}/export/teams.csv",
        f"/challenges/{challenge.slug}/export/teams.json",
        f"/challenges/{challenge.slug}/export/jury.csv",
        f"/challenges/{challenge.slug}/export/jury.json",
        f"/challenges/{challenge.slug}/export/impact.csv",
        f"/challenges/{challenge.slug}/export/impact.json",
        f"/challenges/{challenge.slug}/export/pledges.csv",
        f"/challenges/{challenge.slug}/export/pledges.json",
        f"/challenges/{challenge.slug}/export/clusters.csv",
        f"/challenges/{challenge.slug}/export/clusters.json",
        f"/challenges/{challenge.slug}/export/themes.csv",
        f"/challenges/{challenge.slug}/export/themes.json",
    ]
    assert not page.select("[style]")


async def test_the_chart_counts_the_ideas_posted_each_day(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    author = await make_user()
    today = utcnow().date()
    posted = {  # day → hours (UTC) at which an idea was posted
        today - timedelta(days=59): [18],
        today - timedelta(days=4): [0, 9, 23],
        today - timedelta(days=2): [12],
        today: [0],
    }
    for day, hours in posted.items():
        for hour in hours:
            idea = await make_idea(challenge, author)
            await set_columns(session, idea, created_at=_at(day, hour))
    too_old = await make_idea(challenge, author)
    await set_columns(session, too_old, created_at=_at(today - timedelta(days=60), 12))
    elsewhere = await make_idea(await make_challenge(host, phase=Phase.REVIEW), author)
    await set_columns(session, elsewhere, created_at=_at(today - timedelta(days=2), 8))
    hamid = await sign_in(host)

    page = Page(await hamid.get(f"/challenges/{challenge.slug}/dashboard"))

    expected = {
        (today - timedelta(days=n)).isoformat(): len(posted.get(today - timedelta(days=n), []))
        for n in range(59, -1, -1)
    }
    table = {
        row.cssselect("time")[0].get("datetime"): int(row.cssselect("td")[0].text_content())
        for row in page.select("#activity-table tbody tr")
    }
    bars = {bar.get("data-day"): int(bar.get("data-ideas")) for bar in page.select("rect")}
    assert table == bars == expected  # 60 days at most: the idea of 60 days ago is left out
    heights = {bar.get("data-ideas"): float(bar.get("height")) for bar in page.select("rect")}
    assert heights["0"] == 0
    assert heights["1"] * 3 == pytest.approx(heights["3"], abs=0.1)


async def test_the_chart_starts_when_the_round_opened(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.IDEAS)  # opened yesterday
    await make_idea(challenge, await make_user())
    hamid = await sign_in(host)

    page = Page(await hamid.get(f"/challenges/{challenge.slug}/dashboard"))

    today = utcnow().date()
    days = [bar.get("data-day") for bar in page.select("rect")]
    assert days == [(today - timedelta(days=1)).isoformat(), today.isoformat()]
    assert [bar.get("data-ideas") for bar in page.select("rect")] == ["0", "1"]


async def test_a_closed_rounds_chart_ends_on_the_day_it_closed(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(
        host, phase=Phase.CLOSED
    )  # opened 7 days ago, closed yesterday
    idea = await make_idea(challenge, await make_user())
    today = utcnow().date()
    await set_columns(session, idea, created_at=_at(today - timedelta(days=6), 10))
    hamid = await sign_in(host)

    page = Page(await hamid.get(f"/challenges/{challenge.slug}/dashboard"))

    bars = [(bar.get("data-day"), bar.get("data-ideas")) for bar in page.select("rect")]
    assert bars == [
        ((today - timedelta(days=n)).isoformat(), "1" if n == 6 else "0") for n in range(7, 0, -1)
    ]


async def test_days_are_counted_in_utc_whatever_the_database_time_zone(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
    database: Database,
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, phase=Phase.REVIEW)  # opened 3 days ago
    author = await make_user()
    day = utcnow().date() - timedelta(days=2)
    for hour in (0, 23):
        idea = await make_idea(challenge, author)
        await set_columns(session, idea, created_at=_at(day, hour))
    if database.dialect_name == "postgresql":
        # 14 hours ahead of UTC: 23:00 UTC would already be the next day there.
        await session.execute(text("SET LOCAL TIME ZONE 'Pacific/Kiritimati'"))
        await session.commit()
    hamid = await sign_in(host)

    page = Page(await hamid.get(f"/challenges/{challenge.slug}/dashboard"))

    bars = {bar.get("data-day"): bar.get("data-ideas") for bar in page.select("rect")}
    assert bars[day.isoformat()] == "2"
    assert bars[(day + timedelta(days=1)).isoformat()] == "0"


async def test_a_draft_has_no_chart_and_asks_the_host_to_open_it(
    make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    draft = await make_challenge(host, phase=Phase.DRAFT)
    hamid = await sign_in(host)

    response = await hamid.get(f"/challenges/{draft.slug}/dashboard")

    assert response.status_code == 200
    page = Page(response)
    assert not page.select("svg")
    assert [title.text_content() for title in page.select(".task__title")] == [
        "Open the challenge for ideas"
    ]
    assert page.one(".task__link").get("href") == f"/challenges/{draft.slug}"
    assert page.select(".task time")


async def test_what_waits_for_the_host_follows_the_phase(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    review = await make_challenge(host, phase=Phase.REVIEW)
    teams = await make_challenge(host, phase=Phase.TEAMS)
    hamid = await sign_in(host)

    in_review = Page(await hamid.get(f"/challenges/{review.slug}/dashboard"))
    in_teams = Page(await hamid.get(f"/challenges/{teams.slug}/dashboard"))

    assert [link.get("href") for link in in_review.select(".task__link")] == [
        f"/challenges/{review.slug}/shortlist",
        f"/challenges/{review.slug}",
    ]
    assert in_review.select(".task")[-1].cssselect(".task__title")[0].text_content() == (
        "The Teams phase begins"
    )
    assert in_review.select(".task")[-1].cssselect("time")
    assert [link.get("href") for link in in_teams.select(".task__link")] == [
        f"/challenges/{teams.slug}/winners",
        f"/challenges/{teams.slug}",
    ]
    assert in_teams.select(".task__title")[0].text_content() == "Pick the winners"


async def test_participant_and_visitor_are_refused_the_dashboard(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, visitor: Any
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    author = await make_user()
    await make_idea(challenge, author)
    participant = await sign_in(author)
    other_host = await sign_in(await make_user(host=True))
    admin = await sign_in(await make_user(admin=True))

    for person in (participant, other_host, admin):
        response = await person.get(f"/challenges/{challenge.slug}/dashboard")
        assert response.status_code == 403
        assert not Page(response).select("#stat-participants")
    response = await visitor.get(f"/challenges/{challenge.slug}/dashboard")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=")


async def test_a_drafts_dashboard_does_not_exist_for_anyone_but_its_hosts(
    make_user: Any, make_challenge: Any, sign_in: Any, visitor: Any
) -> None:
    host = await make_user(host=True)
    draft = await make_challenge(host, phase=Phase.DRAFT)
    other_host = await sign_in(await make_user(host=True))
    participant = await sign_in(await make_user())

    for person in (other_host, participant, visitor):
        assert (await person.get(f"/challenges/{draft.slug}/dashboard")).status_code == 404
    assert (await visitor.get("/challenges/no-such-round/dashboard")).status_code == 404


async def test_the_dashboard_runs_the_same_queries_with_3_or_30_ideas(
    engine: AsyncEngine, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    authors = [await make_user() for _ in range(5)]
    small, large = await make_challenge(host), await make_challenge(host)
    for n in range(3):
        await make_idea(small, authors[n % 5])
    for n in range(30):
        await make_idea(large, authors[n % 5])
    hamid = await sign_in(host)
    priya = await sign_in(authors[0])

    async def queries(person: Any, challenge: Any, status: int) -> int:
        with counting(engine) as statements:
            response = await person.get(f"/challenges/{challenge.slug}/dashboard")
        assert response.status_code == status
        return len(statements)

    refused = await queries(priya, large, 403)  # the session, the user and the challenge only
    small_dashboard = await queries(hamid, small, 200)
    large_dashboard = await queries(hamid, large, 200)

    # Beyond loading the challenge: ideas per status, participants, ideas per day, the
    # themes with their sizes, and when they were found.
    assert small_dashboard == large_dashboard == refused + 5
