"""Faults and throttling on the way: 5xx, transient 6000, answers lost after the commit, 429s. Every record must
be in QuickBooks exactly once at the end, counted on the sandbox side, with nothing failed."""
from __future__ import annotations

from collections import Counter

import httpx
from sqlmodel import func, select

from bench.books import BookSize, make_books
from connection_env import connection_env  # noqa: F401 (fixture)
from engine_env import engine_env, make_runner, sandbox_limiter  # noqa: F401 (fixture)
from qbsync.models import EntityLink, LinkStatus, RunStatus
from qbsync.quickbooks.limits import Limits
from qbsync.sandbox.faults_injection import FaultSettings

SIZE = BookSize(customers=40, items=10, invoices=100, payments=50, expenses=20, credit_memos=10)


class StatusCounter(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.statuses, self.dropped = inner, Counter(), 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self.inner.handle_async_request(request)
        except httpx.TimeoutException:
            self.dropped += 1
            raise
        if '/v3/company/' in request.url.path:
            self.statuses[response.status_code] += 1
        return response


async def test_every_record_exactly_once_through_faults_and_throttling(engine_env) -> None:  # noqa: F811
    env = engine_env.env
    before = {name: len(engine_env.remote(name)) for name in ('Customer', 'Item', 'Invoice', 'Payment', 'Purchase',
                                                               'CreditMemo')}
    await make_books(engine_env.db, SIZE)
    counter = StatusCounter(env.transport.inner)
    env.transport.inner = counter
    env.sandbox.config.fault_injection = True
    env.sandbox.faults.configure(FaultSettings(rates={'http_500': 0.05, 'http_503': 0.05, 'transient_6000': 0.05,
                                                      'timeout_after_commit': 0.05}, seed=11))
    for kind in ('timeout_after_commit', 'http_500', 'transient_6000', 'http_503'):
        env.sandbox.faults.arm(kind)  # each kind at least once, whatever the dice say
    # a limiter bolder than Intuit allows, so the sandbox does throttle and the engine must wait and resume
    bold = sandbox_limiter(env.clock, Limits(per_second=40, per_minute=2000, batches_per_minute=200))
    runner = make_runner(env, bold)
    summary = await runner.run(trigger='manual')
    assert summary.status == RunStatus.SUCCEEDED, summary
    assert summary.message == f'{SIZE.total} synced, 0 failed, 0 skipped'
    injected = env.sandbox.faults.status().injected
    assert all(injected.get(kind) for kind in ('http_500', 'http_503', 'transient_6000', 'timeout_after_commit'))
    assert counter.statuses[429] > 0 and counter.dropped > 0
    after = {name: engine_env.remote(name) for name in before}
    expected = {'Customer': SIZE.customers, 'Item': SIZE.items, 'Invoice': SIZE.invoices, 'Payment': SIZE.payments,
                'Purchase': SIZE.expenses, 'CreditMemo': SIZE.credit_memos}
    assert {name: len(rows) - before[name] for name, rows in after.items()} == expected
    numbers = Counter(o.get('DocNumber') for o in after['Invoice'])
    assert all(numbers[f'{100000 + n}'] == 1 for n in range(1, SIZE.invoices + 1))
    names = Counter(o['DisplayName'] for o in after['Customer'])
    assert all(names[f'Customer {n:05d}'] == 1 for n in range(1, SIZE.customers + 1))
    async with engine_env.db.session() as session:
        synced = (await session.exec(select(func.count()).select_from(EntityLink).where(
            EntityLink.status == LinkStatus.SYNCED))).one()
    assert synced == SIZE.total
    env.sandbox.config.fault_injection = False
    assert (await runner.run(trigger='manual')).total == 0
