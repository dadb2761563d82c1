"""What a sync pass works with, and what a run reports: RunContext, the per-entity tally, RunSummary.

A pass (outbound here, inbound in ``sync/inbound.py``) gets one RunContext: the run's identity, the QuickBooks
client, the database, the settings as they were when the run started, a tally to count outcomes in, log entries
already stamped with run and realm, progress publishing and a cancellation check. It never sees the lease or the
SyncRun row: the runner owns those.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ..db import Database
from ..models import SyncLogEntry, SyncSettings
from ..models.records import utcnow
from ..quickbooks.client import QuickBooksClient
from .entities import entity
from .progress import RateMeter, RunProgress

__all__ = ['RunContext', 'SyncPass', 'EntityTally', 'RunTally', 'RunSummary', 'RunCancelled', 'OUTCOMES']

OUTCOMES = ('created', 'updated', 'linked', 'failed', 'skipped')


class RunCancelled(Exception):
    """The run was asked to stop (or lost its lease); what was confirmed so far stays confirmed."""


@dataclass
class EntityTally:
    created: int = 0
    updated: int = 0  # includes voids and deactivations
    linked: int = 0  # matched to a record QuickBooks already had
    failed: int = 0
    skipped: int = 0

    @property
    def synced(self) -> int:
        return self.created + self.updated + self.linked

    @property
    def done(self) -> int:
        return self.synced + self.failed + self.skipped

    def add(self, other: EntityTally) -> None:
        for name in OUTCOMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class RunTally:
    entities: dict[str, EntityTally] = field(default_factory=dict)
    total: int = 0  # records the passes said they would handle

    def of(self, entity_type: str) -> EntityTally:
        entity(entity_type)  # unknown names fail loudly here, not as a silent extra row
        return self.entities.setdefault(entity_type, EntityTally())

    def totals(self) -> EntityTally:
        overall = EntityTally()
        for tally in self.entities.values():
            overall.add(tally)
        return overall

    def as_json(self) -> str:
        return json.dumps({name: asdict(tally) for name, tally in self.entities.items()}, sort_keys=True)


def summary_message(totals: EntityTally) -> str:
    return f'{totals.synced} synced, {totals.failed} failed, {totals.skipped} skipped'


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    status: str  # RunStatus.*
    trigger: str
    direction: str
    entities: dict[str, EntityTally]  # local entity name -> counts
    totals: EntityTally
    total: int
    message: str  # "12 synced, 1 failed, 3 skipped" (plus the reason when the run stopped)
    started_at: datetime
    finished_at: datetime
    error: str = ''

    @property
    def failed(self) -> int:
        return self.totals.failed


@dataclass
class RunContext:
    run_id: int
    realm_id: str
    trigger: str
    direction: str  # of the pass being executed: outbound | inbound
    entities: tuple[str, ...]  # the entities the run was asked for (all by default)
    client: QuickBooksClient
    db: Database
    settings: SyncSettings  # as they were when the run started
    only: tuple[str, int] | None = None  # send_record: one record (and its unsent dependencies)
    tally: RunTally = field(default_factory=RunTally)
    publish: Callable[[RunProgress], Awaitable[None]] | None = None
    meter: RateMeter | None = None
    cancel_event: asyncio.Event = field(default_factory=asyncio.Event)
    # one writing transaction at a time within the run: SQLite refuses to turn a read snapshot into a write once
    # another connection committed (WAL's busy snapshot), whatever the busy timeout
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    # -- counting ----------------------------------------------------------------------------------------------
    def count(self, entity_type: str, outcome: str, n: int = 1) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f'unknown outcome {outcome!r}; expected one of {OUTCOMES}')
        tally = self.tally.of(entity_type)
        setattr(tally, outcome, getattr(tally, outcome) + n)

    def add_total(self, n: int) -> None:
        self.tally.total += n

    # -- the sync log ------------------------------------------------------------------------------------------
    def entry(self, **fields: Any) -> SyncLogEntry:
        """A log entry of this run, for the caller to add in the same transaction as the change it reports."""
        return SyncLogEntry(**self.entry_values(**fields))

    def entry_values(self, *, entity_type: str = '', action: str, message: str, local_id: int | None = None,
                     qbo_id: str | None = None, status: str = '', level: str = 'info', code: str = '',
                     element: str = '', detail: str = '', suggestion: str = '') -> dict[str, Any]:
        """The columns of a log entry, for bulk inserts of many entries at once (a batch's answers)."""
        return {'run_id': self.run_id, 'realm_id': self.realm_id, 'direction': self.direction, 'level': level,
                'at': utcnow(), 'entity_type': entity_type, 'local_id': local_id, 'qbo_id': qbo_id,
                'action': action, 'status': status, 'message': message[:2000], 'code': code[:20],
                'element': element[:255], 'detail': detail[:2000], 'suggestion': suggestion[:1000]}

    async def log(self, **fields: object) -> None:
        """Write one entry on its own (for events that change nothing else); see ``entry`` for the fields."""
        async with self.write_lock, self.db.session() as session:
            session.add(self.entry(**fields))
            await session.commit()

    # -- progress and cancellation -----------------------------------------------------------------------------
    async def progress(self, entity_type: str, message: str = '') -> None:
        if self.publish is None or self.meter is None:
            return
        done = self.tally.totals().done
        label = entity(entity_type).label if entity_type else ''
        counted = f'{done:,} of {self.tally.total:,}'
        text = message or (f'{label}: {counted}' if label else counted)
        await self.publish(self.meter.measure(entity_type=entity_type, done=done, total=self.tally.total,
                                              message=text))

    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def check_cancelled(self) -> None:
        if self.cancel_event.is_set():
            raise RunCancelled('The sync was stopped before it finished.')


class SyncPass(Protocol):
    """One direction of a run (outbound, inbound); registered on the runner with ``register_pass``."""

    async def execute(self, ctx: RunContext) -> None:
        """Move what is due, counting and logging each record through ``ctx``; raise only when the whole pass
        cannot go on (ReconnectRequired, RunCancelled)."""
        ...
