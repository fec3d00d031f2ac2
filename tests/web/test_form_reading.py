"""A body is read whole within the limit, and a URL-encoded form in it as Starlette
reads one, within the same limits."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request
from starlette.types import Message

from ideas.web.formdata import MAX_FIELD_BYTES, MAX_FIELDS, BodyTooLarge, read_body, read_form

URLENCODED = "application/x-www-form-urlencoded"


async def _read(*chunks: bytes) -> FormData:
    sent = [
        {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
        for n, chunk in enumerate(chunks)
    ]

    async def receive() -> Message:
        return sent.pop(0)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "headers": [(b"content-type", URLENCODED.encode())],
    }
    return await read_form(
        Request(scope, receive), max_body_bytes=10 * MAX_FIELD_BYTES, max_file_bytes=1
    )


async def test_names_and_values_are_decoded_and_kept_in_order() -> None:
    form = await _read(b"title=Caf%C3%A9+corner&tag=a&tag=b%26c&", b"empty=&bare&%C3%A9t%C3%A9=1")
    assert form.multi_items() == [
        ("title", "Café corner"),
        ("tag", "a"),
        ("tag", "b&c"),
        ("empty", ""),
        ("bare", ""),
        ("été", "1"),
    ]


async def test_an_empty_body_is_an_empty_form() -> None:
    assert (await _read(b"")).multi_items() == []


async def test_more_fields_than_a_form_of_ours_has_is_refused() -> None:
    assert len(await _read(b"&".join([b"a=1"] * MAX_FIELDS))) == 1
    with pytest.raises(MultiPartException, match="Too many fields"):
        await _read(b"&".join([b"a=1"] * (MAX_FIELDS + 1)))


async def test_a_field_longer_than_any_of_ours_is_refused() -> None:
    assert (await _read(b"text=" + b"x" * (MAX_FIELD_BYTES - 4)))["text"] == "x" * (
        MAX_FIELD_BYTES - 4
    )
    with pytest.raises(MultiPartException, match="Field exceeded maximum size"):
        await _read(b"text=" + b"x" * (MAX_FIELD_BYTES - 3))


async def test_a_client_that_leaves_halfway_sent_no_form() -> None:
    sent: list[Message] = [
        {"type": "http.request", "body": b"title=Half", "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> Message:
        return sent.pop(0)

    with pytest.raises(ClientDisconnect):
        await read_body(receive, 1000)


async def test_a_body_past_the_limit_is_refused_as_it_comes() -> None:
    sent: list[Message] = [
        {"type": "http.request", "body": b"x" * 600, "more_body": True},
        {"type": "http.request", "body": b"x" * 600, "more_body": True},
    ]

    async def receive() -> Message:
        return sent.pop(0)

    with pytest.raises(BodyTooLarge):
        await read_body(receive, 1000)
    assert sent == []  # nothing read past the chunk that went over
