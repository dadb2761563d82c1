"""Run progress for whoever watches (the live dashboard, the CLI): plain asyncio, no UI library.

The engine publishes a ``RunProgress`` as work advances; subscribers get every one, in order. A subscriber that
raises (a closed browser tab, a bug in a view) is logged and left out of that message only: a run never fails
because somebody was watching it.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Union

__all__ = ['RunProgress', 'ProgressBus', 'ProgressCallback', 'RateMeter']

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunProgress:
    run_id: int
    direction: str  # outbound | inbound
    entity_type: str  # local entity name ('credit_memo'), '' before the first entity or at the end
    done: int  # records handled so far in this run (all entities)
    total: int  # records the run has to handle (all entities)
    rate: float = 0.0  # records per second since the run started
    eta_seconds: float | None = None  # None until a rate is known
    finished: bool = False
    message: str = ''  # what a person reads: "Invoices: 1,200 of 5,000"

    @property
    def fraction(self) -> float:
        return 1.0 if self.total <= 0 else min(1.0, self.done / self.total)


ProgressCallback = Callable[[RunProgress], Union[None, Awaitable[None]]]


class ProgressBus:
    def __init__(self) -> None:
        self._subscribers: list[ProgressCallback] = []
        self.latest: RunProgress | None = None

    def subscribe(self, callback: ProgressCallback) -> Callable[[], None]:
        """Call ``callback`` (sync or async) with every progress from now on; returns the unsubscribe function."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)
        return unsubscribe

    async def publish(self, progress: RunProgress) -> None:
        self.latest = progress
        for callback in list(self._subscribers):
            try:
                result = callback(progress)
                if inspect.isawaitable(result):
                    await result
            except asyncio.CancelledError:
                raise
            except Exception:  # a watcher's failure is its own business
                log.exception('progress subscriber %r failed; the run goes on', callback)


class RateMeter:
    """Turns (done, total) into rate and ETA; the clock is injectable so tests can drive it."""

    def __init__(self, run_id: int, direction: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._started = clock()
        self._base = RunProgress(run_id=run_id, direction=direction, entity_type='', done=0, total=0)

    def measure(self, *, entity_type: str, done: int, total: int, message: str = '',
                finished: bool = False) -> RunProgress:
        elapsed = max(self._clock() - self._started, 1e-9)
        rate = done / elapsed if done else 0.0
        eta = (max(total - done, 0) / rate) if rate > 0 else None
        return replace(self._base, entity_type=entity_type, done=done, total=total, rate=rate,
                       eta_seconds=0.0 if finished else eta, finished=finished, message=message)
