"""Sync Dashboard: Preview and Sync to QuickBooks for managers (not viewers); a record's Send to QuickBooks."""
from __future__ import annotations

from nicegui import app, ui
from nicegui.testing import User

from qbsync.models import Customer
from qbsync.models import User as Account

from .quickbooks_flow import CENTER, connect_quickbooks


async def _customer(name: str) -> int:
    async with app.state.services.db.session() as session:
        customer = Customer(display_name=name)
        session.add(customer)
        await session.commit()
        return customer.id


def _company():  # type: ignore[no-untyped-def]
    sandbox = app.state.sandbox
    return sandbox.companies.get(sandbox.default_realm_id)


async def test_preview_then_sync_from_the_dashboard(user: User, owner: Account) -> None:
    await connect_quickbooks(user)
    await _customer('Dashboard Button Co')
    await user.open(f'{CENTER}/dashboard')
    await user.should_see(marker='sync-preview', retries=20)
    user.find(marker='sync-preview').click()
    await user.should_see('Preview: 1 to create', retries=50)
    plan = user.find(kind=ui.table, marker='sync-plan').elements.pop().rows
    assert [(r['entity_type'], r['create']) for r in plan] == [('customer', 1)]
    user.find(marker='sync-now').click()
    await user.should_see('1 synced, 0 failed, 0 skipped', retries=100)
    assert [c for c in _company().objects['Customer'].values() if c['DisplayName'] == 'Dashboard Button Co']


async def test_send_one_record_from_its_page_and_see_its_quickbooks_id(user: User, admin: Account) -> None:
    await connect_quickbooks(user)
    customer_id = await _customer('Send Me Co')
    await _customer('Not Me Co')
    await user.open(f'/customers/{customer_id}')
    await user.should_see(marker='record-send', retries=20)
    user.find(marker='record-send').click()
    await user.should_see('1 synced, 0 failed, 0 skipped', retries=100)
    sent = [c for c in _company().objects['Customer'].values() if c['DisplayName'] == 'Send Me Co']
    assert sent and not [c for c in _company().objects['Customer'].values() if c['DisplayName'] == 'Not Me Co']
    await user.open(f'/customers/{customer_id}')
    await user.should_see(f"QuickBooks id {sent[0]['Id']}")


async def test_viewers_get_no_sync_buttons(user: User, viewer: Account) -> None:
    await user.open(f'{CENTER}/dashboard')
    await user.should_see(marker='dashboard-table', retries=20)
    await user.should_not_see(marker='sync-now')
