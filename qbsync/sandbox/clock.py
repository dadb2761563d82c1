"""Injectable clocks: the sandbox never reads the wall clock directly, so tests can jump hours or years."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol

__all__ = ['Clock', 'SystemClock', 'ManualClock']


class Clock(Protocol):
    def now(self) -> datetime:
        """Current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class ManualClock:
    """A clock that moves only when told to; starts at a fixed instant so seeded data is deterministic."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 1, 15, 17, 0, tzinfo=timezone.utc)
        if start.tzinfo is None:
            raise ValueError('ManualClock needs a timezone-aware start')
        self._now = start.astimezone(timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by ``delta`` or by timedelta keyword arguments (``advance(hours=25)``)."""
        step = delta if delta is not None else timedelta(**kwargs)
        if step < timedelta(0):
            raise ValueError('time only moves forward')
        with self._lock:
            self._now += step
            return self._now

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError('ManualClock needs timezone-aware instants')
        with self._lock:
            self._now = instant.astimezone(timezone.utc)
