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

from sqlmodel import select

from ..db import Database
from ..models import InboundCursor
from ..models.records import utcnow
from ..quickbooks.changes import ChangedObject
from ..quickbooks.client import QuickBooksClient
from ..quickbooks.errors import QuickBooksError
from .inbound_changes import ApplyResult, ChangeApplier, InboundChange
from .references import Call, direct_call

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
    def complete(self) -> bool:  # every change applied (or deliberately held)
        return not self.result.failed


class CdcSweep:
    def __init__(self, db: Database, *, now: Callable[[], datetime] = utcnow, overlap: timedelta = OVERLAP,
                 call: Call = direct_call) -> None:
        """:param call: runs each QuickBooks request (under the rate limiter, with retries, in the app)"""
        self._call = call
        self._db = db
        self._now = now
        self._overlap = overlap

    async def cursors(self, realm_id: str) -> dict[str, datetime]:
        """Intuit entity name -> its cursor, for the entities swept before."""
        async with self._db.session() as session:
            rows = await session.exec(select(InboundCursor).where(InboundCursor.realm_id == realm_id))
            return {row.entity: row.changed_since for row in rows.all()}

    async def run(self, client: QuickBooksClient, entities: Sequence[str], applier: ChangeApplier,
                  *, on_progress: Callable[[SweepReport], None] | None = None) -> SweepReport:
        """Sweep ``entities`` (Intuit names, in dependency order) of the client's company.

        Entities with a recent cursor share one CDC window (from the oldest of their cursors); an entity never swept
        (switched on later, or the first sync) or with a cursor beyond CDC's reach is read by queries.
        """
        started = self._now()
        cursors = await self.cursors(client.realm_id)
        recent = [e for e in entities if e in cursors and
                  cursors[e] - self._overlap > started - CDC_LOOKBACK + LOOKBACK_MARGIN]
        since = min((cursors[e] for e in recent), default=None)
        report = SweepReport(since=min((cursors.get(e) for e in entities if e in cursors), default=None))
        failures: list[datetime] = []
        by_query = [e for e in entities if e not in recent]
        if recent and since is not None:
            try:
                await self._by_cdc(client, recent, since - self._overlap, applier, report, failures, on_progress)
            except QuickBooksError as exc:
                if report.objects or 'older' not in str(exc).lower():
                    raise
                log.info('CDC refused the window (%s): reading by LastUpdatedTime instead', exc)
                by_query = list(entities)
        for entity in by_query:
            start = cursors.get(entity)
            report.mode = 'query' if not recent else 'cdc+query'
            await self._by_query(client, [entity], start - self._overlap if start else None, applier, report,
                                 failures, on_progress, mode=report.mode)
        target = started if not failures else min(failures) - timedelta(seconds=1)
        await self._save(client.realm_id,
                         {e: target for e in entities if cursors.get(e) is None or target > cursors[e]})
        report.cursor = target
        return report

    async def _by_cdc(self, client: QuickBooksClient, entities: list[str], since: datetime, applier: ChangeApplier,
                      report: SweepReport, failures: list[datetime],
                      on_progress: Callable[[SweepReport], None] | None) -> None:
        while True:
            answer = await self._call(lambda since=since: client.cdc(entities, since))
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
            objects = await self._call(lambda entity=entity: client.changed_since(entity, since))
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

    async def _save(self, realm_id: str, cursors: dict[str, datetime]) -> None:
        async with self._db.session() as session:
            for entity, changed_since in cursors.items():
                row = await session.get(InboundCursor, (realm_id, entity)) or InboundCursor(
                    realm_id=realm_id, entity=entity, changed_since=changed_since)
                row.changed_since, row.updated_at = changed_since, self._now()
                session.add(row)
            await session.commit()
