"""Long answers go out on the event loop's next turn (``ideas.web.turns``)."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from ideas.app import create_app
from ideas.web.turns import LONG_ANSWER, LongAnswersNextTurnMiddleware


async def _answer(request: Request) -> Response:
    return PlainTextResponse("x" * int(request.query_params["length"]))


_APP = LongAnswersNextTurnMiddleware(Starlette(routes=[Route("/", _answer)]))


async def _written_in_order(*lengths: int) -> list[int]:
    """The requests for answers of ``lengths``, begun in one turn of the loop, in the
    order their answers were handed to the server."""
    written: list[int] = []

    def request(length: int) -> tuple[Scope, Receive, Send]:
        scope: Scope = {
            "type": "http",
            "method": "GET",
            "path": "/",
            "query_string": f"length={length}".encode(),
            "headers": [],
        }

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                written.append(length)

        return scope, receive, send

    await asyncio.gather(*(_APP(*request(length)) for length in lengths))
    return written


async def test_a_long_answer_goes_out_after_the_short_ones_of_its_turn() -> None:
    long, short = LONG_ANSWER + 1, 1000
    assert await _written_in_order(long, short, short) == [short, short, long]


async def test_answers_up_to_the_limit_go_out_at_once_in_turn() -> None:
    assert await _written_in_order(LONG_ANSWER, 10, 1) == [LONG_ANSWER, 10, 1]


async def test_a_long_answer_is_whole_and_unchanged() -> None:
    transport = httpx.ASGITransport(app=_APP)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.get("/", params={"length": LONG_ANSWER * 2})
    assert answer.status_code == 200
    assert answer.text == "x" * (LONG_ANSWER * 2)


def test_the_site_sends_long_answers_on_the_next_turn() -> None:
    app = create_app()
    stack = app.build_middleware_stack()
    assert isinstance(stack, LongAnswersNextTurnMiddleware)
