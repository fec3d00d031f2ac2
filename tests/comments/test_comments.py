"""Participants comment on ideas and answer each other, one level deep."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ideas import policy
from ideas.accounts.models import User, UserStatus
from ideas.audit import AuditEntry
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.comments import forms, services
from ideas.comments.models import EDIT_WINDOW, Comment, CommentStatus
from ideas.db import utcnow
from ideas.errors import Conflict, Forbidden, NotFound
from ideas.submissions.models import Idea
from ideas.submissions.services import withdraw_idea
from tests.factories.accounts import Person, visitor_with_a_session
from tests.factories.queries import count, counting
from tests.factories.rounds import idea_url
from tests.factories.web import HTMX
from tests.html import Page

# Helpers ------------------------------------------------------------------------


@pytest.fixture
async def round_(make_user: Any, make_challenge: Any, make_idea: Any) -> Any:
    """A challenge taking ideas, with one idea by its author."""
    host = await make_user("Hamid", host=True)
    author = await make_user("Amara")
    challenge = await make_challenge(host)
    idea = await make_idea(challenge, author, title="Compost club")
    return idea


def comments_url(idea: Idea) -> str:
    return f"/ideas/{idea.id}/comments"


async def saved_comments(session: AsyncSession, idea: Idea) -> list[Comment]:
    await session.commit()
    rows = await session.scalars(
        select(Comment)
        .where(Comment.idea_id == idea.id)
        .order_by(Comment.id)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def comment_count(session: AsyncSession, idea: Idea) -> int:
    await session.commit()
    return int(await session.scalar(select(Idea.comment_count).where(Idea.id == idea.id)) or 0)


async def published_count(session: AsyncSession, idea: Idea) -> int:
    await session.commit()
    found = await session.scalar(
        select(func.count())
        .select_from(Comment)
        .where(Comment.idea_id == idea.id, Comment.status == CommentStatus.PUBLISHED)
    )
    return int(found or 0)


async def post(person: Person, idea: Idea, body: str, parent_id: int | None = None) -> Any:
    data = {"body": body}
    if parent_id is not None:
        data["parent_id"] = str(parent_id)
    return await person.post(comments_url(idea), data)


def new_comment_id(response: Any) -> int:
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("#comment-", 1)[1])


def thread_shape(page: Page) -> list[tuple[str, list[str]]]:
    """Each top-level comment's text with its replies' texts, as the thread shows them."""
    shape = []
    for item in page.select("#comment-list > li.comment-thread"):
        top = item.cssselect(":scope > article")[0]
        replies = item.cssselect(":scope > .comment-replies > li > article")
        shape.append((_text(top), [_text(reply) for reply in replies]))
    return shape


def _text(article: Any) -> str:
    body = article.cssselect(".comment__body, .comment__placeholder")
    return " ".join(body[0].text_content().split()) if body else ""


# Posting and replying -----------------------------------------------------------------


async def test_participant_comments_and_lands_on_the_comment(
    round_: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya = await sign_in(await make_user("Priya"))
    before = round_.last_activity_at

    response = await post(priya, round_, "What about **worms**?")

    comment_id = new_comment_id(response)
    assert response.headers["location"] == f"{idea_url(round_)}#comment-{comment_id}"
    [comment] = await saved_comments(session, round_)
    assert (comment.id, comment.author_id, comment.parent_id) == (comment_id, priya.user.id, None)
    assert comment.body_html == "<p>What about <strong>worms</strong>?</p>\n"
    assert await comment_count(session, round_) == 1
    idea = await session.get(Idea, round_.id, populate_existing=True)
    assert idea is not None
    assert idea.last_activity_at > before
    entry = (
        await session.scalars(select(AuditEntry).where(AuditEntry.action == "comment.post"))
    ).one()
    assert (entry.actor_id, entry.subject_id) == (priya.user.id, comment_id)

    page = Page(await priya.get(comments_url(round_)))
    assert page.text("#comments-heading") == "Comments (1)"
    assert page.text(f"#comment-{comment_id} .comment__body") == "What about worms?"
    assert page.text(f"#comment-{comment_id} .comment__author") == "Priya"


async def test_a_reply_sits_under_its_comment_and_a_reply_to_a_reply_joins_that_thread(
    round_: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya, tomas = await sign_in(await make_user("Priya")), await sign_in(await make_user())
    first = new_comment_id(await post(priya, round_, "First"))
    second = new_comment_id(await post(tomas, round_, "Second"))

    reply = new_comment_id(await post(tomas, round_, "Reply to first", parent_id=first))
    deeper = new_comment_id(await post(priya, round_, "Reply to the reply", parent_id=reply))

    saved = {c.id: c.parent_id for c in await saved_comments(session, round_)}
    assert saved == {first: None, second: None, reply: first, deeper: first}
    page = Page(await priya.get(comments_url(round_)))
    assert thread_shape(page) == [
        ("First", ["Reply to first", "Reply to the reply"]),
        ("Second", []),
    ]
    assert len(page.select(f"#reply-{first} form textarea[name=body]")) == 1
    assert page.select(f"#comment-{reply} ~ details") == []


async def test_a_reply_must_answer_a_published_comment_of_the_same_idea(
    round_: Idea,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    priya = await sign_in(await make_user())
    elsewhere_challenge = await make_challenge(await make_user(host=True))
    other_idea = await make_idea(elsewhere_challenge, await make_user())
    elsewhere = new_comment_id(await post(priya, other_idea, "On another idea"))
    gone = new_comment_id(await post(priya, round_, "Soon gone"))
    await priya.post(f"/comments/{gone}/delete")

    other = await post(priya, round_, "Reply", parent_id=elsewhere)
    to_deleted = await post(priya, round_, "Reply", parent_id=gone)
    nonsense = await priya.post(comments_url(round_), {"body": "Reply", "parent_id": "x"})

    assert (other.status_code, to_deleted.status_code) == (404, 409)
    assert nonsense.status_code == 200
    assert Page(nonsense).text("#comment-form .form-problem") == forms.NO_PARENT
    assert Page(nonsense).field_value("body") == "Reply"
    assert [c.id for c in await saved_comments(session, round_)] == [gone]


async def test_the_comment_count_stays_the_number_of_published_comments(
    round_: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya, tomas = await sign_in(await make_user()), await sign_in(await make_user())
    first = new_comment_id(await post(priya, round_, "One"))
    await post(tomas, round_, "Two", parent_id=first)
    third = new_comment_id(await post(tomas, round_, "Three"))
    assert await comment_count(session, round_) == await published_count(session, round_) == 3

    await priya.post(f"/comments/{first}/delete")
    await tomas.post(f"/comments/{third}/delete")
    again = await tomas.post(f"/comments/{third}/delete")

    assert again.status_code == 409
    assert await comment_count(session, round_) == await published_count(session, round_) == 1
    page = Page(await priya.get(comments_url(round_)))
    assert page.text("#comments-heading") == "Comments (1)"


@pytest.mark.parametrize(
    ("body", "forbidden"),
    [
        ("<script>alert(1)</script>", "script"),
        ('<img src="x" onerror="alert(1)">', "[onerror]"),
        ("[win a prize](javascript:alert(1))", 'a[href^="javascript"]'),
    ],
    ids=["script", "event-handler", "javascript-link"],
)
async def test_markdown_in_a_comment_is_sanitised(
    round_: Idea,
    make_user: Any,
    sign_in: Any,
    session: AsyncSession,
    body: str,
    forbidden: str,
) -> None:
    priya = await sign_in(await make_user())

    comment_id = new_comment_id(await post(priya, round_, body))

    [comment] = await saved_comments(session, round_)
    saved = Page(f"<div>{comment.body_html}</div>")
    assert saved.select("script, img, [onerror], a[href^='javascript']") == []
    assert "<script" not in comment.body_html
    page = Page(await priya.get(comments_url(round_)))
    assert page.select(f"#comment-{comment_id} .comment__body {forbidden}") == []
    assert page.select(f"#comment-{comment_id} .comment__body") != []


# Editing and deleting -------------------------------------------------------------


async def backdate(session: AsyncSession, comment_id: int, minutes: int) -> None:
    await session.execute(
        update(Comment)
        .where(Comment.id == comment_id)
        .values(created_at=utcnow() - timedelta(minutes=minutes))
    )
    await session.commit()


async def test_the_author_edits_a_comment_within_15_minutes(
    round_: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya = await sign_in(await make_user())
    comment_id = new_comment_id(await post(priya, round_, "Wroms"))
    await backdate(session, comment_id, 14)

    form = Page(await priya.get(f"/comments/{comment_id}/edit"))
    response = await priya.post(f"/comments/{comment_id}/edit", {"body": "Worms"})

    assert form.field_value("body") == "Wroms"
    assert response.status_code == 303
    assert response.headers["location"] == f"{idea_url(round_)}#comment-{comment_id}"
    [comment] = await saved_comments(session, round_)
    assert (comment.body, comment.body_html) == ("Worms", "<p>Worms</p>\n")
    assert comment.edited_at is not None
    page = Page(await priya.get(comments_url(round_)))
    assert page.text(f"#comment-{comment_id} .comment__edited") == "(edited)"
    assert await comment_count(session, round_) == 1


async def test_the_author_cannot_edit_a_comment_after_15_minutes(
    round_: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya = await sign_in(await make_user())
    comment_id = new_comment_id(await post(priya, round_, "Wroms"))
    await backdate(session, comment_id, 16)

    form = await priya.get(f"/comments/{comment_id}/edit")
    response = await priya.post(f"/comments/{comment_id}/edit", {"body": "Worms"})

    assert form.status_code == 403
    assert response.status_code == 403
    assert "15 minutes" in Page(response).text("main")
    [comment] = await saved_comments(session, round_)
    assert (comment.body, comment.edited_at) == ("Wroms", None)
    page = Page(await priya.get(comments_url(round_)))
    assert page.select(f"#comment-{comment_id} a[href$='/edit']") == []


async def test_nobody_edits_someone_elses_comment(
    round_: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya, tomas = await sign_in(await make_user()), await sign_in(await make_user())
    comment_id = new_comment_id(await post(priya, round_, "Mine"))

    form = await tomas.get(f"/comments/{comment_id}/edit")
    response = await tomas.post(f"/comments/{comment_id}/edit", {"body": "Yours now"})

    assert (form.status_code, response.status_code) == (403, 403)
    [comment] = await saved_comments(session, round_)
    assert (comment.body, comment.edited_at) == ("Mine", None)
    page = Page(await tomas.get(comments_url(round_)))
    assert page.select(f"#comment-{comment_id} .comment__actions") == []


async def test_deleting_a_comment_leaves_a_placeholder_and_its_replies(
    round_: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya, tomas = await sign_in(await make_user()), await sign_in(await make_user())
    first = new_comment_id(await post(priya, round_, "First"))
    await post(tomas, round_, "A reply", parent_id=first)
    await post(tomas, round_, "Second")

    response = await priya.post(f"/comments/{first}/delete")

    assert response.status_code == 303
    assert response.headers["location"] == f"{idea_url(round_)}#comment-{first}"
    deleted = (await saved_comments(session, round_))[0]
    assert (deleted.status, deleted.body, deleted.body_html) == (CommentStatus.DELETED, "", "")
    page = Page(await tomas.get(comments_url(round_)))
    assert thread_shape(page) == [
        ("This comment was deleted.", ["A reply"]),
        ("Second", []),
    ]
    assert page.select(f"#reply-{first}") == []
    assert page.text("#comments-heading") == "Comments (2)"
    actions = (await session.scalars(select(AuditEntry.action))).all()
    assert "comment.delete" in actions


async def test_a_hidden_comment_shows_a_placeholder_to_everyone_but_its_author(
    round_: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya, tomas = await sign_in(await make_user()), await sign_in(await make_user())
    comment_id = new_comment_id(await post(priya, round_, "Reported words"))
    await session.execute(
        update(Comment).where(Comment.id == comment_id).values(status=CommentStatus.HIDDEN)
    )
    await session.commit()

    as_other = Page(await tomas.get(comments_url(round_)))
    as_author = Page(await priya.get(comments_url(round_)))

    assert as_other.text(f"#comment-{comment_id}") == "This comment is hidden pending review."
    assert as_other.select(f"#reply-{comment_id}") == []
    assert as_author.text(f"#comment-{comment_id} .comment__body") == "Reported words"
    assert as_author.text(f"#comment-{comment_id} .comment__notice").startswith("Hidden pending")


async def test_nobody_deletes_someone_elses_comment(
    round_: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya, tomas = await sign_in(await make_user()), await sign_in(await make_user())
    comment_id = new_comment_id(await post(priya, round_, "Mine"))

    response = await tomas.post(f"/comments/{comment_id}/delete")

    assert response.status_code == 403
    [comment] = await saved_comments(session, round_)
    assert (comment.status, comment.body) == (CommentStatus.PUBLISHED, "Mine")
    assert await comment_count(session, round_) == 1


async def test_the_services_refuse_what_the_views_refuse(
    round_: Idea, make_user: Any, session: AsyncSession
) -> None:
    priya, tomas = await make_user(), await make_user()
    now = utcnow()
    comment = await services.post_comment(
        session, idea_id=round_.id, author_id=priya.id, body="Mine", now=now
    )
    late = now + EDIT_WINDOW + timedelta(seconds=1)

    with pytest.raises(Forbidden):
        await services.edit_comment(
            session, comment_id=comment.id, editor_id=tomas.id, body="x", now=now
        )
    with pytest.raises(Forbidden):
        await services.edit_comment(
            session, comment_id=comment.id, editor_id=priya.id, body="x", now=late
        )
    with pytest.raises(Forbidden):
        await services.delete_comment(session, comment_id=comment.id, actor_id=tomas.id, now=now)
    await services.delete_comment(session, comment_id=comment.id, actor_id=priya.id, now=now)
    with pytest.raises(Conflict):
        await services.post_comment(
            session,
            idea_id=round_.id,
            author_id=tomas.id,
            body="A reply",
            parent_id=comment.id,
            now=now,
        )
    with pytest.raises(NotFound):
        await services.post_comment(
            session, idea_id=-1, author_id=tomas.id, body="Nowhere", now=now
        )
    [saved] = await saved_comments(session, round_)
    assert (saved.status, saved.body) == (CommentStatus.DELETED, "")
    assert await comment_count(session, round_) == 0


def test_only_the_author_may_edit_and_only_for_15_minutes() -> None:
    now = utcnow()
    author = User(id=1, display_name="A", status=UserStatus.ACTIVE)
    other = User(id=2, display_name="B", status=UserStatus.ACTIVE)
    fresh = Comment(author_id=1, status=CommentStatus.PUBLISHED, created_at=now)
    old = Comment(
        author_id=1, status=CommentStatus.PUBLISHED, created_at=now - timedelta(minutes=16)
    )

    assert policy.may_edit_comment(author, fresh, now + timedelta(minutes=15))
    assert not policy.may_edit_comment(author, old, now)
    assert not policy.may_edit_comment(other, fresh, now)
    assert not policy.may_edit_comment(None, fresh, now)
    assert policy.may_delete_comment(author, old)
    assert not policy.may_delete_comment(other, fresh)


# Who may comment, and when --------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "status"),
    [(Phase.DRAFT, 404), (Phase.CLOSED, 403)],
    ids=["draft", "closed"],
)
async def test_nobody_comments_outside_the_ideas_review_and_teams_phases(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
    phase: Phase,
    status: int,
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=phase)
    idea = await make_idea(challenge, await make_user())
    priya = await sign_in(await make_user())

    response = await post(priya, idea, "Hello?")

    assert response.status_code == status
    assert await count(session, Comment) == 0
    assert await comment_count(session, idea) == 0


async def test_the_services_refuse_comments_and_edits_once_the_round_is_closed(
    make_user: Any, make_challenge: Any, make_idea: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())
    priya = await make_user()
    comment = await services.post_comment(
        session, idea_id=idea.id, author_id=priya.id, body="Before", now=utcnow()
    )
    await session.execute(
        update(Challenge)
        .where(Challenge.id == challenge.id)
        .values(phase_switched_to=Phase.CLOSED, phase_switched_at=utcnow())
    )
    await session.commit()

    with pytest.raises(Forbidden, match="Closed phase"):
        await services.post_comment(
            session, idea_id=idea.id, author_id=priya.id, body="After", now=utcnow()
        )
    with pytest.raises(Forbidden, match="Closed phase"):
        await services.edit_comment(
            session, comment_id=comment.id, editor_id=priya.id, body="Changed", now=utcnow()
        )

    [saved] = await saved_comments(session, idea)
    assert saved.body == "Before"
    assert await comment_count(session, idea) == 1


@pytest.mark.parametrize("phase", [Phase.IDEAS, Phase.REVIEW, Phase.TEAMS])
async def test_participants_comment_in_the_ideas_review_and_teams_phases(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
    phase: Phase,
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=phase)
    idea = await make_idea(challenge, await make_user())
    priya = await sign_in(await make_user())

    response = await post(priya, idea, "Hello")

    assert response.status_code == 303
    assert await count(session, Comment) == 1


async def test_a_visitor_cannot_comment_and_is_asked_to_sign_in(
    round_: Idea,
    make_client: Any,
    visitor: Person,
    session: AsyncSession,
    settings: Any,
) -> None:
    browser = await visitor_with_a_session(make_client, session, settings)

    response = await post(browser, round_, "Anonymous words")
    page = Page(await visitor.get(comments_url(round_)))

    assert response.status_code == 403
    assert "Sign in" in Page(response).text("main")
    assert await count(session, Comment) == 0
    assert page.select("#comments form") == []
    link = page.one("#comments .comments__closed a")
    assert link.text_content() == "Sign in to comment"
    assert link.get("href") == f"/sign-in?next={idea_url(round_)}"


async def test_nobody_comments_on_a_withdrawn_idea(
    round_: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    await withdraw_idea(session, idea_id=round_.id, actor_id=round_.author_id, now=utcnow())
    author = await session.get(User, round_.author_id)
    priya = await sign_in(await make_user())
    amara = await sign_in(author)

    by_participant = await post(priya, round_, "Still here?")
    by_author = await post(amara, round_, "A note to myself")
    page = Page(await amara.get(comments_url(round_)))

    assert by_participant.status_code == 404
    assert by_author.status_code == 403
    assert await count(session, Comment) == 0
    assert page.select("#comments form") == []
    assert (
        page.text("#comments .comments__closed")
        == "This idea is withdrawn, so it takes no new comments."
    )


async def test_a_closed_round_shows_why_there_is_no_form(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any
) -> None:
    challenge = await make_challenge(await make_user(host=True), phase=Phase.CLOSED)
    idea = await make_idea(challenge, await make_user())
    priya = await sign_in(await make_user())

    page = Page(await priya.get(comments_url(idea)))

    assert page.select("#comments form") == []
    assert "closed" in page.text("#comments .comments__closed")


# Forms and fragments ------------------------------------------------------------------


async def test_a_comment_that_is_too_long_comes_back_with_the_problem_beside_it(
    round_: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya = await sign_in(await make_user())
    typed = "Worms " * 834  # 5,004 characters, 5,003 once trimmed

    response = await post(priya, round_, typed)

    assert response.status_code == 200
    page = Page(response)
    assert page.text("#comment-body-error") == (
        "Error: Your comment must be at most 5,000 characters (it is 5,003)."
    )
    assert page.one("#comment-body").get("aria-invalid") == "true"
    assert page.field_value("body") == typed
    assert await count(session, Comment) == 0


async def test_an_empty_reply_comes_back_open_beside_its_comment(
    round_: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya = await sign_in(await make_user())
    first = new_comment_id(await post(priya, round_, "First"))

    response = await post(priya, round_, "   ", parent_id=first)

    assert response.status_code == 200
    page = Page(response)
    assert page.one(f"details#reply-{first}").get("open") is not None
    assert page.text(f"#reply-{first}-body-error") == "Error: Your comment is required."
    assert page.select("#comment-body-error") == []
    assert await count(session, Comment) == 1


async def test_a_comment_sent_by_htmx_comes_back_in_place(
    round_: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya = await sign_in(await make_user("Priya"))

    response = await priya.post(comments_url(round_), {"body": "In place"}, headers=HTMX)

    assert response.status_code == 200
    fragment = Page(f"<div>{response.text}</div>")
    assert fragment.select("h1, main, .site-header") == []
    [comment] = await saved_comments(session, round_)
    form = fragment.one("form#comment-form")
    assert form.get("data-hx-target") == "this"
    assert form.cssselect("textarea[name=body]")[0].text is None
    added = fragment.one("[data-hx-swap-oob='beforeend:#comment-list']")
    assert added.cssselect(f"li.comment-thread > article#comment-{comment.id}")
    assert fragment.text(f"#comment-{comment.id} .comment__body") == "In place"
    assert fragment.text("#comments-heading") == "Comments (1)"
    assert fragment.one("#comments-heading").get("data-hx-swap-oob") == "true"


async def test_a_reply_sent_by_htmx_joins_its_thread_in_place(
    round_: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya = await sign_in(await make_user())
    first = new_comment_id(await post(priya, round_, "First"))

    response = await priya.post(
        comments_url(round_), {"body": "Reply", "parent_id": str(first)}, headers=HTMX
    )

    fragment = Page(f"<div>{response.text}</div>")
    reply = (await saved_comments(session, round_))[-1]
    assert fragment.one(f"form#reply-{first}-form input[name=parent_id]").get("value") == str(first)
    added = fragment.one(f"[data-hx-swap-oob='beforeend:#replies-{first}']")
    assert added.cssselect(f"li > article#comment-{reply.id}")
    assert fragment.text("#comments-heading") == "Comments (2)"


async def test_a_problem_sent_by_htmx_comes_back_in_the_form_with_the_text(
    round_: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya = await sign_in(await make_user())
    typed = "x" * 5_001

    response = await priya.post(comments_url(round_), {"body": typed}, headers=HTMX)

    assert response.status_code == 200
    fragment = Page(response)
    assert fragment.root.tag == "form"
    assert fragment.text("#comment-body-error").startswith("Error: Your comment must be at most")
    assert fragment.field_value("body") == typed
    assert await count(session, Comment) == 0


async def test_edits_and_deletes_sent_by_htmx_come_back_in_place(
    round_: Idea, make_user: Any, sign_in: Any
) -> None:
    priya = await sign_in(await make_user())
    comment_id = new_comment_id(await post(priya, round_, "Wroms"))

    form = Page(await priya.get(f"/comments/{comment_id}/edit", headers=HTMX))
    edited = Page(await priya.post(f"/comments/{comment_id}/edit", {"body": "Worms"}, headers=HTMX))
    deleted = Page(
        f"<div>{(await priya.post(f'/comments/{comment_id}/delete', headers=HTMX)).text}</div>"
    )

    assert form.root.get("id") == f"comment-{comment_id}"
    assert form.select("h1") == []
    assert form.field_value("body") == "Wroms"
    assert edited.text(f"#comment-{comment_id} .comment__body") == "Worms"
    assert deleted.text(f"#comment-{comment_id}") == "This comment was deleted."
    assert deleted.text("#comments-heading") == "Comments (0)"
    assert deleted.one(f"#reply-{comment_id}").get("data-hx-swap-oob") == "delete"


async def test_the_thread_is_a_page_and_for_htmx_a_section(round_: Idea, visitor: Person) -> None:
    page = Page(await visitor.get(comments_url(round_)))
    response = await visitor.get(comments_url(round_), headers=HTMX)

    assert page.text("h1") == "Comments on “Compost club”"
    assert page.select("[style], script:not([src])") == []
    assert page.one("main section#comments") is not None
    fragment = Page(response)
    assert fragment.root.tag == "section"
    assert fragment.root.get("id") == "comments"
    assert fragment.select("h1") == []
    assert fragment.one("#comment-list").get("aria-live") == "polite"
    assert "HX-Request" in response.headers["Vary"]


# Costs and limits ---------------------------------------------------------------------


async def _thread_queries(engine: AsyncEngine, person: Person, idea: Idea) -> int:
    with counting(engine) as statements:
        response = await person.get(comments_url(idea))
    assert response.status_code == 200
    return len(statements)


async def test_the_thread_runs_the_same_queries_with_3_or_30_comments(
    engine: AsyncEngine,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    small, large = (
        await make_idea(challenge, await make_user()),
        await make_idea(challenge, await make_user()),
    )
    people = [await make_user() for _ in range(4)]
    now = utcnow()
    for idea, size in ((small, 3), (large, 30)):
        top_level = None
        for n in range(size):  # every third comment starts a thread; the others answer it
            comment = await services.post_comment(
                session,
                idea_id=idea.id,
                author_id=people[n % 4].id,
                body=f"Comment {n}",
                parent_id=top_level if n % 3 else None,
                now=now + timedelta(seconds=n),
            )
            top_level = top_level if n % 3 else comment.id
    priya = await sign_in(people[0])

    assert await _thread_queries(engine, priya, small) == await _thread_queries(
        engine, priya, large
    )
    page = Page(await priya.get(comments_url(large)))
    assert len(page.select("article.comment")) == 30


async def test_the_eleventh_comment_in_a_minute_is_refused(
    round_: Idea, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    priya = await sign_in(await make_user())

    answers = [await post(priya, round_, f"Comment {n}") for n in range(11)]

    assert [a.status_code for a in answers[:10]] == [303] * 10
    assert answers[10].status_code == 429
    assert "Retry-After" in answers[10].headers
    assert await count(session, Comment) == 10
