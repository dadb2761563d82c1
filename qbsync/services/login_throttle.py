"""Slows password guessing: after repeated failures for one email, or from one client address, logins are locked.

An attempt is counted *before* its password is checked (``attempt``): sixteen guesses sent at once are counted one
by one as they arrive, so the lock holds even while the first hashes are still running; a success takes its own
attempt back. Two keys: the email (rotating addresses does not help) and the client address (trying many emails
from one place does not either), the address with a larger allowance since an office may share one. The price is
that someone can lock an account for ``LOCK_FOR`` by failing on purpose, which the owner survives by waiting (or
with ``qbsync users reset-password``, which does not go through the login).

Kept in memory: qbsync is one process, and a restart clearing the counters costs an attacker a restart's worth of
guesses at most. Entries expire with their window, so the table does not grow with every address ever seen.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from .errors import LoginLocked

__all__ = ['LoginThrottle', 'MAX_FAILURES', 'MAX_ADDRESS_FAILURES', 'WINDOW', 'LOCK_FOR']

MAX_FAILURES = 5
MAX_ADDRESS_FAILURES = 20
WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)
_SWEEP_EVERY = timedelta(minutes=1)


@dataclass
class _Record:
    failures: list[datetime] = field(default_factory=list)
    locked_until: datetime | None = None


class LoginThrottle:
    def __init__(self, now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self._now = now
        self._records: dict[str, _Record] = {}
        self._swept = now()

    def attempt(self, email: str, address: str = '') -> None:
        """Count a login attempt before its password is checked; raises LoginLocked when it may not try now.

        Call ``succeeded`` when the password was right (that takes this attempt back); a wrong one needs nothing
        more: it was counted already.
        """
        self._sweep()
        keys = [(_email_key(email), MAX_FAILURES)] + ([(_address_key(address), MAX_ADDRESS_FAILURES)]
                                                     if address else [])
        for key, _ in keys:
            if (locked := self._locked(key)) is not None:
                raise LoginLocked(locked)
        for key, limit in keys:
            self._count(key, limit)

    def locked_for(self, email: str, address: str = '') -> timedelta | None:
        """How long ``email`` (or ``address``) stays locked, or None when it may try."""
        waits = [w for w in (self._locked(_email_key(email)), self._locked(_address_key(address)) if address
                             else None) if w is not None]
        return max(waits) if waits else None

    def failed(self, email: str, address: str = '') -> None:
        """Count a failure without an attempt first (for callers that check passwords some other way)."""
        self._count(_email_key(email), MAX_FAILURES)
        if address:
            self._count(_address_key(address), MAX_ADDRESS_FAILURES)

    def succeeded(self, email: str, address: str = '') -> None:
        """The password was right: the email's count starts over, and the address gets its attempt back."""
        self._records.pop(_email_key(email), None)
        record = self._records.get(_address_key(address)) if address else None
        if record is not None and record.failures:
            record.failures.pop()

    def __len__(self) -> int:
        return len(self._records)

    def _locked(self, key: str) -> timedelta | None:
        record = self._records.get(key)
        if record is None or record.locked_until is None:
            return None
        remaining = record.locked_until - self._now()
        if remaining <= timedelta(0):
            del self._records[key]
            return None
        return remaining

    def _count(self, key: str, limit: int) -> None:
        now = self._now()
        record = self._records.setdefault(key, _Record())
        record.failures = [at for at in record.failures if now - at < WINDOW] + [now]
        if len(record.failures) >= limit:
            record.locked_until = now + LOCK_FOR
            record.failures.clear()

    def _sweep(self) -> None:
        """Forget entries whose failures have left the window and whose lock has run out."""
        now = self._now()
        if now - self._swept < _SWEEP_EVERY:
            return
        self._swept = now
        for key in [k for k, r in self._records.items()
                    if (r.locked_until is None or r.locked_until <= now)
                    and all(now - at >= WINDOW for at in r.failures)]:
            del self._records[key]


def _email_key(email: str) -> str:
    return 'email:' + (email or '').strip().lower()


def _address_key(address: str) -> str:
    return 'address:' + (address or '').strip().lower()
