"""Sync Dashboard tab: figures from the real tables, live while a run goes (progress bus), buttons by role and state."""
from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta, timezone

import pytest
from nicegui import app, ui
from nicegui.testing import User

from qbsync.models import Customer, EntityLink, LinkStatus, SyncRun
from qbsync.models import User as Account
from qbsync.services.region import Region
from qbsync.sync.context import RunContext
from qbsync.sync.progress import RunProgress

from .quickbooks_flow import CENTER, connect_quickbooks

DASHBOARD = f'{CENTER}/dashboard'


def _rows(user: User, marker: str) -> list[dict]:
    return user.find(kind=ui.table, marker=marker).elements.pop().rows


def _customers_row(user: User) -> dict:
    return next(r for r in _rows(user, 'dashboard-table') if r['entity_type'] == 'customer')


async def _customers(realm_id: str, statuses: list[str | None], *, first: int = 0) -> list[int]:
    ids = []
    async with app.state.services.db.session() as session:
        for n, status in enumerate(statuses, start=first):
            customer = Customer(display_name=f'Dash Customer {n}')
            session.add(customer)
            await session.flush()
            ids.append(customer.id)
            if status is not None:
                session.add(EntityLink(realm_id=realm_id, entity_type='customer', local_id=customer.id,
                                       status=status, synced_version=1, qbo_id=str(100 + n)))
        await session.commit()
    return ids


class SteppingPass:
    """Sends (links) one customer each time the test says go, reporting progress like the outbound pass."""

    def __init__(self, ids: list[int]) -> None:
        self.ids, self.go, self.sent = ids, asyncio.Event(), asyncio.Event()

    async def execute(self, ctx: RunContext) -> None:
        ctx.add_total(len(self.ids))
        await ctx.progress('customer')
        for local_id in self.ids:
            await self.go.wait()
            self.go.clear()
            async with ctx.db.session() as session:
                session.add(EntityLink(realm_id=ctx.realm_id, entity_type='customer', local_id=local_id,
                                       status=LinkStatus.SYNCED, synced_version=1, qbo_id=f'9{local_id}'))
                await session.commit()
            ctx.count('customer', 'created')
            await ctx.progress('customer')
            self.sent.set()


async def _until(check, attempts: int = 100) -> None:  # type: ignore[no-untyped-def]
    """Wait for the page to catch up with an event (UI updates land on the loop's next turns)."""
    for _ in range(attempts):
        if check():
            return
        await asyncio.sleep(0.02)
    assert check()


async def test_dashboard_counts_times_and_runs_chart(user: User, owner: Account) -> None:
    """Times in the business's zone and locale; the last result of each direction on its own line, so the
    inbound run a webhook brings after a run started here never hides that run's result."""
    region = Region(locale='en_GB', time_zone='America/Chicago', currency='USD')
    await app.state.services.region.save(region, acting=owner)
    local = region.formats()
    realm_id = await connect_quickbooks(user)
    await _customers(realm_id, [LinkStatus.SYNCED, LinkStatus.SYNCED, LinkStatus.FAILED, None])
    started = datetime.now(timezone.utc) - timedelta(minutes=10)
    async with app.state.services.db.session() as session:
        session.add(SyncRun(realm_id=realm_id, trigger='manual', started_at=started, direction='outbound',
                            finished_at=started + timedelta(minutes=1), status='succeeded', created=2, skipped=1,
                            message='2 synced, 0 failed, 1 skipped'))
        session.add(SyncRun(realm_id=realm_id, trigger='webhook', started_at=started + timedelta(minutes=2),
                            direction='inbound', finished_at=started + timedelta(minutes=3), status='succeeded',
                            message='0 synced, 0 failed, 0 skipped'))
        await session.commit()
    await user.open(DASHBOARD)
    await user.should_see(marker='dashboard-table', retries=20)
    customers = _customers_row(user)
    assert (customers['synced'], customers['pending'], customers['failed'], customers['not_synced']) == (2, 0, 1, 1)
    inbound_at = started + timedelta(minutes=2)
    await user.should_see(marker='last-run', content=f'Last run: {local.datetime(inbound_at)} (succeeded)')
    await user.should_see(marker='last-success', content=local.datetime(started + timedelta(minutes=3)))
    await user.should_see(content=f'Last sync to QuickBooks: {local.datetime(started + timedelta(minutes=1))}')
    await user.should_see(content=f'Last sync from QuickBooks: {local.datetime(started + timedelta(minutes=3))}')
    assert 'UTC' not in local.datetime(started) and local.time_zone == 'America/Chicago'
    await user.should_see(marker='sync-result', content='Last run to QuickBooks: 2 synced, 0 failed, 1 skipped')
    await user.should_see(marker='sync-result-inbound', content='Last run from QuickBooks: 0 synced, 0 failed')
    assert _rows(user, 'recent-runs')[0]['trigger'] == 'Change in QuickBooks'
    assert _rows(user, 'recent-runs')[0]['started'] == local.datetime(inbound_at)
    await user.should_see('Automatic sync is off.')
    assert _rows(user, 'recent-runs')[1]['message'] == '2 synced, 0 failed, 1 skipped'
    chart = user.find(kind=ui.echart, marker='runs-chart').elements.pop()
    assert [s['data'] for s in chart.options['series']] == [[2, 0], [0, 0], [1, 0]]  # oldest run first
    assert not user.find(marker='sync-inbound').elements.pop().enabled  # inbound sync is off


async def test_a_run_started_here_moves_the_page_live(user: User, admin: Account,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules['pages.integrations.dashboard_tab'], 'LIVE_SECONDS', 0.0)
    realm_id = await connect_quickbooks(user)
    ids = await _customers(realm_id, [None, None, None])
    stepping = SteppingPass(ids)
    app.state.services.runner.register_pass('outbound', stepping)
    await user.open(DASHBOARD)
    await user.should_see(marker='dashboard-table', retries=20)
    assert _customers_row(user)['not_synced'] == 3
    user.find(marker='sync-now').click()
    await user.should_see(content='Customers: 0 of 3', retries=50)
    assert not user.find(marker='sync-now').elements.pop().enabled  # no second run while one goes
    for done in (1, 2):
        stepping.go.set()
        await user.should_see(content=f'Customers: {done} of 3', retries=50)
        await _until(lambda done=done: _customers_row(user)['synced'] == done)
        assert _customers_row(user)['not_synced'] == 3 - done
    stepping.go.set()
    await user.should_see(marker='sync-result', content='Last run to QuickBooks: 3 synced, 0 failed, 0 skipped',
                          retries=50)
    await _until(lambda: _customers_row(user)['synced'] == 3)
    await _until(lambda: len(_rows(user, 'recent-runs')) == 1)
    assert user.find(marker='sync-now').elements.pop().enabled
    # the inbound run a webhook brings right after: its result goes on its own line, the owner's stays
    await app.state.services.runner.progress.publish(RunProgress(
        run_id=99, direction='inbound', entity_type='', done=0, total=0, finished=True, message='0 synced'))
    await user.should_see(marker='sync-result-inbound', content='Last run from QuickBooks: 0 synced', retries=50)
    await user.should_see(marker='sync-result', content='Last run to QuickBooks: 3 synced, 0 failed, 0 skipped')


async def test_viewers_cannot_start_runs(user: User, viewer: Account) -> None:
    await user.open(DASHBOARD)
    await user.should_see(marker='dashboard-table', retries=20)
    for marker in ('sync-now', 'sync-inbound', 'sync-preview'):
        assert not user.find(marker=marker).elements.pop().enabled


async def test_a_refused_start_says_why(user: User, owner: Account) -> None:
    await user.open(DASHBOARD)  # nothing connected, no outbound pass registered
    await user.should_see(marker='dashboard-table', retries=20)
    user.find(marker='sync-now').click()
    await user.should_see(marker='sync-result', retries=50)
    assert user.find(marker='sync-now').elements.pop().enabled
