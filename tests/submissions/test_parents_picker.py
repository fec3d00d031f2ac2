"""The idea form's parents picker: find the challenge's ideas by title, add and remove
what the idea builds on, each with its note; never a loop. Without JavaScript, Find
and Add submit the form, which comes back with everything typed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges.phases import Phase
from ideas.db import utcnow
from ideas.submissions.models import Idea, IdeaLink
from ideas.submissions.services import withdraw_idea
from tests.factories.queries import count
from tests.html import Page

HTMX = {"HX-Request": "true"}
TYPED = {
    "title": "Compost for the school garden",
    "summary": "The canteen's scraps feed a garden the children grow.",
    "body": "## How\n\nA bin per class, emptied on Fridays.",
}


def chosen(page: Page) -> dict[int, str]:
    """The ideas the form builds on (ticked), with the note typed for each."""
    return {
        int(box.get("value")): page.field_value(f"note-{box.get('value')}")
        for box in page.select(".builds-on__item input[name=builds_on][checked]")
    }


def found(page: Page) -> list[str]:
    return [
        " ".join(title.text_content().split()) for title in page.select(".parent-results__title")
    ]


def assert_typed_kept(page: Page) -> None:
    for name, value in TYPED.items():
        assert page.field_value(name) == value


async def links_of(session: AsyncSession, child_id: int) -> dict[int, str]:
    await session.commit()
    rows = await session.execute(
        select(IdeaLink.parent_id, IdeaLink.note).where(IdeaLink.child_id == child_id)
    )
    return dict(rows.all())


async def test_find_without_javascript_brings_the_form_back_with_the_ideas_found(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    other = await make_challenge(host)
    author = await make_user()
    bins = await make_idea(challenge, author, title="Compost bins in every canteen")
    heap = await make_idea(challenge, author, title="A compost heap behind the kitchen")
    gone = await make_idea(challenge, author, title="Compost collected by bike")
    await withdraw_idea(session, idea_id=gone.id, actor_id=author.id, now=utcnow())
    await make_idea(other, author, title="Compost in another challenge")
    await make_idea(challenge, author, title="Menu voting")
    priya = await sign_in(await make_user("Priya"))
    ideas_before = await count(session, Idea)

    response = await priya.post(
        f"/challenges/{challenge.slug}/ideas/new",
        {
            **TYPED,
            "builds_on": str(bins.id),
            f"note-{bins.id}": "took the bins",
            "parent_q": "COMPOST",
            "intent": "find-parents",
        },
    )

    assert response.status_code == 200
    page = Page(response)
    assert_typed_kept(page)
    assert chosen(page) == {bins.id: "took the bins"}
    assert page.field_value("parent_q") == "COMPOST"
    assert found(page) == [heap.title]  # not the chosen, withdrawn or other challenge's
    add = page.one(".parent-results__item button")
    assert (add.get("type"), add.get("name"), add.get("value")) == (
        "submit",
        "add_parent",
        str(heap.id),
    )
    assert page.select(".error-summary") == []
    assert await count(session, Idea) == ideas_before


async def test_add_without_javascript_keeps_what_was_typed_and_posting_builds_on_both(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    bins = await make_idea(challenge, author, title="Compost bins")
    garden = await make_idea(challenge, author, title="School garden")
    priya = await sign_in(await make_user("Priya"))
    url = f"/challenges/{challenge.slug}/ideas/new"
    ideas_before = await count(session, Idea)

    response = await priya.post(
        url,
        {
            **TYPED,
            "builds_on": str(bins.id),
            f"note-{bins.id}": "took the bins",
            "parent_q": "garden",
            "add_parent": str(garden.id),
        },
    )

    assert response.status_code == 200
    page = Page(response)
    assert_typed_kept(page)
    assert chosen(page) == {bins.id: "took the bins", garden.id: ""}
    assert found(page) == []  # the garden is chosen now
    assert await count(session, Idea) == ideas_before

    posted = await priya.post(
        url,
        {
            **TYPED,
            "builds_on": [str(bins.id), str(garden.id)],
            f"note-{bins.id}": "took the bins",
            f"note-{garden.id}": "feeds its beds",
        },
    )
    assert posted.status_code == 303
    child_id = int(posted.headers["location"].split("/")[2])
    assert await links_of(session, child_id) == {
        bins.id: "took the bins",
        garden.id: "feeds its beds",
    }


async def test_adding_an_idea_that_cannot_be_built_on_adds_nothing(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    author = await make_user()
    gone = await make_idea(challenge, author, title="Withdrawn")
    await withdraw_idea(session, idea_id=gone.id, actor_id=author.id, now=utcnow())
    elsewhere = await make_idea(await make_challenge(host), author, title="Elsewhere")
    priya = await sign_in(await make_user("Priya"))

    for idea in (gone, elsewhere):
        response = await priya.post(
            f"/challenges/{challenge.slug}/ideas/new", {**TYPED, "add_parent": str(idea.id)}
        )
        page = Page(response)
        assert response.status_code == 200
        assert chosen(page) == {}
        assert_typed_kept(page)


async def test_choosing_a_similar_idea_without_javascript_keeps_what_was_typed(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    compost = await make_idea(challenge, await make_user(), title="Compost the canteen scraps")
    priya = await sign_in(await make_user("Priya"))
    url = f"/challenges/{challenge.slug}/ideas/new"
    ideas_before = await count(session, Idea)

    # The form comes back (here after "Preview") with the similar ideas listed under it.
    previewed = Page(await priya.post(url, {**TYPED, "intent": "preview"}))
    build = previewed.one(".similar__item button.similar__build")
    assert (build.get("name"), build.get("value")) == ("add_parent", str(compost.id))

    response = await priya.post(url, {**TYPED, build.get("name"): build.get("value")})

    assert response.status_code == 200
    page = Page(response)
    assert_typed_kept(page)
    assert chosen(page) == {compost.id: ""}
    assert page.select(".error-summary") == []
    assert await count(session, Idea) == ideas_before


async def test_an_author_changes_what_the_idea_builds_on_while_it_may_be_edited(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    bins = await make_idea(challenge, await make_user(), title="Compost bins")
    garden = await make_idea(challenge, await make_user(), title="School garden")
    author = await make_user("Priya")
    priya = await sign_in(author)
    child_id = int(
        (
            await priya.post(
                f"/challenges/{challenge.slug}/ideas/new",
                {**TYPED, "builds_on": str(bins.id), f"note-{bins.id}": "took the bins"},
            )
        )
        .headers["location"]
        .split("/")[2]
    )
    edit_url = f"/ideas/{child_id}/edit"

    form = Page(await priya.get(edit_url))
    assert chosen(form) == {bins.id: "took the bins"}
    added = Page(
        await priya.post(
            edit_url,
            {
                **TYPED,
                "builds_on": str(bins.id),
                f"note-{bins.id}": "took the bins",
                "add_parent": str(garden.id),
            },
        )
    )
    assert chosen(added) == {bins.id: "took the bins", garden.id: ""}
    # The bins unticked, the garden kept with a note.
    saved = await priya.post(
        edit_url, {**TYPED, "builds_on": str(garden.id), f"note-{garden.id}": "feeds its beds"}
    )

    assert saved.status_code == 303
    assert await links_of(session, child_id) == {garden.id: "feeds its beds"}


async def test_a_loop_is_refused_beside_the_field_with_everything_typed_kept(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user("Priya")
    priya = await sign_in(author)
    root = await make_idea(challenge, author, title="Compost bins")
    new = f"/challenges/{challenge.slug}/ideas/new"
    child = int(
        (await priya.post(new, {**TYPED, "builds_on": str(root.id)}))
        .headers["location"]
        .split("/")[2]
    )
    grandchild = int(
        (await priya.post(new, {**TYPED, "title": "Later", "builds_on": str(child)}))
        .headers["location"]
        .split("/")[2]
    )

    refused = await priya.post(
        f"/ideas/{root.id}/edit",
        {**TYPED, "builds_on": str(grandchild), f"note-{grandchild}": "full circle"},
    )
    itself = await priya.post(f"/ideas/{root.id}/edit", {**TYPED, "builds_on": str(root.id)})

    assert refused.status_code == 200
    page = Page(refused)
    assert page.text("#f-builds_on-error").startswith("Error: That would make a loop")
    assert page.one(".error-summary a[href='#f-builds_on']") is not None
    assert chosen(page) == {grandchild: "full circle"}
    assert_typed_kept(page)
    assert Page(itself).text("#f-builds_on-error") == "Error: An idea cannot build on itself."
    assert await links_of(session, root.id) == {}
    saved = await session.get(Idea, root.id, populate_existing=True)
    assert saved is not None
    assert saved.title == "Compost bins"


async def test_adding_its_own_idea_in_the_edit_form_adds_nothing(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user("Priya")
    idea = await make_idea(challenge, author, title="Compost bins")

    response = await (await sign_in(author)).post(
        f"/ideas/{idea.id}/edit", {**TYPED, "add_parent": str(idea.id), "parent_q": "compost"}
    )

    page = Page(response)
    assert chosen(page) == {}
    assert found(page) == []  # the idea being edited is not offered


# The fragments htmx asks for --------------------------------------------------------


async def test_the_search_fragment_leaves_out_the_chosen_ideas_and_the_one_edited(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    author = await make_user()
    bins = await make_idea(challenge, author, title="Compost bins")
    heap = await make_idea(challenge, author, title="Compost heap")
    edited = await make_idea(challenge, author, title="Compost for the garden")
    priya = await sign_in(await make_user())

    response = await priya.get(
        f"/challenges/{challenge.slug}/ideas/build-on",
        params={"parent_q": "compost", "builds_on": str(bins.id), "idea": str(edited.id)},
        headers=HTMX,
    )
    nothing = await priya.get(
        f"/challenges/{challenge.slug}/ideas/build-on",
        params={"parent_q": "zebra"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert found(Page(response)) == [heap.title]
    assert Page(response).select("h1") == []
    assert "No other idea of this challenge" in Page(nothing).text("p")


async def test_the_item_fragment_adds_a_visible_idea_of_the_challenge_once(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host)
    author = await make_user()
    bins = await make_idea(challenge, author, title="Compost bins")
    gone = await make_idea(challenge, author, title="Withdrawn")
    await withdraw_idea(session, idea_id=gone.id, actor_id=author.id, now=utcnow())
    elsewhere = await make_idea(await make_challenge(host), author, title="Elsewhere")
    priya = await sign_in(await make_user())
    base = f"/challenges/{challenge.slug}/ideas/build-on"

    item = await priya.get(f"{base}/{bins.id}", headers=HTMX)
    again = await priya.get(f"{base}/{bins.id}", params={"builds_on": str(bins.id)}, headers=HTMX)

    assert item.status_code == 200
    page = Page(item)
    assert chosen(page) == {bins.id: ""}
    assert page.one(f"label[for=f-builds_on-{bins.id}]").text_content() == "Compost bins"
    assert again.status_code == 200
    assert again.text == ""
    for idea in (gone, elsewhere):
        assert (await priya.get(f"{base}/{idea.id}", headers=HTMX)).status_code == 404


async def test_the_picker_is_on_the_edit_form_only_while_the_idea_may_be_edited(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=Phase.CLOSED)
    author = await make_user("Priya")
    bins = await make_idea(await make_challenge(await make_user(host=True)), author)
    idea = await session.get(Idea, bins.id)
    assert idea is not None
    idea.challenge_id = challenge.id  # an idea of a round that has closed
    await session.commit()
    priya = await sign_in(author)

    form = await priya.get(f"/ideas/{idea.id}/edit")
    picked = await priya.post(f"/ideas/{idea.id}/edit", {**TYPED, "intent": "find-parents"})

    assert form.status_code == 403
    assert picked.status_code == 403
