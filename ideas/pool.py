"""The database's pool of connections, fair to the requests that wait for one.

Each request holds a connection while it reads and writes; under load there are more
requests in flight than connections (``Settings.db_pool_size`` on PostgreSQL), and the
rest wait. They are served in the order they began to wait, as people in a line are.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections import deque
from typing import Any

from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.util import await_
from sqlalchemy.util.queue import AsyncAdaptedQueue, Empty, Full


class _FairQueue(AsyncAdaptedQueue[ConnectionPoolEntry]):
    """The pool's free connections, handed to the requests waiting for one in the order
    they began to wait, those already under way first.

    SQLAlchemy's asyncio queue wakes the first waiter when a connection comes back but
    leaves the connection in the queue until that waiter runs: whoever asks first meanwhile
    (a request that has just begun, or one starting its next transaction) takes it, and
    the woken waiter goes to the back of the line. Under steady load a request could wait
    the whole pool timeout while others came and went. Here a connection given back goes
    straight to the longest waiter; only when none waits is it kept for the next asker.

    A request that has had a connection and asks again (a vote reads, gives its connection
    back, then writes on another) waits in a line of its own, served first: sent to the back
    behind requests just begun, each such request would wait twice, and the pool would hold
    more requests half done. New requests are not kept waiting for ever by it: a request
    asks again only a few times before it is done. Tasks are told apart by
    ``asyncio.current_task``: a request is one task.
    """

    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        super().__init__(maxsize, use_lifo)
        self._free: deque[ConnectionPoolEntry] = deque()
        self._under_way: deque[asyncio.Future[ConnectionPoolEntry]] = deque()
        self._waiters: deque[asyncio.Future[ConnectionPoolEntry]] = deque()
        self._asked: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()

    def empty(self) -> bool:
        return not self._free

    def full(self) -> bool:
        return 0 < self.maxsize <= len(self._free)

    def qsize(self) -> int:
        return len(self._free)

    def put_nowait(self, item: ConnectionPoolEntry) -> None:
        for line in (self._under_way, self._waiters):
            while line:
                waiter = line.popleft()
                if not waiter.done():  # not given up (cancelled, or out of time)
                    waiter.set_result(item)
                    return
        if self.full():
            raise Full()
        self._free.append(item)

    def put(
        self, item: ConnectionPoolEntry, block: bool = True, timeout: float | None = None
    ) -> None:
        # The pool holds no more connections than the queue has room for: never waits.
        self.put_nowait(item)

    def get_nowait(self) -> ConnectionPoolEntry:
        # A free connection means nobody waits: one given back goes to a waiter first.
        if not self._free:
            raise Empty()
        return self._free.pop() if self.use_lifo else self._free.popleft()

    def get(self, block: bool = True, timeout: float | None = None) -> ConnectionPoolEntry:
        task = asyncio.current_task()
        under_way = task in self._asked
        if task is not None and not under_way:
            self._asked.add(task)
        if self._free or not block:
            return self.get_nowait()
        return await_(self._wait(self._under_way if under_way else self._waiters, timeout))

    async def _wait(
        self, line: deque[asyncio.Future[ConnectionPoolEntry]], seconds: float | None
    ) -> ConnectionPoolEntry:
        waiter: asyncio.Future[ConnectionPoolEntry] = asyncio.get_running_loop().create_future()
        line.append(waiter)
        try:
            async with asyncio.timeout(seconds):
                return await waiter
        except BaseException as error:
            if waiter.done() and not waiter.cancelled():
                # Handed a connection just as the wait ended: it goes to the next in line.
                self.put_nowait(waiter.result())
            else:
                waiter.cancel()
                with contextlib.suppress(ValueError):
                    line.remove(waiter)
            if isinstance(error, TimeoutError):
                raise Empty() from error
            raise


class FairPool(AsyncAdaptedQueuePool):
    """SQLAlchemy's pool for asyncio, with its waiters served first come, first served
    (``_FairQueue``)."""

    _queue_class = _FairQueue
