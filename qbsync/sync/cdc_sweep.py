"""Change data capture: everything QuickBooks changed since the company's cursor, applied, then the cursor moved.

The backstop for lost webhooks and the body of "Sync from QuickBooks" (qbo-api.md 5 and 10.7):

* The next sweep starts ``OVERLAP`` before the cursor, so a change committed while the last sweep ran (or stamped by
  a clock a little behind ours) is never missed; seeing a change twice is harmless (its SyncToken is known).
* One CDC answer holds at most 1,000 objects, the earliest changed (the sandbox documents this choice; Intuit does
  not say). A full answer is applied and the window narrowed to start at its newest change; should that not move
  the window (over 1,000 objects stamped the same instant), the window is read with paged queries instead.
* A cursor older than CDC's 30 days (or none: the first sync) is served by paged queries on
  ``MetaData.LastUpdatedTime``; deletions cannot be seen that way, which the log says.
* The cursor moves to the sweep's start only when every change was applied; when some failed, only up to just
  before the oldest failure, so the next sweep sees it again.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..db import Database
from ..models import InboundCursor
from ..models.records import utcnow
from ..quickbooks.changes import ChangedObject
from ..quickbooks.client import QuickBooksClient
from ..quickbooks.errors import QuickBooksError
from .inbound_changes import ApplyResult, ChangeApplier, InboundChange

__all__ = ['CdcSweep', 'SweepReport', 'OVERLAP', 'CDC_LOOKBACK']

log = logging.getLogger(__name__)

OVERLAP = timedelta(minutes=2)
CDC_LOOKBACK = timedelta(days=30)
LOOKBACK_MARGIN = timedelta(hours=1)  # our clock and Intuit's may disagree a little: stay clear of the edge
APPLY_CHUNK = 1000


@dataclass
class SweepReport:
    since: datetime | None = None  # None: everything (first sync)
    mode: str = 'cdc'  # cdc | query
    requests: int = 0
    objects: int = 0
    result: ApplyResult = field(default_factory=ApplyResult)
    cursor: datetime | None = None  # where the cursor stands afterwards

    @property
    def complete(self) -> bool:
        return not self.result.failed


class CdcSweep:
    def __init__(self, db: Database, *, now: Callable[[], datetime] = utcnow, overlap: timedelta = OVERLAP) -> None:
        self._db = db
        self._now = now
        self._overlap = overlap

    async def cursor(self, realm_id: str) -> datetime | None:
        async with self._db.session() as session:
            row = await session.get(InboundCursor, realm_id)
            return row.changed_since if row else None

    async def run(self, client: QuickBooksClient, entities: Sequence[str], applier: ChangeApplier,
                  *, on_progress: Callable[[SweepReport], None] | None = None) -> SweepReport:
        """Sweep ``entities`` (Intuit names) of the client's company; the cursor covers exactly these entities."""
        started = self._now()
        cursor = await self.cursor(client.realm_id)
        since = cursor - self._overlap if cursor else None
        report = SweepReport(since=since)
        oldest_failure: list[datetime] = []
        if since is not None and since > started - CDC_LOOKBACK + LOOKBACK_MARGIN:
            try:
                await self._by_cdc(client, list(entities), since, applier, report, oldest_failure, on_progress)
            except QuickBooksError as exc:
                if report.objects or 'older' not in str(exc).lower():
                    raise
                log.info('CDC refused the window (%s): reading by LastUpdatedTime instead', exc)
                await self._by_query(client, entities, since, applier, report, oldest_failure, on_progress)
        else:
            await self._by_query(client, entities, since, applier, report, oldest_failure, on_progress)
        target = started if not oldest_failure else min(oldest_failure) - timedelta(seconds=1)
        if cursor is None or target > cursor:
            await self._save(client.realm_id, target)
            report.cursor = target
        else:
            report.cursor = cursor
        return report

    async def _by_cdc(self, client: QuickBooksClient, entities: list[str], since: datetime, applier: ChangeApplier,
                      report: SweepReport, failures: list[datetime],
                      on_progress: Callable[[SweepReport], None] | None) -> None:
        while True:
            answer = await client.cdc(entities, since)
            report.requests += 1
            await self._apply(answer.objects, applier, report, failures, on_progress)
            if not answer.full:
                return
            newest = answer.newest
            if newest is None or newest <= since:  # no progress possible by CDC: page through that instant
                await self._by_query(client, entities, since, applier, report, failures, on_progress,
                                     mode='cdc')
                return
            since = newest

    async def _by_query(self, client: QuickBooksClient, entities: Sequence[str], since: datetime | None,
                        applier: ChangeApplier, report: SweepReport, failures: list[datetime],
                        on_progress: Callable[[SweepReport], None] | None, *, mode: str = 'query') -> None:
        report.mode = mode
        for entity in entities:
            objects = await client.changed_since(entity, since)
            report.requests += max(1, -(-len(objects) // 1000))
            await self._apply(objects, applier, report, failures, on_progress)

    async def _apply(self, objects: Sequence[ChangedObject], applier: ChangeApplier, report: SweepReport,
                     failures: list[datetime], on_progress: Callable[[SweepReport], None] | None) -> None:
        for start in range(0, len(objects), APPLY_CHUNK):
            chunk = objects[start:start + APPLY_CHUNK]
            result = await applier.apply([InboundChange(obj) for obj in chunk])
            report.objects += len(chunk)
            report.result.add(result)
            stamps = {(o.entity, o.id): o.last_updated for o in chunk}
            failures.extend(stamp for key in result.failed if (stamp := stamps.get(key)) is not None)
            if on_progress is not None:
                on_progress(report)

    async def _save(self, realm_id: str, changed_since: datetime) -> None:
        async with self._db.session() as session:
            row = await session.get(InboundCursor, realm_id) or InboundCursor(realm_id=realm_id,
                                                                              changed_since=changed_since)
            row.changed_since, row.updated_at = changed_since, self._now()
            session.add(row)
            await session.commit()
