"""Admins read the audit log: newest first, a page at a time, filtered, and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas import audit
from ideas.audit import AuditEntry
from ideas.db import utcnow
from tests.factories.accounts import Person
from tests.factories.moderation import report
from tests.factories.web import HTMX
from tests.html import Page

AUDIT = "/admin/audit"


@pytest.fixture
async def admin(make_user: Any, sign_in: Any) -> Person:
    person: Person = await sign_in(await make_user("Ada Admin", admin=True))
    return person


def actions_shown(page: Page) -> list[str]:
    return [code.text_content() for code in page.select(".audit-table tbody code")]


def ids_shown(page: Page) -> list[int]:
    return [
        int(row.get("id").removeprefix("audit-")) for row in page.select(".audit-table tbody tr")
    ]


async def add_entries(session: AsyncSession, how_many: int, **fields: Any) -> list[int]:
    """``how_many`` entries, one a minute apart, the newest a minute ago."""
    now = utcnow()
    async with session.begin():
        entries = [
            audit.record(
                session,
                actor_id=fields.get("actor_id"),
                action=fields.get("action", "test.entry"),
                subject_type="test",
                subject_id=n,
                challenge_id=fields.get("challenge_id"),
                at=fields.get("at", now - timedelta(minutes=how_many - n)),
            )
            for n in range(how_many)
        ]
    return [entry.id for entry in entries]


# The page ---------------------------------------------------------------------------


async def test_an_admin_sees_moderation_role_changes_and_phase_switches_newest_first(
    admin: Person,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
) -> None:
    host = await make_user("Hamid", host=True)
    challenge = await make_challenge(host, report_threshold=1)
    idea = await make_idea(challenge, await make_user())
    priya = await make_user("Priya")
    await report(await sign_in(priya), idea)
    await admin.post(f"/admin/people/{priya.id}/role", {"role": "host", "action": "grant"})
    await (await sign_in(host)).post(
        f"/challenges/{challenge.slug}/phase", {"from": "ideas", "phase": "review"}
    )

    page = Page(await admin.get(AUDIT))

    shown = actions_shown(page)
    assert shown[:4] == [
        "challenge.phase",
        "user.role.grant",
        "moderation.hide",
        "moderation.report",
    ]
    at = [time.get("datetime") for time in page.select(".audit-table tbody time")]
    assert at == sorted(at, reverse=True)
    [grant] = [
        row
        for row in page.select(".audit-table tbody tr")
        if "user.role.grant" in row.text_content()
    ]
    assert "Ada Admin" in grant.text_content()
    assert grant.cssselect(f"a[href='/people/{priya.id}']")
    assert page.one(".admin-nav a[aria-current=page]").text_content() == "Audit log"


async def test_the_log_is_paged_fifty_at_a_time_by_keyset(
    admin: Person, session: AsyncSession
) -> None:
    ids = await add_entries(session, 120, action="test.entry")

    first = Page(await admin.get(f"{AUDIT}?action=test."))
    older = first.one("a[rel=next]").get("href")
    second = Page(await admin.get(older))
    third = Page(await admin.get(second.one("a[rel=next]").get("href")))

    newest_first = list(reversed(ids))
    assert ids_shown(first) == newest_first[:50]
    assert "action=test." in older
    # Entries added meanwhile do not shift the next page.
    await add_entries(session, 5, action="test.entry", at=utcnow())
    assert ids_shown(Page(await admin.get(older))) == newest_first[50:100]
    assert ids_shown(second) == newest_first[50:100]
    assert ids_shown(third) == newest_first[100:]
    assert third.select("a[rel=next]") == []
    assert third.select(".audit-log__pages a")[0].text_content() == "Newest entries"


async def test_filters_narrow_the_log_by_action_challenge_actor_and_dates(
    admin: Person,
    make_user: Any,
    make_challenge: Any,
    session: AsyncSession,
) -> None:
    olga = await make_user("Olga Ortiz")
    ben = await make_user("Ben")
    first = await make_challenge(await make_user(host=True), title="Canteens")
    second = await make_challenge(await make_user(host=True), title="Bicycles")
    day = datetime(2025, 3, 10, 12, tzinfo=UTC)
    await add_entries(session, 1, action="moderation.restore", actor_id=olga.id,
                      challenge_id=first.id, at=day)  # fmt: skip
    await add_entries(session, 1, action="moderation.dismiss", actor_id=ben.id,
                      challenge_id=second.id, at=day + timedelta(days=2))  # fmt: skip
    await add_entries(session, 1, action="moderationX", actor_id=ben.id,
                      challenge_id=first.id, at=day + timedelta(days=5))  # fmt: skip

    async def shown(query: str) -> list[str]:
        return actions_shown(Page(await admin.get(f"{AUDIT}?{query}")))

    assert await shown("action=moderation.") == ["moderation.dismiss", "moderation.restore"]
    assert await shown(f"challenge={first.slug}&action=moder") == [
        "moderationX",
        "moderation.restore",
    ]
    # Olga's own sign-up is hers too.
    assert await shown(f"actor={olga.id}") == ["user.create", "moderation.restore"]
    assert await shown("actor=olga&action=moderation.") == ["moderation.restore"]
    assert await shown(f"actor={ben.email}&action=moderation.") == ["moderation.dismiss"]
    assert await shown("from=2025-03-10&to=2025-03-12") == [
        "moderation.dismiss",
        "moderation.restore",
    ]
    assert await shown("from=2025-03-11&to=2025-03-11") == []
    # "_" and "%" are literal characters in the action prefix, not wildcards.
    assert await shown("action=moderation_") == []


async def test_a_bad_date_is_shown_beside_its_field_and_the_other_filters_still_apply(
    admin: Person, session: AsyncSession
) -> None:
    await add_entries(session, 2, action="test.entry")

    page = Page(await admin.get(f"{AUDIT}?action=test.&from=yesterday"))

    assert page.text("#audit-log .field--error .field-error").endswith(
        "must be a date, like 2026-03-01."
    )
    assert page.field_value("from") == "yesterday"
    assert set(actions_shown(page)) == {"test.entry"}


async def test_with_htmx_only_the_filters_and_results_come_back(
    admin: Person, session: AsyncSession
) -> None:
    await add_entries(session, 1, action="test.entry")

    response = await admin.get(f"{AUDIT}?action=test.", headers=HTMX)

    assert "HX-Request" in [v.strip() for v in response.headers["vary"].split(",")]
    page = Page(response)
    assert page.select("h1") == []
    assert page.select("div#audit-log form.audit-filters")
    assert actions_shown(page) == ["test.entry"]


# The CSV -----------------------------------------------------------------------------------


async def test_the_csv_has_the_same_filters_and_makes_formulas_inert(
    admin: Person, make_user: Any, session: AsyncSession
) -> None:
    mallory = await make_user('=HYPERLINK("http://evil")')
    ids = await add_entries(session, 3, action="test.csv", actor_id=mallory.id)
    await add_entries(session, 2, action="other.entry")

    response = await admin.get(f"{AUDIT}.csv?action=test.")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="audit-log.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text, newline="")))
    assert [int(row["id"]) for row in rows] == list(reversed(ids))
    assert {row["action"] for row in rows} == {"test.csv"}
    assert rows[0]["actor"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["subject_type"] == "test"
    await session.commit()
    exported = await session.scalar(select(AuditEntry).where(AuditEntry.action == "audit.export"))
    assert exported is not None
    assert exported.data == {"filters": {"action": "test."}}


async def test_the_page_links_to_the_csv_of_what_it_shows(
    admin: Person, session: AsyncSession
) -> None:
    await add_entries(session, 1, action="test.entry")

    page = Page(await admin.get(f"{AUDIT}?action=test.&actor=&from=2020-01-01"))

    assert page.one(".audit-log__export a").get("href") == (
        f"{AUDIT}.csv?action=test.&from=2020-01-01"
    )


# Who may read it ----------------------------------------------------------------------------


async def test_only_admins_read_or_download_the_log(
    make_user: Any, make_challenge: Any, sign_in: Any, visitor: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    await make_challenge(host)
    people = {
        "participant": await sign_in(await make_user()),
        "host": await sign_in(host),
        "visitor": visitor,
    }

    for who, person in people.items():
        refused = 303 if who == "visitor" else 403  # a visitor is sent to sign in first
        assert (await person.get(AUDIT)).status_code == refused, who
        assert (await person.get(f"{AUDIT}.csv")).status_code == refused, who
    await session.commit()
    assert (
        await session.scalar(select(AuditEntry).where(AuditEntry.action == "audit.export")) is None
    )


async def test_the_people_page_links_to_the_moderation_queue_and_the_audit_log(
    admin: Person,
) -> None:
    page = Page(await admin.get("/admin/people"))

    links = {a.text_content(): a.get("href") for a in page.select(".admin-nav a")}
    assert links == {
        "People and roles": "/admin/people",
        "Moderation": "/admin/moderation",
        "Audit log": "/admin/audit",
    }
