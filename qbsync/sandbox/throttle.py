"""Intuit's request limits, enforced with sliding windows on the sandbox clock (qbo-api.md section 9).

A sync engine's back-off logic is only tested if the sandbox says no the way Intuit does: 500 requests per minute
per realm, 10 per second per realm and app, 40 batch requests per minute per realm and app and 120 per realm.
A refused request does not use up quota (Intuit's counting of refused calls is UNCONFIRMED; counting them would
lock a client that retries too eagerly out for good, which no report describes). Whether each batch item counts
toward the 500/min realm limit is UNCONFIRMED too; a batch counts as one request here.
"""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .clock import Clock

__all__ = ['ThrottleLimits', 'Throttle', 'SlidingWindow']


@dataclass(frozen=True)
class ThrottleLimits:
    realm_per_minute: int = 500
    realm_app_per_second: int = 10
    batch_realm_app_per_minute: int = 40
    batch_realm_per_minute: int = 120


class SlidingWindow:
    """At most ``limit`` hits per key within any ``span``; hits are kept as instants and expire as time moves."""

    def __init__(self, limit: int, span: timedelta) -> None:
        self.limit = limit
        self.span = span
        self._hits: dict[Hashable, deque[datetime]] = {}

    def has_room(self, key: Hashable, now: datetime) -> bool:
        hits = self._hits.get(key)
        if hits is None:
            return True
        horizon = now - self.span
        while hits and hits[0] <= horizon:
            hits.popleft()
        if not hits:
            del self._hits[key]
            return True
        return len(hits) < self.limit

    def record(self, key: Hashable, now: datetime) -> None:
        self._hits.setdefault(key, deque()).append(now)

    def clear(self) -> None:
        self._hits.clear()


class Throttle:
    """Decides whether one API call may pass; thread-safe because sync routes run in a worker thread pool."""

    def __init__(self, clock: Clock, limits: ThrottleLimits | None = None) -> None:
        self.clock = clock
        self.limits = limits or ThrottleLimits()
        minute, second = timedelta(minutes=1), timedelta(seconds=1)
        self._realm = SlidingWindow(self.limits.realm_per_minute, minute)
        self._realm_app = SlidingWindow(self.limits.realm_app_per_second, second)
        self._batch_realm_app = SlidingWindow(self.limits.batch_realm_app_per_minute, minute)
        self._batch_realm = SlidingWindow(self.limits.batch_realm_per_minute, minute)
        self._lock = threading.Lock()

    def admit(self, realm_id: str, client_id: str, *, batch: bool = False) -> bool:
        """Count the call and return True, or return False (the caller answers 429) without counting it."""
        pair = (realm_id, client_id)
        checks: list[tuple[SlidingWindow, Hashable]] = [(self._realm, realm_id), (self._realm_app, pair)]
        if batch:
            checks += [(self._batch_realm_app, pair), (self._batch_realm, realm_id)]
        now = self.clock.now()
        with self._lock:
            if not all(window.has_room(key, now) for window, key in checks):
                return False
            for window, key in checks:
                window.record(key, now)
            return True

    def reset(self) -> None:
        with self._lock:
            for window in (self._realm, self._realm_app, self._batch_realm_app, self._batch_realm):
                window.clear()
