"""An idea carried into a follow-up round still in its draft is seen only by those who
may see that round (its hosts, the admins): not in the original's lineage, links,
credit, counts, API or challenge page for anyone else — until the round opens."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges import services as challenge_services
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.impact import queries, services
from ideas.impact.forms import FollowUpInput
from ideas.impact.models import ImpactStatus, ImpactUpdate
from ideas.submissions import lineage
from ideas.submissions.models import Idea
from tests.factories.accounts import Person
from tests.factories.impact import ImpactRound, impact_round
from tests.html import Page


@pytest.fixture
async def r(session: AsyncSession, make_user: Any, make_challenge: Any, make_idea: Any) -> Any:
    return await impact_round(session, make_user, make_challenge, make_idea)


async def _follow_up(r: ImpactRound, session: AsyncSession) -> tuple[Challenge, Idea]:
    """The host opens the next round (a draft) carrying the winner over."""
    follow = await services.open_follow_up(
        session, challenge_id=r.challenge.id, actor_id=r.host.id,
        data=FollowUpInput("Canteens, round two", (r.idea.id,)), now=r.tick(),
    )  # fmt: skip
    await session.commit()
    carried = (await session.scalars(select(Idea).where(Idea.challenge_id == follow.id))).one()
    return follow, carried


def _links_to(page: Page, idea: Idea, selector: str = "main") -> int:
    href = f"/ideas/{idea.id}/"
    return sum(1 for a in page.select(f"{selector} a") if (a.get("href") or "").startswith(href))


async def _sees(who: Person, r: ImpactRound, follow: Challenge, carried: Idea) -> dict[str, bool]:
    """Each place the carried idea (or its round) might show, and whether it does."""
    family = Page(await who.get(f"/ideas/{r.idea.id}/lineage"))
    detail = Page(await who.get(f"/ideas/{r.idea.id}/{r.idea.slug}"))
    challenge = Page(await who.get(f"/challenges/{r.challenge.slug}"))
    round_page = Page(await who.get(f"/challenges/{r.challenge.slug}/impact"))
    return {
        "family": _links_to(family, carried) >= 1,  # in the drawing and in the lists
        "family count": "1 idea descends" in family.text(".lede"),
        "idea page": _links_to(detail, carried, ".lineage-summary") == 1,
        "challenge page": bool(challenge.select("#followed-up-by")),
        "round page": follow.title in round_page.text("main"),
    }


async def test_only_hosts_and_admins_see_an_idea_carried_into_a_draft_round(
    r: ImpactRound,
    session: AsyncSession,
    make_user: Any,
    sign_in: Any,
    visitor: Person,
) -> None:
    follow, carried = await _follow_up(r, session)
    nobody = dict.fromkeys(
        ("family", "family count", "idea page", "challenge page", "round page"), False
    )
    everywhere = dict.fromkeys(nobody, True)
    participant = await sign_in(r.people[0])
    host = await sign_in(r.host)
    admin = await sign_in(await make_user("Admin", admin=True))
    assert await _sees(visitor, r, follow, carried) == nobody
    assert await _sees(participant, r, follow, carried) == nobody
    assert await _sees(host, r, follow, carried) == everywhere
    assert await _sees(admin, r, follow, carried) == everywhere

    api = (await visitor.get(f"/api/v1/ideas/{r.idea.id}")).json()
    assert api["built_on_by"] == []
    graph = (await visitor.get(f"/api/v1/ideas/{r.idea.id}/lineage")).json()
    assert [node["id"] for node in graph["nodes"]] == [r.idea.id]
    assert graph["edges"] == []

    # The public counts leave it out too, on the idea and on its author's profile.
    original = await session.get(Idea, r.idea.id, populate_existing=True)
    assert original is not None
    assert (original.build_count, original.influence) == (0, 0)
    profile = Page(await visitor.get(f"/people/{r.lead.id}"))
    assert profile.text("#built-on-credit strong") == "0"


async def test_once_the_round_opens_everyone_sees_it_and_it_counts(
    r: ImpactRound, session: AsyncSession, sign_in: Any, visitor: Person
) -> None:
    follow, carried = await _follow_up(r, session)
    await challenge_services.switch_phase(
        session, challenge_id=follow.id, to=Phase.IDEAS, actor_id=r.host.id, now=r.tick()
    )
    await session.commit()
    participant = await sign_in(r.people[0])
    assert all((await _sees(participant, r, follow, carried)).values())
    assert (await visitor.get(f"/api/v1/ideas/{r.idea.id}")).json()["built_on_by"][0][
        "id"
    ] == carried.id
    original = await session.get(Idea, r.idea.id, populate_existing=True)
    assert original is not None
    assert (original.build_count, original.influence) == (1, 1)

    # Back to its draft, it stops counting again.
    await challenge_services.switch_phase(
        session, challenge_id=follow.id, to=Phase.DRAFT, actor_id=r.host.id, now=r.tick()
    )
    await session.commit()
    original = await session.get(Idea, r.idea.id, populate_existing=True)
    assert original is not None
    assert (original.build_count, original.influence) == (0, 0)


async def test_credit_from_a_draft_round_reaches_only_its_hosts(
    r: ImpactRound, session: AsyncSession, make_user: Any
) -> None:
    """A round taken back to its draft after its team reported: what it reached is
    credited to the ideas it built on only for those who may see it."""
    follow, carried = await _follow_up(r, session)
    session.add(
        ImpactUpdate(
            challenge_id=follow.id, idea_id=carried.id, team_id=r.team.id,
            author_id=r.lead.id, status=ImpactStatus.IMPLEMENTED, body="Done.",
            created_at=r.tick(),
        )
    )  # fmt: skip
    await session.commit()
    admin = await make_user("Admin", admin=True)
    for viewer, reached in ((None, None), (r.people[0], None), (r.host, ImpactStatus.IMPLEMENTED),
                            (admin, ImpactStatus.IMPLEMENTED)):  # fmt: skip
        got = await queries.reach_of_descendants(session, r.idea, viewer=viewer, now=r.clock)
        assert got is reached
        credit = await queries.led_to_implemented(session, r.lead.id, viewer=viewer, now=r.clock)
        assert credit == (0 if reached is None else 2)
        family = await lineage.family(session, r.idea.id, viewer=viewer, now=r.clock)
        assert (carried.id in family.ideas) is (reached is not None)
        links = await lineage.links(session, r.idea, viewer=viewer, now=r.clock)
        assert [n.idea.id for n in links.children] == ([] if reached is None else [carried.id])
