"""Rate limits count signed-in people by account and visitors by address.

Many people share one address at a venue; what one of them does never uses up
what the others may do. Visitors are counted per address, generously, and the
address is the client's behind the proxies the site trusts (IDEAS_TRUSTED_PROXIES),
never what a client wrote in X-Forwarded-For.
"""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from limits.aio.storage import memory as limits_memory
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.comments.models import Comment
from ideas.submissions.models import Idea
from ideas.web.ratelimit import PER_ACCOUNT, PER_ADDRESS, Limit
from tests.factories.accounts import Person
from tests.factories.queries import count
from tests.factories.web import MakeSite

GITHUB = {"GITHUB_CLIENT_ID": "test-client", "GITHUB_CLIENT_SECRET": "test-secret"}


async def test_people_behind_one_address_each_have_their_own_limit(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    """Five people at one venue: the first sends as many comments as the limit allows,
    and each of the others can still send as many."""
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())
    people = [await sign_in(await make_user()) for _ in range(5)]
    url = f"/ideas/{idea.id}/comments"
    per_minute = PER_ACCOUNT[Limit.COMMENT][0].amount

    sent = [
        [(await person.post(url, {"body": f"Comment {n}"})).status_code for n in range(per_minute)]
        for person in people
    ]

    assert sent == [[303] * per_minute] * len(people)
    assert (await people[0].post(url, {"body": "One too many."})).status_code == 429
    assert await count(session, Comment) == per_minute * len(people)


async def test_a_workshop_of_a_hundred_behind_one_address_posts_an_idea_and_a_comment_each(
    make_user: Any, make_challenge: Any, make_idea: Any, sign_in: Any, session: AsyncSession
) -> None:
    challenge = await make_challenge(await make_user(host=True))
    idea = await make_idea(challenge, await make_user())
    workshop: list[Person] = [await sign_in(await make_user()) for _ in range(100)]

    statuses = []
    for n, person in enumerate(workshop):
        posted = await person.post(
            f"/challenges/{challenge.slug}/ideas/new",
            {"title": f"Idea from table {n}", "summary": "Short."},
        )
        commented = await person.post(f"/ideas/{idea.id}/comments", {"body": f"Table {n}."})
        statuses += [posted.status_code, commented.status_code]

    assert 429 not in statuses
    assert set(statuses) == {303}
    assert await count(session, Idea) == 1 + 100
    assert await count(session, Comment) == 100


async def test_a_room_of_visitors_behind_one_address_can_all_start_signing_in(
    make_site: MakeSite,
) -> None:
    site = make_site(**GITHUB)

    answers = [await site.client.get("/sign-in/github") for _ in range(100)]

    assert [a.status_code for a in answers] == [302] * 100
    assert all(a.headers["location"].startswith("https://github.com/") for a in answers)


@pytest.fixture
def still_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The limiter's clock stands still, so a loop of requests stays inside one minute
    however slowly the machine runs it."""
    now = time.time()
    monkeypatch.setattr(limits_memory, "time", SimpleNamespace(time=lambda: now))


@pytest.mark.usefixtures("still_clock")
async def test_visitors_posting_are_limited_per_address(make_site: MakeSite) -> None:
    """Whatever a visitor posts counts against their address; past the limit, a 429
    with the time to wait, before anything else is looked at."""
    site = make_site()
    per_minute = PER_ADDRESS[Limit.VISITOR_POST][0].amount

    answers = [await site.client.post("/unsubscribe/not-a-token") for _ in range(per_minute)]
    refused = await site.client.post("/sign-out")

    assert 429 not in {a.status_code for a in answers}
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


@pytest.mark.usefixtures("still_clock")
async def test_signing_in_is_limited_per_address(make_site: MakeSite) -> None:
    site = make_site(**GITHUB)
    per_minute = PER_ADDRESS[Limit.SIGN_IN][0].amount

    for _ in range(per_minute):
        await site.client.get("/sign-in/github")
    refused = await site.client.get("/sign-in/github")

    assert refused.status_code == 429


def client_from(site: Any, peer: str) -> httpx.AsyncClient:
    """A client of ``site`` whose connection comes from ``peer``."""
    transport = httpx.ASGITransport(app=site.app, client=(peer, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000")


async def posts_until_refused(client: httpx.AsyncClient, forwarded_for: list[str]) -> list[int]:
    statuses = []
    for value in forwarded_for:
        response = await client.post("/sign-out", headers={"X-Forwarded-For": value})
        statuses.append(response.status_code)
    return statuses


async def test_x_forwarded_for_is_ignored_unless_a_proxy_is_trusted(make_site: MakeSite) -> None:
    """By default no proxy is trusted, not even one on this machine: a client cannot
    escape the limit by writing a new address in each request."""
    site = make_site()
    assert site.settings.trusted_proxies == []
    per_minute = PER_ADDRESS[Limit.VISITOR_POST][0].amount
    spoofed = [f"198.51.100.{n % 250}, 203.0.113.{n // 250}" for n in range(per_minute + 1)]

    async with client_from(site, "127.0.0.1") as client:
        statuses = await posts_until_refused(client, spoofed)

    assert statuses[-1] == 429


async def test_behind_trusted_proxies_the_client_is_the_right_most_untrusted_address(
    make_site: MakeSite,
) -> None:
    """The proxy appends the address it saw; what the client wrote on the left is not
    believed, and clients behind the proxy are told apart."""
    site = make_site(IDEAS_TRUSTED_PROXIES="10.0.0.0/8, 192.0.2.1")
    per_minute = PER_ADDRESS[Limit.VISITOR_POST][0].amount

    async with client_from(site, "10.1.2.3") as client:
        # One client behind two proxies (192.0.2.1, then 10.1.2.3), forging a new
        # address each time: always counted as 198.51.100.7.
        forged = [f"203.0.113.{n % 250}, 198.51.100.7, 192.0.2.1" for n in range(per_minute + 1)]
        one_client = await posts_until_refused(client, forged)
        # Others behind the same proxies still get through.
        other_client = await posts_until_refused(client, ["198.51.100.8, 192.0.2.1"])

    assert 429 not in one_client[:per_minute]
    assert one_client[-1] == 429
    assert 429 not in other_client


async def test_a_request_not_from_a_trusted_proxy_is_judged_by_its_own_address(
    make_site: MakeSite,
) -> None:
    site = make_site(IDEAS_TRUSTED_PROXIES="10.0.0.0/8")
    per_minute = PER_ADDRESS[Limit.VISITOR_POST][0].amount
    spoofed = [f"198.51.100.{n % 250}" for n in range(per_minute + 1)]

    async with client_from(site, "203.0.113.50") as client:
        statuses = await posts_until_refused(client, spoofed)

    assert statuses[-1] == 429
