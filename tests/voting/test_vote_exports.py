"""Hosts, and only they, download the votes."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.services import delete_account
from ideas.db import utcnow
from ideas.voting import services
from tests.html import Page

# Exports ------------------------------------------------------------------------


async def test_hosts_download_the_votes(
    round_: dict[str, Any], make_user: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge, idea = round_["challenge"], round_["idea"]
    second = await make_idea(challenge, round_["author"], title="=Sum of parts")
    priya, tomas = await make_user("Priya"), await make_user("Tomas")
    now = utcnow()
    await services.cast_vote(
        session, idea_id=idea.id, user_id=priya.id, now=now - timedelta(minutes=2)
    )
    await services.cast_vote(
        session, idea_id=second.id, user_id=tomas.id, now=now - timedelta(minutes=1)
    )
    await delete_account(session, user_id=tomas.id, now=now)
    hamid = await sign_in(round_["host"])

    dashboard = Page(await hamid.get(f"/challenges/{challenge.slug}/dashboard"))
    as_csv = await hamid.get(f"/challenges/{challenge.slug}/export/votes.csv")
    as_json = await hamid.get(f"/challenges/{challenge.slug}/export/votes.json")

    links = [link.get("href") for link in dashboard.select("#exports a")]
    assert f"/challenges/{challenge.slug}/export/votes.csv" in links
    assert f"/challenges/{challenge.slug}/export/votes.json" in links
    assert as_csv.status_code == 200
    assert as_csv.headers["content-disposition"] == (
        f'attachment; filename="{challenge.slug}-votes.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.text, newline="")))
    assert [list(row) for row in rows] == [
        ["idea_id", "idea_title", "participant", "created_at"]
    ] * 2
    # Voters are numbered in the order they first acted, never named.
    assert [(row["idea_id"], row["idea_title"], row["participant"]) for row in rows] == [
        (str(idea.id), "Compost club", "1"),
        (str(second.id), "'=Sum of parts", "2"),
    ]
    records = json.loads(as_json.text)
    assert [record["participant"] for record in records] == [1, 2]
    assert "Priya" not in as_csv.text + as_json.text
    assert records[0]["created_at"].endswith("+00:00")


async def test_participants_cannot_download_the_votes(
    round_: dict[str, Any], make_user: Any, sign_in: Any
) -> None:
    challenge = round_["challenge"]
    priya = await sign_in(await make_user("Priya"))

    response = await priya.get(f"/challenges/{challenge.slug}/export/votes.csv")

    assert response.status_code == 403
