"""Hosts download a challenge's ideas as CSV or JSON; nobody else can."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.services import delete_account
from ideas.audit import AuditEntry
from ideas.challenges import exports
from ideas.challenges.phases import Phase
from ideas.db import Database, utcnow, write
from ideas.submissions.models import IdeaStatus
from ideas.teams.membership import join, lock_team
from ideas.teams.models import Team
from ideas.themes.models import Theme
from tests.factories.rounds import set_columns
from tests.factories.themes import store_themes

COLUMNS = [
    "id",
    "url",
    "title",
    "summary",
    "body",
    "status",
    "author",
    "created_at",
    "vote_count",
    "comment_count",
    "build_count",
    "shortlist_note",
    "citation",
    "cluster_id",
    "theme_id",
    "theme_name",
]


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
async def round_with_ideas(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> dict[str, Any]:
    """A challenge with a published, a shortlisted, a withdrawn and a hidden idea; one more
    idea in another challenge of the same host."""
    host = await make_user("Hamid", host=True)
    challenge = await make_challenge(host, phase=Phase.REVIEW)
    ana, ben = await make_user("Ana Costa"), await make_user("Ben Okafor")
    published = await make_idea(challenge, ana, title="Weigh the waste")
    shortlisted = await make_idea(challenge, ben, title="Smaller plates")
    withdrawn = await make_idea(challenge, ana, title="Compost bins")
    hidden = await make_idea(challenge, ben, title="Buy my pills")
    await set_columns(
        session,
        published,
        body="## How\n\nA *scale* in every canteen.",
        vote_count=7,
        comment_count=2,
        build_count=1,
        created_at=datetime(2030, 3, 2, 8, 30, tzinfo=UTC),
    )
    await set_columns(
        session,
        shortlisted,
        status=IdeaStatus.SHORTLISTED,
        shortlist_note="Promising, see the cost.",
    )
    await set_columns(session, withdrawn, status=IdeaStatus.WITHDRAWN)
    await set_columns(session, hidden, status=IdeaStatus.HIDDEN)
    other = await make_challenge(host, phase=Phase.REVIEW)
    await make_idea(other, ana, title="Not this round")
    return {
        "host": host,
        "challenge": challenge,
        "ideas": [published, shortlisted, withdrawn, hidden],
        "ana": ana,
    }


async def test_host_downloads_the_ideas_as_csv(
    round_with_ideas: dict[str, Any], sign_in: Any
) -> None:
    challenge = round_with_ideas["challenge"]
    published, *_ = ideas = round_with_ideas["ideas"]
    hamid = await sign_in(round_with_ideas["host"])

    response = await hamid.get(f"/challenges/{challenge.slug}/export/ideas.csv")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{challenge.slug}-ideas.csv"'
    )
    rows = _csv_rows(response.text)
    assert list(rows[0]) == COLUMNS
    assert [int(row["id"]) for row in rows] == [idea.id for idea in ideas]
    assert [row["status"] for row in rows] == ["published", "shortlisted", "withdrawn", "hidden"]
    first = rows[0]
    assert first["url"] == f"http://127.0.0.1:8000/ideas/{published.id}/{published.slug}"
    assert first["title"] == "Weigh the waste"
    assert first["body"] == "## How\n\nA *scale* in every canteen."
    assert first["author"] == "Ana Costa"
    assert first["created_at"] == "2030-03-02T08:30:00+00:00"
    assert (first["vote_count"], first["comment_count"], first["build_count"]) == ("7", "2", "1")
    assert rows[1]["shortlist_note"] == "Promising, see the cost."


async def test_host_downloads_the_ideas_as_json(
    round_with_ideas: dict[str, Any], sign_in: Any
) -> None:
    challenge = round_with_ideas["challenge"]
    ideas = round_with_ideas["ideas"]
    hamid = await sign_in(round_with_ideas["host"])

    response = await hamid.get(f"/challenges/{challenge.slug}/export/ideas.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{challenge.slug}-ideas.json"'
    )
    records = json.loads(response.text)
    assert [list(record) for record in records] == [COLUMNS] * 4
    assert [record["id"] for record in records] == [idea.id for idea in ideas]
    assert [record["title"] for record in records] == [
        "Weigh the waste",
        "Smaller plates",
        "Compost bins",
        "Buy my pills",
    ]
    assert [record["status"] for record in records] == [
        "published",
        "shortlisted",
        "withdrawn",
        "hidden",
    ]
    assert records[0]["vote_count"] == 7
    assert records[0]["created_at"] == "2030-03-02T08:30:00+00:00"


async def test_an_empty_round_exports_a_header_or_an_empty_array(
    make_user: Any, make_challenge: Any, sign_in: Any
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    hamid = await sign_in(host)

    as_csv = await hamid.get(f"/challenges/{challenge.slug}/export/ideas.csv")
    as_json = await hamid.get(f"/challenges/{challenge.slug}/export/ideas.json")

    assert next(csv.reader(io.StringIO(as_csv.text))) == COLUMNS
    assert _csv_rows(as_csv.text) == []
    assert json.loads(as_json.text) == []


async def test_ideas_are_read_in_batches_and_all_arrive(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(exports, "BATCH_SIZE", 2)
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    author = await make_user()
    ideas = [await make_idea(challenge, author) for _ in range(5)]
    hamid = await sign_in(host)

    as_csv = await hamid.get(f"/challenges/{challenge.slug}/export/ideas.csv")
    as_json = await hamid.get(f"/challenges/{challenge.slug}/export/ideas.json")

    expected = [idea.id for idea in ideas]
    assert [int(row["id"]) for row in _csv_rows(as_csv.text)] == expected
    assert [record["id"] for record in json.loads(as_json.text)] == expected


async def test_the_export_reads_in_a_session_of_its_own(
    round_with_ideas: dict[str, Any], database: Database
) -> None:
    challenge = round_with_ideas["challenge"]

    chunks = [
        chunk
        async for chunk in exports.stream(
            database,
            exports.DATASETS["ideas"],
            exports.FORMATS["json"],
            challenge_id=challenge.id,
            url_for=lambda name, **params: f"{name}:{params['idea_id']}",
        )
    ]

    records = json.loads("".join(chunks))
    assert [record["url"] for record in records] == [
        f"idea.detail:{idea.id}" for idea in round_with_ideas["ideas"]
    ]


async def test_a_deleted_author_is_shown_as_a_deleted_participant(
    round_with_ideas: dict[str, Any], sign_in: Any, session: AsyncSession
) -> None:
    challenge = round_with_ideas["challenge"]
    await delete_account(session, user_id=round_with_ideas["ana"].id, now=utcnow())
    hamid = await sign_in(round_with_ideas["host"])

    response = await hamid.get(f"/challenges/{challenge.slug}/export/ideas.json")

    authors = [record["author"] for record in json.loads(response.text)]
    assert authors == ["deleted participant", "Ben Okafor", "deleted participant", "Ben Okafor"]


async def test_spreadsheet_formulas_in_ideas_are_neutralised_in_csv(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    author = await make_user("=cmd|' /C calc'!A0")
    idea = await make_idea(challenge, author)
    await set_columns(
        session,
        idea,
        title='=HYPERLINK("http://evil.example","click")',
        summary="+1+2",
        body="-2+3",
        shortlist_note="@SUM(A1:A9)",
        citation="\t=1+1",
    )
    plain = await make_idea(challenge, author)
    await set_columns(session, plain, title="Cut waste by 30% - with data", summary="\rline")
    hamid = await sign_in(host)

    as_csv = await hamid.get(f"/challenges/{challenge.slug}/export/ideas.csv")
    as_json = await hamid.get(f"/challenges/{challenge.slug}/export/ideas.json")

    first, second = _csv_rows(as_csv.text)
    assert first["title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert first["summary"] == "'+1+2"
    assert first["body"] == "'-2+3"
    assert first["shortlist_note"] == "'@SUM(A1:A9)"
    assert first["citation"] == "'\t=1+1"
    assert first["author"] == "'=cmd|' /C calc'!A0"
    assert second["title"] == "Cut waste by 30% - with data"
    assert second["summary"] == "'\rline"
    # JSON is data, not a spreadsheet: it keeps the text as written.
    assert json.loads(as_json.text)[0]["title"] == '=HYPERLINK("http://evil.example","click")'


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"],
)
def test_every_formula_start_gets_an_apostrophe(value: str) -> None:
    assert exports.neutralise(value) == f"'{value}"
    assert exports.neutralise(f"a{value}") == f"a{value}"


async def test_each_export_is_recorded_in_the_audit_log(
    round_with_ideas: dict[str, Any], sign_in: Any, session: AsyncSession
) -> None:
    challenge = round_with_ideas["challenge"]
    host = round_with_ideas["host"]
    hamid = await sign_in(host)

    await hamid.get(f"/challenges/{challenge.slug}/export/ideas.csv")
    await hamid.get(f"/challenges/{challenge.slug}/export/ideas.json")

    entries = (
        await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "challenge.export")
            .order_by(AuditEntry.id)
        )
    ).all()
    assert [(entry.actor_id, entry.challenge_id, entry.data) for entry in entries] == [
        (host.id, challenge.id, {"dataset": "ideas", "format": "csv"}),
        (host.id, challenge.id, {"dataset": "ideas", "format": "json"}),
    ]


@pytest.mark.parametrize("path", ["nonsense.csv", "ideas.xlsx", "ideas.csv.json", "ideas"])
async def test_an_unknown_dataset_or_format_is_not_found(
    round_with_ideas: dict[str, Any], sign_in: Any, path: str
) -> None:
    challenge = round_with_ideas["challenge"]
    hamid = await sign_in(round_with_ideas["host"])

    response = await hamid.get(f"/challenges/{challenge.slug}/export/{path}")

    assert response.status_code == 404


async def test_participant_and_visitor_cannot_export(
    round_with_ideas: dict[str, Any], sign_in: Any, visitor: Any, make_user: Any
) -> None:
    challenge = round_with_ideas["challenge"]
    author = await sign_in(round_with_ideas["ana"])
    other_host = await sign_in(await make_user(host=True))

    for person in (author, other_host, visitor):
        for fmt in ("csv", "json"):
            response = await person.get(f"/challenges/{challenge.slug}/export/ideas.{fmt}")
            # A visitor is sent to sign in first.
            assert response.status_code == (303 if person is visitor else 403)
            assert "Weigh the waste" not in response.text


async def test_a_drafts_export_does_not_exist_for_anyone_but_its_hosts(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, visitor: Any
) -> None:
    host = await make_user(host=True)
    draft = await make_challenge(host, phase=Phase.DRAFT)
    participant = await sign_in(await make_user())
    hamid = await sign_in(host)

    for person in (participant, visitor):
        response = await person.get(f"/challenges/{draft.slug}/export/ideas.csv")
        assert response.status_code == 404
    assert (await hamid.get(f"/challenges/{draft.slug}/export/ideas.csv")).status_code == 200


async def test_refused_exports_are_not_recorded(
    round_with_ideas: dict[str, Any], sign_in: Any, session: AsyncSession
) -> None:
    challenge = round_with_ideas["challenge"]
    author = await sign_in(round_with_ideas["ana"])

    await author.get(f"/challenges/{challenge.slug}/export/ideas.csv")

    await session.commit()
    actions = (await session.scalars(select(AuditEntry.action))).all()
    assert "challenge.export" not in actions


async def test_teams_export_lists_each_member_lead_first(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    host_user = await make_user(host=True)
    challenge = await make_challenge(host_user, phase=Phase.REVIEW)
    lead = await make_user("Lena Lead")
    idea = await make_idea(challenge, lead, title="Warm rooms")
    other = await make_idea(await make_challenge(host_user, phase=Phase.REVIEW), await make_user())
    host = await sign_in(host_user)
    await host.post(f"/challenges/{challenge.slug}/shortlist/{idea.id}", {"decision": "add"})
    team_id = await session.scalar(select(Team.id).where(Team.idea_id == idea.id))
    assert team_id is not None
    tomas = await make_user("Tomás Member")
    async with write(session) as tx:
        await join(tx, team=await lock_team(tx, team_id), user_id=tomas.id, now=utcnow())

    response = await host.get(f"/challenges/{challenge.slug}/export/teams.csv")

    assert response.status_code == 200
    rows = _csv_rows(response.text)
    assert [(r["idea_title"], r["member"], r["lead"], r["role"]) for r in rows] == [
        ("Warm rooms", "Lena Lead", "True", "Lead"),
        ("Warm rooms", "Tomás Member", "False", ""),
    ]
    assert other.title not in response.text


async def test_the_ideas_export_names_each_ideas_theme(
    round_with_ideas: dict[str, Any], sign_in: Any, session: AsyncSession
) -> None:
    challenge = round_with_ideas["challenge"]
    published, shortlisted, withdrawn, hidden = round_with_ideas["ideas"]
    waste, plates = await store_themes(
        session,
        challenge,
        [("waste, scale", [published, withdrawn]), ("plates, portions", [shortlisted])],
    )
    await session.execute(update(Theme).where(Theme.id == plates).values(host_name="Portions"))
    await session.commit()
    hamid = await sign_in(round_with_ideas["host"])

    as_csv = await hamid.get(f"/challenges/{challenge.slug}/export/ideas.csv")
    as_json = await hamid.get(f"/challenges/{challenge.slug}/export/ideas.json")

    assert [(row["theme_id"], row["theme_name"]) for row in _csv_rows(as_csv.text)] == [
        (str(waste), "waste, scale"),
        (str(plates), "Portions"),
        (str(waste), "waste, scale"),
        ("", ""),
    ]
    assert [(r["id"], r["theme_id"], r["theme_name"]) for r in json.loads(as_json.text)] == [
        (published.id, waste, "waste, scale"),
        (shortlisted.id, plates, "Portions"),
        (withdrawn.id, waste, "waste, scale"),
        (hidden.id, None, None),
    ]


async def test_the_themes_export_lists_each_theme_with_its_listed_ideas_counted(
    round_with_ideas: dict[str, Any],
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = round_with_ideas["challenge"]
    published, shortlisted, withdrawn, hidden = round_with_ideas["ideas"]
    waste, plates = await store_themes(
        session,
        challenge,
        [("waste, scale", [published, withdrawn, hidden]), ("plates", [shortlisted])],
    )
    elsewhere = await make_challenge(round_with_ideas["host"])
    await store_themes(
        session,
        elsewhere,
        [("not this round", [await make_idea(elsewhere, round_with_ideas["ana"])])],
    )
    await session.execute(update(Theme).where(Theme.id == plates).values(host_name="=Plates"))
    await session.commit()
    hamid = await sign_in(round_with_ideas["host"])

    as_csv = await hamid.get(f"/challenges/{challenge.slug}/export/themes.csv")
    as_json = await hamid.get(f"/challenges/{challenge.slug}/export/themes.json")

    assert as_csv.status_code == as_json.status_code == 200
    columns = ["theme_id", "name", "words", "language", "size", "created_at"]
    assert next(csv.reader(io.StringIO(as_csv.text))) == columns
    rows = _csv_rows(as_csv.text)
    # Withdrawn and hidden ideas are not counted; a formula is made inert.
    assert [(r["theme_id"], r["name"], r["words"], r["size"]) for r in rows] == [
        (str(waste), "waste, scale", '["waste", "scale"]', "1"),
        (str(plates), "'=Plates", '["plates"]', "1"),
    ]
    records = json.loads(as_json.text)
    assert [list(record) for record in records] == [columns] * 2
    assert [(r["theme_id"], r["name"], r["size"]) for r in records] == [
        (waste, "waste, scale", 1),
        (plates, "=Plates", 1),
    ]
