"""The idea page's parts that are the same for everyone are made once and kept
(ideas.web.fragments): a change to anything one of them shows reaches the next page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.db import utcnow, write
from ideas.submissions import services
from ideas.submissions.forms import IdeaInput
from ideas.submissions.models import Idea
from ideas.voting.services import cast_vote
from tests.factories import submissions
from tests.html import Page


def page_url(idea: Idea) -> str:
    return f"/ideas/{idea.id}/{idea.slug}"


async def _rename(session: AsyncSession, user: User, name: str) -> None:
    async with write(session) as tx:
        await tx.execute(update(User).where(User.id == user.id).values(display_name=name))


async def test_a_new_title_and_summary_reach_the_head_and_the_shared_description(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    author = await make_user("Ada")
    idea = await make_idea(await make_challenge(await make_user()), author)
    person = await sign_in(await make_user("Priya"))
    await person.get(page_url(idea))

    await services.edit_idea(
        session,
        idea_id=idea.id,
        editor_id=author.id,
        data=IdeaInput(title=idea.title, summary="Scraps become soil.", body=""),
        now=utcnow(),
    )
    page = Page(await person.get(page_url(idea)))

    assert page.text(".idea__summary") == "Scraps become soil."
    assert page.one('meta[property="og:description"]').get("content") == "Scraps become soil."


async def test_a_vote_reaches_the_counts(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    idea = await make_idea(await make_challenge(await make_user()), await make_user("Ada"))
    voter = await make_user("Priya")
    person = await sign_in(voter)
    await person.get(page_url(idea))

    await cast_vote(session, idea_id=idea.id, user_id=voter.id, now=utcnow())
    voted = Page(await person.get(page_url(idea)))

    assert "1 vote" in voted.text(".idea__stats")


async def test_a_renamed_author_reaches_the_byline(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    author = await make_user("Ada Lovelace")
    idea = await make_idea(await make_challenge(await make_user()), author)
    person = await sign_in(await make_user("Priya"))
    await person.get(page_url(idea))

    # The same initials, which the byline's picture shows: only the name changes.
    await _rename(session, author, "Ada Lamarr")
    renamed = Page(await person.get(page_url(idea)))

    assert "Ada Lamarr" in renamed.text("#authors")


async def test_what_builds_on_it_and_a_retitled_parent_reach_the_lineage(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    author = await make_user("Ada")
    challenge = await make_challenge(await make_user())
    parent = await make_idea(challenge, author, title="Compost bins")
    idea = await submissions.building_on(session, challenge, author, 50, [parent])
    person = await sign_in(await make_user("Priya"))
    await person.get(page_url(idea))

    await services.edit_idea(
        session,
        idea_id=parent.id,
        editor_id=author.id,
        data=IdeaInput(title="Compost corners", summary=parent.summary, body=""),
        now=utcnow(),
    )
    retitled = Page(await person.get(page_url(idea))).text(".lineage-summary")
    await _rename(session, author, "Ada Lovelace")
    renamed = Page(await person.get(page_url(idea))).text(".lineage-summary")
    await submissions.building_on(session, challenge, author, 51, [idea], title="Worm farms")
    built_on = Page(await person.get(page_url(idea))).text(".lineage-summary")

    assert "Compost corners" in retitled
    assert "by Ada Lovelace" in renamed
    assert "Worm farms" in built_on
