"""Intuit's webhook notifications, kept as WebhookEvent rows until the inbound sync processes them.

Intuit retries a delivery until it gets a 200 and may send the same change more than once, so each change is
stored once per ``event_key`` (the CloudEvents id, or realm+entity+id+operation+lastUpdated for the legacy format).
Only changes for a company this install is connected to are kept (anything else is noise, or someone replaying a
signed body from another install); processed events are pruned after ``PROCESSED_RETENTION``, and events nobody
processed (inbound sync off) after ``UNPROCESSED_RETENTION``, so the table cannot grow without bound.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Callable, Sequence

from sqlalchemy import delete, insert, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from ..db import Database
from ..models import ConnectionStatus, QuickBooksConnection, WebhookEvent
from ..quickbooks.oauth import utcnow
from ..quickbooks.webhooks import EntityChange

__all__ = ['WebhookInbox', 'PROCESSED_RETENTION', 'UNPROCESSED_RETENTION', 'PRUNE_JOB', 'PRUNE_INTERVAL']

log = logging.getLogger(__name__)

PROCESSED_RETENTION = timedelta(days=7)  # long enough to look into a sync question, short enough to stay small
UNPROCESSED_RETENTION = timedelta(days=30)  # CDC covers 30 days: older notifications are worth nothing
PRUNE_JOB = 'webhook-prune'
PRUNE_INTERVAL = timedelta(hours=6)
_CHUNK = 500  # rows per statement: below every database's bound-parameter limit
_LIVE = (ConnectionStatus.CONNECTED, ConnectionStatus.NEEDS_RECONNECT)  # companies whose changes are worth keeping


class WebhookInbox:
    def __init__(self, db: Database, *, now: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._now = now
        self._pending: set[asyncio.Future[int]] = set()  # record_within's stores still running

    async def record(self, changes: Sequence[EntityChange]) -> int:
        """Store the changes not seen before, for connected companies only; returns how many were new."""
        unique = list({change.event_key: change for change in changes}.values())
        if not unique:
            return 0
        async with self._db.session() as session:
            live = set((await session.exec(select(QuickBooksConnection.realm_id).where(
                col(QuickBooksConnection.status).in_(_LIVE)))).all())
        foreign = sorted({c.realm_id for c in unique if c.realm_id not in live})
        if foreign:
            log.warning('webhook: %d change(s) for companies not connected here (%s) acknowledged and not kept',
                        sum(1 for c in unique if c.realm_id not in live), ', '.join(foreign[:5]))
        kept = [c for c in unique if c.realm_id in live]
        stored = 0
        for start in range(0, len(kept), _CHUNK):
            stored += await self._record_chunk(kept[start:start + _CHUNK])
        return stored

    async def record_within(self, changes: Sequence[EntityChange], seconds: float) -> int | None:
        """``record``, waiting at most ``seconds``: Intuit wants its answer within 3 s, and a huge (signed) delivery
        may take longer to store. Returns the count when done in time; otherwise None, and storing goes on in the
        background (``drain`` waits for it). Were the process to stop meanwhile, CDC still finds those changes."""
        task = asyncio.ensure_future(self.record(changes))
        self._pending.add(task)
        task.add_done_callback(self._finished)
        try:
            return await asyncio.wait_for(asyncio.shield(task), timeout=max(seconds, 0.0))
        except asyncio.TimeoutError:
            log.warning('webhook: %d change(s) still being stored after %.1f s; answering now', len(changes), seconds)
            return None

    async def drain(self) -> None:
        """Wait until every change handed to ``record_within`` is stored (shutdown, tests)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    def _finished(self, task: asyncio.Future[int]) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error('webhook: storing changes failed: %r', task.exception())

    async def prune(self) -> int:
        """Delete events processed more than PROCESSED_RETENTION ago, and unprocessed ones older than
        UNPROCESSED_RETENTION; returns how many went."""
        now = self._now()
        async with self._db.session() as session:
            result = await session.exec(delete(WebhookEvent).where(or_(  # type: ignore[call-overload]
                col(WebhookEvent.processed_at) < now - PROCESSED_RETENTION,
                col(WebhookEvent.received_at) < now - UNPROCESSED_RETENTION)))
            await session.commit()
        removed = int(result.rowcount or 0)
        if removed:
            log.info('webhook inbox: %d old event(s) pruned', removed)
        return removed

    async def _record_chunk(self, changes: list[EntityChange]) -> int:
        async with self._db.session() as session:
            known = set((await session.exec(select(WebhookEvent.event_key).where(
                col(WebhookEvent.event_key).in_([c.event_key for c in changes])))).all())
            fresh = [c for c in changes if c.event_key not in known]
            if not fresh:
                return 0
            try:  # one executemany: 20,000 ORM objects would hold the loop for seconds
                await session.exec(insert(WebhookEvent.__table__), params=[self._row(c) for c in fresh])  # type: ignore
                await session.commit()
                return len(fresh)
            except IntegrityError:  # the same delivery arrived twice at once: fall back to one row at a time
                await session.rollback()
        return await self._record_one_by_one(fresh)

    async def _record_one_by_one(self, changes: list[EntityChange]) -> int:
        stored = 0
        for change in changes:
            async with self._db.session() as session:
                session.add(WebhookEvent(**self._row(change)))
                try:
                    await session.commit()
                    stored += 1
                except IntegrityError:
                    await session.rollback()
        return stored

    def _row(self, change: EntityChange) -> dict[str, object]:
        """The columns of a change; the parser refused anything longer than its column, so nothing is cut here."""
        return {'event_key': change.event_key, 'received_at': self._now(), 'realm_id': change.realm_id,
                'entity': change.entity, 'entity_qbo_id': change.entity_id, 'operation': change.operation,
                'last_updated': change.last_updated, 'deleted_id': change.deleted_id, 'error': ''}
