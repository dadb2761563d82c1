"""Sync Log tab: failures explained (fix, Intuit's code, the record's page), filters, paging, Retry, Retry all failed,
Dismiss, CSV export; viewers read but do not act."""
from __future__ import annotations

import asyncio
import csv
from datetime import datetime, timedelta, timezone

from nicegui import app, ui
from nicegui.testing import User

from qbsync.models import EntityLink, LinkStatus, Role, SyncLogEntry
from qbsync.models import User as Account
from qbsync.sync.context import RunContext

from .quickbooks_flow import CENTER, connect_for, connect_quickbooks

LOG = f'{CENTER}/log'
NOW = datetime.now(timezone.utc)


class RecordingPass:
    def __init__(self) -> None:
        self.asked: list[tuple[str, int] | None] = []

    async def execute(self, ctx: RunContext) -> None:
        self.asked.append(ctx.only)


async def _entries(realm_id: str, *, info: int = 0) -> int:
    """One failed invoice (with Intuit's answer and a fix), one inbound change, ``info`` plain entries."""
    async with app.state.services.db.session() as session:
        for n in range(info):
            session.add(SyncLogEntry(realm_id=realm_id, at=NOW - timedelta(hours=2, seconds=n), status='synced',
                                     direction='outbound', entity_type='customer', local_id=100 + n,
                                     action='create', message=f'Customer {n} sent.'))
        session.add(SyncLogEntry(realm_id=realm_id, at=NOW - timedelta(minutes=5), status='synced',
                                 direction='inbound', entity_type='customer', local_id=3, action='update',
                                 message='Updated from QuickBooks.'))
        failed = SyncLogEntry(realm_id=realm_id, at=NOW - timedelta(minutes=1), level='error', status='failed',
                              direction='outbound', entity_type='invoice', local_id=7, action='create',
                              code='6140', element='DocNumber', detail='Duplicate Document Number Error',
                              suggestion='Give the invoice a number QuickBooks does not have yet.',
                              message='QuickBooks refused Invoice 1042.')
        session.add(failed)
        session.add(EntityLink(realm_id=realm_id, entity_type='invoice', local_id=7, status=LinkStatus.FAILED))
        await session.commit()
        return failed.id  # type: ignore[return-value]


def _messages(user: User) -> list[str]:
    """The shown entries' messages, top to bottom (elements are created in display order)."""
    return [label.text for label in sorted(user.find(kind=ui.label, marker='log-message').elements,
                                           key=lambda element: element.id)]


async def test_a_failure_is_explained_and_can_be_retried_and_dismissed(user: User, admin: Account) -> None:
    realm_id = await connect_quickbooks(user)
    failed_id = await _entries(realm_id)
    recording = RecordingPass()
    app.state.services.runner.register_pass('outbound', recording)
    await user.open(LOG)
    await user.should_see(marker=f'log-entry-{failed_id}', retries=20)
    assert _messages(user)[1:3] == ['QuickBooks refused Invoice 1042.', 'Updated from QuickBooks.']  # after connect
    await user.should_see('How to fix: Give the invoice a number QuickBooks does not have yet.')
    await user.should_see('QuickBooks said: code 6140 · field DocNumber · Duplicate Document Number Error')
    (link,) = [e for e in user.find(kind=ui.link, marker='log-record').elements if e.text == 'Invoice #7']
    assert link.props['href'] == '/invoices/7'

    user.find(kind=ui.select, marker='log-status').elements.pop().set_value('failed')
    await user.should_see('Entries 1–1', retries=20)
    assert _messages(user) == ['QuickBooks refused Invoice 1042.']

    user.find(marker='log-retry').click()
    await user.should_see('Retried: 0 synced, 0 failed, 0 skipped', retries=20)
    user.find(marker='log-retry-all').click()
    await user.should_see('Retried all failed:', retries=20)
    assert recording.asked == [('invoice', 7), None]

    user.find(marker='log-dismiss').click()
    await user.should_see('Dismissed.', retries=20)
    await user.should_see('Dismissed ', retries=20)
    user.find(marker='log-show-dismissed').click()
    await user.should_see('No entries match.', retries=20)


async def test_filters_paging_search_and_export(user: User, owner: Account) -> None:
    realm_id = await connect_quickbooks(user)
    await _entries(realm_id, info=60)
    await user.open(LOG)
    await user.should_see('Entries 1–50', retries=20)
    user.find(marker='log-next').click()
    await user.should_see('Entries 51–63', retries=20)  # 60 + 2 + the connect entry
    user.find(marker='log-previous').click()
    await user.should_see('Entries 1–50', retries=20)
    user.find(kind=ui.select, marker='log-direction').elements.pop().set_value('inbound')
    await user.should_see('Entries 1–1', retries=20)
    assert _messages(user) == ['Updated from QuickBooks.']
    user.find(kind=ui.select, marker='log-direction').elements.pop().set_value('')
    user.find(kind=ui.select, marker='log-entity').elements.pop().set_value('invoice')
    await user.should_see('Entries 1–1', retries=20)
    user.find(kind=ui.select, marker='log-entity').elements.pop().set_value('')
    user.find(marker='log-search').type('customer 5').trigger('keydown.enter')
    await user.should_see('Entries 1–11', retries=20)  # 5 and 50-59
    user.find(marker='log-search').clear().type('6140').trigger('keydown.enter')
    await user.should_see('Entries 1–1', retries=20)
    user.find(marker='log-search').clear().trigger('keydown.enter')
    user.find(marker='log-since').type(f'{NOW + timedelta(days=1):%Y-%m-%d}').trigger('keydown.enter')
    await user.should_see('No entries match.', retries=20)
    user.find(marker='log-since').clear().type('2026-13-01').trigger('keydown.enter')
    await user.should_see('Enter dates like', retries=20)
    user.find(marker='log-since').clear().trigger('keydown.enter')
    user.find(kind=ui.select, marker='log-status').elements.pop().set_value('synced')
    await user.should_see('Entries 1–50', retries=20)
    user.find(marker='log-export').click()
    await user.should_see('Exported 61 entries.', retries=20)
    (path,) = (app.state.services.settings.data_dir / 'exports').glob('sync-log-*.csv')
    with path.open(newline='', encoding='utf-8') as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 61 and {row['status'] for row in rows} == {'synced'}


async def test_viewer_reads_the_log_without_actions(user: User, viewer: Account) -> None:
    owner = next(u for u in await app.state.services.users.list_users() if u.role == Role.OWNER)
    realm_id = await connect_for(user, owner)
    failed_id = await _entries(realm_id)
    await user.open(LOG)
    await user.should_see(marker=f'log-entry-{failed_id}', retries=20)
    await user.should_see('How to fix: Give the invoice a number QuickBooks does not have yet.')
    await user.should_not_see(marker='log-retry')
    await user.should_not_see(marker='log-dismiss')
    await user.should_not_see(marker='log-retry-all')


async def test_a_slower_older_read_does_not_overwrite_the_newest_filter(user: User, owner: Account) -> None:
    """Clearing the search and typing a date fire two reads at once; the unfiltered one finishing last must not win."""
    realm_id = await connect_quickbooks(user)
    await _entries(realm_id, info=3)
    sync_log = app.state.services.sync_log
    read = sync_log.page

    async def slow_when_unfiltered(log_filter, **kwargs):  # type: ignore[no-untyped-def]
        if log_filter.since is None:
            await asyncio.sleep(0.5)
        return await read(log_filter, **kwargs)

    await user.open(LOG)
    await user.should_see('Entries 1–6', retries=20)
    sync_log.page = slow_when_unfiltered
    try:
        user.find(marker='log-search').trigger('keydown.enter')
        await asyncio.sleep(0.1)  # that read has begun, without a date
        user.find(marker='log-since').type(f'{NOW + timedelta(days=1):%Y-%m-%d}').trigger('keydown.enter')
        await user.should_see('No entries match.', retries=20)
        await asyncio.sleep(0.8)  # the slow, older read has answered by now
        await user.should_see('No entries match.')
        await user.should_not_see('Entries 1–6')
    finally:
        sync_log.page = read
