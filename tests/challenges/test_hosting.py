"""Inviting a co-host by e-mail address tells the hosts nothing about who uses the address:
the same answer, page and time whether or not it belongs to someone here."""

from __future__ import annotations

import statistics
import time
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import User
from ideas.accounts.providers import ProviderAccount
from ideas.accounts.services import claim_invitations, sign_in_with_provider
from ideas.challenges import hosting
from ideas.challenges.models import Challenge, HostInvitation
from ideas.db import utcnow
from ideas.notifications.models import Notification
from ideas.web import timing
from tests.factories.accounts import Person
from tests.html import Page, normalized

UNKNOWN = "nobody-here@example.org"


async def invite(host: Person, challenge: Challenge, address: str) -> tuple[int, str, str]:
    """The answer to inviting ``address`` (status, where it leads) and the page after it."""
    response = await host.post(f"/challenges/{challenge.slug}/hosts", {"email": address})
    page = await host.get(response.headers.get("location", f"/challenges/{challenge.slug}/hosts"))
    hide = (address, address.lower(), host.csrf, challenge.slug)
    return (
        response.status_code,
        normalized(response.headers.get("location", ""), *hide),
        normalized(page.text, *hide),
    )


@pytest.mark.parametrize(
    "someone",
    ["a host", "a participant without the host role", "a co-host already", "someone suspended"],
)
async def test_inviting_a_co_host_answers_the_same_whether_anyone_uses_the_address(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession, someone: str
) -> None:
    hamid = await make_user("Hamid", host=True)
    known = await make_challenge(hamid, title="Canteens")
    unknown = await make_challenge(hamid, title="Canteens")
    maria = await make_user("Maria", host=someone != "a participant without the host role")
    if someone == "a co-host already":
        for challenge in (known, unknown):
            cohost = maria if challenge is known else await make_user("Maria", host=True)
            invitation = await hosting.invite_host(
                session,
                challenge_id=challenge.id,
                email=str(cohost.email),
                actor_id=hamid.id,
                now=utcnow(),
            )
            await hosting.accept_host_invitation(
                session, invitation_id=invitation.id, user_id=cohost.id, now=utcnow()
            )
    if someone == "someone suspended":
        await session.execute(update(User).where(User.id == maria.id).values(status="suspended"))
        await session.commit()
    as_hamid = await sign_in(hamid)

    to_known = await invite(as_hamid, known, str(maria.email).upper())
    to_unknown = await invite(as_hamid, unknown, UNKNOWN)

    assert to_known == to_unknown
    assert to_unknown[0] == 303
    assert Page(to_unknown[2]).text("#hosts .notice") == (
        "If someone uses that address, they have been invited to co-host."
    )


async def test_the_answer_takes_the_same_time_whether_anyone_uses_the_address(
    make_user: Any, make_challenge: Any, sign_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    hamid = await make_user("Hamid", host=True)
    as_hamid = await sign_in(hamid)
    # A floor well above what the work takes on a busy machine, so that only the guard,
    # not the load, decides how long each answer takes.
    monkeypatch.setattr(timing, "EVEN_SECONDS", 0.6)
    durations: dict[str, list[float]] = {"known": [], "unknown": []}
    for n in range(2):
        for case in ("known", "unknown"):
            challenge = await make_challenge(hamid)
            address = (
                str((await make_user(f"Maria {n}", host=True)).email)
                if case == "known"
                else UNKNOWN
            )
            started = time.monotonic()
            response = await as_hamid.post(
                f"/challenges/{challenge.slug}/hosts", {"email": address}
            )
            durations[case].append(time.monotonic() - started)
            assert response.status_code == 303

    assert min(durations["known"] + durations["unknown"]) >= timing.EVEN_SECONDS
    difference = statistics.median(durations["known"]) - statistics.median(durations["unknown"])
    assert abs(difference) < timing.EVEN_SECONDS / 2


async def test_an_invitation_to_co_host_an_unknown_address_reaches_whoever_signs_in_with_it(
    make_user: Any, make_challenge: Any, sign_in: Any, session: AsyncSession
) -> None:
    hamid = await make_user("Hamid", host=True)
    challenge = await make_challenge(hamid, title="Canteens")
    await (await sign_in(hamid)).post(
        f"/challenges/{challenge.slug}/hosts", {"email": "newcomer@example.org"}
    )
    account = ProviderAccount(
        subject="n-1",
        name="New Comer",
        email="newcomer@example.org",
        email_verified=True,
        picture=None,
    )

    newcomer = await sign_in_with_provider(
        session, provider="city", account=account, admin_emails=[], now=utcnow()
    )
    await claim_invitations(session, user_id=newcomer.id, account=account, now=utcnow())

    await session.commit()
    invitation = await session.scalar(
        select(HostInvitation).execution_options(populate_existing=True)
    )
    assert invitation is not None
    assert invitation.user_id == newcomer.id
    told = await session.scalars(
        select(Notification.kind).where(Notification.user_id == newcomer.id)
    )
    assert list(told) == ["host.invitation"]
    page = Page(await (await sign_in(newcomer)).get("/hosting"))
    assert page.text(".request-card__title") == "Co-host “Canteens”"
