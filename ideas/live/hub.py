"""Carrying events to every process, and within one to every open stream.

Each process keeps one ``Hub``: the streams open on it register the topics
they hear (``challenge:3``, ``idea:7``, ``user:5`` …) with a queue each, and
an event is put on the queue of every stream that hears one of its topics.
Between processes an event travels by one shared subscriber per process, not
one per stream: Redis pub/sub when ``REDIS_URL`` is set, else PostgreSQL's
LISTEN/NOTIFY, else (SQLite: one process) nowhere. A process hears its own
events back through the same channel, so every process delivers the same way.

Sending never waits: ``publish`` hands the event to a task, and an event that
cannot be sent (Redis down) is dropped with a log line. Pages that miss one
are no worse off than without live updates.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import signal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.engine import make_url

from ideas.settings import Settings

logger = logging.getLogger(__name__)

CHANNEL = "ideas_live"
QUEUE_SIZE = 64  # events a slow stream may fall behind by before it is closed
RETRY_SECONDS = 2.0
PING_SECONDS = 20.0  # between comments sent to every stream, which keep proxies from closing it
PING = b": ping\n\n"  # before a lost Redis or PostgreSQL subscriber connects again

Closed = None  # put on a stream's queue: the stream ends


@dataclass(frozen=True)
class Event:
    """What happened, as a page hears it: ``name``, and the public id of the ``subject``
    (an idea) the page may fetch again through its usual routes. ``topics`` say which
    streams hear it. Nothing personal: never who did it."""

    name: str
    topics: tuple[str, ...]
    subject: int | None = None

    def wire(self) -> str:
        return json.dumps([self.name, list(self.topics), self.subject])

    @classmethod
    def from_wire(cls, text: str | bytes) -> Event:
        name, topics, subject = json.loads(text)
        return cls(
            str(name), tuple(str(t) for t in topics), None if subject is None else int(subject)
        )

    def message(self) -> bytes:
        """The event in the text/event-stream format: ``voted-7`` for a vote on idea 7."""
        if self.subject is None:
            return f"event: {self.name}\ndata: \n\n".encode()
        return f"event: {self.name}-{self.subject}\ndata: {self.subject}\n\n".encode()


class StreamQueue:
    """What one stream has yet to send: asyncio.Queue's interface, with a single reader.

    A vote wakes every stream of the process at once; waking one waiter, with no
    list of getters and no loop, keeps that pass short when there are thousands.
    """

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: collections.deque[bytes | None] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: bytes | None) -> None:
        if len(self._items) >= QUEUE_SIZE:
            raise asyncio.QueueFull
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> bytes | None:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()

    def get_nowait(self) -> bytes | None:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.popleft()

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)


class Backend(Protocol):
    async def start(self, deliver: Callable[[Event], None]) -> None: ...
    def send(self, event: Event) -> None: ...
    async def close(self) -> None: ...


class Hub:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._topics: dict[str, set[StreamQueue]] = {}
        self._streams: dict[StreamQueue, tuple[str, ...]] = {}
        self.closing = False
        self._pinger: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Hub:
        if settings.redis_url:
            return cls(RedisBackend(settings.redis_url))
        url = settings.effective_database_url
        if settings.live_listens_on_postgresql:
            return cls(PostgresBackend(url))
        if url.startswith("postgresql"):
            # PgBouncer in transaction pooling mode cannot LISTEN: each process then tells
            # only its own streams. `ideas check` says so; REDIS_URL is the way.
            logger.warning("live pages: behind PgBouncer without REDIS_URL, within one process")
        return cls(InProcessBackend())

    @property
    def stream_count(self) -> int:
        return len(self._streams)

    async def start(self) -> None:
        await self.backend.start(self.deliver)
        self._pinger = asyncio.create_task(self._ping_forever(), name="live-ping")

    async def _ping_forever(self) -> None:
        while True:
            await asyncio.sleep(PING_SECONDS)
            for queue in list(self._streams):
                with contextlib.suppress(asyncio.QueueFull):
                    queue.put_nowait(PING)

    async def close(self) -> None:
        """End every open stream (they then finish their responses), and stop listening."""
        self.end_streams()
        if self._pinger is not None:
            self._pinger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pinger
            self._pinger = None
        await self.backend.close()

    def end_streams(self) -> None:
        self.closing = True
        for queue in list(self._streams):
            self._end(queue)

    def publish(self, event: Event) -> None:
        """Send ``event`` to every process (this one included); never waits."""
        try:
            self.backend.send(event)
        except Exception:  # a live update is never worth failing the change it follows
            logger.exception("live event %s not sent", event.name)

    def deliver(self, event: Event) -> None:
        """Put ``event`` on the queue of every stream of this process that hears it."""
        queues: set[StreamQueue] = set()
        for topic in event.topics:
            queues.update(self._topics.get(topic, ()))
        if not queues:
            return
        message = event.message()
        for queue in queues:
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                self._end(queue)  # too far behind: the page connects again

    @contextlib.contextmanager
    def listening(self, topics: Iterable[str]) -> Iterator[StreamQueue]:
        """A queue that receives the events of ``topics`` while the block runs."""
        queue = StreamQueue()
        names = tuple(dict.fromkeys(topics))
        self._streams[queue] = names
        for topic in names:
            self._topics.setdefault(topic, set()).add(queue)
        if self.closing:
            self._end(queue)
        try:
            yield queue
        finally:
            self._detach(queue)

    def _end(self, queue: StreamQueue) -> None:
        """The stream hears nothing more, and its queue says it is over."""
        self._detach(queue)
        close_stream(queue)

    def _detach(self, queue: StreamQueue) -> None:
        for topic in self._streams.pop(queue, ()):
            listeners = self._topics.get(topic)
            if listeners is not None:
                listeners.discard(queue)
                if not listeners:
                    del self._topics[topic]

    def end_streams_on_exit_signals(self) -> None:
        """Let uvicorn's graceful shutdown finish: it waits for every response to end,
        and a stream would not. Runs in the serving process, after uvicorn set its own
        handlers for SIGINT and SIGTERM: ours ends the streams, then calls uvicorn's."""
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(number)
            if not callable(previous):
                continue

            def handler(signum: int, frame: Any, previous: Callable[..., Any] = previous) -> None:
                loop.call_soon_threadsafe(self.end_streams)
                previous(signum, frame)

            signal.signal(number, handler)


def close_stream(queue: StreamQueue) -> None:
    while not queue.empty():
        queue.get_nowait()
    queue.put_nowait(Closed)


class InProcessBackend:
    """One process (SQLite): events go straight to this process's streams, on the next
    turn of the loop, as they would come back from Redis."""

    def __init__(self) -> None:
        self._deliver: Callable[[Event], None] | None = None

    async def start(self, deliver: Callable[[Event], None]) -> None:
        self._deliver = deliver

    def send(self, event: Event) -> None:
        if self._deliver is not None:
            asyncio.get_running_loop().call_soon(self._deliver, event)

    async def close(self) -> None:
        self._deliver = None


class _Relay:
    """A backend with one connection that listens, reconnecting when it is lost, and a
    task that sends what ``send`` queued, in order."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self._outbox: asyncio.Queue[Event] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._ready = asyncio.Event()
        self._deliver: Callable[[Event], None] = lambda event: None

    async def start(self, deliver: Callable[[Event], None]) -> None:
        self._deliver = deliver
        self._tasks = [asyncio.create_task(self._listen_forever(), name="live-listen")]
        self._tasks.append(asyncio.create_task(self._send_forever(), name="live-send"))
        # Streams opened before the subscriber is ready would miss events: wait a little.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout=5)

    def send(self, event: Event) -> None:
        self._outbox.put_nowait(event)

    def _heard(self, payload: str | bytes) -> None:
        try:
            event = Event.from_wire(payload)
        except (ValueError, TypeError):
            logger.warning("live: unreadable event %r", payload[:200])
            return
        self._deliver(event)

    async def _listen_forever(self) -> None:
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # lost: connect again after a pause
                logger.warning("live: subscriber lost (%s); again in %ss", error, RETRY_SECONDS)
            self._ready.clear()
            await asyncio.sleep(RETRY_SECONDS)

    async def _send_forever(self) -> None:
        while True:
            event = await self._outbox.get()
            try:
                await self._send(event)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning("live: event %s not sent (%s)", event.name, error)

    async def _listen(self) -> None:
        raise NotImplementedError

    async def _send(self, event: Event) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []


class RedisBackend(_Relay):
    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        super().__init__(channel)
        self.url = url
        self._client: Any = None

    async def _listen(self) -> None:
        from redis.asyncio import Redis

        client = Redis.from_url(self.url)
        self._client = client
        try:
            async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                await pubsub.subscribe(self.channel)
                self._ready.set()
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._heard(message["data"])
        finally:
            self._client = None
            await client.aclose()

    async def _send(self, event: Event) -> None:
        if self._client is None:
            await asyncio.wait_for(self._ready.wait(), timeout=RETRY_SECONDS)
        await self._client.publish(self.channel, event.wire())


class PostgresBackend(_Relay):
    """LISTEN on one connection of its own, straight to PostgreSQL (PgBouncer in
    transaction pooling mode cannot LISTEN: set REDIS_URL behind it)."""

    def __init__(self, url: str, channel: str = CHANNEL) -> None:
        super().__init__(channel)
        self.dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self._connection: Any = None
        self._notify: Any = None  # the prepared NOTIFY, on that connection

    async def _listen(self) -> None:
        import asyncpg

        connection = await asyncpg.connect(self.dsn, statement_cache_size=0)
        # Prepared once, by name. Unnamed (without asyncpg's statement cache, as here),
        # each event would be parsed twice, in two round trips: described, then run.
        notify = await connection.prepare("SELECT pg_notify($1, $2)", name="ideas_live_notify")
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        await connection.add_listener(
            self.channel, lambda _c, _pid, _channel, payload: self._heard(payload)
        )
        self._connection = connection
        self._notify = notify
        self._ready.set()
        try:
            await lost.wait()
            raise ConnectionError("connection to PostgreSQL closed")
        finally:
            self._connection = self._notify = None
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), timeout=2)

    async def _send(self, event: Event) -> None:
        if self._notify is None:
            await asyncio.wait_for(self._ready.wait(), timeout=RETRY_SECONDS)
        await self._notify.fetchval(self.channel, event.wire())
