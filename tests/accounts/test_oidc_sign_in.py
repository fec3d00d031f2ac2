"""Signing in through a real OpenID Connect provider, with the site as a real server.

The provider is panva's oidc-provider (tests/oidc/provider.mjs); the whole
authorization-code flow runs over HTTP: state, nonce, PKCE, the ID token's
signature, issuer and audience are all checked for real.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.accounts.models import Identity, User, UserStatus, WebSession
from ideas.challenges import hosting
from ideas.challenges.models import HostInvitation
from ideas.db import Database, utcnow
from ideas.settings import load_settings
from tests.accounts.oidc import Browser, OIDCProvider, live_site, running_provider
from tests.factories.queries import count
from tests.html import Page


@pytest.fixture(scope="session")
def oidc() -> Iterator[OIDCProvider]:
    with running_provider() as provider:
        yield provider


@pytest.fixture
async def site(oidc: OIDCProvider, database: Database) -> AsyncIterator[str]:
    async with live_site(load_settings(oidc.environ()), database, oidc.app_port) as url:
        yield url


@pytest.fixture
async def agent() -> AsyncIterator[Browser]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield Browser(client)


@pytest.fixture
def reset_mode(oidc: OIDCProvider) -> Iterator[OIDCProvider]:
    yield oidc
    oidc.set_mode()


def signed_in_as(response: httpx.Response) -> str | None:
    found = Page(response).select(".account-nav .who")
    return " ".join(found[0].text_content().split()) if found else None


async def test_the_first_sign_in_creates_the_person_and_the_second_finds_them(
    site: str, agent: Browser, session: AsyncSession
) -> None:
    first = await agent.sign_in(site, account="alice", next_path="/sign-in")

    assert str(first.url) == f"{site}/"  # signed in: the sign-in page sends on home
    assert signed_in_as(first) == "A Alice"
    user = (await session.scalars(select(User))).one()
    identity = (await session.scalars(select(Identity))).one()
    assert (user.display_name, user.email) == ("Alice", "alice@example.org")
    assert (identity.provider, identity.subject, identity.user_id) == ("city", "alice", user.id)

    async with httpx.AsyncClient(timeout=10) as other_client:
        again = await Browser(other_client).sign_in(site, account="alice")

    assert signed_in_as(again) == "A Alice"
    assert await count(session, User) == 1
    assert await count(session, WebSession) == 2


async def test_a_different_account_is_a_different_person(
    site: str, agent: Browser, session: AsyncSession
) -> None:
    await agent.sign_in(site, account="alice")
    async with httpx.AsyncClient(timeout=10) as other_client:
        response = await Browser(other_client).sign_in(site, account="bob")
    assert signed_in_as(response) == "B Bob"
    assert await count(session, User) == 2


async def test_the_session_is_renewed_at_sign_in(site: str, agent: Browser) -> None:
    start = await agent.client.get(f"{site}/sign-in/city")
    before = agent.client.cookies.get("ideas_session", domain="127.0.0.1")
    await agent.follow(start)
    after = agent.client.cookies.get("ideas_session", domain="127.0.0.1")
    assert before
    assert after
    assert before != after


async def test_next_leads_back_to_a_page_of_this_site_only(site: str, agent: Browser) -> None:
    response = await agent.sign_in(site, next_path="//evil.example/steal")
    assert str(response.url) == f"{site}/"


async def test_a_forged_state_is_refused_and_nothing_is_created(
    site: str, agent: Browser, session: AsyncSession
) -> None:
    callback = await agent.until_callback(site)
    forged = callback.replace("state=", "state=forged")

    response = await agent.client.get(forged)

    assert response.status_code == 400
    assert "did not work" in Page(response).text("[role=alert]")
    assert await count(session, User) == 0
    # The genuine answer cannot be used afterwards either: each start finishes once.
    late = await agent.client.get(callback)
    assert late.status_code == 400
    assert await count(session, User) == 0


async def test_a_replayed_callback_is_refused(
    site: str, agent: Browser, session: AsyncSession
) -> None:
    await agent.sign_in(site)
    assert agent.callback_url is not None
    sessions_before = await count(session, WebSession)

    same_browser = await agent.client.get(agent.callback_url)
    async with httpx.AsyncClient(timeout=10) as attacker:
        other_browser = await attacker.get(agent.callback_url)

    assert same_browser.status_code == other_browser.status_code == 400
    assert "expired or was already used" in Page(other_browser).text("[role=alert]")
    assert await count(session, User) == 1
    assert await count(session, WebSession) == sessions_before


async def test_the_providers_answer_names_it_as_its_issuer(
    site: str, agent: Browser, oidc: OIDCProvider
) -> None:
    """The provider advertises RFC 9207 in its discovery document and follows it."""
    discovery = await agent.client.get(f"{oidc.issuer}/.well-known/openid-configuration")
    callback = await agent.until_callback(site)

    assert discovery.json()["authorization_response_iss_parameter_supported"] is True
    assert parse_qs(urlsplit(callback).query)["iss"] == [oidc.issuer]
    assert (await agent.client.get(callback)).status_code == 303


@pytest.mark.parametrize("iss", ["http://127.0.0.1:1", None], ids=["another", "none"])
async def test_an_answer_naming_another_issuer_or_none_is_refused(
    site: str, agent: Browser, session: AsyncSession, iss: str | None
) -> None:
    """A code from one provider passed off as another's (a mix-up) is refused, and so
    is an answer without ``iss`` from a provider that always sends it."""
    callback = await agent.until_callback(site)
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items() if k != "iss"}
    if iss is not None:
        query["iss"] = iss

    response = await agent.client.get(urlunsplit(parts._replace(query=urlencode(query))))

    assert response.status_code == 400
    assert Page(response).text("[role=alert]") == (
        "That answer did not come from City ID. Please start again."
    )
    assert await count(session, User) == 0
    assert await count(session, WebSession) == 1  # the visitor's, and no other


async def test_an_id_token_for_another_audience_is_refused(
    site: str, agent: Browser, session: AsyncSession, reset_mode: OIDCProvider
) -> None:
    reset_mode.set_mode(audience="some-other-client")

    response = await agent.sign_in(site)

    assert response.status_code == 400
    assert "sent an identity we cannot accept" in Page(response).text("[role=alert]")
    assert signed_in_as(response) is None
    assert await count(session, User) == 0


async def test_a_discovery_document_for_another_issuer_is_refused(
    site: str, agent: Browser, session: AsyncSession, reset_mode: OIDCProvider
) -> None:
    reset_mode.set_mode(issuer="https://impostor.example")

    response = await agent.client.get(f"{site}/sign-in/city")

    assert response.status_code == 502
    assert "not configured correctly" in Page(response).text("[role=alert]")
    assert await count(session, User) == 0


async def test_refusing_consent_at_the_provider_signs_nobody_in(
    site: str, agent: Browser, session: AsyncSession
) -> None:
    start = await agent.client.get(f"{site}/sign-in/city")
    response = await agent.follow(start, deny=True)

    assert response.status_code == 400
    assert "You did not allow City ID to sign you in." in Page(response).text("[role=alert]")
    assert signed_in_as(response) is None
    assert await count(session, User) == 0


async def test_a_provider_that_is_down_gets_a_clear_page_and_nothing_is_saved(
    oidc: OIDCProvider, database: Database, agent: Browser, session: AsyncSession
) -> None:
    from tests.support.ports import free_port

    dead = f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration"
    settings = load_settings(oidc.environ(IDEAS_OIDC_CITY_DISCOVERY_URL=dead))
    async with live_site(settings, database, oidc.app_port) as site:
        response = await agent.client.get(f"{site}/sign-in/city")

    assert response.status_code == 502
    page = Page(response)
    assert page.text("h1") == "Sign in"
    assert page.text("[role=alert]") == "City ID could not be reached."
    assert await count(session, User) == 0
    stored = (await session.scalars(select(WebSession))).all()
    assert all("ideas.sign_in" not in s.data for s in stored)


async def test_a_suspended_person_cannot_sign_in(
    site: str, agent: Browser, session: AsyncSession
) -> None:
    await agent.sign_in(site)
    user = (await session.scalars(select(User))).one()
    await session.execute(
        update(User).where(User.id == user.id).values(status=UserStatus.SUSPENDED)
    )
    await session.commit()

    async with httpx.AsyncClient(timeout=10) as other_client:
        response = await Browser(other_client).sign_in(site)

    assert response.status_code == 403
    assert "suspended" in Page(response).text("[role=alert]")
    assert signed_in_as(response) is None


async def test_admin_emails_make_the_first_admin(
    oidc: OIDCProvider, database: Database, agent: Browser, session: AsyncSession
) -> None:
    settings = load_settings(oidc.environ(IDEAS_ADMIN_EMAILS="alice@example.org"))
    async with live_site(settings, database, oidc.app_port) as site:
        await agent.sign_in(site, account="alice")
        async with httpx.AsyncClient(timeout=10) as other_client:
            await Browser(other_client).sign_in(site, account="bob")

    people = {u.display_name: u for u in (await session.scalars(select(User))).all()}
    assert people["Alice"].is_admin
    assert not people["Bob"].is_admin


async def test_an_invitation_sent_to_an_address_reaches_whoever_first_signs_in_with_it(
    site: str, agent: Browser, session: AsyncSession, make_user: Any, make_challenge: Any
) -> None:
    hamid = await make_user("Hamid", host=True)
    challenge = await make_challenge(hamid, title="Canteens")
    await hosting.invite_host(
        session, challenge_id=challenge.id, email="Carol@example.org", actor_id=hamid.id,
        now=utcnow(),
    )  # fmt: skip

    await agent.sign_in(site, account="carol")

    carol = (await session.scalars(select(User).where(User.display_name == "Carol"))).one()
    invitation = (
        await session.scalars(select(HostInvitation).execution_options(populate_existing=True))
    ).one()
    assert invitation.user_id == carol.id
    page = Page(await agent.client.get(f"{site}/hosting"))
    assert page.text(".request-card__title") == "Co-host “Canteens”"


async def test_a_signed_in_person_links_another_account_and_unlinks_one(
    site: str, agent: Browser, session: AsyncSession
) -> None:
    await agent.sign_in(site, account="alice")
    settings_page = Page(await agent.client.get(f"{site}/settings"))
    csrf = settings_page.select("form[action='/settings/identities/link/city'] input")
    assert csrf == []  # already linked to City ID: nothing more to link there
    user = (await session.scalars(select(User))).one()

    # A second City ID account, linked to the same person.
    token = (
        Page(await agent.client.get(f"{site}/settings"))
        .select("input[name=csrf_token]")[0]
        .get("value")
    )
    start = await agent.client.post(
        f"{site}/settings/identities/link/city", data={"csrf_token": token}
    )
    done = await agent.follow(start, account="alice-work")

    assert str(done.url) == f"{site}/settings"
    identities = (await session.scalars(select(Identity).order_by(Identity.id))).all()
    assert [(i.subject, i.user_id) for i in identities] == [
        ("alice", user.id),
        ("alice-work", user.id),
    ]
    assert await count(session, User) == 1

    unlink = await agent.client.post(
        f"{site}/settings/identities/{identities[1].id}/unlink", data={"csrf_token": token}
    )
    assert unlink.status_code == 303
    refused = await agent.client.post(
        f"{site}/settings/identities/{identities[0].id}/unlink", data={"csrf_token": token}
    )
    assert refused.status_code == 409
    assert await count(session, Identity) == 1


async def test_linking_an_account_that_belongs_to_someone_else_is_refused(
    site: str, agent: Browser, session: AsyncSession
) -> None:
    async with httpx.AsyncClient(timeout=10) as other_client:
        await Browser(other_client).sign_in(site, account="bob")
    await agent.sign_in(site, account="alice")
    token = (
        Page(await agent.client.get(f"{site}/settings"))
        .select("input[name=csrf_token]")[0]
        .get("value")
    )

    start = await agent.client.post(
        f"{site}/settings/identities/link/city", data={"csrf_token": token}
    )
    response = await agent.follow(start, account="bob")

    assert response.status_code == 409
    assert "already signs someone else in" in Page(response).text("[role=alert]")
    owners = {i.subject: i.user_id for i in (await session.scalars(select(Identity))).all()}
    assert owners["bob"] != owners["alice"]


async def test_sign_out_ends_the_session_for_good(site: str, agent: Browser) -> None:
    await agent.sign_in(site)
    cookie = agent.client.cookies.get("ideas_session", domain="127.0.0.1")
    token = (
        Page(await agent.client.get(f"{site}/settings"))
        .select("input[name=csrf_token]")[0]
        .get("value")
    )

    await agent.client.post(f"{site}/sign-out", data={"csrf_token": token})

    async with httpx.AsyncClient(timeout=10, cookies={"ideas_session": cookie or ""}) as copied:
        response = await copied.get(f"{site}/")
    assert signed_in_as(response) is None


async def test_the_sign_in_page_shows_a_button_per_provider(
    oidc: OIDCProvider, database: Database
) -> None:
    settings = load_settings(oidc.environ(GITHUB_CLIENT_ID="gh", GITHUB_CLIENT_SECRET="gh-secret"))
    async with (
        live_site(settings, database, oidc.app_port) as site,
        httpx.AsyncClient(timeout=10) as client,
    ):
        page = Page(await client.get(f"{site}/sign-in?next=/people/1"))
    buttons = [(a.text_content(), a.get("href")) for a in page.select(".provider-list a")]
    assert buttons == [
        ("Sign in with GitHub", "/sign-in/github?next=/people/1"),
        ("Sign in with City ID", "/sign-in/city?next=/people/1"),
    ]
