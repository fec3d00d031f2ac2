"""Hosts and admins review reported items: restore, keep hidden, dismiss, suspend the author."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ideas import policy
from ideas.accounts.models import User, UserStatus, WebSession
from ideas.audit import AuditEntry
from ideas.challenges import queries
from ideas.challenges.models import ChallengeHost
from ideas.comments.models import Comment, CommentStatus
from ideas.db import utcnow
from ideas.errors import Forbidden
from ideas.moderation import services
from ideas.moderation.services import KEPT_HIDDEN_NOTIFICATION as KEPT_HIDDEN
from ideas.moderation.services import RESTORED_NOTIFICATION as RESTORED
from ideas.moderation.services import ItemKind
from ideas.notifications.models import Notification
from ideas.submissions.models import Idea, IdeaStatus
from tests.factories.accounts import Person
from tests.factories.moderation import idea_count, open_reports, report
from tests.factories.queries import counting, fresh
from tests.factories.rounds import idea_url
from tests.factories.web import HTMX
from tests.html import Page


@pytest.fixture
async def round_(make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any) -> Any:
    """A challenge (threshold 3) hosted by Hamid, an idea by Amara, and Hamid signed in."""
    host = await make_user("Hamid", host=True)
    author = await make_user("Amara")
    challenge = await make_challenge(host)
    idea = await make_idea(challenge, author, title="Compost club")
    return challenge, idea, author, await sign_in(host)


def queue_url(challenge: Any) -> str:
    return f"/challenges/{challenge.slug}/moderation"


def decide_url(challenge: Any, item: Idea | Comment) -> str:
    kind = "idea" if isinstance(item, Idea) else "comment"
    return f"/challenges/{challenge.slug}/moderation/{kind}/{item.id}"


async def hide_by_reports(reporters: Any, item: Idea | Comment, how_many: int = 3) -> None:
    for n, person in enumerate(await reporters(how_many)):
        note = "Looks like an ad" if n == 0 else ""
        response = await report(person, item, "other" if n == 0 else "spam", note)
        assert response.status_code == 303


async def actions(session: AsyncSession, prefix: str = "") -> list[str]:
    await session.commit()
    rows = await session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.action.startswith(prefix))
        .order_by(AuditEntry.id)
    )
    return list(rows)


# The queue --------------------------------------------------------------------------


async def test_the_host_sees_reported_items_hidden_first_with_reasons_and_counts(
    round_: Any,
    make_user: Any,
    make_idea: Any,
    make_comment: Any,
    reporters: Any,
) -> None:
    challenge, idea, _, hamid = round_
    flagged = await make_idea(challenge, await make_user(), title="Mildly odd")
    comment = await make_comment(idea, await make_user("Carl"), "Buy **cheap** watches")
    [priya] = await reporters(1)
    await report(priya, flagged, "off-topic")
    await hide_by_reports(reporters, comment)

    page = Page(await hamid.get(queue_url(challenge)))

    rows = page.select("#queue-waiting > li.queue-item")
    assert [row.get("id") for row in rows] == [
        f"queue-comment-{comment.id}",
        f"queue-idea-{flagged.id}",
    ]
    hidden = page.one(f"#queue-comment-{comment.id}")
    assert "queue-item--hidden" in hidden.get("class")
    assert " ".join(hidden.cssselect(".queue-item__body")[0].text_content().split()) == (
        "Buy cheap watches"
    )
    assert page.text(f"#queue-comment-{comment.id} .queue-item__count").startswith("3 open reports")
    reasons = [
        " ".join(li.text_content().split()) for li in hidden.cssselect(".queue-item__reasons li")
    ]
    assert reasons == ["Spam or advertising \N{MULTIPLICATION SIGN} 2", "Something else"]
    assert page.text(f"#queue-comment-{comment.id} .queue-item__notes") == "Looks like an ad"
    assert page.text(f"#queue-idea-{flagged.id} .queue-item__title") == "Mildly odd"
    restore_buttons = hidden.cssselect("input[name=action][value=restore]")
    assert len(restore_buttons) == 1
    assert page.select(f"#queue-idea-{flagged.id} input[name=action][value=dismiss]")
    # Suspending is for admins: a host is not offered it.
    assert page.select("input[name=action][value=suspend]") == []


async def test_the_queue_runs_the_same_queries_with_one_or_six_reported_items(
    engine: AsyncEngine,
    round_: Any,
    make_user: Any,
    make_idea: Any,
    make_comment: Any,
    reporters: Any,
) -> None:
    challenge, idea, _, hamid = round_
    [priya] = await reporters(1)
    await report(priya, idea)

    with counting(engine) as few:
        assert (await hamid.get(queue_url(challenge))).status_code == 200
    for n in range(3):
        await report(priya, await make_idea(challenge, await make_user()), "spam", f"Note {n}")
        await report(priya, await make_comment(idea, await make_user()), "offensive")
    with counting(engine) as many:
        assert (await hamid.get(queue_url(challenge))).status_code == 200

    assert len(few) == len(many)


async def test_the_dashboard_asks_the_host_to_review_reported_items(
    round_: Any, reporters: Any
) -> None:
    challenge, idea, _, hamid = round_
    dashboard = f"/challenges/{challenge.slug}/dashboard"
    assert "Review reported items" not in Page(await hamid.get(dashboard)).text("#waiting")
    [priya] = await reporters(1)
    await report(priya, idea)

    page = Page(await hamid.get(dashboard))

    [task] = [
        t for t in page.select("#waiting .task") if "Review reported items" in t.text_content()
    ]
    assert task.cssselect("a")[0].get("href") == queue_url(challenge)
    assert "1 open report" in task.text_content()


# Restore ----------------------------------------------------------------------------


async def test_a_host_restores_a_hidden_idea_and_it_shows_again(
    round_: Any, reporters: Any, visitor: Any, session: AsyncSession
) -> None:
    challenge, idea, _, hamid = round_
    listed = await idea_count(session, challenge)
    await hide_by_reports(reporters, idea)
    assert (await visitor.get(idea_url(idea))).status_code == 404

    response = await hamid.post(decide_url(challenge, idea), {"action": "restore"})

    assert response.status_code == 303
    assert response.headers["location"] == f"{queue_url(challenge)}?done=restore"
    saved = await fresh(session, Idea, idea.id)
    assert (saved.status, saved.report_count, saved.hidden_reason) == (
        IdeaStatus.PUBLISHED,
        0,
        "",
    )
    assert await open_reports(session, idea) == 0
    assert await idea_count(session, challenge) == listed
    assert (await visitor.get(idea_url(idea))).status_code == 200
    assert await actions(session, "moderation.restore") == ["moderation.restore"]
    page = Page(await hamid.get(response.headers["location"]))
    assert page.text(".notice--done").startswith("Restored")
    assert page.select("#queue-waiting .queue-item") == []


async def test_a_restored_idea_is_shortlisted_again_if_it_was(
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    reporters: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    host = await make_user(host=True)
    challenge = await make_challenge(host, report_threshold=1)
    idea = await make_idea(challenge, await make_user())
    async with session.begin():
        (await session.get_one(Idea, idea.id)).status = IdeaStatus.SHORTLISTED
    await hide_by_reports(reporters, idea, 1)

    await (await sign_in(host)).post(decide_url(challenge, idea), {"action": "restore"})

    assert (await fresh(session, Idea, idea.id)).status is IdeaStatus.SHORTLISTED


async def test_a_host_restores_a_hidden_comment_in_place(
    round_: Any,
    make_user: Any,
    make_comment: Any,
    reporters: Any,
    visitor: Any,
    session: AsyncSession,
) -> None:
    challenge, idea, _, hamid = round_
    comment = await make_comment(idea, await make_user("Carl"), "Fair point")
    await hide_by_reports(reporters, comment)

    response = await hamid.post(decide_url(challenge, comment), {"action": "restore"}, headers=HTMX)

    assert response.status_code == 200
    row = Page(response).one(f"li#queue-comment-{comment.id}")
    assert "Restored" in row.cssselect(".queue-item__message")[0].text_content()
    assert row.cssselect("form") == []  # nothing left to decide
    saved = await fresh(session, Comment, comment.id)
    assert (saved.status, saved.report_count) == (CommentStatus.PUBLISHED, 0)
    assert (await fresh(session, Idea, idea.id)).comment_count == 1
    page = Page(await visitor.get(idea_url(idea)))
    assert page.text(f"#comment-{comment.id} .comment__body") == "Fair point"


async def test_restoring_what_is_not_hidden_is_refused_and_changes_nothing(
    round_: Any, reporters: Any, session: AsyncSession
) -> None:
    challenge, idea, _, hamid = round_
    [priya] = await reporters(1)
    await report(priya, idea)

    refused = await hamid.post(decide_url(challenge, idea), {"action": "restore"})
    in_place = await hamid.post(decide_url(challenge, idea), {"action": "restore"}, headers=HTMX)

    assert refused.status_code == 409
    assert "not hidden" in Page(refused).text("main")
    assert in_place.status_code == 409
    assert "not hidden" in Page(in_place).text(".queue-item__message--problem")
    saved = await fresh(session, Idea, idea.id)
    assert (saved.status, saved.report_count) == (IdeaStatus.PUBLISHED, 1)
    assert await open_reports(session, idea) == 1
    assert await actions(session, "moderation.restore") == []


# Keep hidden ------------------------------------------------------------------------------


async def test_keeping_an_idea_hidden_with_a_reason_shows_the_reason_to_its_author(
    round_: Any, reporters: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge, idea, author, hamid = round_
    await hide_by_reports(reporters, idea)

    response = await hamid.post(
        decide_url(challenge, idea),
        {"action": "keep-hidden", "reason": "It advertises a shop."},
    )

    assert response.status_code == 303
    saved = await fresh(session, Idea, idea.id)
    assert (saved.status, saved.hidden_reason, saved.report_count) == (
        IdeaStatus.HIDDEN,
        "It advertises a shop.",
        0,
    )
    assert await open_reports(session, idea) == 0
    notice = Page(await (await sign_in(author)).get(idea_url(idea))).text(".callout--hidden")
    assert "It advertises a shop." in notice
    queue = Page(await hamid.get(queue_url(challenge)))
    assert queue.select("#queue-waiting .queue-item") == []
    assert queue.select(f"#queue-kept #queue-idea-{idea.id}")
    entries = await actions(session, "moderation.keep_hidden")
    assert entries == ["moderation.keep_hidden"]


async def test_keeping_a_comment_hidden_shows_the_reason_to_its_author_only(
    round_: Any,
    make_user: Any,
    make_comment: Any,
    reporters: Any,
    sign_in: Any,
    visitor: Any,
) -> None:
    challenge, idea, _, hamid = round_
    carl = await make_user("Carl")
    comment = await make_comment(idea, carl, "Buy watches")
    await hide_by_reports(reporters, comment)

    response = await hamid.post(
        decide_url(challenge, comment), {"action": "keep-hidden", "reason": "Advertising."}
    )

    assert response.status_code == 303
    as_carl = Page(await (await sign_in(carl)).get(idea_url(idea)))
    assert "Advertising." in as_carl.text(f"#comment-{comment.id} .comment__notice")
    as_visitor = Page(await visitor.get(idea_url(idea)))
    assert as_visitor.text(f"#comment-{comment.id}") == "This comment is hidden pending review."


async def test_keeping_hidden_needs_a_reason(
    round_: Any, reporters: Any, session: AsyncSession
) -> None:
    challenge, idea, _, hamid = round_
    await hide_by_reports(reporters, idea)

    plain = await hamid.post(decide_url(challenge, idea), {"action": "keep-hidden", "reason": ""})
    in_place = await hamid.post(
        decide_url(challenge, idea), {"action": "keep-hidden", "reason": " "}, headers=HTMX
    )

    for response in (plain, in_place):
        assert response.status_code == 200
        row = Page(response).one(f"#queue-idea-{idea.id}")
        assert row.cssselect(".field-error")[0].text_content().endswith("The reason is required.")
    saved = await fresh(session, Idea, idea.id)
    assert (saved.hidden_reason, saved.report_count) == ("", 3)
    assert await actions(session, "moderation.keep_hidden") == []


async def test_a_host_can_hide_a_reported_idea_before_the_threshold(
    round_: Any, reporters: Any, visitor: Any, session: AsyncSession
) -> None:
    challenge, idea, _, hamid = round_
    listed = await idea_count(session, challenge)
    [priya] = await reporters(1)
    await report(priya, idea)

    await hamid.post(decide_url(challenge, idea), {"action": "keep-hidden", "reason": "Spam."})

    saved = await fresh(session, Idea, idea.id)
    assert (saved.status, saved.hidden_reason, saved.report_count) == (
        IdeaStatus.HIDDEN,
        "Spam.",
        0,
    )
    assert await idea_count(session, challenge) == listed - 1
    assert (await visitor.get(idea_url(idea))).status_code == 404


# Dismiss ----------------------------------------------------------------------------------


async def test_dismissing_reports_leaves_a_visible_item_as_it_is(
    round_: Any, reporters: Any, session: AsyncSession
) -> None:
    challenge, idea, _, hamid = round_
    first, second = await reporters(2)
    await report(first, idea)
    await report(second, idea)

    response = await hamid.post(decide_url(challenge, idea), {"action": "dismiss"}, headers=HTMX)

    assert response.status_code == 200
    assert "dismissed" in Page(response).text(f"#queue-idea-{idea.id} .queue-item__message")
    saved = await fresh(session, Idea, idea.id)
    assert (saved.status, saved.report_count) == (IdeaStatus.PUBLISHED, 0)
    assert await open_reports(session, idea) == 0
    assert await actions(session, "moderation.dismiss") == ["moderation.dismiss"]
    # A third report later starts counting again from one.
    [third] = await reporters(1)
    await report(third, idea)
    assert (await fresh(session, Idea, idea.id)).report_count == 1


async def test_dismissing_reports_on_a_hidden_item_is_refused(
    round_: Any, reporters: Any, session: AsyncSession
) -> None:
    challenge, idea, _, hamid = round_
    await hide_by_reports(reporters, idea)

    response = await hamid.post(decide_url(challenge, idea), {"action": "dismiss"})

    assert response.status_code == 409
    saved = await fresh(session, Idea, idea.id)
    assert (saved.status, saved.report_count) == (IdeaStatus.HIDDEN, 3)


# Suspending the author --------------------------------------------------------------------


async def test_an_admin_suspends_the_author_their_sessions_end_and_they_cannot_post(
    round_: Any,
    make_user: Any,
    make_comment: Any,
    reporters: Any,
    sign_in: Any,
    session: AsyncSession,
) -> None:
    _, idea, _, _ = round_
    carl = await make_user("Carl")
    carls_browser = await sign_in(carl)
    carls_phone = await sign_in(carl)
    comment = await make_comment(idea, carl, "Buy watches")
    await hide_by_reports(reporters, comment)
    admin = await sign_in(await make_user("Ada", admin=True))
    assert Page(await admin.get("/admin/moderation")).select(
        f"#queue-comment-{comment.id} input[name=action][value=suspend]"
    )

    response = await admin.post(
        f"/admin/moderation/comment/{comment.id}", {"action": "suspend"}, headers=HTMX
    )

    assert response.status_code == 200
    row = Page(response).one(f"#queue-comment-{comment.id}")
    assert "suspended" in row.cssselect(".queue-item__message")[0].text_content()
    assert (await fresh(session, User, carl.id)).status is UserStatus.SUSPENDED
    # Every session ends at once, before Carl makes another request.
    await session.commit()
    left = await session.scalar(
        select(func.count()).select_from(WebSession).where(WebSession.user_id == carl.id)
    )
    assert left == 0
    # His old cookie signs nobody in, and he can no longer comment.
    home = Page(await carls_browser.get("/"))
    assert home.select(".account-nav .who") == []
    refused = await carls_phone.post(f"/ideas/{idea.id}/comments", {"body": "Still here"})
    assert refused.status_code == 403
    assert (
        await session.scalar(
            select(func.count()).select_from(Comment).where(Comment.author_id == carl.id)
        )
        == 1
    )
    [entry] = (
        await session.scalars(select(AuditEntry).where(AuditEntry.action == "user.suspend"))
    ).all()
    assert (entry.subject_id, entry.data["comment_id"]) == (carl.id, comment.id)


async def test_a_host_cannot_suspend_anyone(
    round_: Any, make_user: Any, make_comment: Any, reporters: Any, session: AsyncSession
) -> None:
    challenge, idea, author, hamid = round_
    await hide_by_reports(reporters, idea)

    response = await hamid.post(decide_url(challenge, idea), {"action": "suspend"})

    assert response.status_code == 403
    assert "Only admins" in Page(response).text("main")
    assert (await fresh(session, User, author.id)).status is UserStatus.ACTIVE


# Who may moderate -------------------------------------------------------------------------


@pytest.fixture
async def outsiders(make_user: Any, make_challenge: Any, sign_in: Any, visitor: Any) -> Any:
    """A participant, the host of another challenge, and a visitor."""
    other_host = await make_user("Olga", host=True)
    await make_challenge(other_host)
    return {
        "participant": await sign_in(await make_user("Priya")),
        "host of another challenge": await sign_in(other_host),
        "visitor": visitor,
    }


async def test_only_the_challenges_hosts_and_admins_see_its_queue(
    round_: Any, outsiders: dict[str, Person], make_user: Any, sign_in: Any
) -> None:
    challenge, _, _, hamid = round_
    admin = await sign_in(await make_user(admin=True))

    for who, person in outsiders.items():
        refused = 303 if who == "visitor" else 403  # a visitor is sent to sign in first
        assert (await person.get(queue_url(challenge))).status_code == refused, who
    assert (await hamid.get(queue_url(challenge))).status_code == 200
    assert (await admin.get(queue_url(challenge))).status_code == 200


async def test_only_admins_see_the_queue_of_every_challenge(
    round_: Any, outsiders: dict[str, Person], make_user: Any, sign_in: Any
) -> None:
    _, _, _, hamid = round_
    admin = await sign_in(await make_user(admin=True))

    for who, person in {**outsiders, "host": hamid}.items():
        refused = 303 if who == "visitor" else 403  # a visitor is sent to sign in first
        assert (await person.get("/admin/moderation")).status_code == refused, who
    page = Page(await admin.get("/admin/moderation"))
    assert page.text("h1") == "Moderation"
    assert page.one(".admin-nav a[aria-current=page]").text_content() == "Moderation"


async def test_outsiders_cannot_decide_and_nothing_changes(
    round_: Any,
    outsiders: dict[str, Person],
    reporters: Any,
    visitor_with_session: Any,
    session: AsyncSession,
) -> None:
    challenge, idea, _, hamid = round_
    await hide_by_reports(reporters, idea)
    people = {**outsiders, "visitor": await visitor_with_session()}

    for who, person in people.items():
        for action in ("restore", "dismiss", "keep-hidden", "suspend"):
            response = await person.post(
                decide_url(challenge, idea), {"action": action, "reason": "Because."}
            )
            assert response.status_code == 403, (who, action)
        admin_queue = await person.post(f"/admin/moderation/idea/{idea.id}", {"action": "restore"})
        assert admin_queue.status_code == 403, who
    for action in ("restore", "keep-hidden"):
        response = await hamid.post(
            f"/admin/moderation/idea/{idea.id}", {"action": action, "reason": "Because."}
        )
        assert response.status_code == 403

    saved = await fresh(session, Idea, idea.id)
    assert (saved.status, saved.report_count, saved.hidden_reason) == (IdeaStatus.HIDDEN, 3, "")
    assert await actions(session, "moderation.restore") == []
    assert await actions(session, "moderation.keep_hidden") == []


async def test_an_item_of_another_challenge_is_not_found_in_this_ones_queue(
    round_: Any,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
    reporters: Any,
    session: AsyncSession,
) -> None:
    challenge, _, _, hamid = round_
    elsewhere = await make_idea(await make_challenge(await make_user(host=True)), await make_user())
    await hide_by_reports(reporters, elsewhere)

    response = await hamid.post(
        f"/challenges/{challenge.slug}/moderation/idea/{elsewhere.id}", {"action": "restore"}
    )

    assert response.status_code == 404
    assert (await fresh(session, Idea, elsewhere.id)).status is IdeaStatus.HIDDEN


async def test_an_admin_restores_from_the_queue_of_every_challenge(
    round_: Any, make_user: Any, reporters: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge, idea, _, _ = round_
    await hide_by_reports(reporters, idea)
    admin = await sign_in(await make_user(admin=True))
    page = Page(await admin.get("/admin/moderation"))
    assert page.text(f"#queue-idea-{idea.id} .queue-item__meta a") == challenge.title

    response = await admin.post(f"/admin/moderation/idea/{idea.id}", {"action": "restore"})

    assert response.headers["location"] == "/admin/moderation?done=restore"
    assert (await fresh(session, Idea, idea.id)).status is IdeaStatus.PUBLISHED


async def test_the_author_is_told_when_their_item_is_restored_from_the_queue(
    round_: Any, reporters: Any, session: AsyncSession
) -> None:
    challenge, idea, author, hamid = round_
    await hide_by_reports(reporters, idea)

    await hamid.post(decide_url(challenge, idea), {"action": "restore"})

    await session.commit()
    [told] = (
        await session.scalars(select(Notification).where(Notification.user_id == author.id))
    ).all()
    assert (told.kind, told.idea_id, told.data["reason"]) == (RESTORED, idea.id, "")


async def test_the_author_is_told_when_their_item_stays_hidden(
    round_: Any, reporters: Any, session: AsyncSession, sign_in: Any
) -> None:
    challenge, idea, author, hamid = round_
    await hide_by_reports(reporters, idea)

    await hamid.post(decide_url(challenge, idea), {"action": "keep-hidden", "reason": "Spam."})

    await session.commit()
    [told] = (
        await session.scalars(select(Notification).where(Notification.user_id == author.id))
    ).all()
    assert (told.kind, told.idea_id, told.data["reason"]) == (KEPT_HIDDEN, idea.id, "Spam.")
    page = Page(await (await sign_in(author)).get("/notifications"))
    assert f"Your idea “{idea.title}” stays hidden after a host's review" in page.text("main")
    assert "Spam." in page.text("main")


# The rules, as a table ----------------------------------------------------------------


async def test_who_may_moderate_and_suspend(
    make_user: Any, make_challenge: Any, session: AsyncSession
) -> None:
    host, co_host = await make_user(host=True), await make_user(host=True)
    challenge = await make_challenge(host)
    await make_challenge(co_host)
    admin, participant = await make_user(admin=True), await make_user()
    suspended_host = await make_user(host=True)
    await session.commit()
    async with session.begin():
        session.add(ChallengeHost(challenge_id=challenge.id, user_id=suspended_host.id))
        (await session.get_one(User, suspended_host.id)).status = UserStatus.SUSPENDED
    loaded = await queries.by_id(session, challenge.id)
    assert loaded is not None
    suspended = await session.get_one(User, suspended_host.id)

    table = {
        "its host": (host, True, False),
        "a host of another challenge": (co_host, False, False),
        "an admin": (admin, True, True),
        "a participant": (participant, False, False),
        "a visitor": (None, False, False),
        "its host, suspended": (suspended, False, False),
    }
    for who, (user, moderates, suspends) in table.items():
        assert policy.may_moderate(user, loaded) is moderates, who
        assert policy.may_suspend(user) is suspends, who


# The services refuse on their own ----------------------------------------------------------


async def test_the_services_refuse_decisions_by_anyone_but_its_hosts_and_admins(
    round_: Any, make_user: Any, make_challenge: Any, reporters: Any, session: AsyncSession
) -> None:
    _, idea, author, _ = round_
    await hide_by_reports(reporters, idea)
    other_host = await make_user("Olga", host=True)
    await make_challenge(other_host)
    decisions: dict[str, Callable[..., Awaitable[Any]]] = {
        "restore": services.restore,
        "dismiss": services.dismiss,
        "suspend": services.suspend_author,
        "keep hidden": functools.partial(services.keep_hidden, reason="Because."),
    }

    for person in (await make_user("Priya"), other_host):
        for decide in decisions.values():
            with pytest.raises(Forbidden, match="hosts and the admins moderate"):
                await decide(
                    session, kind=ItemKind.IDEA, item_id=idea.id, actor_id=person.id, now=utcnow()
                )

    saved = await fresh(session, Idea, idea.id)
    assert (saved.status, saved.report_count, saved.hidden_reason) == (IdeaStatus.HIDDEN, 3, "")
    assert (await fresh(session, User, author.id)).status is UserStatus.ACTIVE
    assert await actions(session, "moderation.restore") == []
    assert await actions(session, "moderation.keep_hidden") == []
    assert await actions(session, "moderation.dismiss") == []


async def test_the_service_lets_only_admins_suspend_an_author(
    round_: Any, reporters: Any, session: AsyncSession
) -> None:
    _, idea, author, hamid = round_
    await hide_by_reports(reporters, idea)

    with pytest.raises(Forbidden, match="Only admins"):
        await services.suspend_author(
            session, kind=ItemKind.IDEA, item_id=idea.id, actor_id=hamid.user.id, now=utcnow()
        )

    assert (await fresh(session, User, author.id)).status is UserStatus.ACTIVE
    assert await actions(session, "user.suspend") == []
