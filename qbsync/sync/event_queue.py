"""Stored webhook events as a work queue: claimed in the database, finished once, retried with backoff.

A pass claims due events with one UPDATE (SQLite serialises writers, so two passes never claim the same row) and
marks them finished when their changes are applied. A worker that dies keeps its claim only for ``CLAIM_LEASE``;
the next pass takes the events again, and applying them again is harmless because an object whose SyncToken the
link already holds changes nothing. So a crash neither loses an event nor applies it twice.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import col, or_, select

from ..db import Database
from ..models import EventStatus, WebhookEvent
from ..models.records import utcnow

__all__ = ['EventQueue', 'CLAIM_LEASE', 'MAX_ATTEMPTS', 'backoff']

CLAIM_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8  # then the event is marked failed; the next change data capture sweep still catches the change
BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_CAP = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s, ... capped at an hour: quick for a blip, patient for an outage."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


class EventQueue:
    def __init__(self, db: Database, *, now: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._now = now

    def _due(self, now: datetime):  # type: ignore[no-untyped-def]
        return (col(WebhookEvent.status) == EventStatus.PENDING,
                or_(col(WebhookEvent.next_attempt_at).is_(None), col(WebhookEvent.next_attempt_at) <= now),
                or_(col(WebhookEvent.claimed_at).is_(None), col(WebhookEvent.claimed_at) < now - CLAIM_LEASE))

    async def claim(self, limit: int = 1000) -> list[WebhookEvent]:
        """Take up to ``limit`` due events, oldest first, for this pass alone."""
        now, token = self._now(), uuid.uuid4().hex
        async with self._db.session() as session:
            due = select(WebhookEvent.id).where(*self._due(now)).order_by(col(WebhookEvent.id)).limit(limit)
            await session.exec(update(WebhookEvent).where(col(WebhookEvent.id).in_(due.scalar_subquery()))
                               .values(claim=token, claimed_at=now))
            await session.commit()
            rows = await session.exec(select(WebhookEvent).where(WebhookEvent.claim == token)
                                      .order_by(col(WebhookEvent.id)))
            return list(rows.all())

    async def finish(self, events: Iterable[WebhookEvent], status: str, reason: str = '') -> None:
        """Mark claimed events finished (done, skipped or ignored): they are never processed again."""
        ids = [e.id for e in events]
        if not ids:
            return
        async with self._db.session() as session:
            await session.exec(update(WebhookEvent).where(col(WebhookEvent.id).in_(ids)).values(
                status=status, processed_at=self._now(), error=reason[:2000], claim='', claimed_at=None,
                next_attempt_at=None))
            await session.commit()

    async def fail(self, events: Iterable[WebhookEvent], reason: str) -> None:
        """Record the failure and schedule a retry with backoff, or give up after ``MAX_ATTEMPTS``."""
        now = self._now()
        async with self._db.session() as session:
            for event in events:
                row = await session.get(WebhookEvent, event.id)
                if row is None or row.processed_at is not None:
                    continue
                row.attempts += 1
                row.error = reason[:2000]
                row.claim, row.claimed_at = '', None
                if row.attempts >= MAX_ATTEMPTS:
                    row.status, row.processed_at, row.next_attempt_at = EventStatus.FAILED, now, None
                else:
                    row.next_attempt_at = now + backoff(row.attempts)
                session.add(row)
            await session.commit()

    async def next_due(self) -> datetime | None:
        """When the earliest pending event can be claimed (now for a fresh one); None when nothing waits."""
        async with self._db.session() as session:
            pending = select(WebhookEvent).where(WebhookEvent.status == EventStatus.PENDING)
            fresh = await session.exec(pending.where(col(WebhookEvent.next_attempt_at).is_(None),
                                                     col(WebhookEvent.claimed_at).is_(None)).limit(1))
            if fresh.first() is not None:
                return self._now()
            retry = (await session.exec(select(func.min(WebhookEvent.next_attempt_at)).where(
                WebhookEvent.status == EventStatus.PENDING))).one()
            claimed = (await session.exec(select(func.min(WebhookEvent.claimed_at)).where(
                WebhookEvent.status == EventStatus.PENDING, col(WebhookEvent.claimed_at).is_not(None)))).one()
        candidates = [t for t in (retry, claimed + CLAIM_LEASE if claimed else None) if t is not None]
        return min(candidates, default=None)

    async def counts(self) -> dict[str, int]:
        async with self._db.session() as session:
            rows = await session.exec(select(WebhookEvent.status, func.count()).group_by(WebhookEvent.status))
            return {status: count for status, count in rows.all()}
