"""Listening to live events in tests: a hub's queue, or a stream opened on the app itself.

httpx's ASGI transport waits for a response to end before it answers, and an
event stream does not end: ``open_stream`` calls the app as a server would,
keeps what it sends, and says the browser left when the block ends.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message

from ideas.live.hub import Closed, Hub, StreamQueue

HEARD_WITHIN = 3.0  # seconds an event may take to arrive in a test
QUIET_FOR = 0.3  # seconds of silence that count as "nothing was sent"


async def delivered() -> None:
    """Let what was published already reach the hub's streams (in one process it goes
    out on the loop's next turn), so that a page opened now hears only what follows."""
    await asyncio.sleep(0)


async def next_message(queue: StreamQueue) -> bytes | None:
    """The next message on ``queue`` (None: the stream was closed); fails after a while."""
    return await asyncio.wait_for(queue.get(), HEARD_WITHIN)


async def heard_nothing(queue: StreamQueue, quiet: float = QUIET_FOR) -> bool:
    await asyncio.sleep(quiet)
    return queue.empty()


def event_names(messages: list[bytes | None]) -> list[str]:
    """The ``event:`` names in text/event-stream messages."""
    names = []
    for message in messages:
        if message is Closed:
            continue
        for line in message.decode().splitlines():
            if line.startswith("event: "):
                names.append(line.removeprefix("event: "))
    return names


@contextlib.asynccontextmanager
async def running(hub: Hub) -> AsyncIterator[Hub]:
    await hub.start()
    try:
        yield hub
    finally:
        await hub.close()


@dataclass
class OpenStream:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytearray = field(default_factory=bytearray)
    ended: bool = False
    started: asyncio.Event = field(default_factory=asyncio.Event)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def text(self) -> str:
        return self.body.decode()

    async def until(self, needle: str) -> str:
        """Wait until the stream has sent ``needle``; everything sent so far."""
        async with asyncio.timeout(HEARD_WITHIN):
            while needle not in self.text:
                self.changed.clear()
                await self.changed.wait()
        return self.text

    async def until_ended(self) -> None:
        async with asyncio.timeout(HEARD_WITHIN):
            while not self.ended:
                self.changed.clear()
                await self.changed.wait()


@contextlib.asynccontextmanager
async def open_stream(
    app: ASGIApp, path: str, *, cookies: dict[str, str] | None = None
) -> AsyncIterator[OpenStream]:
    """GET ``path`` on ``app`` as a browser's EventSource would, for the block's length."""
    stream = OpenStream()
    left = asyncio.Event()
    headers = [(b"host", b"127.0.0.1:8000"), (b"accept", b"text/event-stream")]
    if cookies:
        cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        headers.append((b"cookie", cookie.encode()))
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    asked = False

    async def receive() -> Message:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await left.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            stream.status = message["status"]
            stream.headers = {k.decode(): v.decode() for k, v in message["headers"]}
            stream.started.set()
        elif message["type"] == "http.response.body":
            stream.body.extend(message.get("body", b""))
            if not message.get("more_body", False):
                stream.ended = True
        stream.changed.set()

    async def serve() -> None:
        await app(scope, receive, send)

    task = asyncio.create_task(serve())
    try:
        await asyncio.wait_for(stream.started.wait(), HEARD_WITHIN)
        yield stream
    finally:
        left.set()
        await asyncio.wait_for(task, HEARD_WITHIN)
