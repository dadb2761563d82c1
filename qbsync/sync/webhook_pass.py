"""One pass over the stored webhook events: sort out what is not ours, read the rest in bulk, apply, mark.

Per claimed batch: events of another company are acknowledged and ignored (logged once per company and pass),
events for entities the app does not sync are skipped, the rest are coalesced per entity and read with
``Id IN (...)`` queries. Events whose change could not be read or applied are retried with backoff; all others are
finished, so none is processed twice.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from ..db import Database
from ..models import EventStatus, SyncLogEntry, WebhookEvent
from ..quickbooks.changes import ChangedObject
from ..quickbooks.client import QuickBooksClient
from ..quickbooks.errors import QuickBooksError
from .event_queue import EventQueue
from .inbound_changes import ApplyResult, ChangeApplier, InboundChange, plan_events
from .references import Call, direct_call

__all__ = ['WebhookPass', 'PassReport']

log = logging.getLogger(__name__)


@dataclass
class PassReport:
    claimed: int = 0
    done: int = 0
    skipped: int = 0
    ignored: int = 0
    retried: int = 0
    result: ApplyResult | None = None

    @property
    def finished(self) -> int:
        return self.done + self.skipped + self.ignored


class WebhookPass:
    def __init__(self, db: Database, queue: EventQueue, *, batch: int = 1000, call: Call = direct_call) -> None:
        self._call = call
        self._db = db
        self._queue = queue
        self._batch = batch

    async def run(self, *, realm_id: str | None, synced: Callable[[str], str | None],
                  client: Callable[[], Awaitable[QuickBooksClient]],
                  applier: Callable[[QuickBooksClient], ChangeApplier], run_id: int | None = None) -> PassReport:
        """:param synced: Intuit entity name -> why it is not synced (skip reason), or None when it is."""
        events = await self._queue.claim(self._batch)
        report = PassReport(claimed=len(events))
        if not events:
            return report
        ours = [e for e in events if e.realm_id == realm_id]
        await self._ignore_foreign([e for e in events if e.realm_id != realm_id], run_id)
        report.ignored = len(events) - len(ours)
        reasons = {entity: synced(entity) for entity in {e.entity for e in ours}}
        for reason in set(filter(None, reasons.values())):
            skipped = [e for e in ours if reasons[e.entity] == reason]
            await self._queue.finish(skipped, EventStatus.SKIPPED, reason)
            report.skipped += len(skipped)
        wanted = [e for e in ours if reasons[e.entity] is None]
        if wanted:
            try:
                api = await client()
            except Exception as exc:  # not connected any more, or the connection needs the user: retry later
                await self._queue.fail(wanted, f'QuickBooks is not reachable: {exc}')
                report.retried += len(wanted)
                return report
            await self._apply(wanted, api, applier(api), report)
        return report

    async def _apply(self, events: Sequence[WebhookEvent], client: QuickBooksClient, applier: ChangeApplier,
                     report: PassReport) -> None:
        plan = plan_events(events)
        changes: list[InboundChange] = []
        unread: dict[tuple[str, str], str] = {}
        for entity, ids in plan.reads.items():
            try:
                answer = await self._call(lambda entity=entity, ids=ids: client.read_many(entity, ids))
                found = {obj.id: obj for obj in answer}
            except QuickBooksError as exc:
                unread.update({(entity, i): f'QuickBooks could not be read: {exc}' for i in ids})
                continue
            for entity_id in ids:  # not found any more: a transaction deleted since the event (names never are)
                obj = found.get(entity_id) or ChangedObject(entity, entity_id, None, None, deleted=True)
                changes.append(InboundChange(obj, plan.merges.get((entity, entity_id), ())))
        for entity, ids in plan.deletes.items():
            stamps = {(e.entity, e.entity_qbo_id): e.last_updated for e in events}
            changes.extend(InboundChange(ChangedObject(entity, i, None, stamps.get((entity, i)), deleted=True))
                           for i in ids)
        result = await applier.apply(changes) if changes else ApplyResult()
        report.result = result
        failed = {**unread, **result.failed}
        for reason, keys in _by_reason(failed).items():
            retried = plan.events_of(keys)
            await self._queue.fail(retried, reason)
            report.retried += len(retried)
        done = [e for key, group in plan.events.items() if key not in failed for e in group]
        await self._queue.finish(done, EventStatus.DONE)
        report.done += len(done)

    async def _ignore_foreign(self, events: Sequence[WebhookEvent], run_id: int | None) -> None:
        if not events:
            return
        reason = 'not the connected QuickBooks company'
        await self._queue.finish(events, EventStatus.IGNORED, reason)
        async with self._db.session() as session:
            for realm, count in Counter(e.realm_id for e in events).items():
                message = f'Ignored {count} change notice(s) from QuickBooks company {realm}: {reason}.'
                log.warning(message)
                session.add(SyncLogEntry(run_id=run_id, realm_id=realm, level='warning', action='webhook_ignored',
                                         message=message))
            await session.commit()


def _by_reason(failed: Mapping[tuple[str, str], str]) -> dict[str, list[tuple[str, str]]]:
    grouped: dict[str, list[tuple[str, str]]] = {}
    for key, reason in failed.items():
        grouped.setdefault(reason, []).append(key)
    return grouped
