"""Duplicate clusters on the site: the hosts' tool (plain forms and htmx), one card on
the challenge's list, each member's page, authors' requests, the results and the API."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.db import utcnow
from ideas.moderation.services import hide_idea
from ideas.submissions import clusters
from ideas.voting.services import cast_vote
from tests.api.schema import assert_conforms
from tests.factories.accounts import Person
from tests.factories.clusters import HTMX, Duplicates, duplicates, members_of, snapshot
from tests.html import Page


@pytest.fixture
async def round_(make_user: Any, make_challenge: Any, make_idea: Any) -> Duplicates:
    return await duplicates(make_user, make_challenge, make_idea)


def tool(d: Duplicates) -> str:
    return f"/challenges/{d.challenge.slug}/duplicates"


async def choose(person: Person, d: Duplicates, *ideas: int, htmx: bool = False) -> Any:
    return await person.client.post(
        tool(d),
        data={"csrf_token": person.csrf, "ideas": [str(i) for i in ideas]},
        headers=HTMX if htmx else None,
    )


async def test_a_host_groups_two_duplicates_without_javascript_and_the_list_shows_one_card(
    session: AsyncSession, round_: Duplicates, sign_in: Any, visitor: Person
) -> None:
    d = round_
    host = await sign_in(d.host)
    page = Page(await host.get(tool(d)))
    assert len(page.select('#f-ideas input[name="ideas"]')) == 3

    response = await choose(host, d, d.ideas[0].id, d.ideas[1].id)

    assert response.status_code == 303
    assert response.headers["location"].endswith(tool(d))
    listing = Page(await visitor.get(f"/challenges/{d.challenge.slug}"))
    titles = [a.text_content() for a in listing.select("#ideas .idea-card .card__title a")]
    assert titles == [d.ideas[2].title, d.ideas[0].title]
    card = listing.select("#ideas .idea-card")[1]
    linked = [a.get("href") for a in card.cssselect(".card__cluster-members a")]
    assert linked == [f"/ideas/{d.ideas[1].id}/{d.ideas[1].slug}"]


async def test_with_htmx_the_tool_swaps_its_section(
    session: AsyncSession, round_: Duplicates, sign_in: Any
) -> None:
    d = round_
    host = await sign_in(d.host)
    response = await choose(host, d, d.ideas[0].id, d.ideas[1].id, htmx=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["vary"]
    fragment = Page(response)
    assert fragment.select("h1") == []
    assert len(fragment.select("#duplicates .cluster")) == 1
    cluster_id = int(fragment.one("#duplicates .cluster").get("id").removeprefix("cluster-"))
    assert await members_of(session, cluster_id) == [d.ideas[0].id, d.ideas[1].id]


async def test_a_single_idea_comes_back_with_the_problem_beside_the_list(
    session: AsyncSession, round_: Duplicates, sign_in: Any
) -> None:
    d = round_
    host = await sign_in(d.host)
    before = await snapshot(session)
    response = await choose(host, d, d.ideas[2].id)
    assert response.status_code == 400
    page = Page(response)
    assert page.one("#f-ideas-error").text_content().strip()
    assert page.one(f"#f-idea-{d.ideas[2].id}").get("checked") is not None
    assert await snapshot(session) == before


async def test_an_idea_already_grouped_comes_back_as_a_conflict(
    session: AsyncSession, round_: Duplicates, sign_in: Any
) -> None:
    d = round_
    await clusters.group(
        session,
        challenge_id=d.challenge.id,
        idea_ids=[d.ideas[0].id, d.ideas[1].id],
        actor_id=d.host.id,
        now=utcnow(),
    )
    host = await sign_in(d.host)
    before = await snapshot(session)
    response = await choose(host, d, d.ideas[1].id, d.ideas[2].id)
    assert response.status_code == 409
    assert Page(response).select(".form-problem")
    assert await snapshot(session) == before


async def test_the_tool_is_for_hosts(
    session: AsyncSession, round_: Duplicates, sign_in: Any
) -> None:
    d = round_
    author = await sign_in(d.authors[0])
    assert (await author.get(tool(d))).status_code == 403
    before = await snapshot(session)
    response = await choose(author, d, d.ideas[0].id, d.ideas[1].id)
    assert response.status_code == 403
    assert await snapshot(session) == before


async def test_grouping_needs_the_csrf_token(
    session: AsyncSession, round_: Duplicates, sign_in: Any
) -> None:
    d = round_
    host = await sign_in(d.host)
    before = await snapshot(session)
    response = await host.client.post(
        tool(d), data={"ideas": [str(d.ideas[0].id), str(d.ideas[1].id)]}
    )
    assert response.status_code == 403
    assert await snapshot(session) == before


async def test_each_members_page_names_the_others_and_a_host_ungroups(
    session: AsyncSession, round_: Duplicates, sign_in: Any, visitor: Person
) -> None:
    d = round_
    cluster_id = await clusters.group(
        session,
        challenge_id=d.challenge.id,
        idea_ids=[i.id for i in d.ideas],
        actor_id=d.host.id,
        now=utcnow(),
    )
    for idea in d.ideas:
        page = Page(await visitor.get(f"/ideas/{idea.id}/{idea.slug}"))
        linked = {a.get("href") for a in page.select("#cluster .cluster__members a")}
        assert linked == {f"/ideas/{o.id}/{o.slug}" for o in d.ideas if o.id != idea.id}
    host = await sign_in(d.host)
    out = f"{tool(d)}/{cluster_id}/remove/{d.ideas[2].id}"
    assert (await host.post(out)).status_code == 303
    assert await members_of(session, cluster_id) == [d.ideas[0].id, d.ideas[1].id]
    assert (await host.post(f"{tool(d)}/{cluster_id}/ungroup")).status_code == 303
    assert (await snapshot(session)).clusters == 0


async def test_authors_group_by_request_and_consent(
    session: AsyncSession, round_: Duplicates, sign_in: Any
) -> None:
    d = round_
    asker, answerer = await sign_in(d.authors[0]), await sign_in(d.authors[1])
    other = d.ideas[1]
    offered = Page(await asker.get(f"/ideas/{other.id}/{other.slug}"))
    assert [o.get("value") for o in offered.select("#f-cluster-idea option")] == [
        str(d.ideas[0].id)
    ]
    response = await asker.post(f"/ideas/{other.id}/cluster-requests", {"idea": str(d.ideas[0].id)})
    assert response.status_code == 303

    page = Page(await answerer.get(f"/ideas/{other.id}/{other.slug}"))
    form = page.one("#cluster .cluster-request form")
    stranger = await sign_in(d.authors[2])
    before = await snapshot(session)
    assert (await stranger.post(form.get("action"), {"decision": "accept"})).status_code == 403
    assert await snapshot(session) == before
    assert (await answerer.post(form.get("action"), {"decision": "accept"})).status_code == 303
    assert (await snapshot(session)).members == 2
    again = await answerer.post(form.get("action"), {"decision": "decline"})
    assert again.status_code == 409


async def test_the_results_rank_the_cluster_by_distinct_supporters(
    session: AsyncSession, round_: Duplicates, make_user: Any, visitor: Person
) -> None:
    d = round_
    fans = [await make_user(f"Fan {n}") for n in range(3)]
    # Two fans vote for both duplicates; the third idea has three votes of its own.
    for fan in fans[:2]:
        for idea in d.ideas[:2]:
            await cast_vote(session, idea_id=idea.id, user_id=fan.id, now=utcnow())
    for fan in fans:
        await cast_vote(session, idea_id=d.ideas[2].id, user_id=fan.id, now=utcnow())
    cluster_id = await clusters.group(
        session,
        challenge_id=d.challenge.id,
        idea_ids=[d.ideas[0].id, d.ideas[1].id],
        actor_id=d.host.id,
        now=utcnow(),
    )

    page = Page(await visitor.get(f"/challenges/{d.challenge.slug}/results"))
    assert page.text(f"#result-cluster-{cluster_id} .results__vote-rank") == "2"
    assert "2" in page.text(f"#result-cluster-{cluster_id} .results__supporters")
    assert page.text(f"#result-{d.ideas[0].id} .results__votes") == "2"
    assert page.text(f"#result-{d.ideas[2].id} .results__vote-rank") == "1"

    response = await visitor.get(f"/api/v1/challenges/{d.challenge.slug}/results")
    assert_conforms(response, "/challenges/{slug}/results")
    body = response.json()
    assert [(c["id"], c["supporters"], c["vote_rank"]) for c in body["clusters"]] == [
        (cluster_id, 2, 2)
    ]
    by_idea = {item["idea"].rsplit("/", 1)[1]: item for item in body["items"]}
    assert by_idea[str(d.ideas[1].id)]["votes"] == 2
    assert by_idea[str(d.ideas[1].id)]["cluster"] == cluster_id


async def test_the_api_list_shows_the_cluster_once_with_its_ideas(
    session: AsyncSession, round_: Duplicates, visitor: Person
) -> None:
    d = round_
    await clusters.group(
        session,
        challenge_id=d.challenge.id,
        idea_ids=[d.ideas[0].id, d.ideas[1].id],
        actor_id=d.host.id,
        now=utcnow(),
    )
    response = await visitor.get(f"/api/v1/challenges/{d.challenge.slug}/ideas")
    assert_conforms(response, "/challenges/{slug}/ideas")
    items = response.json()["items"]
    assert [item["id"] for item in items] == [d.ideas[2].id, d.ideas[0].id]
    assert items[0]["cluster"] is None
    assert [u.rsplit("/", 1)[1] for u in items[1]["cluster"]["ideas"]] == [
        str(d.ideas[0].id),
        str(d.ideas[1].id),
    ]
    detail = await visitor.get(f"/api/v1/ideas/{d.ideas[1].id}")
    assert_conforms(detail, "/ideas/{id}")
    assert detail.json()["cluster"]["id"] == items[1]["cluster"]["id"]


async def test_the_exports_carry_the_clusters(
    session: AsyncSession, round_: Duplicates, make_user: Any, sign_in: Any
) -> None:
    d = round_
    fan = await make_user("Fan")
    for idea in d.ideas[:2]:
        await cast_vote(session, idea_id=idea.id, user_id=fan.id, now=utcnow())
    cluster_id = await clusters.group(
        session,
        challenge_id=d.challenge.id,
        idea_ids=[d.ideas[0].id, d.ideas[1].id],
        actor_id=d.host.id,
        now=utcnow(),
    )
    host = await sign_in(d.host)
    rows = (await host.get(f"/challenges/{d.challenge.slug}/export/clusters.json")).json()
    assert [(r["cluster_id"], r["idea_id"], r["idea_vote_count"]) for r in rows] == [
        (cluster_id, d.ideas[0].id, 1),
        (cluster_id, d.ideas[1].id, 1),
    ]
    assert {r["cluster_supporters"] for r in rows} == {1}
    ideas = (await host.get(f"/challenges/{d.challenge.slug}/export/ideas.json")).json()
    assert [r["cluster_id"] for r in ideas] == [cluster_id, cluster_id, None]


async def test_the_admin_audit_page_lists_what_was_done_to_clusters(
    session: AsyncSession, round_: Duplicates, make_user: Any, sign_in: Any
) -> None:
    d = round_
    cluster_id = await clusters.group(
        session,
        challenge_id=d.challenge.id,
        idea_ids=[i.id for i in d.ideas],
        actor_id=d.host.id,
        now=utcnow(),
    )
    await clusters.remove_member(
        session,
        challenge_id=d.challenge.id,
        cluster_id=cluster_id,
        idea_id=d.ideas[2].id,
        actor_id=d.host.id,
        now=utcnow(),
    )
    await clusters.ungroup(
        session,
        challenge_id=d.challenge.id,
        cluster_id=cluster_id,
        actor_id=d.host.id,
        now=utcnow(),
    )
    admin = await sign_in(await make_user("Ada", admin=True))
    page = Page(await admin.get("/admin/audit?action=cluster."))
    actions = [
        cell.text_content().strip() for cell in page.select(".audit-table .audit-table__action")
    ]
    assert actions == ["cluster.ungroup", "cluster.remove", "cluster.group"]


async def test_a_hidden_first_idea_hands_the_card_to_the_next(
    session: AsyncSession, round_: Duplicates, visitor: Person
) -> None:
    d = round_
    await clusters.group(
        session,
        challenge_id=d.challenge.id,
        idea_ids=[i.id for i in d.ideas],
        actor_id=d.host.id,
        now=utcnow(),
    )
    await hide_idea(session, idea_id=d.ideas[0].id, actor_id=d.host.id, reason="spam", now=utcnow())
    listing = Page(await visitor.get(f"/challenges/{d.challenge.slug}"))
    cards = listing.select("#ideas .idea-card")
    assert [c.cssselect(".card__title a")[0].text_content() for c in cards] == [d.ideas[1].title]
    linked = [a.get("href") for a in cards[0].cssselect(".card__cluster-members a")]
    assert linked == [f"/ideas/{d.ideas[2].id}/{d.ideas[2].slug}"]
