"""Sending again what did not get through: 429 waits and resumes, 5xx / transient 6000 / no answer back off.

Every retry repeats the request byte for byte with the same ``requestid``, so a write that did reach QuickBooks
before the answer was lost is answered from Intuit's replay instead of being posted twice.
"""
from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from .errors import ThrottledError
from .explain import is_transient
from .limits import RateLimiter

__all__ = ['RetryPolicy', 'with_retries']

log = logging.getLogger(__name__)
T = TypeVar('T')


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6  # tries for server errors, transient 6000 and lost answers
    throttled_attempts: int = 20  # a 429 is not a failure: it only says "later"
    base_delay: float = 0.5  # doubled each time, with jitter, up to max_delay
    max_delay: float = 30.0
    throttle_wait: float = 60.0  # what Intuit asks after a 429

    def backoff(self, attempt: int) -> float:
        return min(self.max_delay, self.base_delay * 2 ** attempt) * (0.5 + random.random() / 2)


async def with_retries(call: Callable[[], Awaitable[T]], *, limiter: RateLimiter, policy: RetryPolicy,
                       batch: bool = False, on_retry: Callable[[Exception], None] | None = None) -> T:
    """Run ``call`` under the limiter until it answers, or raise its last error when retrying cannot help."""
    failures = throttles = 0
    while True:
        await limiter.acquire(batch=batch)
        try:
            return await call()
        except Exception as error:
            if isinstance(error, ThrottledError):
                throttles += 1
                if throttles > policy.throttled_attempts:
                    raise
                limiter.pause(policy.throttle_wait)
            elif is_transient(error):
                failures += 1
                if failures >= policy.attempts:
                    raise
                await limiter.sleep(policy.backoff(failures - 1))
            else:
                raise
            log.info('QuickBooks call retried after %s', type(error).__name__)
            if on_retry is not None:
                on_retry(error)
