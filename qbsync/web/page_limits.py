"""Rate limits for page builds anyone can trigger without signing in (the login and setup pages).

Each such request makes NiceGUI build a page (a Client object with its elements) and a per-browser storage that
live until pruned; a flood of ``GET /login`` with no cookies would grow memory faster than pruning frees it. A token
bucket per client address, and one for everybody together (many addresses), answer 429 with Retry-After beyond
the allowance; a person opening the login page a few times a minute never notices.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ['PageBuildLimit', 'TokenBucket', 'LIMITED_PAGES']

LIMITED_PAGES = ('/login', '/setup')
PER_ADDRESS_PER_MINUTE = 30
ALL_PER_MINUTE = 600
_MAX_ADDRESSES = 10_000


@dataclass
class TokenBucket:
    capacity: float
    per_second: float
    tokens: float
    at: float

    def full(self, now: float) -> bool:
        return self.tokens + (now - self.at) * self.per_second >= self.capacity

    def take(self, now: float) -> float:
        """0 when a token was taken, else the seconds until one is available."""
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.per_second)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.per_second


class PageBuildLimit:
    def __init__(self, app: ASGIApp, *, per_address: int = PER_ADDRESS_PER_MINUTE, overall: int = ALL_PER_MINUTE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.per_address = per_address
        self.clock = clock
        self.overall = TokenBucket(overall, overall / 60, overall, clock())
        self.addresses: dict[str, TokenBucket] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] == 'http' and scope.get('method') == 'GET' and scope.get('path') in LIMITED_PAGES:
            wait = self._wait(scope)
            if wait:
                await _too_many(send, wait)
                return
        await self.app(scope, receive, send)

    def _wait(self, scope: Scope) -> float:
        now = self.clock()
        client = scope.get('client')
        address = client[0] if client else ''
        bucket = self.addresses.get(address)
        if bucket is None:
            if len(self.addresses) >= _MAX_ADDRESSES:  # forget buckets that have refilled: they hold nothing
                self.addresses = {a: b for a, b in self.addresses.items() if not b.full(now)}
            bucket = self.addresses[address] = TokenBucket(self.per_address, self.per_address / 60,
                                                           self.per_address, now)
        return bucket.take(now) or self.overall.take(now)


async def _too_many(send: Send, wait: float) -> None:
    body = b'Too many requests for this page; please wait a moment and reload.'
    await send({'type': 'http.response.start', 'status': 429, 'headers': [
        (b'content-type', b'text/plain; charset=utf-8'), (b'retry-after', str(math.ceil(wait)).encode()),
        (b'content-length', str(len(body)).encode())]})
    await send({'type': 'http.response.body', 'body': body})
