"""Long answers go out on the event loop's next turn.

On SQLite a request runs from its start to its answer without giving the
event loop a turn (``ideas.sqlite``): in each turn the loop makes, one after
another, every request that came in since it last looked. A long answer made
late in a turn reaches its client just as the loop looks again, so the
client's next request misses that turn and waits for the one after, again and
again: under load the idea page (a few hundred kilobytes, with its comments)
answered most requests in one turn and the slowest hundredth in three or four.

So an answer longer than ``LONG_ANSWER`` is handed to the server at the start
of the loop's next turn, before the requests that came in meanwhile are made.
Short answers (fragments, most pages) go out at once: for them the wait costs
more than it gives.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LONG_ANSWER = 64 * 1024  # bytes of body, as sent (compressed, when it is)


class LongAnswersNextTurnMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_long_later(message: Message) -> None:
            if message["type"] == "http.response.start":
                for name, value in message.get("headers", ()):
                    if name == b"content-length":
                        if int(value) > LONG_ANSWER:
                            await asyncio.sleep(0)
                        break
            await send(message)

        await self.app(scope, receive, send_long_later)
