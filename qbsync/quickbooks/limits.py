"""Client-side rate limiter: stay under Intuit's published limits instead of finding them by 429s.

Intuit allows 10 requests per second per company and app, 500 per minute per company, and 40 batch requests per
minute per company and app (qbo-api.md 9). Each ``acquire`` waits until one more request fits every window, then
records it. After a 429 the whole limiter pauses (Intuit says wait 60 s) so concurrent senders do not keep
knocking. The clock and the sleep are injectable: tests and the benchmark drive the limiter on the sandbox's clock.
"""
from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

__all__ = ['Limits', 'RateLimiter', 'INTUIT_LIMITS']


@dataclass(frozen=True)
class Limits:
    per_second: int = 10
    per_minute: int = 500
    batches_per_minute: int = 40


INTUIT_LIMITS = Limits()


class _Window:
    def __init__(self, limit: int, span: float) -> None:
        self.limit, self.span = limit, span
        self.hits: deque[float] = deque()

    def wait_for(self, now: float) -> float:
        """Seconds until one more hit fits (0 when it fits now)."""
        while self.hits and self.hits[0] <= now - self.span:
            self.hits.popleft()
        if len(self.hits) < self.limit:
            return 0.0
        return self.hits[len(self.hits) - self.limit] + self.span - now


class RateLimiter:
    def __init__(self, limits: Limits = INTUIT_LIMITS, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.limits = limits
        self.clock = clock
        self.sleep = sleep
        self._second = _Window(limits.per_second, 1.0)
        self._minute = _Window(limits.per_minute, 60.0)
        self._batches = _Window(limits.batches_per_minute, 60.0)
        self._paused_until = 0.0
        self._lock = asyncio.Lock()
        self.waited = 0.0  # seconds spent waiting, for the benchmark's report

    async def acquire(self, *, batch: bool = False) -> None:
        async with self._lock:  # one waiter at a time keeps the order fair and the windows exact
            while True:
                now = self.clock()
                windows = [self._second, self._minute] + ([self._batches] if batch else [])
                delay = max([self._paused_until - now] + [w.wait_for(now) for w in windows])
                if delay <= 0:
                    for window in windows:
                        window.hits.append(now)
                    return
                self.waited += delay
                await self.sleep(delay)

    def pause(self, seconds: float) -> None:
        """Nobody sends for ``seconds`` (after a 429)."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)
