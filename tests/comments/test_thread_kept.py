"""An idea's comment thread is made once for each version of what it shows and kept
(ideas.web.fragments): a change to anything it shows reaches the next page, and what
one viewer may do to a comment never reaches another viewer's page."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.comments import loaders, services
from ideas.comments.models import Comment, CommentStatus
from ideas.db import utcnow, write
from ideas.submissions.models import Idea
from ideas.submissions.services import withdraw_idea
from tests.factories.accounts import Person, visitor_with_a_session
from tests.html import Page


@pytest.fixture
async def idea(make_user: Any, make_challenge: Any, make_idea: Any) -> Idea:
    challenge = await make_challenge(await make_user("Hamid", host=True))
    made: Idea = await make_idea(challenge, await make_user("Amara"), title="Compost club")
    return made


def page_url(idea: Idea) -> str:
    return f"/ideas/{idea.id}/{idea.slug}"


async def comment(session: AsyncSession, idea: Idea, author: User, body: str, **more: Any) -> int:
    made = await services.post_comment(
        session, idea_id=idea.id, author_id=author.id, body=body, now=utcnow(), **more
    )
    return made.id


async def shown(person: Person, idea: Idea) -> Page:
    response = await person.get(page_url(idea))
    assert response.status_code == 200, response.text
    return Page(response)


async def test_a_reply_an_edit_and_a_renamed_commenter_reach_the_thread(
    idea: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    writer = await make_user("Priya Shah")
    first = await comment(session, idea, writer, "Worms")
    reader = await sign_in(await make_user("Tomas"))
    await shown(reader, idea)

    await comment(session, idea, writer, "And leaves", parent_id=first)
    replied = await shown(reader, idea)
    await services.edit_comment(
        session, comment_id=first, editor_id=writer.id, body="Red worms", now=utcnow()
    )
    edited = await shown(reader, idea)
    # The same initials: only the name itself changes.
    async with write(session) as tx:
        await tx.execute(update(User).where(User.id == writer.id).values(display_name="Priya Sen"))
    renamed = await shown(reader, idea)

    assert replied.text("#comments-heading") == "Comments (2)"
    assert replied.text(f"#replies-{first} .comment__body") == "And leaves"
    assert edited.text(f"#comment-{first} .comment__body") == "Red worms"
    assert renamed.text(f"#comment-{first} .comment__author") == "Priya Sen"


async def test_the_count_in_the_heading_reaches_the_thread(
    idea: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    reader = await sign_in(await make_user("Tomas"))
    await shown(reader, idea)

    async with write(session) as tx:
        await tx.execute(update(Idea).where(Idea.id == idea.id).values(comment_count=7))
    page = await shown(reader, idea)

    assert page.text("#comments-heading") == "Comments (7)"


async def test_how_long_ago_a_comment_was_written_moves_on_with_the_clock(
    idea: Idea, make_user: Any, sign_in: Any, session: AsyncSession, monkeypatch: Any
) -> None:
    first = await comment(session, idea, await make_user("Priya"), "Worms")
    reader = await sign_in(await make_user("Tomas"))
    before = (await shown(reader, idea)).text(f"#comment-{first} .comment__when")

    later = utcnow() + timedelta(hours=3, minutes=1)

    def three_hours_on() -> datetime:
        return later

    monkeypatch.setattr(loaders, "utcnow", three_hours_on)
    after = (await shown(reader, idea)).text(f"#comment-{first} .comment__when")

    assert before == "just now"
    assert after == "3 hours ago"


async def test_each_viewer_gets_their_own_rights_over_the_comments(
    idea: Idea, make_user: Any, sign_in: Any, session: AsyncSession, visitor: Person
) -> None:
    priya = await make_user("Priya")
    first = await comment(session, idea, priya, "Worms")
    author = await sign_in(priya)
    other = await sign_in(await make_user("Tomas"))

    as_author = await shown(author, idea)
    as_other = await shown(other, idea)
    as_visitor = await shown(visitor, idea)
    as_author_again = await shown(author, idea)

    own = f"#comment-{first} .comment__actions"
    report = f"#report-comment-{first}"
    assert [len(page.select(own)) for page in (as_author, as_other, as_visitor)] == [1, 0, 0]
    assert [len(page.select(report)) for page in (as_author, as_other, as_visitor)] == [0, 1, 0]
    assert len(as_author_again.select(own)) == 1
    assert as_visitor.text("#comments .comments__closed") == "Sign in to comment"
    assert len(as_other.select("#comment-form")) == 1


async def test_a_visitor_is_asked_to_sign_in_where_a_participant_gets_the_form(
    idea: Idea,
    make_user: Any,
    sign_in: Any,
    make_client: Any,
    session: AsyncSession,
    settings: Any,
) -> None:
    participant = await sign_in(await make_user("Tomas"))
    # With a session, as the participant has: the same tokens to fill in.
    visitor = await visitor_with_a_session(make_client, session, settings)

    # No comments: nothing but whether they may comment tells the two apart.
    as_participant = await shown(participant, idea)
    as_visitor = await shown(visitor, idea)

    assert len(as_participant.select("#comment-form")) == 1
    assert as_visitor.select("#comment-form") == []
    assert as_visitor.text("#comments .comments__closed") == "Sign in to comment"


async def test_a_hidden_comment_stays_readable_to_its_author_alone(
    idea: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya = await make_user("Priya")
    first = await comment(session, idea, priya, "Reported words")
    author, other = await sign_in(priya), await sign_in(await make_user("Tomas"))
    await shown(other, idea)
    async with write(session) as tx:
        await tx.execute(
            update(Comment).where(Comment.id == first).values(status=CommentStatus.HIDDEN)
        )

    as_author = await shown(author, idea)
    as_other = await shown(other, idea)

    assert as_author.text(f"#comment-{first} .comment__body") == "Reported words"
    assert as_other.text(f"#comment-{first}") == "This comment is hidden pending review."


async def test_a_withdrawn_idea_shows_why_it_takes_no_comments(
    idea: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    reader = await sign_in(await session.get(User, idea.author_id))
    await shown(reader, idea)

    await withdraw_idea(session, idea_id=idea.id, actor_id=idea.author_id, now=utcnow())
    page = await shown(reader, idea)

    assert page.select("#comment-form") == []
    assert (
        page.text("#comments .comments__closed")
        == "This idea is withdrawn, so it takes no new comments."
    )


async def test_a_form_sent_back_with_its_problem_is_not_the_kept_blank_one(
    idea: Idea, make_user: Any, sign_in: Any
) -> None:
    reader = await sign_in(await make_user("Tomas"))
    await reader.get(f"/ideas/{idea.id}/comments")

    response = await reader.post(f"/ideas/{idea.id}/comments", {"body": "   "})
    blank_again = Page(await reader.get(f"/ideas/{idea.id}/comments"))

    assert response.status_code == 200
    assert Page(response).text("#comment-body-error") == "Error: Your comment is required."
    assert blank_again.select("#comment-body-error") == []


async def test_the_kept_thread_carries_each_pages_own_form_tokens(
    idea: Idea, make_user: Any, sign_in: Any
) -> None:
    reader = await sign_in(await make_user("Tomas"))

    first, second = await shown(reader, idea), await shown(reader, idea)

    tokens = [
        page.one("#comment-form").cssselect("input[name=form_token]")[0].get("value")
        for page in (first, second)
    ]
    assert tokens[0] != tokens[1]
    assert all(token.endswith("-comment-form") for token in tokens)
