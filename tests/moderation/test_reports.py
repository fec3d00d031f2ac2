"""Participants report ideas and comments; enough distinct reports hide the item at once."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts import sessions
from ideas.accounts.services import create_user
from ideas.app import create_app
from ideas.audit import AuditEntry
from ideas.challenges.forms import ChallengeInput
from ideas.challenges.models import Challenge
from ideas.challenges.phases import Phase
from ideas.challenges.services import create_challenge
from ideas.comments.models import Comment, CommentStatus
from ideas.comments.services import post_comment
from ideas.db import Database, utcnow
from ideas.errors import Forbidden
from ideas.moderation import services
from ideas.moderation.forms import ReportInput
from ideas.moderation.models import Report, ReportReason
from ideas.settings import Settings
from ideas.submissions.forms import IdeaInput
from ideas.submissions.models import Idea, IdeaCoauthor, IdeaStatus
from ideas.submissions.services import post_idea
from ideas.web.sessions import cookie_name
from tests.factories.challenges import schedule_for
from tests.factories.moderation import idea_count, report, report_rows
from tests.factories.queries import count, fresh
from tests.factories.rounds import idea_url
from tests.html import Page


@pytest.fixture
async def round_(make_user: Any, make_challenge: Any, make_idea: Any) -> Any:
    """A challenge taking ideas (threshold 3), with one idea by Amara."""
    host = await make_user("Hamid", host=True)
    author = await make_user("Amara")
    challenge = await make_challenge(host)
    idea = await make_idea(challenge, author, title="Compost club")
    return challenge, idea, author, host


async def hide_actions(session: AsyncSession, subject_type: str, subject_id: int) -> list[Any]:
    await session.commit()
    rows = await session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "moderation.hide",
            AuditEntry.subject_type == subject_type,
            AuditEntry.subject_id == subject_id,
        )
    )
    return list(rows)


# Hiding at the threshold ----------------------------------------------------------


async def test_three_distinct_reports_hide_an_idea_at_once(
    round_: Any, reporters: Any, session: AsyncSession
) -> None:
    challenge, idea, _, _ = round_
    first, second, third = await reporters(3)
    listed = await idea_count(session, challenge)

    for person in (first, second):
        assert (await report(person, idea, "spam")).status_code == 303
    halfway = await fresh(session, Idea, idea.id)
    assert (halfway.status, halfway.report_count) == (IdeaStatus.PUBLISHED, 2)

    response = await report(third, idea, "offensive")

    assert response.status_code == 303
    # The reporter can no longer see the idea: back to the challenge.
    assert response.headers["location"] == f"/challenges/{challenge.slug}"
    saved = await fresh(session, Idea, idea.id)
    assert (saved.status, saved.report_count) == (IdeaStatus.HIDDEN, 3)
    assert len(await report_rows(session, idea)) == 3
    assert await idea_count(session, challenge) == listed - 1
    [hidden] = await hide_actions(session, "idea", idea.id)
    assert hidden.actor_id is None
    assert hidden.data["previous_status"] == "published"


async def test_three_distinct_reports_hide_a_comment_at_once(
    round_: Any, reporters: Any, make_user: Any, make_comment: Any, session: AsyncSession
) -> None:
    _, idea, _, _ = round_
    comment = await make_comment(idea, await make_user("Carl"), "Buy cheap watches")
    first, second, third = await reporters(3)

    for person in (first, second):
        await report(person, comment, "spam")
    assert (await fresh(session, Comment, comment.id)).status is CommentStatus.PUBLISHED
    response = await report(third, comment, "spam")

    assert response.status_code == 303
    assert response.headers["location"] == f"{idea_url(idea)}#comment-{comment.id}"
    saved = await fresh(session, Comment, comment.id)
    assert (saved.status, saved.report_count) == (CommentStatus.HIDDEN, 3)
    assert (await fresh(session, Idea, idea.id)).comment_count == 0
    assert len(await hide_actions(session, "comment", comment.id)) == 1


async def test_a_threshold_of_one_hides_at_the_first_report(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    make_comment: Any,
    reporters: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(await make_user(host=True), report_threshold=1)
    idea = await make_idea(challenge, await make_user())
    other = await make_idea(challenge, await make_user())
    comment = await make_comment(other, await make_user())
    [priya] = await reporters(1)

    await report(priya, idea, "off-topic")
    await report(priya, comment, "offensive")

    assert (await fresh(session, Idea, idea.id)).status is IdeaStatus.HIDDEN
    assert (await fresh(session, Comment, comment.id)).status is CommentStatus.HIDDEN


async def test_a_hidden_shortlisted_idea_remembers_it_was_shortlisted(
    make_user: Any, make_challenge: Any, make_idea: Any, reporters: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True), report_threshold=1)
    idea = await make_idea(challenge, await make_user())
    async with session.begin():
        (await session.get_one(Idea, idea.id)).status = IdeaStatus.SHORTLISTED
    [priya] = await reporters(1)

    await report(priya, idea)

    assert (await fresh(session, Idea, idea.id)).status is IdeaStatus.HIDDEN
    [hidden] = await hide_actions(session, "idea", idea.id)
    assert hidden.data["previous_status"] == "shortlisted"


# What others and the author see ---------------------------------------------------


async def test_others_no_longer_find_a_hidden_idea_and_its_author_sees_a_notice(
    round_: Any,
    reporters: Any,
    sign_in: Any,
    visitor: Any,
    session: AsyncSession,
) -> None:
    _, idea, author, host = round_
    for person in await reporters(3):
        await report(person, idea)
    amara, hamid = await sign_in(author), await sign_in(host)
    [tomas] = await reporters(1)

    assert (await visitor.get(idea_url(idea))).status_code == 404
    assert (await tomas.get(idea_url(idea))).status_code == 404
    as_author = Page(await amara.get(idea_url(idea)))
    assert as_author.text(".callout--hidden").startswith("Hidden pending review after reports")
    assert as_author.text("h1") == "Compost club"
    # The hosts see it too, with the same notice, to decide about it.
    assert Page(await hamid.get(idea_url(idea))).select(".callout--hidden")


async def test_others_see_a_placeholder_for_a_hidden_comment_and_its_author_a_notice(
    round_: Any,
    reporters: Any,
    make_user: Any,
    make_comment: Any,
    sign_in: Any,
    visitor: Any,
) -> None:
    _, idea, _, _ = round_
    carl = await make_user("Carl")
    comment = await make_comment(idea, carl, "Buy cheap watches")
    for person in await reporters(3):
        await report(person, comment)

    as_visitor = Page(await visitor.get(idea_url(idea)))
    as_author = Page(await (await sign_in(carl)).get(idea_url(idea)))

    assert as_visitor.text(f"#comment-{comment.id}") == "This comment is hidden pending review."
    assert as_author.text(f"#comment-{comment.id} .comment__body") == "Buy cheap watches"
    assert as_author.text(f"#comment-{comment.id} .comment__notice").startswith(
        "Hidden pending review"
    )


async def test_the_report_disclosure_is_offered_to_others_but_not_on_ones_own_words(
    round_: Any, make_user: Any, make_comment: Any, sign_in: Any, visitor: Any
) -> None:
    _, idea, author, _ = round_
    carl = await make_user("Carl")
    comment = await make_comment(idea, carl)
    amara, carl_, tomas = (
        await sign_in(author),
        await sign_in(carl),
        await sign_in(await make_user()),
    )

    as_tomas = Page(await tomas.get(idea_url(idea)))
    as_amara = Page(await amara.get(idea_url(idea)))
    as_carl = Page(await carl_.get(idea_url(idea)))
    as_visitor = Page(await visitor.get(idea_url(idea)))

    form = as_tomas.one(f"details#report-idea-{idea.id} form")
    assert form.get("action") == f"/ideas/{idea.id}/report"
    assert form.get("data-hx-target") == f"#report-idea-{idea.id}"
    reasons = [radio.get("value") for radio in form.cssselect("input[name=reason]")]
    assert reasons == ["spam", "offensive", "off-topic", "other"]
    assert as_tomas.select(f"#comment-{comment.id} details#report-comment-{comment.id} form")
    assert as_amara.select(f"#report-idea-{idea.id}") == []
    assert as_amara.select(f"#report-comment-{comment.id}")
    assert as_carl.select(f"#report-comment-{comment.id}") == []
    assert as_carl.select(f"#report-idea-{idea.id}")
    assert as_visitor.select(".report") == []


async def test_with_htmx_the_disclosure_is_replaced_by_a_thank_you(
    round_: Any, reporters: Any, session: AsyncSession
) -> None:
    _, idea, _, _ = round_
    [priya] = await reporters(1)

    response = await report(priya, idea, "other", "Copied from a shop's website", htmx=True)

    assert response.status_code == 200
    page = Page(response)
    assert page.text(f"p#report-idea-{idea.id}") == "Thanks — reported."
    [saved] = await report_rows(session, idea)
    assert (saved.reason.value, saved.note) == ("other", "Copied from a shop's website")


# Refusals ---------------------------------------------------------------------------


async def test_reporting_twice_is_refused_and_changes_nothing(
    round_: Any, reporters: Any, session: AsyncSession
) -> None:
    _, idea, _, _ = round_
    [priya] = await reporters(1)
    await report(priya, idea, "spam")

    again = await report(priya, idea, "offensive")
    in_place = await report(priya, idea, "offensive", htmx=True)

    assert again.status_code == 409
    assert "already reported" in Page(again).text("main")
    assert in_place.status_code == 409
    assert Page(in_place).text(f"#report-idea-{idea.id}") == "You have already reported this idea."
    [only] = await report_rows(session, idea)
    assert only.reason.value == "spam"
    assert (await fresh(session, Idea, idea.id)).report_count == 1


async def test_reporting_a_comment_twice_is_refused(
    round_: Any, reporters: Any, make_user: Any, make_comment: Any, session: AsyncSession
) -> None:
    _, idea, _, _ = round_
    comment = await make_comment(idea, await make_user())
    [priya] = await reporters(1)
    await report(priya, comment)

    assert (await report(priya, comment)).status_code == 409
    assert len(await report_rows(session, comment)) == 1
    assert (await fresh(session, Comment, comment.id)).report_count == 1


async def test_nobody_reports_their_own_idea_or_comment(
    round_: Any, make_user: Any, make_comment: Any, sign_in: Any, session: AsyncSession
) -> None:
    _, idea, author, _ = round_
    coauthor = await make_user("Cleo")
    async with session.begin():
        session.add(IdeaCoauthor(idea_id=idea.id, user_id=coauthor.id, added_at=utcnow()))
    comment = await make_comment(idea, author)
    amara, cleo = await sign_in(author), await sign_in(coauthor)

    own_idea = await report(amara, idea)
    coauthors_idea = await report(cleo, idea)
    own_comment = await report(amara, comment)

    assert [r.status_code for r in (own_idea, coauthors_idea, own_comment)] == [403, 403, 403]
    assert "your own idea" in Page(own_idea).text("main")
    assert "your own comment" in Page(own_comment).text("main")
    assert await count(session, Report) == 0
    assert (await fresh(session, Idea, idea.id)).report_count == 0


async def test_the_service_refuses_a_report_of_ones_own_idea_or_comment(
    round_: Any, make_user: Any, make_comment: Any, session: AsyncSession
) -> None:
    _, idea, author, _ = round_
    coauthor = await make_user("Cleo")
    async with session.begin():
        session.add(IdeaCoauthor(idea_id=idea.id, user_id=coauthor.id, added_at=utcnow()))
    comment = await make_comment(idea, author)
    spam = ReportInput(reason=ReportReason.SPAM, note="")

    for person in (author, coauthor):
        with pytest.raises(Forbidden, match="You cannot report your own idea"):
            await services.report_idea(
                session, idea_id=idea.id, reporter_id=person.id, report=spam, now=utcnow()
            )
    with pytest.raises(Forbidden, match="You cannot report your own comment"):
        await services.report_comment(
            session, comment_id=comment.id, reporter_id=author.id, report=spam, now=utcnow()
        )

    assert await count(session, Report) == 0
    assert (await fresh(session, Idea, idea.id)).report_count == 0
    assert (await fresh(session, Comment, comment.id)).report_count == 0


@pytest.mark.parametrize("kind", ["idea", "comment"])
async def test_the_author_is_refused_before_the_report_form_is_read(
    kind: str, round_: Any, make_comment: Any, sign_in: Any, session: AsyncSession
) -> None:
    """The page asks the policy first: an author's unfinished report is refused, not
    answered with the form and its problems."""
    _, idea, author, _ = round_
    item = idea if kind == "idea" else await make_comment(idea, author)
    amara = await sign_in(author)

    response = await report(amara, item, reason="")

    assert response.status_code == 403
    page = Page(response)
    assert page.text(".error-page h1 + p") == f"You cannot report your own {kind}."
    assert page.select("form input[name=reason]") == []
    assert await count(session, Report) == 0


async def test_a_visitor_cannot_report(
    round_: Any, visitor_with_session: Any, session: AsyncSession
) -> None:
    _, idea, _, _ = round_
    someone = await visitor_with_session()

    response = await report(someone, idea)

    assert response.status_code == 403
    assert "Sign in" in Page(response).text("main")
    assert await count(session, Report) == 0


async def test_a_hidden_comment_is_not_there_to_be_reported_again(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    make_comment: Any,
    reporters: Any,
    session: AsyncSession,
) -> None:
    challenge = await make_challenge(await make_user(host=True), report_threshold=1)
    idea = await make_idea(challenge, await make_user())
    comment = await make_comment(idea, await make_user())
    first, second = await reporters(2)
    await report(first, comment)

    response = await report(second, comment)

    # Hidden, it is seen only by its author and its moderators: to others, not found.
    assert response.status_code == 404
    assert len(await report_rows(session, comment)) == 1


async def test_an_idea_of_a_draft_challenge_cannot_be_reported_by_outsiders(
    make_user: Any, make_challenge: Any, make_idea: Any, reporters: Any, session: AsyncSession
) -> None:
    draft = await make_challenge(await make_user(host=True), phase=Phase.DRAFT)
    idea = await make_idea(draft, await make_user())
    [priya] = await reporters(1)

    response = await report(priya, idea)

    assert response.status_code == 404
    assert await count(session, Report) == 0


# The form ------------------------------------------------------------------------------


async def test_a_report_needs_a_reason_and_something_else_needs_a_note(
    round_: Any, reporters: Any, session: AsyncSession
) -> None:
    _, idea, _, _ = round_
    [priya] = await reporters(1)

    no_reason = await report(priya, idea, "")
    bare_other = await report(priya, idea, "other", "   ", htmx=True)
    too_long = await report(priya, idea, "other", "x" * 501)

    assert no_reason.status_code == 200
    page = Page(no_reason)
    assert page.text("h1") == "Report this idea"
    assert page.one(f"details#report-idea-{idea.id}").get("open") is not None
    assert page.text(".report__reasons .field-error") == "Error: Choose why you are reporting it."
    in_place = Page(bare_other)
    assert in_place.one(f"details#report-idea-{idea.id}").get("open") is not None
    assert "Something else" in in_place.text(".field-error")
    assert in_place.one("input[value=other]").get("checked") is not None
    assert "at most 500" in Page(too_long).text(".field-error")
    assert await count(session, Report) == 0


async def test_reporting_is_rate_limited(
    round_: Any, make_user: Any, make_comment: Any, reporters: Any, session: AsyncSession
) -> None:
    _, idea, _, _ = round_
    carl = await make_user()
    comments = [await make_comment(idea, carl, f"Comment {n}") for n in range(11)]
    [priya] = await reporters(1)

    answers = [await report(priya, comment) for comment in comments]

    assert [a.status_code for a in answers[:10]] == [303] * 10
    assert answers[10].status_code == 429
    assert await count(session, Report) == 10


# Reports at the same moment ----------------------------------------------------------------


async def test_three_reports_at_once_hide_the_item_exactly_once(
    committing_database_url: str, settings: Settings
) -> None:
    """Three people report the same idea and the same comment at the same moment: each
    is hidden once, and its count is the number of reports saved."""
    database = Database.from_url(committing_database_url)
    app = create_app(settings, database)
    clients: list[tuple[httpx.AsyncClient, str]] = []
    try:
        async with database.session() as session:
            now = utcnow()
            people = [
                await create_user(
                    session,
                    display_name=f"Person {n}",
                    email=f"p{n}@example.org",
                    provider="test",
                    subject=f"p-{n}",
                    is_host=n == 0,
                    now=now,
                )
                for n in range(5)
            ]
            host, author, *others = people
            challenge = await create_challenge(
                session,
                host_id=host.id,
                data=ChallengeInput(
                    title="Race",
                    slug="race",
                    question="How might we race?",
                    sponsor="",
                    brief="",
                    schedule=schedule_for(Phase.IDEAS, now),
                ),
                now=now,
            )
            idea = await post_idea(
                session,
                challenge_id=challenge.id,
                author_id=author.id,
                data=IdeaInput(title="Reported", summary="Often.", body=""),
                now=now,
            )
            comment = await post_comment(
                session, idea_id=idea.id, author_id=author.id, body="Also reported", now=now
            )
            for person in others:
                token, web_session = await sessions.start(session, person, now=now, replacing=None)
                client = httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
                )
                client.cookies.set(cookie_name(settings), token)
                clients.append((client, web_session.csrf_token))

        async def report_all(url: str) -> list[int]:
            responses = await asyncio.gather(
                *(
                    client.post(url, data={"reason": "spam", "csrf_token": csrf})
                    for client, csrf in clients
                )
            )
            return [response.status_code for response in responses]

        # The comment first: once its idea is hidden, its comments are out of reach.
        assert await report_all(f"/comments/{comment.id}/report") == [303] * 3
        assert await report_all(f"/ideas/{idea.id}/report") == [303] * 3
        async with database.session() as session:
            saved_idea = await session.get_one(Idea, idea.id)
            saved_comment = await session.get_one(Comment, comment.id)
            reports = await session.scalar(
                select(func.count()).select_from(Report).where(Report.idea_id == idea.id)
            )
            comment_reports = await session.scalar(
                select(func.count()).select_from(Report).where(Report.comment_id == comment.id)
            )
            hides = (
                await session.execute(
                    select(AuditEntry.subject_type, func.count())
                    .where(AuditEntry.action == "moderation.hide")
                    .group_by(AuditEntry.subject_type)
                )
            ).all()
            listed = await session.scalar(
                select(Challenge.idea_count).where(Challenge.id == challenge.id)
            )
        assert (saved_idea.status, saved_idea.report_count, reports) == (IdeaStatus.HIDDEN, 3, 3)
        assert (saved_comment.status, saved_comment.report_count, comment_reports) == (
            CommentStatus.HIDDEN,
            3,
            3,
        )
        assert saved_idea.comment_count == 0
        assert listed == 0
        assert sorted(hides) == [("comment", 1), ("idea", 1)]
    finally:
        for client, _ in clients:
            await client.aclose()
        await database.dispose()
