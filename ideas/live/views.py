"""The event stream a page keeps open (text/event-stream), for htmx's SSE extension.

A stream is opened only by who may see its page (the same loaders and
``policy`` as the page), hears the topics of that page and, signed in, the
person's own badge. It holds no database connection while open: its reads
end before it starts. Every stream gets a comment now and then (``Hub``'s
ping), so that proxies keep it open.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ideas import policy
from ideas.challenges.loaders import visible_challenge_alone
from ideas.db import end_reads, utcnow
from ideas.errors import NotFound
from ideas.live import events
from ideas.live.hub import Closed, Hub, StreamQueue, close_stream
from ideas.policy import Action
from ideas.voting import queries as voting_queries
from ideas.web import context

RETRY_MILLISECONDS = 5000  # how long a browser waits before it connects again
HEADERS = {
    "Cache-Control": "no-store",
    # nginx (and other proxies that read it) must pass each event on at once.
    "X-Accel-Buffering": "no",
}


class EventStream(Response):
    """Streams what ``queue`` receives until the browser leaves or the hub closes it."""

    media_type = "text/event-stream"

    def __init__(self, hub: Hub, topics: list[str]) -> None:
        super().__init__(headers=HEADERS)
        # An open end: no Content-Length, which Response gives an empty body.
        self.raw_headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        self.hub = hub
        self.topics = topics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with self.hub.listening(self.topics) as queue:
            watcher = asyncio.ensure_future(_until_disconnect(receive, queue))
            try:
                await send(
                    {"type": "http.response.start", "status": 200, "headers": self.raw_headers}
                )
                opening = f"retry: {RETRY_MILLISECONDS}\n: open\n\n".encode()
                await send({"type": "http.response.body", "body": opening, "more_body": True})
                await _relay(queue, send)
                with contextlib.suppress(OSError):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
            finally:
                watcher.cancel()


async def _relay(queue: StreamQueue, send: Send) -> None:
    while True:
        # Quiet streams get the hub's ping now and then (one timer per process).
        message = await queue.get()
        if message is Closed:
            return
        try:
            await send({"type": "http.response.body", "body": message, "more_body": True})
        except OSError:  # the browser went away
            return


async def _until_disconnect(receive: Receive, queue: StreamQueue) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    close_stream(queue)


async def _open(request: Request, topics: list[str]) -> Response:
    viewer = context.viewer(request)
    if viewer is not None:
        topics.append(events.user_topic(viewer.id))
    if not topics:
        return Response(status_code=204)
    # Nothing more is read: the connection goes back to the pool for the stream's life.
    await end_reads(context.db(request))
    return EventStream(request.app.state.live, topics)


async def person_stream(request: Request) -> Response:
    """The signed-in person's own events (their badge), for pages about nothing else."""
    return await _open(request, [])


async def challenge_stream(request: Request) -> Response:
    """A challenge page's: votes, new ideas, a switch of phase."""
    challenge, _roles = await visible_challenge_alone(request, request.path_params["slug"])
    return await _open(
        request, [events.challenge_topic(challenge.id), events.phase_topic(challenge.id)]
    )


async def idea_stream(request: Request) -> Response:
    """An idea page's: its votes and comments, a switch of its challenge's phase."""
    viewer = context.viewer(request)
    found = await voting_queries.target(
        context.db(request), request.path_params["idea_id"], None if viewer is None else viewer.id
    )
    if found is None:
        raise NotFound()
    roles = policy.roles_from(viewer, host=found.host, author=found.author)
    if not policy.may(Action.SEE_CHALLENGE, found.challenge, roles, utcnow()):
        raise NotFound()
    if not policy.can_see_idea(found.idea, roles):
        raise NotFound()
    idea = found.idea
    return await _open(
        request, [events.idea_topic(idea.id), events.phase_topic(found.challenge.id)]
    )
