"""The outbox: each /batch request is written down (composition, payloads, requestid) before it is sent.

If the process dies after sending and before the answers are applied, the next run finds the batch unanswered
and sends it again, byte for byte with the same requestid, before planning anything new: Intuit's replay hands
back the original answers, so nothing is posted twice and nothing is lost, even if the records changed since
(the stored version is what gets marked as synced; a newer version stays pending).
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Any

import simplejson
from sqlmodel import col, select

from ..db import Database
from ..models import OutboxBatch, OutboxItem
from ..models.records import utcnow
from . import bulk

__all__ = ['Operation', 'PendingItem', 'Outbox']

_BATCHES, _ITEMS = OutboxBatch.__table__, OutboxItem.__table__  # type: ignore[attr-defined]


class Operation:
    CREATE = 'create'
    UPDATE = 'update'
    VOID = 'void'  # Intuit's void: operation=void for documents, update + optionsData=void for payments


@dataclass(frozen=True)
class PendingItem:
    """One operation of a batch: enough to send it again and to apply its answer."""
    bid: str
    entity_type: str
    local_id: int
    version: int
    operation: str
    body: dict[str, Any]  # the BatchItemRequest entry, bId included

    @cached_property
    def payload_json(self) -> str:
        """The body as stored in the outbox (encoded once: it is written, hashed and compared per record)."""
        return simplejson.dumps(self.body, use_decimal=True)

    @property
    def wire_json(self) -> str:
        """The item as it goes in the /batch request: the stored JSON with its ``bId`` in front."""
        return '{"bId":' + simplejson.dumps(self.bid) + ',' + self.payload_json[1:]

    @cached_property
    def content_hash(self) -> str:
        return hashlib.sha256(self.payload_json.encode()).hexdigest()


class Outbox:
    def __init__(self, db: Database, realm_id: str, writer: bulk.Writer | None = None) -> None:
        """:param writer: the run's connection for one-round-trip writes (else one is taken per batch)"""
        self._db = db
        self._realm = realm_id
        self.writer = writer

    async def record(self, run_id: int, items: list[PendingItem]) -> OutboxBatch:
        """Write a batch and its items (committed) before anything goes on the wire."""
        now = utcnow()
        # counted as sent from the start: it may go on the wire any moment after this commit
        batch = OutboxBatch(realm_id=self._realm, request_id=str(uuid.uuid4()), run_id=run_id, created_at=now,
                            sent_at=now, attempts=1)
        write = self.writer.write if self.writer is not None else partial(bulk.write, self._db)
        batch.id = await write([  # one transaction, one round trip on SQLite (see ``bulk``)
            bulk.Insert(_BATCHES, [{'realm_id': batch.realm_id, 'request_id': batch.request_id, 'run_id': run_id,
                                    'created_at': now, 'sent_at': now, 'attempts': 1}]),
            bulk.Insert(_ITEMS, [{'batch_id': None, 'bid': item.bid, 'entity_type': item.entity_type,
                                  'local_id': item.local_id, 'version': item.version, 'operation': item.operation,
                                  'payload': item.payload_json, 'content_hash': item.content_hash} for item in items],
                        id_from_previous='batch_id')])
        return batch

    async def open_batches(self) -> list[tuple[OutboxBatch, list[PendingItem]]]:
        """Batches written but never answered (a crash, or a run stopped mid-way), oldest first."""
        async with self._db.session() as session:
            batches = (await session.exec(select(OutboxBatch).where(
                OutboxBatch.realm_id == self._realm, col(OutboxBatch.answered_at).is_(None))
                .order_by(col(OutboxBatch.id)))).all()
            found = []
            for batch in batches:
                rows = (await session.exec(select(OutboxItem).where(OutboxItem.batch_id == batch.id)
                                           .order_by(col(OutboxItem.id)))).all()
                found.append((batch, [_stored(r) for r in rows]))
        return found

    async def resent(self, batch: OutboxBatch) -> None:
        """A recovered batch goes on the wire again."""
        async with self._db.session() as session:
            row = await session.get(OutboxBatch, batch.id)
            if row is not None:
                row.sent_at, row.attempts = utcnow(), row.attempts + 1
                session.add(row)
                await session.commit()


def _stored(row: OutboxItem) -> PendingItem:
    """An item as written: its stored JSON is what goes on the wire again, byte for byte."""
    item = PendingItem(row.bid, row.entity_type, row.local_id, row.version, row.operation,
                       simplejson.loads(row.payload, use_decimal=True))
    item.__dict__['payload_json'] = row.payload  # the cached encoding (a frozen dataclass still has a __dict__)
    return item
