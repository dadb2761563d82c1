"""Sync Log service: filters, text search, paging, CSV export of the filtered log, Dismiss, retention pruning."""
from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone

import pytest

from center_db import database, manager, viewer_account  # noqa: F401 (fixtures)
from qbsync.models import EntityLink, LinkStatus, Notification, SyncLogEntry, SyncRun
from qbsync.services.errors import NotFound, PermissionDenied, ValidationError
from qbsync.services.sync_log import SyncLogService
from qbsync.services.sync_settings import SyncPreferences
from qbsync.sync.context import RunContext
from qbsync.sync.entities import ENTITY_NAMES
from qbsync.sync.log_view import LogFilter
from sync_fakes import ActiveConnection, offline_runner

REALM = '4620816365000001'
NOW = datetime(2026, 5, 6, 12, tzinfo=timezone.utc)


class _Settings:
    def __init__(self, days: int) -> None:
        self.days = days

    async def load(self) -> SyncPreferences:
        return SyncPreferences(log_retention_days=self.days)


class RecordingPass:
    """Stands in for the outbound pass: records what each run was asked to send."""

    def __init__(self) -> None:
        self.asked: list[tuple[tuple[str, ...], tuple[str, int] | None]] = []

    async def execute(self, ctx: RunContext) -> None:
        self.asked.append((ctx.entities, ctx.only))


def _service(db, tmp_path, days: int = 180, runner=None) -> SyncLogService:  # type: ignore[no-untyped-def]
    return SyncLogService(db, ActiveConnection(REALM), _Settings(days), runner,  # type: ignore[arg-type]
                          export_dir=tmp_path / 'exports', now=lambda: NOW)


@pytest.fixture
async def runner(database):  # type: ignore[no-untyped-def]  # noqa: F811
    async with offline_runner(database, REALM) as runner:
        runner.recording = RecordingPass()  # type: ignore[attr-defined]
        runner.register_pass('outbound', runner.recording)  # type: ignore[attr-defined]
        yield runner


async def _fill(db) -> list[int]:  # type: ignore[no-untyped-def]
    """Two runs a day apart, each with a mix of entries, one entry of another company and one without a company."""
    ids = []
    async with db.session() as session:
        for day, status in ((2, 'succeeded'), (1, 'partial')):
            run = SyncRun(realm_id=REALM, trigger='manual', started_at=NOW - timedelta(days=day),
                          finished_at=NOW - timedelta(days=day), status=status)
            session.add(run)
            await session.flush()
            for n in range(30):
                entry = SyncLogEntry(run_id=run.id, realm_id=REALM, at=run.started_at + timedelta(seconds=n),
                                     level='error' if n % 10 == 0 else 'info',
                                     entity_type=('invoice', 'customer', 'item')[n % 3], local_id=n,
                                     action='create', message=f'=Sent record {n}' if n % 10 else
                                     f'Duplicate Document Number {n}_%')
                session.add(entry)
                await session.flush()
                ids.append(entry.id)
        session.add(SyncLogEntry(realm_id='other-company', at=NOW, level='error', message='not ours'))
        session.add(SyncLogEntry(realm_id='', at=NOW - timedelta(hours=1), action='connect', message='Connected'))
        await session.commit()
    return ids


async def test_filters_search_and_paging(database, tmp_path) -> None:  # noqa: F811
    service = _service(database, tmp_path)
    await _fill(database)
    first = await service.page(page_size=25)
    assert first.has_next and (first.first, first.last) == (1, 25)
    assert first.entries[0].action == 'connect'  # newest first; realm-less entries are shown too
    assert all(e.realm_id != 'other-company' for e in first.entries)
    rest = await service.page(page=3, page_size=25)
    assert not rest.has_next and len(rest.entries) == 61 - 50
    errors = await service.page(LogFilter(level='error'))
    assert [e.local_id for e in errors.entries] == [20, 10, 0, 20, 10, 0]
    assert len((await service.page(LogFilter(entity_type='customer'))).entries) == 20
    run_two = await service.page(LogFilter(run_id=2))
    assert {e.run_id for e in run_two.entries} == {2} and len(run_two.entries) == 30
    recent = await service.page(LogFilter(since=NOW - timedelta(days=1, seconds=-25), until=NOW))
    assert [e.local_id for e in recent.entries] == [None, 29, 28, 27, 26, 25]
    assert [e.local_id for e in (await service.page(LogFilter(text='dupLICATE document number 1'))).entries] == [10, 10]
    assert [e.local_id for e in (await service.page(LogFilter(text='0_%'))).entries] == [20, 10, 0, 20, 10, 0]
    with pytest.raises(ValueError):
        LogFilter(level='fatal')


async def test_csv_export_of_the_filtered_log(database, tmp_path) -> None:  # noqa: F811
    service = _service(database, tmp_path)
    await _fill(database)
    path, count = await service.export_csv(LogFilter(entity_type='invoice'))
    with path.open(newline='', encoding='utf-8') as handle:
        rows = list(csv.DictReader(handle))
    assert count == len(rows) == 20
    assert rows[0]['time'] == (NOW - timedelta(days=1) + timedelta(seconds=27)).isoformat()
    assert rows[0]['record_type'] == 'invoice' and rows[0]['record_id'] == '27' and rows[0]['run'] == '2'
    assert rows[0]['message'] == "'=Sent record 27"  # a spreadsheet will not run it as a formula
    everything, total = await service.export_csv()
    assert total == 61 and everything != path


async def test_export_walks_in_chunks(database, tmp_path, monkeypatch) -> None:  # noqa: F811
    import qbsync.services.sync_log as module
    original = module.log_chunks
    monkeypatch.setattr(module, 'log_chunks', lambda *a, **k: original(*a, **{**k, 'chunk': 7}))
    await _fill(database)
    path, count = await _service(database, tmp_path).export_csv()
    with path.open(newline='', encoding='utf-8') as handle:
        ids = [(row['time'], row['message']) for row in csv.DictReader(handle)]
    assert count == 61 and len(set(ids)) == 61


async def test_dismiss(database, tmp_path, manager, viewer_account) -> None:  # noqa: F811
    service = _service(database, tmp_path)
    ids = await _fill(database)
    with pytest.raises(PermissionDenied):
        await service.dismiss(ids[0], acting=viewer_account)
    await service.dismiss(ids[0], acting=manager)
    await service.dismiss(ids[0], acting=manager)  # twice is harmless
    open_errors = await service.page(LogFilter(level='error', include_dismissed=False))
    assert ids[0] not in [e.id for e in open_errors.entries] and len(open_errors.entries) == 5
    (dismissed,) = [e for e in (await service.page(LogFilter(level='error'))).entries if e.id == ids[0]]
    assert dismissed.dismissed_at == NOW and dismissed.dismissed_by_user_id == manager.id
    with pytest.raises(NotFound):
        await service.dismiss(999_999, acting=manager)


async def test_retention_prunes_old_entries_runs_and_notifications(database, tmp_path, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setattr('qbsync.services.sync_log.PRUNE_BATCH', 7)  # several batches
    await _fill(database)
    async with database.session() as session:
        session.add(Notification(key='k', kind='reconnect', title='t', resolved_at=NOW - timedelta(days=3)))
        session.add(Notification(key='k', kind='reconnect', title='open', opened_at=NOW - timedelta(days=3)))
        await session.commit()
    service = _service(database, tmp_path, days=1)
    assert await service.prune_by_settings() == 30  # the first run's entries, two days old
    assert await service.prune(1) == 0
    async with database.session() as session:
        runs = (await session.exec(SyncRun.__table__.select())).all()  # type: ignore[attr-defined]
        notices = (await session.exec(Notification.__table__.select())).all()  # type: ignore[attr-defined]
    assert [r.status for r in runs] == ['partial']
    assert [n.title for n in notices] == ['open']
    assert await service.prune(0) == 31  # everything up to now


async def test_status_direction_and_intuit_fields(database, tmp_path) -> None:  # noqa: F811
    service = _service(database, tmp_path)
    async with database.session() as session:
        session.add(SyncLogEntry(realm_id=REALM, at=NOW, level='error', status='failed', direction='outbound',
                                 entity_type='invoice', local_id=7, action='create', code='6140',
                                 element='DocNumber', detail='Duplicate Document Number Error: 1042',
                                 suggestion='Give the invoice a number QuickBooks does not have yet.',
                                 message='QuickBooks refused Invoice 1042.'))
        session.add(SyncLogEntry(realm_id=REALM, at=NOW, status='synced', direction='inbound', entity_type='customer',
                                 local_id=3, action='update', message='Updated from QuickBooks.'))
        await session.commit()
    assert [e.local_id for e in (await service.page(LogFilter(status='failed'))).entries] == [7]
    assert [e.local_id for e in (await service.page(LogFilter(direction='inbound'))).entries] == [3]
    assert [e.local_id for e in (await service.page(LogFilter(text='6140'))).entries] == [7]  # Intuit's code
    assert [e.local_id for e in (await service.page(LogFilter(text='number error'))).entries] == [7]  # its detail
    path, _ = await service.export_csv(LogFilter(status='failed'))
    with path.open(newline='', encoding='utf-8') as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row['intuit_code'], row['intuit_element'], row['direction']) == ('6140', 'DocNumber', 'outbound')
    assert row['suggestion'].startswith('Give the invoice a number')


async def test_retry_one_and_retry_all_failed(database, tmp_path, runner, manager, viewer_account) -> None:  # noqa: F811
    service = _service(database, tmp_path, runner=runner)
    ids = await _fill(database)
    assert await service.retry_failed(acting=manager) is None  # nothing failed: no run
    async with database.session() as session:
        session.add_all([EntityLink(realm_id=REALM, entity_type=kind, local_id=n, status=LinkStatus.FAILED)
                         for n, kind in enumerate(('invoice', 'item', 'invoice'))])
        session.add(EntityLink(realm_id='other-company', entity_type='payment', local_id=1,
                               status=LinkStatus.FAILED))
        await session.commit()
    summary = await service.retry(ids[10], acting=manager)
    assert summary.trigger == 'manual' and summary.direction == 'outbound'
    summary = await service.retry_failed(acting=manager)
    assert summary is not None
    assert runner.recording.asked == [(ENTITY_NAMES, ('customer', 10)), (('invoice', 'item'), None)]
    with pytest.raises(PermissionDenied):
        await service.retry(ids[10], acting=viewer_account)
    with pytest.raises(PermissionDenied):
        await service.retry_failed(acting=viewer_account)
    async with database.session() as session:
        connect = SyncLogEntry(realm_id='', at=NOW, action='connect', message='Connected')
        session.add(connect)
        await session.commit()
    with pytest.raises(ValidationError):
        await service.retry(connect.id, acting=manager)
