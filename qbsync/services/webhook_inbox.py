"""Intuit's webhook notifications, kept as WebhookEvent rows until the inbound sync processes them.

Intuit retries a delivery until it gets a 200 and may send the same change more than once, so each change is
stored once per ``event_key`` (the CloudEvents id, or realm+entity+id+operation+lastUpdated for the legacy format).
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from ..db import Database
from ..models import WebhookEvent
from ..quickbooks.oauth import utcnow
from ..quickbooks.webhooks import EntityChange

__all__ = ['WebhookInbox']


class WebhookInbox:
    def __init__(self, db: Database, *, now: Callable[[], datetime] = utcnow,
                 on_stored: Callable[[], None] | None = None) -> None:
        """:param on_stored: called after new events are stored (wakes the inbound worker; never awaited here)"""
        self._db = db
        self._now = now
        self._on_stored = on_stored

    async def record(self, changes: Sequence[EntityChange]) -> int:
        """Store the changes not seen before; returns how many were new."""
        stored = await self._store(changes)
        if stored and self._on_stored is not None:
            self._on_stored()
        return stored

    async def _store(self, changes: Sequence[EntityChange]) -> int:
        unique = list({change.event_key: change for change in changes}.values())
        if not unique:
            return 0
        async with self._db.session() as session:
            known = set((await session.exec(select(WebhookEvent.event_key).where(
                col(WebhookEvent.event_key).in_([c.event_key for c in unique])))).all())
            fresh = [c for c in unique if c.event_key not in known]
            session.add_all(self._row(c) for c in fresh)
            try:
                await session.commit()
                return len(fresh)
            except IntegrityError:  # the same delivery arrived twice at once: fall back to one row at a time
                await session.rollback()
        return await self._record_one_by_one(unique)

    async def _record_one_by_one(self, changes: list[EntityChange]) -> int:
        stored = 0
        for change in changes:
            async with self._db.session() as session:
                session.add(self._row(change))
                try:
                    await session.commit()
                    stored += 1
                except IntegrityError:
                    await session.rollback()
        return stored

    def _row(self, change: EntityChange) -> WebhookEvent:
        return WebhookEvent(event_key=change.event_key, received_at=self._now(), realm_id=change.realm_id[:32],
                            entity=change.entity[:40], entity_qbo_id=change.entity_id[:32],
                            operation=change.operation[:20], last_updated=change.last_updated,
                            deleted_id=change.deleted_id[:32] if change.deleted_id else None)
