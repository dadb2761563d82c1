"""The client-side limiter on an injected clock, retries with the same request, and the plain-language table."""
from __future__ import annotations

import pytest

from qbsync.quickbooks.errors import (FaultDetail, NetworkError, ServerError, StaleObjectError, ThrottledError,
                                      ValidationFault)
from qbsync.quickbooks.explain import CODES, explain, is_transient
from qbsync.quickbooks.limits import Limits, RateLimiter
from qbsync.quickbooks.retry import RetryPolicy, with_retries


class FakeTime:
    def __init__(self) -> None:
        self.now, self.slept = 1000.0, []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _limiter(time: FakeTime, limits: Limits | None = None) -> RateLimiter:
    return RateLimiter(limits or Limits(), clock=time.clock, sleep=time.sleep)


async def test_the_limiter_keeps_every_window() -> None:
    time = FakeTime()
    limiter = _limiter(time)
    for _ in range(40):
        await limiter.acquire(batch=True)
    assert time.now - 1000.0 == pytest.approx(3.0)  # 10 per second: the 11th waits for the first second to pass
    await limiter.acquire(batch=True)  # the 41st batch in a minute waits for the first one to leave the window
    assert time.now - 1000.0 == pytest.approx(60.0) and limiter.waited == pytest.approx(60.0)
    time.now += 60
    first = time.now
    for _ in range(500):
        await limiter.acquire()
    assert time.now - first == pytest.approx(49.0)  # 10 a second: the 500th goes 49 s after the first
    await limiter.acquire()  # the 501st request in a minute waits until the first one is a minute old
    assert time.now - first == pytest.approx(60.0)


async def test_a_pause_after_a_throttle_holds_everyone() -> None:
    time = FakeTime()
    limiter = _limiter(time)
    limiter.pause(60)
    await limiter.acquire()
    assert time.slept == [60.0]


def _fault(cls, code: str, detail: str = '', status: int = 400):  # type: ignore[no-untyped-def]
    return cls(f'QuickBooks error {code}', status=status, errors=(FaultDetail(code, 'message', detail, ''),))


async def test_retries_send_the_same_call_again_until_it_answers() -> None:
    time = FakeTime()
    limiter = _limiter(time)
    failures = [_fault(ThrottledError, '3001', status=429), _fault(ServerError, '10000', status=503),
                NetworkError('no answer'), _fault(ValidationFault, '6000', 'Please wait a few minutes and try again.')]
    calls = []

    async def call() -> str:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return 'done'
    assert await with_retries(call, limiter=limiter, policy=RetryPolicy(), batch=True) == 'done'
    assert len(calls) == 5 and time.slept[0] == 60.0  # Intuit asks for a minute after a 429


async def test_retries_give_up_on_what_waiting_cannot_fix() -> None:
    time = FakeTime()

    async def refused() -> None:
        raise _fault(ValidationFault, '6240', 'Another customer is already using this name.')
    with pytest.raises(ValidationFault):
        await with_retries(refused, limiter=_limiter(time), policy=RetryPolicy())
    assert time.slept == []

    async def down() -> None:
        raise _fault(ServerError, '10000', status=500)
    with pytest.raises(ServerError):
        await with_retries(down, limiter=_limiter(time), policy=RetryPolicy(attempts=3, base_delay=1, max_delay=4))
    assert len(time.slept) == 2


def test_common_codes_are_explained_with_a_fix() -> None:
    for code in ('6240', '6140', '6000', '2500', '2050', '6070', '610', '5010', '6540'):
        assert code in CODES
    deposited = explain(_fault(ValidationFault, '6540', 'Deposited Transaction cannot be changed'))
    assert deposited.reason == 'QuickBooks will not change this payment because it has been deposited.'
    assert 'Remove the payment from its bank deposit' in deposited.suggestion
    assert deposited.detail == 'Deposited Transaction cannot be changed'
    stale = explain(_fault(StaleObjectError, '5010'))
    assert 'conflict policy' in stale.suggestion
    unknown = explain(_fault(ValidationFault, '9999', 'Something odd'))
    assert unknown.code == '9999' and unknown.detail == 'Something odd' and unknown.suggestion
    assert explain(NetworkError('boom')).reason == 'QuickBooks could not be reached.'
    assert is_transient(_fault(ValidationFault, '6000', 'An unexpected error occurred... try again.'))
    assert not is_transient(_fault(ValidationFault, '6000', 'The email limit was reached for today.'))
