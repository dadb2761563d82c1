"""The runner's contract: one run at a time (a lease shared through the database, taken over after a crash),
every run recorded with its counts and one-line message, passes plugged in by direction, progress published."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from sqlmodel import select

from center_db import database  # noqa: F401 (fixture)
from qbsync.models import RunStatus, SyncLogEntry, SyncRun
from qbsync.quickbooks.client import QuickBooksClient
from qbsync.quickbooks.errors import ReconnectRequired
from qbsync.sync.context import RunCancelled, RunContext
from qbsync.sync.lease import RunBusy, RunLease
from qbsync.sync.progress import RunProgress
from qbsync.sync.runner import PassMissing, SyncRunner

REALM = '9130350000000001'


class _Tokens:
    async def access_token(self) -> str:
        return 'unused'

    async def renew(self, rejected: str) -> str:
        return 'unused'


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)

    def now(self) -> datetime:
        return self.at


class CountingPass:
    """A pass that reports a fixed set of outcomes, like the outbound pass does for real records."""

    def __init__(self, outcomes: dict[str, dict[str, int]], error: Exception | None = None) -> None:
        self.outcomes, self.error, self.contexts = outcomes, error, []

    async def execute(self, ctx: RunContext) -> None:
        self.contexts.append(ctx)
        ctx.add_total(sum(sum(c.values()) for c in self.outcomes.values()))
        for entity_type, counts in self.outcomes.items():
            for outcome, n in counts.items():
                ctx.count(entity_type, outcome, n)
            await ctx.progress(entity_type)
            await ctx.log(entity_type=entity_type, action='create', message='sent', status='synced')
        if self.error is not None:
            raise self.error


@pytest.fixture
async def runner(database):  # type: ignore[no-untyped-def]  # noqa: F811
    http = httpx.AsyncClient()

    async def client() -> QuickBooksClient:
        return QuickBooksClient(http, api_base_url='http://quickbooks.test/v3', realm_id=REALM, tokens=_Tokens())
    clock = Clock()
    runner = SyncRunner(database, client, now=clock.now)
    runner.clock = clock  # type: ignore[attr-defined]
    yield runner
    await http.aclose()


async def test_a_run_is_recorded_with_counts_per_entity_and_a_message(runner, database) -> None:  # noqa: F811
    runner.register_pass('outbound', CountingPass({'customer': {'created': 3, 'linked': 1},
                                                   'invoice': {'created': 8, 'failed': 1, 'skipped': 3}}))
    seen: list[RunProgress] = []
    runner.progress.subscribe(seen.append)
    summary = await runner.run(trigger='manual')
    assert summary.message == '12 synced, 1 failed, 3 skipped'
    assert summary.status == RunStatus.PARTIAL and summary.total == 16
    assert summary.entities['customer'].linked == 1 and summary.totals.created == 11
    async with database.session() as session:
        run = (await session.exec(select(SyncRun))).one()
        entries = (await session.exec(select(SyncLogEntry))).all()
    assert (run.trigger, run.direction, run.status, run.total) == ('manual', 'outbound', 'partial', 16)
    assert (run.created, run.linked, run.failed, run.skipped) == (11, 1, 1, 3) and run.finished_at is not None
    assert json.loads(run.entity_counts)['invoice'] == {'created': 8, 'updated': 0, 'linked': 0, 'failed': 1,
                                                        'skipped': 3}
    assert run.message == summary.message
    assert {(e.run_id, e.realm_id, e.direction) for e in entries} == {(run.id, REALM, 'outbound')}
    assert [p.entity_type for p in seen] == ['customer', 'invoice', ''] and seen[-1].finished
    assert seen[0].message == 'Customers: 4 of 16' and seen[-1].done == 16
    assert runner.progress.latest is seen[-1]
    assert not await runner.is_running()


async def test_a_run_while_another_holds_the_lease_is_refused_with_who_and_since(runner, database) -> None:  # noqa
    runner.register_pass('outbound', CountingPass({}))
    other = RunLease(database, now=runner.clock.now)
    held = await other.acquire('scheduled run (pid 4242 on nas)')
    assert await runner.is_running()
    with pytest.raises(RunBusy, match=r'scheduled run \(pid 4242 on nas\) since 2026-12-01 12:00:00 UTC'):
        await runner.run(trigger='manual')
    await other.release(held.token)
    assert (await runner.run(trigger='manual')).status == RunStatus.SUCCEEDED


async def test_a_dead_holders_lease_is_taken_over_and_its_run_marked_interrupted(runner, database) -> None:  # noqa
    runner.register_pass('outbound', CountingPass({'item': {'created': 1}}))
    dead = RunLease(database, now=runner.clock.now)
    held = await dead.acquire('cli run (pid 1 on nas)')
    async with database.session() as session:
        crashed = SyncRun(realm_id=REALM, trigger='cli')
        session.add(crashed)
        await session.commit()
    await dead.attach_run(held.token, crashed.id)
    runner.clock.at += timedelta(seconds=59)
    with pytest.raises(RunBusy):
        await runner.run(trigger='manual')
    runner.clock.at += timedelta(seconds=2)  # the holder stopped heartbeating 61 s ago: presumed dead
    assert (await runner.run(trigger='manual')).status == RunStatus.SUCCEEDED
    assert not await dead.heartbeat(held.token)  # the dead holder, were it to wake up, learns it lost the lease
    async with database.session() as session:
        old = await session.get(SyncRun, crashed.id)
    assert old.status == RunStatus.INTERRUPTED and 'stopped before it finished' in old.error


async def test_inbound_without_an_inbound_pass_fails_clearly_and_both_runs_inbound_first(runner) -> None:
    runner.register_pass('outbound', CountingPass({}))
    with pytest.raises(PassMissing, match='Inbound sync is not available'):
        await runner.run(trigger='manual', direction='inbound')
    order: list[str] = []

    class Recording:
        def __init__(self, name: str) -> None:
            self.name = name

        async def execute(self, ctx: RunContext) -> None:
            order.append(f'{self.name}:{ctx.direction}')
    runner.register_pass('inbound', Recording('in'))
    runner.register_pass('outbound', Recording('out'))
    summary = await runner.run(trigger='scheduled', direction='both')
    assert order == ['in:inbound', 'out:outbound'] and summary.message == '0 synced, 0 failed, 0 skipped'


async def test_a_lost_connection_stops_the_run_with_a_reconnect_hint(runner, database) -> None:  # noqa: F811
    runner.register_pass('outbound', CountingPass({'customer': {'created': 2}},
                                                  ReconnectRequired('invalid_grant', 'Token revoked')))
    summary = await runner.run(trigger='manual')
    assert summary.status == RunStatus.FAILED and summary.totals.created == 2
    assert 'Reconnect QuickBooks' in summary.message and 'Overview' in summary.error
    assert not await runner.is_running()  # the lease is released whatever happened


async def test_a_cancelled_run_is_interrupted_and_a_failing_watcher_does_not_matter(runner) -> None:
    class Stopping:
        async def execute(self, ctx: RunContext) -> None:
            ctx.count('customer', 'created')
            await ctx.progress('customer')
            ctx.check_cancelled()

    def broken(progress: RunProgress) -> None:
        runner.cancel()
        raise RuntimeError('a closed browser tab')

    async def async_watcher(progress: RunProgress) -> None:
        received.append(progress)
    received: list[RunProgress] = []
    runner.register_pass('outbound', Stopping())
    runner.progress.subscribe(broken)
    unsubscribe = runner.progress.subscribe(async_watcher)
    summary = await runner.run(trigger='manual')
    assert summary.status == RunStatus.INTERRUPTED and summary.totals.created == 1
    assert len(received) == 2  # the broken subscriber did not keep the others from hearing
    unsubscribe()
    assert not runner.cancel()  # no run here any more


async def test_unknown_trigger_entity_or_outcome_is_refused(runner) -> None:
    runner.register_pass('outbound', CountingPass({'gizmo': {'created': 1}}))
    with pytest.raises(ValueError, match='unknown trigger'):
        await runner.run(trigger='cron')
    with pytest.raises(ValueError, match="unknown entity 'vendor'"):
        await runner.run(trigger='manual', entities=['vendor'])
    summary = await runner.run(trigger='manual')
    assert summary.status == RunStatus.FAILED and "unknown entity 'gizmo'" in summary.error
    with pytest.raises(RunCancelled):
        RunContext(run_id=1, realm_id=REALM, trigger='manual', direction='outbound', entities=(), client=None,
                   db=None, settings=None, cancel_event=_set_event()).check_cancelled()  # type: ignore[arg-type]


def _set_event():  # type: ignore[no-untyped-def]
    import asyncio
    event = asyncio.Event()
    event.set()
    return event


async def test_a_lease_whose_process_is_gone_is_taken_over_at_once(runner, database) -> None:  # noqa: F811
    import socket
    import subprocess
    import sys

    from qbsync.models import SyncLease
    runner.register_pass('outbound', CountingPass({}))
    dead = subprocess.run([sys.executable, '-c', 'import os; print(os.getpid())'], capture_output=True, text=True)
    other = RunLease(database, now=runner.clock.now)
    await other.acquire('cli run (pid gone)')
    async with database.session() as session:
        lease = await session.get(SyncLease, 'sync')
        lease.pid, lease.host = int(dead.stdout), socket.gethostname()  # as if that finished process held it
        session.add(lease)
        await session.commit()
    assert (await runner.run(trigger='manual')).status == RunStatus.SUCCEEDED  # no waiting for the expiry
    async with database.session() as session:
        lease = await session.get(SyncLease, 'sync')
        lease.pid, lease.host, lease.token = 1, 'another-machine', 'held'  # elsewhere: only expiry frees it
        lease.expires_at = runner.clock.now() + timedelta(seconds=30)
        session.add(lease)
        await session.commit()
    with pytest.raises(RunBusy):
        await runner.run(trigger='manual')
