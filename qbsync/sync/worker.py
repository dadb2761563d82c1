"""The background worker of the app process: wakes when webhook events are stored and has them processed.

The webhook route only stores events and calls ``notify()`` (a flag, never an await on processing), so Intuit's
3-second answer never waits for QuickBooks reads or local writes. The worker runs passes while events are due,
then sleeps until the inbox notifies it or the earliest retry falls due. One pass at a time: notifications that
arrive during a pass are coalesced into the next one.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from ..models.records import utcnow
from .event_queue import EventQueue

__all__ = ['InboundWorker', 'Busy', 'Paused', 'IDLE_CHECK_SECONDS']

log = logging.getLogger(__name__)

IDLE_CHECK_SECONDS = 60.0  # also look for due retries this often, whatever the notifications say
BUSY_RETRY_SECONDS = 0.5  # another run holds the lease: try again this soon


class Busy(Exception):
    """The pass could not start now (another sync run holds the lease); the worker tries again shortly."""


class Paused(Exception):
    """Processing cannot go on for now (QuickBooks needs reconnecting): wait for the next notice or check."""


class InboundWorker:
    def __init__(self, queue: EventQueue, process: Callable[[], Awaitable[int]], *,
                 now: Callable[[], datetime] = utcnow) -> None:
        """:param process: one pass over the due events; returns how many it finished, raises ``Busy`` to wait."""
        self._queue = queue
        self._process = process
        self._now = now
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._settled = asyncio.Event()  # set while nothing notified is left unprocessed
        self._stopping = False
        self.passes = 0

    def notify(self) -> None:
        """New events are stored: process them soon. Cheap and safe to call from any coroutine of the loop."""
        self._settled.clear()
        self._wake.set()

    async def settled(self) -> None:
        """Wait until every event notified so far has had its pass (tests and the benchmark await this)."""
        await self._settled.wait()

    def start(self) -> None:
        """Start in the running loop (the app's startup); events left from before a restart are picked up at once."""
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._wake.set()
            self._settled = asyncio.Event()
            self._stopping = False
            self._task = asyncio.get_running_loop().create_task(self._run(), name='qbsync inbound worker')

    async def stop(self, grace: float = 5.0) -> None:
        """Let a pass in flight finish (its database work is never cut in half), then end; cancel after ``grace``."""
        if self._task is not None:
            self._stopping = True
            self._wake.set()
            try:
                await asyncio.wait_for(asyncio.shield(self._task), grace)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def drain(self) -> int:
        """Run passes until nothing is due now; returns the events finished. Tests and the CLI call this."""
        finished = 0
        while True:
            due = await self._queue.next_due()
            if due is None or due > self._now():
                return finished
            self.passes += 1
            done = await self._process()
            finished += done
            if done == 0 and (await self._queue.next_due() or self._now()) <= self._now():
                return finished  # due but nothing could be finished (a failing pass): wait for the backoff

    async def _run(self) -> None:
        while not self._stopping:
            await self._wait()
            if self._stopping:
                return
            self._wake.clear()
            try:
                await self.drain()
                if not self._wake.is_set():
                    self._settled.set()
            except Busy:
                await self._sleep(BUSY_RETRY_SECONDS)
                self._wake.set()
            except Paused as paused:
                log.info('inbound worker paused: %s', paused)
                await self._sleep(IDLE_CHECK_SECONDS)
            except asyncio.CancelledError:
                raise
            except Exception:  # a broken pass must not end the worker; its events are retried with backoff
                log.exception('inbound worker pass failed')
                await self._sleep(BUSY_RETRY_SECONDS)

    async def _wait(self) -> None:
        if self._wake.is_set() or self._stopping:
            return
        due = await self._queue.next_due()
        timeout = IDLE_CHECK_SECONDS if due is None else \
            min(max((due - self._now()).total_seconds(), 0.0), IDLE_CHECK_SECONDS)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
