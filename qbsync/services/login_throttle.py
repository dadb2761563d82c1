"""Slows password guessing: after repeated failures for one email, that email is locked for a while.

Kept in memory: qbsync is one process, and a restart clearing the counters costs an attacker a restart's worth of
guesses at most. Keyed by email rather than by client address, so rotating addresses does not help; the price is
that someone can lock an account for ``LOCK_FOR`` by failing on purpose, which the owner survives by waiting.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

__all__ = ['LoginThrottle', 'MAX_FAILURES', 'WINDOW', 'LOCK_FOR']

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)


@dataclass
class _Record:
    failures: list[datetime] = field(default_factory=list)
    locked_until: datetime | None = None


class LoginThrottle:
    def __init__(self, now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self._now = now
        self._records: dict[str, _Record] = {}

    def locked_for(self, email: str) -> timedelta | None:
        """How long ``email`` stays locked, or None when it may try."""
        record = self._records.get(_key(email))
        if record is None or record.locked_until is None:
            return None
        remaining = record.locked_until - self._now()
        if remaining <= timedelta(0):
            del self._records[_key(email)]
            return None
        return remaining

    def failed(self, email: str) -> None:
        now = self._now()
        record = self._records.setdefault(_key(email), _Record())
        record.failures = [at for at in record.failures if now - at < WINDOW] + [now]
        if len(record.failures) >= MAX_FAILURES:
            record.locked_until = now + LOCK_FOR
            record.failures.clear()

    def succeeded(self, email: str) -> None:
        self._records.pop(_key(email), None)


def _key(email: str) -> str:
    return (email or '').strip().lower()
