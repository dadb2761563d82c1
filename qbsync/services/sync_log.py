"""The Sync Log as the pages use it: pages of the active company's log, CSV export, Dismiss, and retention.

Reading is open to every signed-in role; dismissing is for owners and admins. Retention deletes in small batches
(each its own short transaction), so a daily prune of a large log never holds the one SQLite writer for long.
"""
from __future__ import annotations

import csv
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import delete, exists, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from ..db import Database
from ..models import EntityLink, LinkStatus, Notification, SyncLogEntry, SyncRun, User
from ..sync.log_view import EVERYTHING, LogFilter, LogPage, log_chunks, log_page
from ..sync.runner import RunSummary, SyncRunner
from .connection import ConnectionService
from .errors import NotFound, ValidationError
from .permissions import require_manager
from .sync_settings import SyncSettingsService

__all__ = ['SyncLogService', 'CSV_COLUMNS', 'PRUNE_BATCH']

PRUNE_BATCH = 5000
EXPORT_KEEP = timedelta(hours=1)  # exports are written to a file, handed to the browser, and removed after this
CSV_COLUMNS = ('time', 'level', 'status', 'direction', 'record_type', 'record_id', 'quickbooks_id', 'action',
               'message', 'suggestion', 'intuit_code', 'intuit_element', 'intuit_detail', 'run', 'dismissed')
_FORMULA_START = ('=', '+', '-', '@', '\t', '\r')


class SyncLogService:
    def __init__(self, db: Database, connection: ConnectionService, settings: SyncSettingsService,
                 runner: SyncRunner, *, export_dir: Path, now: Callable[[], datetime] | None = None) -> None:
        self._db = db
        self._runner = runner
        self._connection = connection
        self._settings = settings
        self._export_dir = export_dir
        self._now = now or (lambda: datetime.now(timezone.utc))

    async def page(self, log_filter: LogFilter = EVERYTHING, *, page: int = 1, page_size: int = 50) -> LogPage:
        realm_id = await self._realm()
        async with self._db.session() as session:
            return await log_page(session, realm_id, log_filter, page=page, page_size=page_size)

    async def export_csv(self, log_filter: LogFilter = EVERYTHING) -> tuple[Path, int]:
        """Write every entry matching ``log_filter`` (newest first) to a CSV file; (its path, the entry count).

        Cells that a spreadsheet would run as a formula are prefixed with a quote (CSV injection).
        """
        self._export_dir.mkdir(parents=True, exist_ok=True)
        self._remove_old_exports()
        realm_id = await self._realm()
        path = self._export_dir / f'sync-log-{self._now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.csv'
        count = 0
        with path.open('w', newline='', encoding='utf-8') as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            async with self._db.session() as session:
                async for chunk in log_chunks(session, realm_id, log_filter):
                    writer.writerows(_csv_row(entry) for entry in chunk)
                    count += len(chunk)
        return path, count

    async def dismiss(self, entry_id: int, *, acting: User) -> None:
        """Set a failure aside: it stays in the log, marked dismissed, and stops counting as open."""
        require_manager(acting, 'dismiss log entries')
        async with self._db.session() as session:
            entry = await _entry(session, entry_id)
            if entry.dismissed_at is None:
                entry.dismissed_at = self._now()
                entry.dismissed_by_user_id = acting.id
                session.add(entry)
                await session.commit()

    async def retry(self, entry_id: int, *, acting: User) -> RunSummary:
        """Send the record an entry is about now (Retry); RunBusy while another run is going."""
        require_manager(acting, 'retry records')
        async with self._db.session() as session:
            entry = await _entry(session, entry_id)
        if not entry.entity_type or entry.local_id is None:
            raise ValidationError({'entry': 'This entry is not about a record, so there is nothing to retry.'})
        return await self._runner.send_record(entry.entity_type, entry.local_id, trigger='manual')

    async def retry_failed(self, *, acting: User) -> RunSummary | None:
        """Retry all failed: an outbound run of the entity types that have failed records (None: nothing failed).

        A run sends every due record of those types, failed ones included (the plan retries a failure like a
        change), which is what an owner expects after fixing the cause (a mapping, a duplicate name).
        """
        require_manager(acting, 'retry records')
        realm_id = await self._realm()
        if realm_id is None:
            return None
        async with self._db.session() as session:
            types = (await session.exec(select(EntityLink.entity_type).where(
                EntityLink.realm_id == realm_id, EntityLink.status == LinkStatus.FAILED).distinct())).scalars().all()
        if not types:
            return None
        return await self._runner.run(trigger='manual', direction='outbound', entities=sorted(types))

    async def prune(self, retention_days: int) -> int:
        """Delete entries older than ``retention_days``, then finished runs and resolved notifications as old."""
        cutoff = self._now() - timedelta(days=retention_days)
        deleted = 0
        while True:
            async with self._db.session() as session:
                batch = select(SyncLogEntry.id).where(col(SyncLogEntry.at) < cutoff).limit(PRUNE_BATCH)
                result = await session.exec(delete(SyncLogEntry).where(col(SyncLogEntry.id).in_(batch)))
                await session.commit()
            deleted += result.rowcount or 0
            if (result.rowcount or 0) < PRUNE_BATCH:
                break
        async with self._db.session() as session:
            await session.exec(delete(SyncRun).where(
                col(SyncRun.started_at) < cutoff, col(SyncRun.finished_at).is_not(None),
                ~exists().where(SyncLogEntry.run_id == SyncRun.id)))
            await session.exec(delete(Notification).where(col(Notification.resolved_at) < cutoff))
            await session.commit()
        return deleted

    async def prune_by_settings(self) -> int:
        """The daily retention job: prune with the retention period from Sync Settings."""
        return await self.prune((await self._settings.load()).log_retention_days)

    async def _realm(self) -> str | None:
        view = await self._connection.current()
        return view.realm_id if view is not None else None

    def _remove_old_exports(self) -> None:
        limit = self._now().timestamp() - EXPORT_KEEP.total_seconds()
        for old in self._export_dir.glob('sync-log-*.csv'):
            if old.stat().st_mtime < limit:
                old.unlink(missing_ok=True)


async def _entry(session: AsyncSession, entry_id: int) -> SyncLogEntry:
    entry = await session.get(SyncLogEntry, entry_id)
    if entry is None:
        raise NotFound(f'log entry {entry_id} does not exist (it may have been pruned)')
    return entry


def _csv_row(entry: SyncLogEntry) -> list[str]:
    values = [entry.at.astimezone(timezone.utc).isoformat(timespec='seconds'), entry.level, entry.status,
              entry.direction, entry.entity_type, '' if entry.local_id is None else str(entry.local_id),
              entry.qbo_id or '', entry.action, entry.message, entry.suggestion, entry.code, entry.element,
              entry.detail, '' if entry.run_id is None else str(entry.run_id),
              entry.dismissed_at.astimezone(timezone.utc).isoformat(timespec='seconds') if entry.dismissed_at else '']
    return [f"'{value}" if value.startswith(_FORMULA_START) else value for value in values]

