"""Sync Dashboard tab: figures from the real tables, refreshing on their own."""
from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta, timezone

import pytest
from nicegui import app, ui
from nicegui.testing import User

from qbsync.models import Customer, EntityLink, LinkStatus, SyncRun
from qbsync.models import User as Account

from .quickbooks_flow import CENTER, connect_quickbooks


def _rows(user: User, marker: str) -> list[dict]:
    return user.find(kind=ui.table, marker=marker).elements.pop().rows


async def _customers(realm_id: str, statuses: list[str | None], *, first: int = 0) -> None:
    async with app.state.services.db.session() as session:
        for n, status in enumerate(statuses, start=first):
            customer = Customer(display_name=f'Dash Customer {n}')
            session.add(customer)
            await session.flush()
            if status is not None:
                session.add(EntityLink(realm_id=realm_id, entity_type='customer', local_id=customer.id,
                                       status=status, synced_version=1, qbo_id=str(100 + n)))
        await session.commit()


async def test_dashboard_counts_and_live_refresh(user: User, owner: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    realm_id = await connect_quickbooks(user)
    await _customers(realm_id, [LinkStatus.SYNCED, LinkStatus.SYNCED, LinkStatus.FAILED, None])
    started = datetime.now(timezone.utc) - timedelta(minutes=10)
    async with app.state.services.db.session() as session:
        session.add(SyncRun(realm_id=realm_id, trigger='manual', started_at=started,
                            finished_at=started + timedelta(minutes=1), status='succeeded', created=2))
        await session.commit()
    monkeypatch.setattr(sys.modules['pages.integrations.dashboard_tab'], 'REFRESH_SECONDS', 0.1)
    await user.open(f'{CENTER}/dashboard')
    await user.should_see(marker='dashboard-table', retries=20)
    customers = next(r for r in _rows(user, 'dashboard-table') if r['entity_type'] == 'customer')
    assert (customers['synced'], customers['pending'], customers['failed'], customers['not_synced']) == (2, 0, 1, 1)
    await user.should_see(marker='last-run', content=f'{started:%Y-%m-%d %H:%M} UTC (succeeded)')
    await user.should_see(marker='last-success', content=f'{started + timedelta(minutes=1):%Y-%m-%d %H:%M} UTC')
    assert _rows(user, 'recent-runs')[0]['created'] == 2

    await _customers(realm_id, [None, None], first=10)  # added elsewhere; the open dashboard catches up by itself
    for _ in range(50):
        customers = next(r for r in _rows(user, 'dashboard-table') if r['entity_type'] == 'customer')
        if customers['not_synced'] == 3:
            break
        await asyncio.sleep(0.05)  # a UI timer: real time is the only clock it knows
    assert customers['not_synced'] == 3 and customers['total'] == 6
