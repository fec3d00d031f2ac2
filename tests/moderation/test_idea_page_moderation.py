"""Hosts (in their own challenges) and admins hide and restore an idea on its own page,
with a reason its author is told, audited; anyone else is refused and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.audit import AuditEntry
from ideas.challenges.phases import Phase
from ideas.moderation.services import KEPT_HIDDEN_NOTIFICATION, RESTORED_NOTIFICATION
from ideas.notifications.models import Notification
from ideas.submissions.models import Idea, IdeaStatus
from tests.factories.moderation import idea_count
from tests.factories.queries import fresh
from tests.factories.rounds import idea_url
from tests.html import Page


@pytest.fixture
async def round_(make_user: Any, make_challenge: Any, make_idea: Any) -> Any:
    """A challenge in its ideas phase hosted by Hamid, with Priya's idea in it."""
    hamid = await make_user("Hamid", host=True)
    challenge = await make_challenge(hamid, phase=Phase.IDEAS)
    priya = await make_user("Priya")
    idea = await make_idea(challenge, priya, title="Cheap flights to Ibiza")
    return challenge, idea, priya, hamid


async def audit_of(session: AsyncSession, idea: Idea) -> list[tuple[str, dict[str, Any]]]:
    await session.commit()
    rows = await session.execute(
        select(AuditEntry.action, AuditEntry.data)
        .where(AuditEntry.subject_type == "idea", AuditEntry.subject_id == idea.id)
        .order_by(AuditEntry.id)
    )
    return [(action, data) for action, data in rows.all()]


async def notifications_of(session: AsyncSession, user_id: int) -> list[Notification]:
    await session.commit()
    return list(
        (
            await session.scalars(
                select(Notification)
                .where(Notification.user_id == user_id)
                .execution_options(populate_existing=True)
            )
        ).all()
    )


async def test_a_host_hides_an_idea_on_its_page_with_a_reason_the_author_is_told(
    round_: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge, idea, priya, hamid = round_
    as_host = await sign_in(hamid)
    page = Page(await as_host.get(idea_url(idea)))
    form = page.one("section.moderate-idea form")
    assert form.get("action") == f"/ideas/{idea.id}/hide"
    assert page.one("label[for=hide-reason]").text_content() == "Why it is hidden"

    response = await as_host.post(f"/ideas/{idea.id}/hide", {"reason": "Off-topic: an advert."})

    assert response.status_code == 303
    assert response.headers["location"] == idea_url(idea)
    saved = await fresh(session, Idea, idea.id)
    assert saved.status is IdeaStatus.HIDDEN
    assert saved.hidden_reason == "Off-topic: an advert."
    assert await idea_count(session, challenge) == 0
    actions = await audit_of(session, idea)
    assert [action for action, _ in actions][-2:] == ["moderation.hide", "moderation.keep_hidden"]
    assert actions[-1][1]["reason"] == "Off-topic: an advert."
    [told] = await notifications_of(session, priya.id)
    assert (told.kind, told.idea_id, told.data["reason"]) == (
        KEPT_HIDDEN_NOTIFICATION,
        idea.id,
        "Off-topic: an advert.",
    )
    as_author = await sign_in(priya)
    notes = Page(await as_author.get("/notifications"))
    assert f"Your idea “{idea.title}” was hidden by a host" in notes.text("main")
    assert "Off-topic: an advert." in notes.text("main")
    # Now hidden, the host's page offers to restore it.
    after = Page(await as_host.get(idea_url(idea)))
    assert after.one("section.moderate-idea form").get("action") == f"/ideas/{idea.id}/restore"


async def test_a_host_restores_a_hidden_idea_on_its_page_with_a_reason_the_author_is_told(
    round_: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge, idea, priya, hamid = round_
    as_host = await sign_in(hamid)
    await as_host.post(f"/ideas/{idea.id}/hide", {"reason": "Looks like spam."})
    page = Page(await as_host.get(idea_url(idea)))
    assert page.one("label[for=restore-reason]").text_content() == "Why it is restored (optional)"

    response = await as_host.post(
        f"/ideas/{idea.id}/restore", {"reason": "Checked with the author: not spam."}
    )

    assert response.status_code == 303
    assert response.headers["location"] == idea_url(idea)
    saved = await fresh(session, Idea, idea.id)
    assert saved.status is IdeaStatus.PUBLISHED
    assert saved.hidden_reason == ""
    assert await idea_count(session, challenge) == 1
    action, data = (await audit_of(session, idea))[-1]
    assert (action, data["reason"]) == ("moderation.restore", "Checked with the author: not spam.")
    told = (await notifications_of(session, priya.id))[-1]
    assert (told.kind, told.idea_id, told.data["reason"]) == (
        RESTORED_NOTIFICATION,
        idea.id,
        "Checked with the author: not spam.",
    )
    notes = Page(await (await sign_in(priya)).get("/notifications"))
    assert f"Your idea “{idea.title}” was restored by a host" in notes.text("main")
    assert "Checked with the author: not spam." in notes.text("main")


async def test_a_host_restores_without_a_reason_and_the_author_is_still_told(
    round_: Any, sign_in: Any, session: AsyncSession
) -> None:
    _, idea, priya, hamid = round_
    as_host = await sign_in(hamid)
    await as_host.post(f"/ideas/{idea.id}/hide", {"reason": "Looks like spam."})

    response = await as_host.post(f"/ideas/{idea.id}/restore", {"reason": "  "})

    assert response.status_code == 303
    assert (await fresh(session, Idea, idea.id)).status is IdeaStatus.PUBLISHED
    action, data = (await audit_of(session, idea))[-1]
    assert action == "moderation.restore"
    assert "reason" not in data
    told = (await notifications_of(session, priya.id))[-1]
    assert (told.kind, told.data["reason"]) == (RESTORED_NOTIFICATION, "")


async def test_a_long_restore_reason_is_kept_as_typed_and_nothing_changes(
    round_: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge, idea, priya, hamid = round_
    as_host = await sign_in(hamid)
    await as_host.post(f"/ideas/{idea.id}/hide", {"reason": "Looks like spam."})
    before = await audit_of(session, idea)
    told_before = len(await notifications_of(session, priya.id))
    typed = "y" * 501

    response = await as_host.post(f"/ideas/{idea.id}/restore", {"reason": typed})

    assert response.status_code == 200
    page = Page(response)
    assert page.text("h1") == "Restore this idea"
    assert page.one("#restore-reason").text_content() == typed
    assert page.text("#restore-reason-error").startswith("Error:")
    assert page.one("#restore-reason").get("aria-invalid") == "true"
    assert (await fresh(session, Idea, idea.id)).status is IdeaStatus.HIDDEN
    assert await idea_count(session, challenge) == 0
    assert await audit_of(session, idea) == before
    assert len(await notifications_of(session, priya.id)) == told_before


async def test_an_admin_hides_an_idea_in_any_challenge(
    round_: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    _, idea, _, _ = round_
    ada = await sign_in(await make_user("Ada", admin=True))

    assert Page(await ada.get(idea_url(idea))).select("section.moderate-idea")
    response = await ada.post(f"/ideas/{idea.id}/hide", {"reason": "Spam."})

    assert response.status_code == 303
    assert (await fresh(session, Idea, idea.id)).status is IdeaStatus.HIDDEN


async def test_hiding_without_a_reason_comes_back_with_the_problem_beside_the_field(
    round_: Any, sign_in: Any, session: AsyncSession
) -> None:
    _, idea, priya, hamid = round_

    response = await (await sign_in(hamid)).post(f"/ideas/{idea.id}/hide", {"reason": "  "})

    assert response.status_code == 200
    page = Page(response)
    assert page.text("#hide-reason-error").startswith("Error:")
    assert page.one("#hide-reason").get("aria-invalid") == "true"
    assert page.one("details.moderate-idea__hide").get("open") is not None
    assert (await fresh(session, Idea, idea.id)).status is IdeaStatus.PUBLISHED
    assert await notifications_of(session, priya.id) == []


async def test_a_long_reason_is_kept_as_typed_beside_its_problem(
    round_: Any, sign_in: Any, session: AsyncSession
) -> None:
    _, idea, _, hamid = round_
    typed = "x" * 501

    response = await (await sign_in(hamid)).post(f"/ideas/{idea.id}/hide", {"reason": typed})

    page = Page(response)
    assert page.one("#hide-reason").text_content() == typed
    assert page.select("#hide-reason-error")
    assert (await fresh(session, Idea, idea.id)).status is IdeaStatus.PUBLISHED


@pytest.mark.parametrize("who", ["author", "participant", "other host", "visitor"])
async def test_others_may_not_hide_and_nothing_changes(
    who: str,
    round_: Any,
    make_user: Any,
    make_challenge: Any,
    sign_in: Any,
    visitor: Any,
    session: AsyncSession,
) -> None:
    challenge, idea, priya, _ = round_
    if who == "author":
        person = await sign_in(priya)
    elif who == "participant":
        person = await sign_in(await make_user())
    elif who == "other host":
        other_host = await make_user(host=True)
        await make_challenge(other_host)
        person = await sign_in(other_host)
    else:
        person = visitor
    before = await audit_of(session, idea)

    page = Page(await person.get(idea_url(idea)))
    hidden = await person.post(f"/ideas/{idea.id}/hide", {"reason": "Mine now."})

    assert page.select("section.moderate-idea") == []
    assert hidden.status_code == 403
    assert (await fresh(session, Idea, idea.id)).status is IdeaStatus.PUBLISHED
    assert await idea_count(session, challenge) == 1
    assert await audit_of(session, idea) == before
    assert await notifications_of(session, priya.id) == []


async def test_a_hidden_idea_is_not_found_for_those_who_may_not_see_it_and_stays_hidden(
    round_: Any, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    _, idea, priya, hamid = round_
    await (await sign_in(hamid)).post(f"/ideas/{idea.id}/hide", {"reason": "Spam."})
    participant = await sign_in(await make_user())

    before = await audit_of(session, idea)
    told_before = await notifications_of(session, priya.id)

    restored = await participant.post(f"/ideas/{idea.id}/restore", {"reason": "Fine by me."})
    by_author = await (await sign_in(priya)).post(
        f"/ideas/{idea.id}/restore", {"reason": "It is mine."}
    )

    assert restored.status_code == 404
    assert by_author.status_code == 403
    assert (await fresh(session, Idea, idea.id)).status is IdeaStatus.HIDDEN
    assert await audit_of(session, idea) == before
    assert [n.id for n in await notifications_of(session, priya.id)] == [n.id for n in told_before]
