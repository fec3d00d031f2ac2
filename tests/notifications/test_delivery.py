"""E-mail as mail programs and crowds meet it: a one-click unsubscribe header mail
programs understand, one e-mail per person per pass, a Message-ID that survives a
resend, and a short lease that hands a dead worker's mail on without sending twice."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.comments.services import post_comment
from ideas.db import Database, utcnow
from ideas.notifications import mailer
from ideas.notifications.models import EmailFrequency, OutboxStatus
from ideas.notifications.services import set_idea_follow
from ideas.settings import Settings
from ideas.submissions.models import Idea
from tests.factories.accounts import Person
from tests.factories.notifications import Inbox, outbox


@pytest.fixture
async def amaras_idea(make_user: Any, make_challenge: Any, make_idea: Any) -> tuple[User, Idea]:
    challenge = await make_challenge(await make_user(host=True))
    amara = await make_user("Amara Obi")
    return amara, await make_idea(challenge, amara, title="Compost club")


async def comment(session: AsyncSession, idea: Idea, author: User, body: str) -> None:
    await post_comment(session, idea_id=idea.id, author_id=author.id, body=body, now=utcnow())


async def follow(session: AsyncSession, idea: Idea, person: User) -> None:
    await set_idea_follow(session, user_id=person.id, idea_id=idea.id, following=True, now=utcnow())


def header_lines(raw: bytes) -> list[bytes]:
    head = raw.split(b"\r\n\r\n", 1)[0]
    return head.split(b"\r\n")


# One-click unsubscribe (RFC 8058) -----------------------------------------------------------


async def test_list_unsubscribe_goes_out_as_one_plain_header_mail_programs_can_use(
    session: AsyncSession,
    database: Database,
    settings: Settings,
    inbox: Inbox,
    amaras_idea: tuple[User, Idea],
    make_user: Any,
) -> None:
    _, idea = amaras_idea
    await comment(session, idea, await make_user("Bruno"), "Count me in")

    await mailer.send_due(database, settings, utcnow())

    [raw] = inbox.raw
    lines = header_lines(raw)
    [unsubscribe] = [line for line in lines if line.startswith(b"List-Unsubscribe:")]
    assert re.fullmatch(
        rb"List-Unsubscribe: <http://127\.0\.0\.1:8000/unsubscribe/[^>\s]+>", unsubscribe
    )
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in lines
    assert b"=?" not in unsubscribe
    [queued] = await outbox(session)
    assert unsubscribe == f"List-Unsubscribe: <{queued.unsubscribe_url}>".encode()
    assert len(unsubscribe) > 78  # longer than a folded line: it used to be encoded


@pytest.mark.parametrize("kind", ["multipart", "urlencoded"])
async def test_a_mail_programs_one_click_post_unsubscribes_without_a_session_or_token(
    session: AsyncSession,
    database: Database,
    settings: Settings,
    inbox: Inbox,
    amaras_idea: tuple[User, Idea],
    make_user: Any,
    visitor: Person,
    kind: str,
) -> None:
    amara, idea = amaras_idea
    await comment(session, idea, await make_user("Bruno"), "Count me in")
    await mailer.send_due(database, settings, utcnow())
    [message] = inbox.messages
    path = urlsplit(message["List-Unsubscribe"].strip("<>")).path
    cross_site = {"Origin": "https://mail.example.com", "Sec-Fetch-Site": "cross-site"}

    if kind == "multipart":
        response = await visitor.client.post(
            path, files={"List-Unsubscribe": (None, "One-Click")}, headers=cross_site
        )
    else:
        response = await visitor.client.post(
            path, data={"List-Unsubscribe": "One-Click"}, headers=cross_site
        )

    assert response.status_code == 200
    await session.commit()
    fresh = await session.get(User, amara.id, populate_existing=True)
    assert fresh is not None
    assert fresh.email_frequency == EmailFrequency.NONE


# One e-mail per person per pass -------------------------------------------------------------


async def test_ten_comments_in_one_pass_make_one_email_with_a_section_each(
    session: AsyncSession,
    database: Database,
    settings: Settings,
    inbox: Inbox,
    amaras_idea: tuple[User, Idea],
    make_user: Any,
) -> None:
    amara, idea = amaras_idea
    people = [await make_user(f"Commenter {n}") for n in range(10)]
    for n, person in enumerate(people):
        await comment(session, idea, person, f"Thought number {n}")
    assert len(await outbox(session)) == 10

    report = await mailer.send_due(database, settings, utcnow())

    assert report.sent == 1
    [message] = inbox.to(str(amara.email))
    assert message["Subject"] == "10 new notifications on Ideas"
    body = message.get_content().replace("\r\n", "\n")
    for n in range(10):
        assert f"== {n + 1} of 10 ==" in body
        assert f"Commenter {n} commented on “Compost club”" in body
        assert f"Thought number {n}" in body
    assert body.count("Stop all e-mail from Ideas with one click") == 1
    rows = await outbox(session)
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert {row.message_id for row in rows} == {message["Message-ID"]}
    assert message["List-Unsubscribe"] == f"<{rows[0].unsubscribe_url}>"


async def test_one_event_due_still_goes_as_its_own_email(
    session: AsyncSession,
    database: Database,
    settings: Settings,
    inbox: Inbox,
    amaras_idea: tuple[User, Idea],
    make_user: Any,
) -> None:
    _, idea = amaras_idea
    await comment(session, idea, await make_user("Bruno"), "Count me in")

    await mailer.send_due(database, settings, utcnow())

    [message] = inbox.messages
    assert message["Subject"] == "Bruno commented on “Compost club”"
    body = message.get_content().replace("\r\n", "\n")
    assert "== 1 of" not in body
    assert body.startswith("Bruno commented on “Compost club”.")


async def test_each_person_gets_their_own_email(
    session: AsyncSession,
    database: Database,
    settings: Settings,
    inbox: Inbox,
    amaras_idea: tuple[User, Idea],
    make_user: Any,
) -> None:
    amara, idea = amaras_idea
    bruno, chen = await make_user("Bruno"), await make_user("Chen")
    await follow(session, idea, bruno)
    await comment(session, idea, bruno, "First")  # Amara hears of it
    await comment(session, idea, chen, "Second")  # Amara and Bruno hear of it

    report = await mailer.send_due(database, settings, utcnow())

    assert report.sent == 2
    subjects = {m["To"]: m["Subject"] for m in inbox.messages}
    assert subjects == {
        amara.email: "2 new notifications on Ideas",
        bruno.email: "Chen commented on “Compost club”",
    }


# The Message-ID is made when the mail is queued ---------------------------------------------


async def test_a_resend_keeps_the_message_id_made_when_the_mail_was_queued(
    session: AsyncSession,
    database: Database,
    settings: Settings,
    inbox: Inbox,
    amaras_idea: tuple[User, Idea],
    make_user: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, idea = amaras_idea
    await comment(session, idea, await make_user("Bruno"), "Count me in")
    [queued] = await outbox(session)
    assert re.fullmatch(r"<[^@\s]+@example\.org>", queued.message_id)
    # The server keeps the mail but answers too late: the worker cannot know it arrived.
    monkeypatch.setattr(mailer, "SMTP_TIMEOUT", 0.3)
    inbox.slow = 1.0
    now = utcnow()

    first = await mailer.send_due(database, settings, now)
    inbox.slow = 0.0
    second = await mailer.send_due(database, settings, now + timedelta(minutes=2))

    assert (first.sent, first.failed, second.sent) == (0, 1, 1)
    assert [m["Message-ID"] for m in inbox.messages] == [queued.message_id] * 2
    [row] = await outbox(session)
    assert (row.status, row.message_id) == (OutboxStatus.SENT, queued.message_id)


async def test_an_email_of_several_that_failed_goes_again_whole_with_its_message_id(
    session: AsyncSession,
    database: Database,
    settings: Settings,
    inbox: Inbox,
    amaras_idea: tuple[User, Idea],
    make_user: Any,
) -> None:
    amara, idea = amaras_idea
    bruno = await make_user("Bruno")
    await comment(session, idea, bruno, "First")
    await comment(session, idea, bruno, "Second")
    inbox.stop()
    now = utcnow()
    assert (await mailer.send_due(database, settings, now)).failed == 1
    grouped = {row.message_id for row in await outbox(session)}
    assert len(grouped) == 1
    inbox.start()
    await comment(session, idea, bruno, "Third, after the failure")

    report = await mailer.send_due(database, settings, now + timedelta(minutes=2))

    assert report.sent == 2
    by_id = {m["Message-ID"]: m for m in inbox.to(str(amara.email))}
    again = by_id[grouped.pop()]
    assert again["Subject"] == "2 new notifications on Ideas"
    assert "Third" not in again.get_content()
    assert {row.status for row in await outbox(session)} == {OutboxStatus.SENT}


# A short lease, renewed while sending -------------------------------------------------------


async def test_the_lease_is_renewed_while_sending_so_no_other_worker_takes_the_mail(
    session: AsyncSession,
    database: Database,
    settings: Settings,
    inbox: Inbox,
    amaras_idea: tuple[User, Idea],
    make_user: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, idea = amaras_idea
    for n in range(5):
        await follow(session, idea, await make_user(f"Follower {n}"))
    await comment(session, idea, await make_user("Bruno"), "Hello all")
    queued = await outbox(session)
    assert len({row.to_address for row in queued}) == 6
    monkeypatch.setattr(mailer, "LEASE", timedelta(seconds=0.8))
    inbox.slow = 0.4  # six e-mails take over two seconds, more than twice the lease

    async def another_worker() -> list[Any]:
        await asyncio.sleep(1.4)
        return (await mailer.claim(database, utcnow())).outgoing

    report, taken = await asyncio.gather(
        mailer.send_due(database, settings, utcnow()), another_worker()
    )

    assert taken == []
    assert report.sent == 6
    assert sorted(m["To"] for m in inbox.messages) == sorted(row.to_address for row in queued)


async def test_what_the_server_accepted_is_never_sent_again(
    session: AsyncSession,
    database: Database,
    settings: Settings,
    inbox: Inbox,
    amaras_idea: tuple[User, Idea],
    make_user: Any,
) -> None:
    _, idea = amaras_idea
    for n in range(2):
        await follow(session, idea, await make_user(f"Follower {n}"))
    await comment(session, idea, await make_user("Bruno"), "Hello all")
    queued = await outbox(session)
    people = sorted({row.to_address for row in queued})
    assert len(people) == 3
    inbox.hang_up_after = 2  # accepts two e-mails, then drops the connection
    now = utcnow()

    first = await mailer.send_due(database, settings, now)
    inbox.hang_up_after = None
    second = await mailer.send_due(database, settings, now + timedelta(minutes=2))
    third = await mailer.send_due(database, settings, now + timedelta(hours=2))

    assert (first.sent, first.failed, second.sent, third.sent) == (2, 1, 1, 0)
    assert sorted(m["To"] for m in inbox.messages) == people
    assert {row.status for row in await outbox(session)} == {OutboxStatus.SENT}
