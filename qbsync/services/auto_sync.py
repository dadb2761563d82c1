"""What the automatic jobs do: run outbound, then inbound when it is on, never alongside another run.

The scheduler calls ``run`` with the trigger ('scheduled' for the interval, 'push' a moment after a record was
saved). Whether a run may start is the runner's lease, shared by the dashboard, the scheduler and the shell: when
one is going, this job is skipped and the Sync Log says so; a skipped push asks for another one, so the saved
record still goes out within the minute. Settings are read each time, so a change applies to the next run.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone

from ..db import Database
from ..models import SyncLogEntry
from ..quickbooks.errors import NotConnectedError, ReconnectRequired
from ..sync.runner import RunBusy, RunSummary, SyncRunner
from ..sync.scheduler import SyncScheduler
from .connection import ConnectionService
from .sync_settings import SyncSettingsService

__all__ = ['AutoSync']

log = logging.getLogger(__name__)


class AutoSync:
    def __init__(self, db: Database, settings: SyncSettingsService, runner: SyncRunner, scheduler: SyncScheduler,
                 connection: ConnectionService, *, now: Callable[[], datetime] | None = None) -> None:
        self._db = db
        self._settings = settings
        self._runner = runner
        self._scheduler = scheduler
        self._connection = connection
        self._now = now or (lambda: datetime.now(timezone.utc))

    def record_saved(self, entity_type: str, record_id: int) -> None:
        """RecordService's hook: a record changed in the app, so push soon (when automatic sync is on)."""
        self._scheduler.request_push()

    async def run(self, trigger: str) -> RunSummary | None:
        """One automatic run; None when it was skipped (off, not connected, or another run is going)."""
        prefs = await self._settings.load()
        if not prefs.auto_sync_enabled:
            return None
        direction = 'both' if prefs.inbound_enabled and self._runner.has_pass('inbound') else 'outbound'
        try:
            return await self._runner.run(trigger=trigger, direction=direction)
        except RunBusy as busy:
            await self._note(f'Automatic sync skipped: a run is going. {busy}')
            if trigger == 'push':
                self._scheduler.request_push()  # the saved record is not forgotten: try again shortly
        except ReconnectRequired:
            await self._note('Automatic sync skipped: QuickBooks needs to be reconnected (Overview tab).')
        except NotConnectedError:
            log.info('automatic sync skipped: no QuickBooks company is connected')
        return None

    async def _note(self, message: str) -> None:
        view = await self._connection.current()
        async with self._db.session() as session:
            session.add(SyncLogEntry(realm_id=view.realm_id if view else '', at=self._now(), level='warning',
                                     action='skip', status='skipped', message=message[:2000]))
            await session.commit()
