"""Similar ideas: while one is typed, and on each idea's page ("Ideas like this one")."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.challenges.phases import Phase
from ideas.db import Database, utcnow
from ideas.moderation import services as moderation
from ideas.similarity import queries as similarity
from ideas.submissions import services
from ideas.submissions.forms import SUMMARY_MAX, TITLE_MAX, IdeaInput
from tests.factories.accounts import Person
from tests.factories.rounds import add_ideas
from tests.html import Page

REPAIR = {
    "title": "Repair café at the library",
    "summary": "Once a month volunteers fix broken toasters, lamps and clothes for free.",
}
NIGHT_BUS = {
    "title": "Night bus on weekends",
    "summary": "Run a bus every hour between midnight and five on Friday and Saturday.",
}
TOOLS = {
    "title": "Tool lending shelf at the library",
    "summary": "The library lends drills, ladders and sewing machines like it lends books.",
}
# The repair café in other words.
TYPED = {
    "title": "Monthly fix-it day",
    "summary": "Bring your broken appliances and torn clothes to the library, volunteers mend them.",
}


def similar_url(slug: str) -> str:
    return f"/challenges/{slug}/ideas/similar"


async def titles_suggested(person: Person, slug: str, typed: dict[str, str]) -> list[str]:
    response = await person.get(similar_url(slug), params=typed)
    assert response.status_code == 200
    if not response.text:
        return []
    return [a.text_content() for a in Page(response).select(".similar__title")]


async def test_a_paraphrase_is_suggested_and_an_idea_on_the_same_topic_is_not(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(session, challenge, author, REPAIR, NIGHT_BUS, TOOLS)

    assert await titles_suggested(visitor, challenge.slug, TYPED) == [REPAIR["title"]]


async def test_a_paraphrase_in_spanish_is_suggested(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(
        session,
        challenge,
        author,
        {**NIGHT_BUS, "language": "en"},
        {
            "title": "Nevera solidaria",
            "summary": "Una nevera pública donde los vecinos dejan la comida que sobra.",
            "language": "es",
        },
    )

    typed = {
        "title": "Frigorífico compartido",
        "summary": "Poner una nevera en la plaza para dejar comida que sobra",
    }
    assert await titles_suggested(visitor, challenge.slug, typed) == ["Nevera solidaria"]


async def test_ideas_posted_and_edited_after_a_first_look_are_seen(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    (bus,) = await add_ideas(session, challenge, author, NIGHT_BUS)
    assert await titles_suggested(visitor, challenge.slug, TYPED) == []

    await add_ideas(session, challenge, author, REPAIR)
    assert await titles_suggested(visitor, challenge.slug, TYPED) == [REPAIR["title"]]

    # The night bus becomes a repair day: found first (its summary is the one typed), and
    # no longer as a night bus.
    await services.edit_idea(
        session,
        idea_id=bus,
        editor_id=author.id,
        data=IdeaInput(title="Fix-it day at the library", summary=TYPED["summary"], body=""),
        now=utcnow(),
    )
    assert await titles_suggested(visitor, challenge.slug, TYPED) == [
        "Fix-it day at the library",
        REPAIR["title"],
    ]
    typed_bus = {"title": "Buses at night", "summary": "A bus every hour on Saturday night"}
    assert await titles_suggested(visitor, challenge.slug, typed_bus) == []


async def test_hidden_and_withdrawn_ideas_are_never_suggested(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    hidden, withdrawn = await add_ideas(
        session, challenge, author, REPAIR, {**REPAIR, "title": "Repair café in the library"}
    )
    assert len(await titles_suggested(visitor, challenge.slug, TYPED)) == 2

    await moderation.hide_idea(
        session, idea_id=hidden, actor_id=host.id, reason="Spam", now=utcnow()
    )
    await services.withdraw_idea(session, idea_id=withdrawn, actor_id=author.id, now=utcnow())

    assert await titles_suggested(visitor, challenge.slug, TYPED) == []


async def test_ideas_of_a_draft_challenge_are_suggested_to_no_visitor(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(session, challenge, author, REPAIR)
    assert await titles_suggested(visitor, challenge.slug, TYPED) == [REPAIR["title"]]
    draft = await make_challenge(host, phase=Phase.DRAFT)

    response = await visitor.get(similar_url(draft.slug), params=TYPED)

    assert response.status_code == 404
    assert REPAIR["title"] not in response.text


@pytest.mark.parametrize(
    ("field", "length"), [("title", TITLE_MAX + 1), ("summary", SUMMARY_MAX + 1), ("title", 50_000)]
)
async def test_text_longer_than_the_form_allows_is_refused(
    session: AsyncSession,
    make_challenge: Any,
    host: User,
    author: User,
    visitor: Person,
    field: str,
    length: int,
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(session, challenge, author, REPAIR)
    typed = {**TYPED, field: ("library repair " * length)[:length]}

    response = await visitor.get(similar_url(challenge.slug), params=typed)

    assert response.status_code == 400
    assert REPAIR["title"] not in response.text


async def test_text_as_long_as_the_form_allows_is_answered(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    await add_ideas(session, challenge, author, REPAIR)
    typed = {"title": ("Repair café " * 20)[:TITLE_MAX], "summary": "x" * SUMMARY_MAX}

    assert await titles_suggested(visitor, challenge.slug, typed) == [REPAIR["title"]]


# When the index is built ---------------------------------------------------------------


async def test_a_request_does_not_build_the_index_of_a_large_challenge(
    session: AsyncSession,
    make_challenge: Any,
    host: User,
    author: User,
    visitor: Person,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    similarity.forget()
    monkeypatch.setattr(similarity, "BUILT_IN_REQUEST", 2)
    challenge = await make_challenge(host)
    await add_ideas(session, challenge, author, REPAIR, NIGHT_BUS, TOOLS)

    # Three ideas are more than a request builds an index of: nothing similar meanwhile.
    assert await titles_suggested(visitor, challenge.slug, TYPED) == []
    assert await titles_suggested(visitor, challenge.slug, TYPED) == []

    await similarity.prepare(session, challenge.id)
    assert await titles_suggested(visitor, challenge.slug, TYPED) == [REPAIR["title"]]


async def test_a_process_builds_the_indexes_of_challenges_open_for_ideas_as_it_starts(
    session: AsyncSession,
    database: Database,
    make_challenge: Any,
    host: User,
    author: User,
    visitor: Person,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    similarity.forget()
    monkeypatch.setattr(similarity, "BUILT_IN_REQUEST", 0)
    open_now = await make_challenge(host)
    in_review = await make_challenge(host, phase=Phase.REVIEW)
    for challenge in (open_now, in_review):
        await add_ideas(session, challenge, author, REPAIR, NIGHT_BUS)

    async with similarity.kept_ready(database):
        for _ in range(600):
            if similarity.is_kept(session, open_now.id):
                break
            await asyncio.sleep(0.05)
        assert await titles_suggested(visitor, open_now.slug, TYPED) == [REPAIR["title"]]
    assert not similarity.is_kept(session, in_review.id)
    assert await titles_suggested(visitor, in_review.slug, TYPED) == []


# The idea page ------------------------------------------------------------------------


async def test_an_idea_page_links_ideas_like_it_that_the_viewer_may_see(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    other = await make_challenge(host)
    repair, same, _bus, gone = await add_ideas(
        session,
        challenge,
        author,
        REPAIR,
        {"title": "Fix-it day at the library", "summary": TYPED["summary"]},
        NIGHT_BUS,
        {"title": "Repair café, once a month", "summary": REPAIR["summary"]},
    )
    await add_ideas(session, other, author, REPAIR)
    await moderation.hide_idea(session, idea_id=gone, actor_id=host.id, reason="Spam", now=utcnow())

    page = Page(await visitor.get(f"/ideas/{repair}/idea-0"))

    section = page.one("section.alike")
    assert section.cssselect("h2")[0].text_content() == "Ideas like this one"
    links = section.cssselect("a")
    assert [a.text_content() for a in links] == ["Fix-it day at the library"]
    assert links[0].get("href") == f"/ideas/{same}/idea-1"


async def test_an_idea_page_without_ideas_like_it_has_no_such_section(
    session: AsyncSession, make_challenge: Any, host: User, author: User, visitor: Person
) -> None:
    challenge = await make_challenge(host)
    repair, _ = await add_ideas(session, challenge, author, REPAIR, NIGHT_BUS)

    response = await visitor.get(f"/ideas/{repair}/idea-0")

    assert response.status_code == 200
    assert Page(response).select("section.alike") == []
    assert "Ideas like this one" not in response.text
