"""Intuit's webhook notifications, kept as WebhookEvent rows until the inbound sync processes them.

Intuit retries a delivery until it gets a 200 and may send the same change more than once, so each change is
stored once per ``event_key`` (the CloudEvents id, or realm+entity+id+operation+lastUpdated for the legacy format).
Only changes for a company this install is connected to are kept (anything else is noise, or someone replaying a
signed body from another install); processed events are pruned after ``PROCESSED_RETENTION``, and events nobody
processed (inbound sync off) after ``UNPROCESSED_RETENTION``, so the table cannot grow without bound.

The webhook route only ``accept``s a signed body: it is appended to a journal on disk (WebhookJournal) and the route
answers at once; one writer task parses what has arrived and stores it in one transaction. The answer thus never
waits for the database, whose write lock the inbound worker may hold for a while, and nothing acknowledged is lost
when the process is killed: the journal is read back at the next ``start``.
"""
from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from sqlalchemy import delete, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..db import Database
from ..models import ConnectionStatus, QuickBooksConnection, WebhookEvent
from ..quickbooks.oauth import utcnow
from ..quickbooks.webhooks import EntityChange, WebhookPayloadError, parse_delivery
from .webhook_journal import WebhookJournal

__all__ = ['WebhookInbox', 'PROCESSED_RETENTION', 'UNPROCESSED_RETENTION', 'PRUNE_JOB', 'PRUNE_INTERVAL']

log = logging.getLogger(__name__)

PROCESSED_RETENTION = timedelta(days=7)  # long enough to look into a sync question, short enough to stay small
UNPROCESSED_RETENTION = timedelta(days=30)  # CDC covers 30 days: older notifications are worth nothing
PRUNE_JOB = 'webhook-prune'
PRUNE_INTERVAL = timedelta(hours=6)
_CHUNK = 500  # rows per statement (10 columns each): below every database's bound-parameter limit
LIVE_REALMS_SECONDS = 5.0
PARSE_IN_THREAD = 64 * 1024  # bytes of bodies in one batch above which parsing leaves the event loop
RETRY_FIRST, RETRY_MAX = 0.5, 60.0  # seconds between attempts to store accepted deliveries when the database fails
_LIVE = (ConnectionStatus.CONNECTED, ConnectionStatus.NEEDS_RECONNECT)  # companies whose changes are worth keeping


@dataclass
class _Queued:
    """What waits for the writer: a signed body taken by ``accept`` (already in the journal), or changes handed to
    ``record`` by a caller that waits for the count."""
    body: bytes | None = None
    changes: list[EntityChange] = field(default_factory=list)
    waiter: asyncio.Future[int] | None = None


class WebhookInbox:
    def __init__(self, db: Database, journal_dir: Path, *, now: Callable[[], datetime] = utcnow,
                 on_stored: Callable[[], None] | None = None) -> None:
        """:param journal_dir: where accepted bodies wait on disk until they are stored (WebhookJournal)
        :param on_stored: called when new events are stored (wakes the inbound worker; never awaited here)"""
        self._db = db
        self._journal = WebhookJournal(journal_dir)
        self._now = now
        self._on_stored = on_stored
        # group commit: what arrives while the writer works is stored next, together, by one writer in one
        # transaction, so many deliveries at once neither queue for SQLite's single write lock one by one nor give
        # up at its busy timeout
        self._queued: list[_Queued] = []
        self._unstored: list[_Queued] = []  # accepted bodies whose store failed: tried again before anything new
        self._in_flight: list[_Queued] = []  # what the writer is storing now
        self._segments: list[Path] = []  # journal segments holding bodies not stored yet
        self._live: set[str] = set()  # the connected companies, as read at ``_live_at`` (time.monotonic)
        self._live_at = float('-inf')
        self._writer: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Store what a stopped or crashed process accepted and left in the journal (in the running loop)."""
        for segment in self._journal.leftovers():
            self._segments.append(segment.path)
            self._unstored.extend(_Queued(body=body) for body in segment.bodies)
        if self._unstored:
            log.info('webhook: %d delivery(ies) accepted before the last stop are being stored', len(self._unstored))
            self._kick()

    @property
    def unstored(self) -> int:
        """Deliveries accepted (in the journal) and not yet stored in the database."""
        return sum(1 for item in (*self._in_flight, *self._unstored, *self._queued) if item.body is not None)

    def accept(self, body: bytes) -> None:
        """Take a signed delivery: it is on disk when this returns and stored soon after, so Intuit's answer never
        waits for the database (raises OSError when it cannot be kept: answer so that Intuit retries)."""
        self._journal.append(body)
        self._queued.append(_Queued(body=body))
        self._kick()

    async def record(self, changes: Sequence[EntityChange]) -> int:
        """Store the changes not seen before, for connected companies only; returns how many were new."""
        if not changes:
            return 0
        waiter: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._queued.append(_Queued(changes=list(changes), waiter=waiter))
        self._kick()
        return await asyncio.shield(waiter)

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until everything accepted so far is stored (shutdown, tests); False when ``timeout`` passed first
        or storing keeps failing (what is left stays in the journal for the next start)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._writer is not None and not self._writer.done():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            await asyncio.wait([self._writer], timeout=left)
        return not (self._queued or self._unstored)

    async def close(self, grace: float = 5.0) -> None:
        """Store what is queued, for at most ``grace`` seconds; the journal keeps the rest for the next start."""
        if not await self.drain(grace) and self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)
            log.warning('webhook: deliveries not stored at shutdown stay in the journal for the next start')

    def _kick(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._write_queued(), name='webhook inbox writer')

    async def _write_queued(self) -> None:
        delay = RETRY_FIRST
        while self._queued or self._unstored:
            batch, self._queued = self._unstored + self._queued, []
            self._unstored, self._in_flight = [], batch
            self._segments += self._journal.seal()  # every body of the batch is in these segments, none of the queue
            try:
                counts = await self._store_batch(batch)
            except Exception as exc:  # callers of record() see the failure; accepted bodies are tried again
                self._in_flight = []
                for item in batch:
                    if item.waiter is not None and not item.waiter.done():
                        item.waiter.set_exception(exc)
                self._unstored = [item for item in batch if item.body is not None]
                if not self._unstored:
                    continue
                log.error('webhook: storing %d accepted delivery(ies) failed, trying again in %.1f s: %r',
                          len(self._unstored), delay, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)
                continue
            delay, self._in_flight = RETRY_FIRST, []
            for path in self._segments:
                self._journal.discard(path)
            self._segments = []
            for item, count in zip(batch, counts, strict=True):
                if item.waiter is not None and not item.waiter.done():
                    item.waiter.set_result(count)

    async def _store_batch(self, batch: list[_Queued]) -> list[int]:
        """Parse the accepted bodies and store every change once; returns how many were new, item by item."""
        bodies = [item.body for item in batch if item.body is not None]
        if sum(len(body) for body in bodies) > PARSE_IN_THREAD:  # a huge (signed) body must not hold the loop
            parsed = await asyncio.to_thread(_parse_all, bodies)
        else:
            parsed = _parse_all(bodies)
        for item, changes in zip((item for item in batch if item.body is not None), parsed, strict=True):
            item.changes = changes
        fresh = await self._store([change for item in batch for change in item.changes])
        counts = []
        for item in batch:  # a change delivered twice (within or across deliveries) counts once, for the first
            mine = {change.event_key for change in item.changes} & fresh
            fresh -= mine
            counts.append(len(mine))
        stored = sum(counts)
        if bodies:
            log.info('webhook: %d delivery(ies) stored, %d change(s), %d new', len(bodies),
                     sum(len(item.changes) for item in batch if item.body is not None), stored)
        if stored and self._on_stored is not None:
            self._on_stored()
        return counts

    async def _store(self, changes: Sequence[EntityChange]) -> set[str]:
        """The keys of the changes newly stored."""
        unique = list({change.event_key: change for change in changes}.values())
        stored: set[str] = set()
        if not unique:
            return stored
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


def _parse_all(bodies: list[bytes]) -> list[list[EntityChange]]:
    """The readable changes of each body; what cannot be read is logged and dropped (Intuit retries anything but a
    200, and a 400 would fail the whole delivery again and again)."""
    parsed: list[list[EntityChange]] = []
    for body in bodies:
        try:
            delivery = parse_delivery(body)
        except WebhookPayloadError as exc:
            log.warning('webhook body signed correctly but unreadable, acknowledged and dropped: %s', exc)
            parsed.append([])
            continue
        for reason in delivery.rejected[:20]:
            log.warning('webhook event signed correctly but unreadable, dropped: %s', reason)
        if len(delivery.rejected) > 20:
            log.warning('webhook: %d more unreadable events dropped', len(delivery.rejected) - 20)
        parsed.append(delivery.changes)
    return parsed
