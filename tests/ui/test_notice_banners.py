"""Banners: owners and admins see open problems on every page until dealt with; viewers do not."""
from __future__ import annotations

from nicegui import app
from nicegui.testing import User

from qbsync.models import ConnectionStatus, EntityLink, LinkStatus, QuickBooksConnection, Role, SyncLogEntry
from qbsync.models import User as Account

from .quickbooks_flow import CENTER, connect_for, connect_quickbooks


async def _failed_invoice(realm_id: str) -> int:
    async with app.state.services.db.session() as session:
        session.add(EntityLink(realm_id=realm_id, entity_type='invoice', local_id=7, status=LinkStatus.FAILED))
        entry = SyncLogEntry(realm_id=realm_id, level='error', status='failed', entity_type='invoice', local_id=7,
                             action='create', message='QuickBooks refused Invoice 1042.')
        session.add(entry)
        await session.commit()
        return entry.id  # type: ignore[return-value]


async def test_failures_show_a_banner_on_every_page_until_dismissed(user: User, admin: Account) -> None:
    realm_id = await connect_quickbooks(user)
    await user.open('/customers')
    await user.should_see(marker='page-title', retries=20)
    await user.should_not_see(marker='notice-sync_failures')
    entry_id = await _failed_invoice(realm_id)
    await user.open('/customers')  # the next page opened shows it
    await user.should_see(marker='notice-sync_failures', retries=20)
    await user.should_see('1 record did not sync to QuickBooks')
    await user.open(f'{CENTER}/log')
    await user.should_see(marker=f'log-entry-{entry_id}', retries=20)
    user.find(marker='log-dismiss').click()
    await user.should_see('Dismissed.', retries=20)
    await user.open('/')
    await user.should_see(marker='page-title', retries=20)
    await user.should_not_see(marker='notice-sync_failures')


async def test_reconnect_banner_and_none_for_viewers(user: User, viewer: Account) -> None:
    owner = next(u for u in await app.state.services.users.list_users() if u.role == Role.OWNER)
    realm_id = await connect_for(user, owner)
    async with app.state.services.db.session() as session:
        row = (await session.exec(QuickBooksConnection.__table__.select())).first()  # type: ignore[attr-defined]
        connection = await session.get(QuickBooksConnection, row.id)
        connection.status = ConnectionStatus.NEEDS_RECONNECT
        session.add(connection)
        await session.commit()
    await _failed_invoice(realm_id)
    await user.open('/')
    await user.should_see(marker='page-title', retries=20)
    await user.should_not_see(marker='notice-banners')  # viewers cannot act on it
    banners = await app.state.services.notifications.banners(owner)
    assert [b.kind for b in banners] == ['reconnect', 'sync_failures']
