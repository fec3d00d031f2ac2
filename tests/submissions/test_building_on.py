"""Ideas build on each other: links with notes, remixes, lineage, influence and credit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges.models import ChallengeHost, ChallengeTag
from ideas.db import utcnow
from ideas.submissions import lineage
from ideas.submissions.models import Idea, IdeaCoauthor, IdeaLink, IdeaTag
from tests.factories.queries import count
from tests.html import Page


def idea_form(title: str, **extra: Any) -> dict[str, Any]:
    return {"title": title, "summary": f"Summary of {title}.", "body": "", **extra}


async def fresh(session: AsyncSession, idea: Idea) -> Idea:
    found = await session.get(Idea, idea.id, populate_existing=True)
    assert found is not None
    return found


async def post(person: Any, challenge: Any, title: str, **extra: Any) -> Any:
    response = await person.post(
        f"/challenges/{challenge.slug}/ideas/new", idea_form(title, **extra)
    )
    assert response.status_code == 303, Page(response).text("main")
    idea_id = int(response.headers["location"].split("/")[2])
    return idea_id


async def test_an_idea_builds_on_two_others_with_a_note_each(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    a = await make_idea(challenge, await make_user(), title="Compost bins")
    b = await make_idea(challenge, await make_user(), title="School garden")
    priya = await sign_in(await make_user("Priya"))

    child_id = await post(
        priya,
        challenge,
        "Compost for the garden",
        builds_on=[str(a.id), str(b.id)],
        **{f"note-{a.id}": "took the bins", f"note-{b.id}": "feeds the beds"},
    )

    rows = await session.execute(
        select(IdeaLink.parent_id, IdeaLink.note).where(IdeaLink.child_id == child_id)
    )
    notes = dict(rows.all())
    assert notes == {a.id: "took the bins", b.id: "feeds the beds"}
    for parent in (a, b):
        saved = await fresh(session, parent)
        assert (saved.build_count, saved.influence) == (1, 1)
    page = Page(await priya.get(f"/ideas/{child_id}/compost-for-the-garden"))
    assert [a.text_content() for a in page.select(".lineage-summary .link-list a")] == [
        "Compost bins",
        "School garden",
    ]
    parent_page = Page(await priya.get(f"/ideas/{a.id}/{a.slug}"))
    assert parent_page.text(".lineage-summary .link-list a") == "Compost for the garden"
    assert "took the bins" in parent_page.text(".lineage-summary .link-note")
    # The family tree shows each note as its author wrote it, with no verb added to it.
    lineage = Page(await priya.get(f"/ideas/{child_id}/lineage"))
    assert sorted(" ".join(n.text_content().split()) for n in lineage.select(".link-note")) == [
        "feeds the beds",
        "took the bins",
    ]


async def test_influence_counts_every_descendant_once(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    """root ← a ← c, root ← b ← c (a diamond), c ← d: root has 4 descendants, not 5."""
    challenge = await make_challenge(await make_user(host=True))
    root = await make_idea(challenge, await make_user())
    person = await sign_in(await make_user())
    a = await post(person, challenge, "A", builds_on=[str(root.id)])
    b = await post(person, challenge, "B", builds_on=[str(root.id)])
    c = await post(person, challenge, "C", builds_on=[str(a), str(b)])
    await post(person, challenge, "D", builds_on=[str(c)])

    saved = await fresh(session, root)
    assert (saved.build_count, saved.influence) == (2, 4)
    assert (await session.get(Idea, a, populate_existing=True)).influence == 2  # type: ignore[union-attr]
    family = await lineage.family(session, c, viewer=None, now=utcnow())
    assert family.ancestors == {root.id, a, b}
    lineage_page = Page(await person.get(f"/ideas/{root.id}/lineage"))
    titles = [
        x.text_content()
        for x in lineage_page.select("section[aria-labelledby=descendants-heading] a")
    ]
    assert titles.count("C") == 2  # reached through A and through B
    assert titles.count("D") == 1  # the second time C is marked as shown above
    assert "(shown above)" in lineage_page.text("section[aria-labelledby=descendants-heading]")


async def test_build_on_this_idea_opens_the_form_linked_to_it(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    original = await make_idea(challenge, await make_user(), title="Night buses")
    priya = await sign_in(await make_user())

    idea_page = Page(await priya.get(f"/ideas/{original.id}/{original.slug}"))
    href = idea_page.one("a.button:first-child").get("href")
    form = Page(await priya.get(href))

    assert href == f"/challenges/{challenge.slug}/ideas/new?builds_on={original.id}"
    box = form.one(f"#f-builds_on-{original.id}")
    assert box.get("checked") is not None
    assert form.field_value("title") == ""


async def test_a_remix_starts_from_a_copy_and_keeps_the_link(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    original = await make_idea(challenge, await make_user(), title="Night buses")
    priya = await sign_in(await make_user())

    form = Page(await priya.get(f"/challenges/{challenge.slug}/ideas/new?remix={original.id}"))

    assert form.field_value("title") == "Night buses"
    assert form.field_value("summary") == original.summary
    assert form.one(f"#f-builds_on-{original.id}").get("checked") is not None
    child = await post(priya, challenge, "Night buses, electric", builds_on=[str(original.id)])
    assert (await fresh(session, original)).influence == 1
    assert child


@pytest.mark.parametrize("case", ["other challenge", "withdrawn", "missing"])
async def test_building_on_what_cannot_be_built_on_is_refused_beside_the_field(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
    case: str,
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    other = await make_challenge(host)
    author = await make_user()
    target = await make_idea(other if case == "other challenge" else challenge, author)
    if case == "withdrawn":
        await (await sign_in(author)).post(f"/ideas/{target.id}/withdraw")
    target_id = 999_999 if case == "missing" else target.id
    priya = await sign_in(await make_user())
    before = await count(session, Idea)

    response = await priya.post(
        f"/challenges/{challenge.slug}/ideas/new",
        idea_form("Mine", builds_on=[str(target_id)], **{f"note-{target_id}": "kept"}),
    )

    assert response.status_code == 200
    page = Page(response)
    message = {
        "other challenge": "You can only build on ideas of the same challenge.",
        "withdrawn": "That idea was withdrawn or hidden; it cannot be built on.",
        "missing": "One of the ideas you build on no longer exists.",
    }[case]
    assert page.text("#f-builds_on-error") == f"Error: {message}"
    assert page.field_value("title") == "Mine"
    assert await count(session, Idea) == before
    assert await count(session, IdeaLink) == 0


async def test_an_edit_that_would_make_a_loop_or_build_on_itself_is_refused(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    person = await sign_in(author)
    a = await post(person, challenge, "A")
    b = await post(person, challenge, "B", builds_on=[str(a)])
    c = await post(person, challenge, "C", builds_on=[str(b)])

    loop = await person.post(f"/ideas/{a}/edit", idea_form("A", builds_on=[str(c)]))
    itself = await person.post(f"/ideas/{a}/edit", idea_form("A", builds_on=[str(a)]))

    assert loop.status_code == itself.status_code == 200
    assert "make a loop" in Page(loop).text("#f-builds_on-error")
    assert Page(itself).text("#f-builds_on-error") == "Error: An idea cannot build on itself."
    links = (await session.execute(select(IdeaLink.child_id, IdeaLink.parent_id))).all()
    assert sorted(links) == sorted([(b, a), (c, b)])
    assert (await session.get(Idea, a, populate_existing=True)).influence == 2  # type: ignore[union-attr]


async def test_removing_a_link_by_editing_updates_the_counts_up_the_family(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    person = await sign_in(await make_user())
    a = await post(person, challenge, "A")
    b = await post(person, challenge, "B", builds_on=[str(a)])
    await post(person, challenge, "C", builds_on=[str(b)])

    response = await person.post(f"/ideas/{b}/edit", idea_form("B"))

    assert response.status_code == 303
    root = await session.get(Idea, a, populate_existing=True)
    assert root is not None
    assert (root.build_count, root.influence) == (0, 0)


# Tags ------------------------------------------------------------------------------


async def test_an_idea_carries_tags_the_challenge_offers_and_no_others(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, tags=("Food", "Schools"))
    elsewhere = await make_challenge(host, tags=("Elsewhere",))

    tags = {t.name: t.id for t in await session.scalars(select(ChallengeTag))}
    person = await sign_in(await make_user())

    idea_id = await post(
        person, challenge, "Tagged", tags=[str(tags["Food"]), str(tags["Elsewhere"])]
    )

    chosen = (await session.scalars(select(IdeaTag.tag_id).where(IdeaTag.idea_id == idea_id))).all()
    assert chosen == [tags["Food"]]
    page = Page(await person.get(f"/ideas/{idea_id}/tagged"))
    assert page.text(".idea__head .tag-list") == "Food"
    assert elsewhere


async def test_the_idea_page_shows_its_tags_once_each_in_the_hosts_order(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, tags=("Food", "Parks", "Schools"))
    tags = {t.name: t for t in await session.scalars(select(ChallengeTag))}
    # The host puts Schools first: the order is theirs, not the tags' creation.
    tags["Schools"].position, tags["Food"].position, tags["Parks"].position = 0, 1, 2
    # Two hosts and two co-authors: the idea's query reads four rows of it.
    session.add(ChallengeHost(challenge_id=challenge.id, user_id=(await make_user()).id))
    person = await sign_in(await make_user())
    idea_id = await post(
        person, challenge, "Tagged", tags=[str(tags["Food"].id), str(tags["Schools"].id)]
    )
    for _ in range(2):
        session.add(
            IdeaCoauthor(idea_id=idea_id, user_id=(await make_user()).id, added_at=utcnow())
        )
    await session.commit()

    page = Page(await person.get(f"/ideas/{idea_id}/tagged"))
    form = Page(await person.get(f"/ideas/{idea_id}/edit"))

    assert [li.text_content() for li in page.select(".idea__head .tag-list li")] == [
        "Schools",
        "Food",
    ]
    checked = {box.get("value") for box in form.select("input[name=tags][checked]")}
    assert checked == {str(tags["Food"].id), str(tags["Schools"].id)}


async def test_a_profile_shows_the_persons_built_on_credit(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, visitor: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    priya = await make_user("Priya")
    root = await make_idea(challenge, priya)
    person = await sign_in(await make_user())
    a = await post(person, challenge, "A", builds_on=[str(root.id)])
    await post(person, challenge, "B", builds_on=[str(a)])

    page = Page(await visitor.get(f"/people/{priya.id}"))

    assert page.text("#built-on-credit").startswith("2 ideas build on their ideas")
