"""Inbound sync as the app runs it: a webhook pass over stored events, or a CDC sweep, for the connected company.

Reads the connection and the settings through callables handed in by the services (the engine never imports
services): which company is connected, a client for it, and the sync preferences (inbound switch, per-entity
switches, conflict policy).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from ..db import Database
from ..models.records import utcnow
from ..quickbooks.client import QuickBooksClient
from .cdc_sweep import CdcSweep, SweepReport
from .event_queue import EventQueue
from .inbound import InboundApplier
from .inbound_values import INTUIT_TO_LOCAL, LOCAL_TO_INTUIT, TIERS
from .webhook_pass import PassReport, WebhookPass

__all__ = ['InboundSync', 'InboundPreferences', 'InboundOff']


class InboundPreferences(Protocol):
    inbound_enabled: bool
    conflict_policy: str

    def entity_enabled(self, entity_type: str) -> bool: ...


class InboundOff(Exception):
    """Inbound sync is switched off (Sync Settings): nothing is read from QuickBooks."""


class InboundSync:
    def __init__(self, db: Database, *, realm: Callable[[], Awaitable[str | None]],
                 api: Callable[[], Awaitable[QuickBooksClient]],
                 preferences: Callable[[], Awaitable[InboundPreferences]],
                 now: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._realm = realm
        self._api = api
        self._preferences = preferences
        self._now = now
        self.queue = EventQueue(db, now=now)
        self.sweeper = CdcSweep(db, now=now)
        self._pass = WebhookPass(db, self.queue)

    async def process_events(self, *, run_id: int | None = None) -> PassReport:
        """One pass over the due webhook events (the worker calls this, under the run lease)."""
        prefs = await self._preferences()
        realm_id = await self._realm()

        def skip_reason(entity: str) -> str | None:
            if not prefs.inbound_enabled:
                return 'inbound sync is off'
            local = INTUIT_TO_LOCAL.get(entity)
            if local is None:
                return f'{entity} is not synced by the app'
            return None if prefs.entity_enabled(local) else f'{entity} sync is switched off'

        return await self._pass.run(realm_id=realm_id, synced=skip_reason, client=self._api,
                                    applier=lambda api: self._applier(api, prefs, run_id), run_id=run_id)

    async def catch_up(self, *, run_id: int | None = None,
                       on_progress: Callable[[SweepReport], None] | None = None) -> SweepReport:
        """"Sync from QuickBooks": everything changed since the cursors, by CDC (or queries), then the cursors move."""
        prefs = await self._preferences()
        if not prefs.inbound_enabled:
            raise InboundOff('Inbound sync is off: switch it on in Sync Settings to receive QuickBooks changes.')
        api = await self._api()
        entities = [LOCAL_TO_INTUIT[t] for t in sorted(TIERS, key=TIERS.get) if prefs.entity_enabled(t)]
        return await self.sweeper.run(api, entities, self._applier(api, prefs, run_id), on_progress=on_progress)

    def _applier(self, api: QuickBooksClient, prefs: InboundPreferences, run_id: int | None) -> InboundApplier:
        return InboundApplier(self._db, api, policy=prefs.conflict_policy, enabled=prefs.entity_enabled,
                              run_id=run_id, now=self._now)
