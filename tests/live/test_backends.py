"""Events reach every process: through Redis, through PostgreSQL's LISTEN/NOTIFY, or
within the one process (SQLite). Each process keeps one subscriber, whatever the
number of open pages."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable

import asyncpg
import pytest
from redis.asyncio import Redis

from ideas.live.hub import Event, Hub, InProcessBackend, PostgresBackend, RedisBackend
from ideas.settings import load_settings
from tests.factories.live import heard_nothing, next_message
from tests.support.environ import IN_CI, POSTGRES_ADMIN_URL, REDIS_TEST_URL, TEST_ENVIRON

VOTE = Event("voted", ("challenge:1", "idea:7"), 7)


async def _redis_answers() -> None:
    client = Redis.from_url(REDIS_TEST_URL)
    try:
        await asyncio.wait_for(client.ping(), 2)
    except (OSError, TimeoutError) as error:
        message = f"Redis is not reachable at {REDIS_TEST_URL}: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    finally:
        await client.aclose()


Processes = Callable[[], Hub]


@pytest.fixture(params=["redis", "postgresql"])
async def processes(request: pytest.FixtureRequest) -> AsyncIterator[Processes]:
    """Makes hubs as separate processes of one site would have, on a channel of the test's."""
    channel = f"ideas_live_test_{secrets.token_hex(4)}"
    if request.param == "redis":
        await _redis_answers()
    hubs: list[Hub] = []

    def make() -> Hub:
        if request.param == "redis":
            return Hub(RedisBackend(REDIS_TEST_URL, channel=channel))
        return Hub(PostgresBackend(POSTGRES_ADMIN_URL, channel=channel))

    def start() -> Hub:
        hub = make()
        hubs.append(hub)
        return hub

    yield start
    for hub in hubs:
        await hub.close()


async def test_an_event_published_in_one_process_reaches_the_streams_of_every_process(
    processes: Processes,
) -> None:
    one, other = processes(), processes()
    await one.start()
    await other.start()
    with (
        one.listening(["idea:7"]) as here,
        other.listening(["challenge:1"]) as there,
        other.listening(["challenge:2"]) as elsewhere,
    ):
        one.publish(VOTE)

        assert await next_message(here) == VOTE.message()
        assert await next_message(there) == VOTE.message()
        assert await heard_nothing(elsewhere)


async def test_within_one_process_an_event_reaches_its_streams() -> None:
    hub = Hub(InProcessBackend())
    await hub.start()
    with hub.listening(["idea:7"]) as page, hub.listening(["idea:8"]) as other_page:
        hub.publish(VOTE)

        assert await next_message(page) == VOTE.message()
        assert await heard_nothing(other_page)
    await hub.close()


async def test_a_thousand_open_pages_share_one_subscriber(processes: Processes) -> None:
    hub = processes()
    await hub.start()
    pages = [hub.listening(["challenge:1"]) for _ in range(1000)]
    queues = [page.__enter__() for page in pages]
    hub.publish(VOTE)

    for queue in queues:
        assert await next_message(queue) == VOTE.message()
    assert hub.stream_count == 1000
    for page in pages:
        page.__exit__(None, None, None)
    assert hub.stream_count == 0


async def test_the_postgresql_subscriber_comes_back_after_its_connection_is_lost() -> None:
    channel = f"ideas_live_test_{secrets.token_hex(4)}"
    backend = PostgresBackend(POSTGRES_ADMIN_URL, channel=channel)
    hub = Hub(backend)
    await hub.start()
    try:
        listening = backend._connection
        assert listening is not None
        admin = await asyncpg.connect(backend.dsn)
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", listening.get_server_pid())
        finally:
            await admin.close()
        async with asyncio.timeout(10):
            while backend._connection is None or backend._connection is listening:  # noqa: ASYNC110 - replaced by the backend's own task, which signals nothing
                await asyncio.sleep(0.1)
        with hub.listening(["idea:7"]) as page:
            hub.publish(VOTE)

            assert await next_message(page) == VOTE.message()
    finally:
        await hub.close()


async def test_the_postgresql_relay_sends_each_event_by_a_statement_it_prepared_once() -> None:
    """An unprepared NOTIFY is parsed twice for each event, in two round trips: once to
    be described, once to be run."""
    channel = f"ideas_live_test_{secrets.token_hex(4)}"
    backend = PostgresBackend(POSTGRES_ADMIN_URL, channel=channel)
    hub = Hub(backend)
    await hub.start()
    try:
        with hub.listening(["idea:7"]) as page:
            for _ in range(3):
                hub.publish(VOTE)
                assert await next_message(page) == VOTE.message()
        prepared = await backend._connection.fetch(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%pg_notify%'"
        )
        assert [row["statement"] for row in prepared] == ["SELECT pg_notify($1, $2)"]
    finally:
        await hub.close()


async def test_a_slow_page_is_closed_rather_than_kept_waiting_for() -> None:
    hub = Hub(InProcessBackend())
    await hub.start()
    with hub.listening(["idea:7"]) as page:
        for _ in range(100):
            hub.deliver(VOTE)

        assert page.qsize() == 1
        assert await next_message(page) is None  # the stream ends; the page connects again
    await hub.close()


@pytest.mark.parametrize(
    ("environ", "backend"),
    [
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, RedisBackend),
        ({"DATABASE_URL": "postgresql://postgres@127.0.0.1/ideas"}, PostgresBackend),
        ({}, InProcessBackend),
        (
            {"DATABASE_URL": "postgresql://postgres@127.0.0.1/ideas", "IDEAS_DB_PGBOUNCER": "true"},
            InProcessBackend,
        ),
    ],
)
def test_the_backend_follows_the_settings(environ: dict[str, str], backend: type) -> None:
    hub = Hub.from_settings(load_settings({**TEST_ENVIRON, **environ}))

    assert isinstance(hub.backend, backend)
