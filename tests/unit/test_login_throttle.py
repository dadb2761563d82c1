"""Repeated failed logins lock the email for a while; a success clears the count."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from qbsync.services.errors import LoginLocked
from qbsync.services.login_throttle import LOCK_FOR, MAX_FAILURES, WINDOW, LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def test_locks_after_max_failures_and_unlocks_after_the_lock_period() -> None:
    clock = Clock()
    throttle = LoginThrottle(now=clock)
    for _ in range(MAX_FAILURES - 1):
        throttle.failed('Owner@Example.com ')
    assert throttle.locked_for('owner@example.com') is None
    throttle.failed('owner@example.com')
    assert throttle.locked_for('OWNER@example.com') == LOCK_FOR
    assert throttle.locked_for('someone.else@example.com') is None
    clock.now += LOCK_FOR
    assert throttle.locked_for('owner@example.com') is None


def test_failures_older_than_the_window_do_not_count_and_success_resets() -> None:
    clock = Clock()
    throttle = LoginThrottle(now=clock)
    for _ in range(MAX_FAILURES - 1):
        throttle.failed('a@example.com')
    clock.now += WINDOW
    throttle.failed('a@example.com')
    assert throttle.locked_for('a@example.com') is None
    for _ in range(MAX_FAILURES - 2):
        throttle.failed('a@example.com')
    throttle.succeeded('a@example.com')
    throttle.failed('a@example.com')
    assert throttle.locked_for('a@example.com') is None


def test_locked_message_names_the_wait() -> None:
    assert str(LoginLocked(timedelta(minutes=14, seconds=1))) == 'Too many failed attempts. Try again in 15 minutes.'
    assert str(LoginLocked(timedelta(seconds=20))) == 'Too many failed attempts. Try again in 1 minute.'
    with pytest.raises(LoginLocked):
        raise LoginLocked(timedelta(minutes=1))
