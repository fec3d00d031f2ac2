"""E-mail is written in the recipient's language: their saved choice, else the site's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.services import set_locale
from ideas.db import Database, utcnow
from ideas.notifications import mailer
from ideas.notifications.models import EmailFrequency
from ideas.notifications.services import set_email_frequency
from ideas.settings import Settings
from ideas.submissions.forms import IdeaInput
from ideas.submissions.lineage import LinkInput
from ideas.submissions.services import post_idea
from tests.factories.notifications import Inbox


async def build_on(session: AsyncSession, challenge_id: int, author_id: int, parent: int) -> Any:
    return await post_idea(
        session,
        challenge_id=challenge_id,
        author_id=author_id,
        data=IdeaInput(
            title="Compost, but shared",
            summary="A shared compost bin.",
            body="",
            builds_on=(LinkInput(parent_id=parent, note=""),),
        ),
        now=utcnow(),
    )


async def test_each_mail_is_in_the_language_its_recipient_chose(
    session: AsyncSession,
    database: Database,
    settings: Settings,
    inbox: Inbox,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    amara, bruno = await make_user("Amara Obi"), await make_user("Bruno Diaz")
    english = await make_user("Chen Wei")
    await set_locale(session, user_id=amara.id, locale="fr")
    await build_on(session, challenge.id, bruno.id, (await make_idea(challenge, amara)).id)
    await build_on(session, challenge.id, bruno.id, (await make_idea(challenge, english)).id)

    assert (await mailer.send_due(database, settings, utcnow())).sent == 2

    by_address = {message["To"]: message for message in inbox.messages}
    french = by_address[amara.email]
    assert french["Subject"].startswith("Bruno Diaz s\u2019est appuyé sur votre idée « ")
    body = french.get_content()
    assert "À voir sur Ideas :" in body
    assert "Vous recevez un e-mail pour chacune de vos notifications sur Ideas" in body
    assert by_address[english.email]["Subject"].startswith("Bruno Diaz built on your idea “")


async def test_a_digest_is_in_the_language_its_recipient_chose(
    session: AsyncSession,
    database: Database,
    settings: Settings,
    inbox: Inbox,
    make_user: Any,
    make_challenge: Any,
    make_idea: Any,
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    amal, bruno = await make_user("Amal"), await make_user("Bruno")
    await set_locale(session, user_id=amal.id, locale="ar")
    await set_email_frequency(
        session, user_id=amal.id, frequency=EmailFrequency.DAILY, now=utcnow()
    )
    for title in ("One", "Two"):
        await build_on(
            session, challenge.id, bruno.id, (await make_idea(challenge, amal, title=title)).id
        )

    tomorrow = utcnow().astimezone(UTC).date() + timedelta(days=1)
    morning = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 9, tzinfo=UTC)
    assert await mailer.queue_digests(database, settings, morning) == 1
    assert (await mailer.send_due(database, settings, morning)).sent == 1

    [message] = inbox.messages
    assert message["Subject"] == "إشعاران جديدان على Ideas"
    body = message.get_content()
    assert "مرحبًا Amal،" in body
    assert "بنى Bruno على فكرتك «One»: «Compost, but shared»" in body
