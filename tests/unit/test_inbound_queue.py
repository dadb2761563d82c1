"""Stored webhook events as a work queue: claimed once, finished once, retried with backoff, crash-safe claims;
coalescing per entity and Id; the worker wakes on notify and drains what is due."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from data_support import db, db_url  # noqa: F401 (fixtures)
from sqlmodel import select

from qbsync.db import Database
from qbsync.models import EventStatus, QuickBooksConnection, WebhookEvent
from qbsync.quickbooks.webhooks import EntityChange
from qbsync.services.webhook_inbox import WebhookInbox
from qbsync.sync.event_queue import CLAIM_LEASE, MAX_ATTEMPTS, EventQueue, backoff
from qbsync.sync.inbound_changes import plan_events
from qbsync.sync.worker import InboundWorker

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


def change(n: int, entity: str = 'Customer', operation: str = 'Update', entity_id: str | None = None,
           deleted_id: str | None = None, at: int = 0) -> EntityChange:
    return EntityChange(event_key=f'k{n}', realm_id='R1', entity=entity, entity_id=entity_id or str(n),
                        operation=operation, last_updated=T0 + timedelta(seconds=at or n), deleted_id=deleted_id)


async def _inbox(db: Database, clock: Clock, folder: Path) -> WebhookInbox:
    """The inbox of an install connected to R1 (intake keeps only connected companies' notices)."""
    async with db.session() as session:
        session.add(QuickBooksConnection(realm_id='R1', company_name='R1 Co'))
        await session.commit()
    return WebhookInbox(db, folder / 'webhooks', now=clock)


async def _rows(db: Database) -> list[WebhookEvent]:
    async with db.session() as session:
        return list((await session.exec(select(WebhookEvent).order_by(WebhookEvent.id))).all())


async def test_claimed_events_are_not_claimed_again_until_their_claim_is_stale(db: Database, tmp_path: Path) -> None:
    clock = Clock()
    await (await _inbox(db, clock, tmp_path)).record([change(n) for n in range(1, 6)])
    queue = EventQueue(db, now=clock)
    first = await queue.claim(3)
    second = await queue.claim(10)
    assert [e.entity_qbo_id for e in first] == ['1', '2', '3'] and [e.entity_qbo_id for e in second] == ['4', '5']
    assert await queue.claim() == []
    clock.at += CLAIM_LEASE + timedelta(seconds=1)  # the claiming worker died: its events come back
    assert len(await queue.claim()) == 5


async def test_finished_events_are_never_processed_twice(db: Database, tmp_path: Path) -> None:
    clock = Clock()
    await (await _inbox(db, clock, tmp_path)).record([change(1), change(2)])
    queue = EventQueue(db, now=clock)
    claimed = await queue.claim()
    await queue.finish(claimed[:1], EventStatus.DONE)
    await queue.finish(claimed[1:], EventStatus.SKIPPED, 'Deposit is not synced')
    clock.at += CLAIM_LEASE * 10
    assert await queue.claim() == [] and await queue.next_due() is None
    rows = await _rows(db)
    assert [(r.status, r.error, r.processed_at) for r in rows] == [
        ('done', '', clock.at - CLAIM_LEASE * 10), ('skipped', 'Deposit is not synced', clock.at - CLAIM_LEASE * 10)]


async def test_failures_retry_with_backoff_then_give_up(db: Database, tmp_path: Path) -> None:
    clock = Clock()
    await (await _inbox(db, clock, tmp_path)).record([change(1)])
    queue = EventQueue(db, now=clock)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        (event,) = await queue.claim()
        await queue.fail([event], 'QuickBooks could not be read: timeout')
        if attempt < MAX_ATTEMPTS:
            assert await queue.claim() == []  # not before its time
            assert await queue.next_due() == clock.at + backoff(attempt)
            clock.at += backoff(attempt)
    (row,) = await _rows(db)
    assert (row.status, row.attempts, row.error) == (EventStatus.FAILED, MAX_ATTEMPTS,
                                                     'QuickBooks could not be read: timeout')
    assert backoff(1) == timedelta(seconds=5) and backoff(2) == timedelta(seconds=10) and backoff(30) == timedelta(
        hours=1)


async def test_plan_coalesces_per_entity_and_the_newest_operation_decides(db: Database, tmp_path: Path) -> None:
    clock = Clock()
    await (await _inbox(db, clock, tmp_path)).record([
        change(1, 'Invoice', 'Create', '7', at=1), change(2, 'Invoice', 'Update', '7', at=2),
        change(3, 'Invoice', 'Update', '8', at=3), change(4, 'Invoice', 'Delete', '8', at=4),
        change(5, 'Customer', 'Merge', '3', deleted_id='4', at=5), change(6, 'Customer', 'Update', '3', at=6)])
    plan = plan_events(await EventQueue(db, now=clock).claim())
    assert plan.reads == {'Invoice': ['7'], 'Customer': ['3']}
    assert plan.deletes == {'Invoice': ['8']}
    assert plan.merges == {('Customer', '3'): ('4',)}
    assert [e.event_key for e in plan.events_of([('Invoice', '7')])] == ['k1', 'k2']


async def test_worker_drains_what_is_due_and_waits_for_retries(db: Database, tmp_path: Path) -> None:
    clock = Clock()
    inbox, queue = await _inbox(db, clock, tmp_path), EventQueue(db, now=clock)
    seen: list[list[str]] = []

    async def process() -> int:
        events = await queue.claim(2)
        seen.append([e.event_key for e in events])
        await queue.finish([e for e in events if e.event_key != 'k3'], EventStatus.DONE)
        await queue.fail([e for e in events if e.event_key == 'k3'], 'not yet')
        return len(events)

    worker = InboundWorker(queue, process, now=clock)
    await inbox.record([change(n) for n in range(1, 4)])
    assert await worker.drain() == 3
    assert seen == [['k1', 'k2'], ['k3']]
    assert await worker.drain() == 0  # k3 waits for its backoff
    clock.at += backoff(1)
    assert await worker.drain() == 1 and seen[-1] == ['k3']


async def test_intake_stores_each_change_once_even_when_deliveries_overlap(db: Database, tmp_path: Path) -> None:
    """One INSERT ... ON CONFLICT DO NOTHING per chunk, on both databases: repeats within and across deliveries, and
    deliveries stored at the same moment, keep one row per event key; each count is of the changes new to it."""
    import asyncio

    inbox = await _inbox(db, Clock(), tmp_path)
    assert await inbox.record([change(1), change(2), change(1)]) == 2
    assert await inbox.record([change(2), change(3)]) == 1
    counts = await asyncio.gather(*(inbox.record([change(n) for n in range(3, 9)]) for _ in range(4)))
    assert sum(counts) == 5  # 4..8, whichever delivery stored them
    foreign = EntityChange(event_key='kx', realm_id='R2', entity='Customer', entity_id='9', operation='Update')
    assert await inbox.record([foreign]) == 0  # a company not connected here: acknowledged, not kept
    assert [e.event_key for e in await _rows(db)] == [f'k{n}' for n in range(1, 9)]
