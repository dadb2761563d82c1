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
import time
from datetime import datetime, timedelta
from typing import Callable, Sequence

from sqlalchemy import delete, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

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
_CHUNK = 500  # rows per statement (10 columns each): below every database's bound-parameter limit
LIVE_REALMS_SECONDS = 5.0
_LIVE = (ConnectionStatus.CONNECTED, ConnectionStatus.NEEDS_RECONNECT)  # companies whose changes are worth keeping


class WebhookInbox:
    def __init__(self, db: Database, *, now: Callable[[], datetime] = utcnow,
                 on_stored: Callable[[], None] | None = None) -> None:
        """:param on_stored: called when new events are stored (wakes the inbound worker; never awaited here)"""
        self._db = db
        self._now = now
        self._on_stored = on_stored
        self._pending: set[asyncio.Future[int]] = set()  # record_within's stores still running
        # group commit: deliveries arriving together are stored together, by one writer in one transaction, so
        # many at once neither queue for SQLite's single write lock one by one nor give up at its busy timeout
        self._queued: list[tuple[list[EntityChange], asyncio.Future[int]]] = []
        self._live: set[str] = set()  # the connected companies, as read at ``_live_at`` (time.monotonic)
        self._live_at = float('-inf')
        self._writer: asyncio.Task[None] | None = None

    async def record(self, changes: Sequence[EntityChange]) -> int:
        """Store the changes not seen before, for connected companies only; returns how many were new."""
        unique = list({change.event_key: change for change in changes}.values())
        if not unique:
            return 0
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[int] = loop.create_future()
        self._queued.append((unique, waiter))
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write_queued())
        stored = await asyncio.shield(waiter)
        if stored and self._on_stored is not None:
            self._on_stored()
        return stored

    async def _write_queued(self) -> None:
        while self._queued:
            batch, self._queued = self._queued, []
            try:
                fresh = await self._store([change for unique, _ in batch for change in unique])
            except Exception as exc:  # each caller sees the failure (the route still answers 200: CDC backs up)
                for _, waiter in batch:
                    if not waiter.done():
                        waiter.set_exception(exc)
                continue
            for unique, waiter in batch:
                mine = {c.event_key for c in unique} & fresh
                fresh -= mine  # a change delivered twice at once counts for the first delivery only
                if not waiter.done():
                    waiter.set_result(len(mine))

    async def _store(self, changes: Sequence[EntityChange]) -> set[str]:
        """The keys of the changes newly stored."""
        unique = list({change.event_key: change for change in changes}.values())
        stored: set[str] = set()
        async with self._db.session() as session:  # one session: each database call is a hop to its thread
            live = await self._live_realms(session, {c.realm_id for c in unique})
            foreign = sorted({c.realm_id for c in unique if c.realm_id not in live})
            if foreign:
                log.warning('webhook: %d change(s) for companies not connected here (%s) acknowledged and not kept',
                            sum(1 for c in unique if c.realm_id not in live), ', '.join(foreign[:5]))
            kept = [c for c in unique if c.realm_id in live]
            for start in range(0, len(kept), _CHUNK):
                stored |= await self._record_chunk(session, kept[start:start + _CHUNK])
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

    async def _live_realms(self, session: AsyncSession, realms: set[str]) -> set[str]:
        """The connected companies. Read again unless every realm asked about was live moments ago: under a burst
        each delivery would otherwise wait for this query too, and a company disconnected meanwhile only has its
        events stored for a few more seconds (processing ignores them)."""
        if realms <= self._live and time.monotonic() - self._live_at < LIVE_REALMS_SECONDS:
            return self._live
        self._live = set((await session.exec(select(QuickBooksConnection.realm_id).where(
            col(QuickBooksConnection.status).in_(_LIVE)))).all())
        self._live_at = time.monotonic()
        return self._live

    async def _record_chunk(self, session: AsyncSession, changes: list[EntityChange]) -> set[str]:
        """Insert the changes not stored before, in one statement (also when another delivery stores the same
        change at the same moment); returns the keys of those it stored."""
        table = WebhookEvent.__table__  # type: ignore[attr-defined]
        make_insert = pg_insert if session.bind.dialect.name == 'postgresql' else sqlite_insert
        statement = make_insert(table).values([self._row(c) for c in changes]) \
            .on_conflict_do_nothing(index_elements=['event_key']).returning(table.c.event_key)
        fresh = set((await session.exec(statement)).scalars().all())  # type: ignore[call-overload]
        await session.commit()
        return fresh

    def _row(self, change: EntityChange) -> dict[str, object]:
        """The columns of a change; the parser refused anything longer than its column, so nothing is cut here."""
        return {'event_key': change.event_key, 'received_at': self._now(), 'realm_id': change.realm_id,
                'entity': change.entity, 'entity_qbo_id': change.entity_id, 'operation': change.operation,
                'last_updated': change.last_updated, 'deleted_id': change.deleted_id, 'error': ''}
