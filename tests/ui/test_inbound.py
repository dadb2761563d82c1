"""Inbound sync in the running app: the sandbox's real webhook reaches the worker, which applies it within the
same process; "ask me" conflicts resolved from the Sync Log; the record page's flags; Sync from QuickBooks."""
from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from nicegui import app, ui
from nicegui.testing import User
from sqlmodel import col, select

from qbsync.models import Customer, EntityLink, LinkStatus, SyncLogEntry
from qbsync.models import User as Account
from qbsync.sandbox.admin.companies import UserEdit, edit_as_user

from .quickbooks_flow import CENTER, connect_for, connect_quickbooks

SETTLE_SECONDS = 10  # an upper bound for a loaded CI machine; the wait ends as soon as the worker is done


def _qbo(realm_id: str, entity: str, operation: str, entity_id: str | None = None, **fields: Any) -> dict[str, Any]:
    company = app.state.sandbox.companies.get(realm_id)
    return edit_as_user(company, UserEdit(entity, operation, entity_id, fields))  # type: ignore[arg-type]


async def _inbound_on(owner: Account, **changes: Any) -> None:
    settings = app.state.services.sync_settings
    await settings.save(replace(await settings.load(), inbound_enabled=True, **changes), acting=owner)


async def _delivered_and_applied() -> None:
    """The sandbox sends its webhooks now (as Intuit would, a second later); the worker takes it from there."""
    while await app.state.sandbox.webhooks.flush():
        pass
    await app.state.services.webhooks.drain()  # the route answered before storing; storing wakes the worker
    await asyncio.wait_for(app.state.services.inbound.worker.settled(), SETTLE_SECONDS)


async def _local(qbo_id: str) -> tuple[Customer, EntityLink] | None:
    async with app.state.services.db.session() as session:
        link = (await session.exec(select(EntityLink).where(EntityLink.entity_type == 'customer',
                                                            EntityLink.qbo_id == qbo_id))).first()
        return ((await session.get(Customer, link.local_id)), link) if link else None


async def test_a_quickbooks_change_reaches_the_app_through_its_own_webhook_route(user: User, owner: Account) -> None:
    realm_id = await connect_quickbooks(user)
    await _inbound_on(owner)
    made = _qbo(realm_id, 'Customer', 'create', DisplayName='Webhook Works Ltd')
    await _delivered_and_applied()
    found = await _local(made['Id'])
    assert found is not None and found[0].display_name == 'Webhook Works Ltd'
    async with app.state.services.db.session() as session:
        actions = (await session.exec(select(SyncLogEntry.action).where(
            col(SyncLogEntry.message).contains('Webhook Works Ltd')))).all()
    assert 'inbound_create' in actions
    await user.open(f'{CENTER}/log')
    await user.should_see(marker='log-entries', retries=20)
    await user.should_see('Webhook Works Ltd', retries=20)


async def test_ask_me_conflict_resolved_from_the_sync_log(user: User, owner: Account) -> None:
    realm_id = await connect_quickbooks(user)
    await _inbound_on(owner, conflict_policy='ask_me')
    made = _qbo(realm_id, 'Customer', 'create', DisplayName='Torn Between Co', Notes='original')
    await _delivered_and_applied()
    customer, _ = await _local(made['Id'])
    async with app.state.services.db.session() as session:  # an edit in the app, not yet sent
        row = await session.get(Customer, customer.id)
        row.notes, row.version = 'edited in the app', row.version + 1
        session.add(row)
        await session.commit()
    _qbo(realm_id, 'Customer', 'update', made['Id'], Notes='edited in QuickBooks')
    await _delivered_and_applied()
    assert (await _local(made['Id']))[1].status == LinkStatus.HELD

    await user.open(f'/customers/{customer.id}')  # the record's page says so and links to the choice
    await user.should_see(marker='conflict-banner', retries=20)
    await user.should_see('Conflict: your choice')
    await user.open(f'{CENTER}/log')
    await user.should_see(marker='conflicts-heading', retries=20)
    rows = user.find(kind=ui.table, marker='conflict-fields').elements.pop().rows
    notes = next(r for r in rows if r['field'] == 'Notes')
    assert (notes['app'], notes['quickbooks'], notes['differs']) == ('edited in the app', 'edited in QuickBooks', '≠')
    user.find(marker='keep-quickbooks').click()
    await user.should_not_see(marker='conflicts-heading', retries=20)
    customer, link = await _local(made['Id'])
    assert customer.notes == 'edited in QuickBooks' and link.status == LinkStatus.SYNCED
    assert link.synced_version == customer.version


async def test_viewer_sees_the_conflict_but_cannot_choose(user: User, viewer: Account) -> None:
    owner = next(u for u in await app.state.services.users.list_users() if u.role == 'owner')
    realm_id = await connect_for(user, owner)
    await _inbound_on(owner, conflict_policy='ask_me')
    made = _qbo(realm_id, 'Customer', 'create', DisplayName='Viewer Sees Co')
    await _delivered_and_applied()
    customer, _ = await _local(made['Id'])
    async with app.state.services.db.session() as session:
        row = await session.get(Customer, customer.id)
        row.phone, row.version = '1', row.version + 1
        session.add(row)
        await session.commit()
    _qbo(realm_id, 'Customer', 'update', made['Id'], PrimaryPhone={'FreeFormNumber': '2'})
    await _delivered_and_applied()
    await user.open(f'{CENTER}/log')
    await user.should_see(marker='conflicts-heading', retries=20)
    await user.should_see('An owner or admin chooses')
    await user.should_not_see(marker='keep-app')


async def test_sync_from_quickbooks_on_the_dashboard(user: User, owner: Account) -> None:
    fresh = app.state.sandbox.companies.create_company('Dashboard Test Co', profile='new')
    realm_id = await connect_quickbooks(user, realm_id=fresh.realm_id)
    _qbo(realm_id, 'Customer', 'create', DisplayName='Pulled In Co')
    await _inbound_on(owner)
    await user.open(f'{CENTER}/dashboard')
    await user.should_see(marker='sync-inbound', retries=20)
    user.find(marker='sync-inbound').click()
    await user.should_see('Last run from QuickBooks:', retries=50)
    company = app.state.sandbox.companies.get(realm_id)
    wanted = {c['DisplayName'] for c in company.objects['Customer'].values() if c.get('Active', True)}
    for _ in range(100):  # the run goes on in the background after the button's answer
        async with app.state.services.db.session() as session:
            names = set((await session.exec(select(Customer.display_name))).all())
        if wanted <= names:
            break
        await asyncio.sleep(0.1)
    assert wanted <= names
