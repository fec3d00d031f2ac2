"""Impact's pages through HTTP, with no JavaScript: a closed round's team posts an
update with a figure and a picture, a follower is told, three people pledge on a
condition the third meets, and a host opens a follow-up round carrying the winner."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.impact.models import ImpactPicture, Pledge
from ideas.notifications.models import ChallengeFollow
from ideas.submissions.models import Idea
from tests.factories.impact import impact_round, notified
from tests.html import Page


def _png() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(picture, "PNG")
    return picture.getvalue()


async def test_after_the_round_from_an_update_to_the_next_round(
    session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    r = await impact_round(session, make_user, make_challenge, make_idea, people=3)
    session.add(ChallengeFollow(user_id=r.people[0].id, challenge_id=r.challenge.id))
    await session.commit()
    base = f"/teams/{r.team.id}/impact"
    pledges = f"/teams/{r.team.id}/pledges"

    member = await sign_in(r.member)
    page = Page(await member.get(base))
    assert page.select("#impact-update-form")
    form = {
        "csrf_token": member.csrf,
        "status": "piloted",
        "body": "Two canteens took part.",
        "figure-value-0": "340",
        "figure-unit-0": "meals",
        "figure-measures-0": "meals saved per week",
        "picture-alt-0": "Trays of food saved",
    }
    # A figure with no words for what it measures comes back, as typed.
    bad = await member.client.post(
        f"{base}/updates",
        data={**form, "figure-measures-0": ""},
        files={"picture-0": ("a.png", _png(), "image/png")},
    )
    assert bad.status_code == 400
    assert Page(bad).field_value("figure-value-0") == "340"
    posted = await member.client.post(
        f"{base}/updates", data=form, files={"picture-0": ("a.png", _png(), "image/png")}
    )
    assert posted.status_code == 303
    shown = Page(await member.get(base))
    assert "meals saved per week" in shown.text("#impact-progress")
    assert "piloted" in shown.text("#impact-latest")
    picture = (await session.scalars(select(ImpactPicture))).one()
    seen = await (await sign_in(r.people[1])).get(f"/pictures/{picture.picture_id}/card.webp")
    assert seen.status_code == 200
    assert await notified(session, "impact.update") == [r.people[0].id]

    # Someone not on the team is offered no form, and refused if they post anyway.
    pledgers = [await sign_in(person) for person in r.people]
    assert not Page(await pledgers[0].get(base)).select("#impact-update-form")
    refused = await pledgers[0].post(f"{base}/updates", {**form, "csrf_token": pledgers[0].csrf})
    assert refused.status_code == 403

    # A condition out of range is refused beside its field, and what was typed stays.
    wrong = await pledgers[0].post(pledges, {"kind": "time", "what": "Saturdays", "condition": "0"})
    assert wrong.status_code == 400
    assert Page(wrong).field_value("what") == "Saturdays"
    for n, pledger in enumerate(pledgers):
        made = await pledger.post(
            pledges, {"kind": "skill", "what": f"Skill {n}", "condition": "2"}
        )
        assert made.status_code == 303
    await session.commit()
    assert all(p.met_at is not None for p in await session.scalars(select(Pledge)))
    assert sorted(await notified(session, "pledge.met")) == sorted(
        [*(p.id for p in r.people), r.lead.id]
    )
    twice = await pledgers[0].post(pledges, {"kind": "time", "what": "More"})
    assert twice.status_code == 409

    # The round's page shows the progress; its host opens the next round from it.
    host = await sign_in(r.host)
    round_page = f"/challenges/{r.challenge.slug}/impact"
    assert "Canteen leftovers" in Page(await host.get(round_page)).text("#impact-progress")
    feed = await host.get(f"{round_page}.atom")
    assert feed.status_code == 200
    assert b"meals saved per week" in feed.content
    opened = await host.post(
        f"/challenges/{r.challenge.slug}/follow-up",
        {"title": "Canteens, round two", "carry": str(r.idea.id)},
    )
    assert opened.status_code == 303
    await session.commit()
    carried = await session.scalar(
        select(Idea).where(Idea.challenge_id != r.challenge.id, Idea.title == r.idea.title)
    )
    assert carried is not None
    lineage = Page(await host.get(f"/ideas/{carried.id}/lineage"))
    assert "Canteen leftovers" in lineage.text("main")
    assert "Canteens, round two" in Page(await host.get(round_page)).text("#impact-rounds")
