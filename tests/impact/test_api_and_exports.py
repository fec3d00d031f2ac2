"""Impact in the read API and the profile: an idea's updates, a team's pledge counts,
the credit a person's ideas earn for what was built on them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ideas.impact.forms import UpdateInput
from ideas.impact.models import ImpactStatus
from tests.api.schema import assert_conforms
from tests.factories.impact import impact_round
from tests.html import Page


async def test_an_idea_s_updates_and_a_team_s_pledges_in_the_api(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any, visitor: Any
) -> None:
    r = await impact_round(session, make_user, make_challenge, make_idea, people=2)
    await r.post()
    await r.post(data=UpdateInput(ImpactStatus.IMPLEMENTED, "In every canteen now."))
    await r.pledge(r.people[0], 3)
    await r.pledge(r.people[1])

    updates = await visitor.get(f"/api/v1/ideas/{r.idea.id}/updates")
    assert updates.status_code == 200
    assert_conforms(updates, "/ideas/{id}/updates")
    body = updates.json()
    assert body["status"] == "implemented"
    assert [u["status"] for u in body["items"]] == ["implemented", "piloted"]
    assert body["items"][1]["figures"][0]["measures"] == "meals saved per week"

    teams = await visitor.get(f"/api/v1/challenges/{r.challenge.slug}/teams")
    assert_conforms(teams, "/challenges/{slug}/teams")
    assert teams.json()["items"][0]["pledges"] == {"standing": 1, "waiting": 1}

    missing = await visitor.get("/api/v1/ideas/999999/updates")
    assert missing.status_code == 404

    profile = Page(await visitor.get(f"/people/{r.lead.id}"))
    assert "1 of these ideas led" in profile.text("#implemented-credit")


async def test_hosts_export_the_updates_and_the_pledges(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    r = await impact_round(session, make_user, make_challenge, make_idea, people=2)
    await r.post()
    await r.pledge(r.people[0], 1)
    await r.pledge(r.people[1], what="A van on Saturdays")
    host = await sign_in(r.host)
    updates = (await host.get(f"/challenges/{r.challenge.slug}/export/impact.json")).json()
    assert [(u["idea_title"], u["status"]) for u in updates] == [("Canteen leftovers", "piloted")]
    assert "meals saved per week" in updates[0]["figures"]
    pledges = (await host.get(f"/challenges/{r.challenge.slug}/export/pledges.csv")).text
    assert "A van on Saturdays" in pledges
    assert pledges.splitlines()[0].startswith("pledge_id,team_id,idea_title,pledger")
    stranger = await sign_in(r.people[0])
    refused = await stranger.get(f"/challenges/{r.challenge.slug}/export/pledges.csv")
    assert refused.status_code == 403
