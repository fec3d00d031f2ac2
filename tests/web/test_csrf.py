"""Every unsafe request needs the session's CSRF token and a same-origin browser.

Each refusal is checked on two real actions, posting an idea and creating a
challenge, and each must leave nothing saved. The first two tests show that the
same requests, with the token, do save: the refusals are the guard's doing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ideas.challenges.models import Challenge
from ideas.settings import Settings
from ideas.submissions.models import Idea
from ideas.web.csrf_tokens import mask, token_matches, unmask
from tests.factories.accounts import Person
from tests.factories.queries import count
from tests.factories.web import MakeSite
from tests.html import Page

ORIGIN = "http://127.0.0.1:8000"  # where the test clients send their requests
IDEA = {"title": "Share leftovers", "summary": "Give what is left to a food bank."}
CHALLENGE = {
    "title": "Less food waste in canteens",
    "question": "How might we cut food waste in school canteens?",
    "ideas_opens_at": "2030-03-01T09:00",
    "review_opens_at": "2030-03-15T09:00",
    "closes_at": "2030-04-30T18:00",
}


@dataclass
class Action:
    """Someone about to do one thing that saves a row."""

    person: Person
    url: str
    data: dict[str, str]
    model: type[Any]

    async def post(self, data: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        return await self.person.post(self.url, data if data is not None else self.data, **kwargs)

    async def saved(self, session: AsyncSession) -> int:
        return await count(session, self.model)


@pytest.fixture(params=["post an idea", "create a challenge"])
async def action(
    request: pytest.FixtureRequest, make_user: Any, make_challenge: Any, sign_in: Any
) -> Action:
    host = await make_user(host=True)
    if request.param == "post an idea":
        challenge = await make_challenge(host)
        participant = await sign_in(await make_user())
        return Action(participant, f"/challenges/{challenge.slug}/ideas/new", IDEA, Idea)
    return Action(await sign_in(host), "/challenges/new", CHALLENGE, Challenge)


def assert_site_error_page(response: httpx.Response, heading: str) -> None:
    page = Page(response)
    assert page.one("html") is not None
    assert page.one(".site-header .brand") is not None
    assert page.one("main#main .error-page") is not None
    assert page.text("main#main h1") == heading


# What goes through -----------------------------------------------------------


async def test_a_form_with_the_sessions_token_is_saved(
    action: Action, session: AsyncSession
) -> None:
    response = await action.post()
    assert response.status_code == 303
    assert await action.saved(session) == 1


async def test_htmx_may_send_the_token_as_a_header_instead_of_a_field(
    action: Action, session: AsyncSession
) -> None:
    response = await action.post(
        csrf=False, headers={"X-CSRF-Token": action.person.csrf, "HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "HX-Redirect" in response.headers
    assert await action.saved(session) == 1


@pytest.mark.parametrize(
    "headers",
    [{"Origin": ORIGIN}, {"Origin": ORIGIN, "Sec-Fetch-Site": "same-origin"}],
    ids=["origin", "origin-and-fetch-site"],
)
async def test_a_same_origin_browser_with_the_token_is_saved(
    action: Action, session: AsyncSession, headers: dict[str, str]
) -> None:
    response = await action.post(headers=headers)
    assert response.status_code == 303
    assert await action.saved(session) == 1


async def test_a_multipart_form_with_the_token_is_saved(
    action: Action, session: AsyncSession
) -> None:
    """The guard reads the body to find the token; the view must still get all of it."""
    fields = {**action.data, "csrf_token": action.person.csrf}
    response = await action.person.client.post(
        action.url, files={name: (None, value) for name, value in fields.items()}
    )
    assert response.status_code == 303
    assert await action.saved(session) == 1


async def test_reading_never_needs_a_token(action: Action) -> None:
    form = await action.person.get(action.url)
    assert form.status_code == 200
    tokens = {field.get("value") for field in Page(form).select("form input[name=csrf_token]")}
    assert len(tokens) == 1
    assert unmask(tokens.pop()) == action.person.csrf.encode()
    assert (await action.person.client.head("/")).status_code == 200


# The token in a page is masked afresh each time (BREACH) ------------------------


def page_tokens(response: httpx.Response) -> set[str]:
    """Every copy of the token in a page: form fields and the htmx header on <body>."""
    page = Page(response)
    tokens = {str(field.get("value")) for field in page.select("input[name=csrf_token]")}
    tokens.add(json.loads(str(page.one("body").get("data-hx-headers:inherited")))["X-CSRF-Token"])
    return tokens


async def test_two_renders_of_a_page_carry_different_tokens_and_never_the_sessions_own(
    action: Action,
) -> None:
    first = await action.person.get(action.url, headers={"Accept-Encoding": "gzip"})
    second = await action.person.get(action.url, headers={"Accept-Encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip"

    (one,), (two,) = page_tokens(first), page_tokens(second)
    assert one != two
    for response in (first, second):
        assert action.person.csrf not in response.text
        assert action.person.csrf not in response.headers.get("set-cookie", "")


async def test_each_masked_token_from_a_page_is_accepted(
    action: Action, session: AsyncSession
) -> None:
    tokens = [token for _ in range(2) for token in page_tokens(await action.person.get(action.url))]
    assert len(set(tokens)) == 2
    response = await action.post({**action.data, "csrf_token": tokens[0]})
    assert response.status_code == 303
    response = await action.post(
        {**action.data, "title": "Share leftovers again"},
        csrf=False,
        headers={"X-CSRF-Token": tokens[1], "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert await action.saved(session) == 2


def tampered(token: str) -> list[str]:
    """A masked token with one character changed, cut short, lengthened or re-padded."""
    flipped = ("A" if token[10] != "A" else "B").join((token[:10], token[11:]))
    return [flipped, token[:-1], token[:-4], token + "A", token + "==", token[: len(token) // 2]]


async def test_a_tampered_masked_token_is_refused_and_nothing_is_saved(
    action: Action, session: AsyncSession
) -> None:
    (token,) = page_tokens(await action.person.get(action.url))
    for bad in tampered(token):
        response = await action.post({**action.data, "csrf_token": bad})
        assert response.status_code == 403, bad
        response = await action.post(
            csrf=False, headers={"X-CSRF-Token": bad, "HX-Request": "true"}
        )
        assert response.status_code == 403, bad
    assert await action.saved(session) == 0


async def test_another_sessions_masked_token_is_refused(
    action: Action, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    other = await sign_in(await make_user())
    (token,) = page_tokens(await other.get(action.url))
    response = await action.post({**action.data, "csrf_token": token})
    assert response.status_code == 403
    assert await action.saved(session) == 0


def test_mask_gives_a_new_string_each_time_that_unmasks_to_the_secret() -> None:
    secret = "7GSDBQiTrOBILmsYadc50mR0zEsHqxt5hW1x8Wic8JM"
    masked = {mask(secret) for _ in range(50)}
    assert len(masked) == 50
    assert all(secret not in token and unmask(token) == secret.encode() for token in masked)
    assert all(token_matches(token, secret) for token in masked)
    assert token_matches(secret, secret)
    assert not token_matches(secret[:-1], secret)
    assert not token_matches("", secret)
    assert not token_matches(mask(secret[:-1]), secret)
    assert not token_matches(mask(secret) + "!", secret)
    assert unmask("not base64 at all!") is None
    assert unmask("") is None


# What is refused ---------------------------------------------------------------


async def test_a_missing_token_is_refused_with_the_sites_403_page_and_nothing_is_saved(
    action: Action, session: AsyncSession
) -> None:
    response = await action.post(csrf=False)

    assert response.status_code == 403
    assert_site_error_page(response, "Forbidden")
    assert await action.saved(session) == 0


async def test_a_forged_token_is_refused_and_nothing_is_saved(
    action: Action, session: AsyncSession
) -> None:
    real = action.person.csrf
    forged = ("y" if real[0] == "x" else "x") + real[1:]  # one character off, never the same
    response = await action.post({**action.data, "csrf_token": forged})
    assert response.status_code == 403
    assert await action.saved(session) == 0


async def test_an_empty_token_is_refused_and_nothing_is_saved(
    action: Action, session: AsyncSession
) -> None:
    response = await action.post({**action.data, "csrf_token": ""})
    assert response.status_code == 403
    assert await action.saved(session) == 0


async def test_the_token_of_another_session_is_refused_and_nothing_is_saved(
    action: Action, make_user: Any, sign_in: Any, session: AsyncSession
) -> None:
    other = await sign_in(await make_user())
    response = await action.post({**action.data, "csrf_token": other.csrf})
    assert response.status_code == 403
    assert await action.saved(session) == 0


async def test_a_forged_htmx_header_is_refused_in_place_of_the_main_content(
    action: Action, session: AsyncSession
) -> None:
    response = await action.post(
        csrf=False, headers={"X-CSRF-Token": "forged", "HX-Request": "true"}
    )
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#main"
    page = Page(response)
    assert page.select("html") == []
    assert page.text("h1") == "Forbidden"
    assert await action.saved(session) == 0


async def test_a_forged_header_is_refused_even_beside_a_right_form_field(
    action: Action, session: AsyncSession
) -> None:
    response = await action.post(headers={"X-CSRF-Token": "forged"})
    assert response.status_code == 403
    assert await action.saved(session) == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:9999"},
        {"Origin": "https://127.0.0.1:8000"},
        {"Origin": "http://127.0.0.1:8000.evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Sec-Fetch-Site": "none"},
        {"Origin": ORIGIN, "Sec-Fetch-Site": "cross-site"},
    ],
    ids=lambda headers: ",".join(f"{name}={value}" for name, value in headers.items()),
)
async def test_a_request_from_another_site_is_refused_even_with_a_valid_token(
    action: Action, session: AsyncSession, headers: dict[str, str]
) -> None:
    response = await action.post(headers=headers)
    assert response.status_code == 403
    assert_site_error_page(response, "Forbidden")
    assert await action.saved(session) == 0


async def test_with_a_public_base_url_only_that_origin_is_accepted(
    action: Action, make_site: MakeSite, session: AsyncSession
) -> None:
    site = make_site(IDEAS_BASE_URL="https://ideas.example.org")
    site.client.cookies.set(site.cookie, action.person.client.cookies[site.cookie])
    data = {**action.data, "csrf_token": action.person.csrf}

    refused = await site.client.post(action.url, data=data, headers={"Origin": ORIGIN})
    assert refused.status_code == 403
    assert await action.saved(session) == 0

    accepted = await site.client.post(
        action.url, data=data, headers={"Origin": "https://ideas.example.org"}
    )
    assert accepted.status_code == 303
    assert await action.saved(session) == 1


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
async def test_every_unsafe_method_needs_the_token(action: Action, method: str) -> None:
    response = await action.person.client.request(method, action.url)
    assert response.status_code == 403


async def test_a_visitor_without_a_session_cannot_post(visitor: Person) -> None:
    response = await visitor.post("/sign-out", {"csrf_token": "anything"})
    assert response.status_code == 403
    assert_site_error_page(response, "Forbidden")


# Size ------------------------------------------------------------------------


def test_the_default_body_limit_is_twice_the_picture_limit_and_a_megabyte(
    settings: Settings,
) -> None:
    assert settings.max_picture_bytes == 25_000_000
    assert settings.body_limit == 51_000_000


async def test_a_body_far_over_the_picture_limit_is_refused_bare_and_nothing_is_saved(
    action: Action, make_site: MakeSite, session: AsyncSession
) -> None:
    site = make_site(IDEAS_MAX_PICTURE_BYTES="100000")  # so the body limit is 1.2 MB
    site.client.cookies.set(site.cookie, action.person.client.cookies[site.cookie])
    data = {**action.data, "csrf_token": action.person.csrf}

    response = await site.client.post(
        action.url, data=data, files={"image": ("huge.jpg", b"\xff" * 1_300_000, "image/jpeg")}
    )

    assert response.status_code == 413
    assert_site_error_page(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE.phrase)
    assert await action.saved(session) == 0


async def test_the_body_limit_is_ideas_max_body_bytes(
    action: Action, make_site: MakeSite, session: AsyncSession
) -> None:
    site = make_site(IDEAS_MAX_BODY_BYTES="10000")
    site.client.cookies.set(site.cookie, action.person.client.cookies[site.cookie])
    data = {**action.data, "csrf_token": action.person.csrf}

    too_big = await site.client.post(action.url, data={**data, "body": "x" * 10_000})
    assert too_big.status_code == 413
    assert_site_error_page(too_big, HTTPStatus.REQUEST_ENTITY_TOO_LARGE.phrase)
    assert await action.saved(session) == 0

    fits = await site.client.post(action.url, data={**data, "body": "x" * 9_000})
    assert fits.status_code == 303
    assert await action.saved(session) == 1
