"""Inbound sync wired into the app: the runner's inbound pass, the webhook worker and the conflict service.

The webhook inbox wakes the worker when it stores new events; the worker runs webhook-triggered inbound runs
through the runner (one run at a time, with outbound); "Sync from QuickBooks" and the automatic job use the same
pass through ``runner.run(direction='inbound' | 'both')``.
"""
from __future__ import annotations

from functools import partial

from ..db import Database
from ..sync.inbound_sync import InboundPass, InboundSync
from ..sync.runner import SyncRunner
from ..sync.worker import InboundWorker
from .conflicts import ConflictService
from .connection import ConnectionService
from .sync_settings import SyncSettingsService

__all__ = ['InboundServices']


class InboundServices:
    def __init__(self, db: Database, connection: ConnectionService, settings: SyncSettingsService,
                 runner: SyncRunner) -> None:
        self.sync = InboundSync(db, realm=self._realm, api=connection.api, preferences=settings.load)
        self.pass_ = InboundPass(self.sync)
        runner.register_pass('inbound', self.pass_)
        self.worker = InboundWorker(self.sync.queue, partial(self.pass_.run_webhooks, runner))
        self.conflicts = ConflictService(db, api=connection.api, realm=self._realm)
        self._connection = connection

    def notify(self) -> None:
        """New webhook events are stored: the worker processes them soon (never awaited by the webhook route)."""
        self.worker.notify()

    async def _realm(self) -> str | None:
        view = await self._connection.current()
        return view.realm_id if view else None
