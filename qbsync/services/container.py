"""Composition root: builds every service once and owns their start and stop.

`app.py` creates one Services and hands it to the pages and routes; tests reach it through
``app.state.services`` (NiceGUI re-runs app.py per test, so it must never be imported).
"""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from functools import partial
from typing import Any

import httpx

from ..db import Database
from ..operations.backup import BACKUP_INTERVAL, BACKUP_JOB, run_daily_backup
from ..operations.live_metrics import MeteredTransport, network_transport
from ..operations.metrics import AppMetrics
from ..security import PasswordHasher, TokenCipher
from ..settings import Settings
from ..sync.runner import SyncRunner
from ..sync.scheduler import KEEPALIVE_INTERVAL, KEEPALIVE_JOB, SyncScheduler
from .bootstrap import BootstrapReport, bootstrap_database
from .account_mapping import AccountMappingService
from .connection import ConnectionService
from .record_removal import RecordRemoval
from .records import RecordService
from .sync_control import SyncControl
from .sessions import SessionRules
from .region import RegionService
from .sync_settings import SyncSettingsService
from .users import UserService
from .webhook_inbox import PRUNE_INTERVAL, PRUNE_JOB, WebhookInbox

__all__ = ['Services']

log = logging.getLogger(__name__)


class Services:
    def __init__(self, settings: Settings, *, http_transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        # how QuickBooks calls travel: the network, or in-process to the embedded sandbox (same wire format)
        self.http_transport = http_transport
        self.started = False
        self.password_hasher = PasswordHasher()
        self.bootstrap_report: BootstrapReport | None = None
        self.sessions = SessionRules(idle=timedelta(minutes=settings.session_idle_minutes),
                                     lifetime=timedelta(hours=settings.session_max_hours))
        self.metrics = AppMetrics()  # /metrics; QuickBooks traffic is counted on the transport below

    def start(self) -> None:
        """Synchronous on purpose: NiceGUI does not await async startup handlers before the first request."""
        # migrations, owner from the environment, demo data: on a sync engine, finished before anything is served
        self.bootstrap_report = bootstrap_database(self.settings, hasher=self.password_hasher)
        self.db = Database(self.settings.database_url)  # the async engine, made on the loop that will use it
        self.cipher = TokenCipher(self.settings.token_encryption_keys)
        self.users = UserService(self.db, hasher=self.password_hasher)
        self.records = RecordService(self.db)
        self.record_removal = RecordRemoval(self.db, self.records)  # delete, void or make inactive
        self.quickbooks_transport = MeteredTransport(self.http_transport or network_transport(), self.metrics.live)
        self.connection = ConnectionService(self.settings, self.db, self.cipher, transport=self.quickbooks_transport)
        self.webhooks = WebhookInbox(self.db)
        self.scheduler = SyncScheduler()  # started here, inside the running loop (stack-notes gotcha 9)
        self.metrics.watch_scheduler(self.scheduler)
        self.scheduler.add_interval_job(KEEPALIVE_JOB, self.connection.refresh_idle_connections, KEEPALIVE_INTERVAL,
                                        name='QuickBooks token keep-alive')
        self.scheduler.add_interval_job(PRUNE_JOB, self.webhooks.prune, PRUNE_INTERVAL, name='Webhook inbox pruning')
        if self.settings.backup_keep > 0:
            self.scheduler.add_interval_job(BACKUP_JOB, partial(run_daily_backup, self.settings), BACKUP_INTERVAL,
                                            name='daily backup')
        self.scheduler.start()
        self.sync_settings = SyncSettingsService(self.db, scheduler=self.scheduler,
                                                 default_interval_minutes=self.settings.sync_interval_minutes)
        self.account_mapping = AccountMappingService(self.db, self.connection)
        self.runner = SyncRunner(self.db, self.connection.api)  # the sync engine; passes register on it
        self.sync = SyncControl(self.runner, self.settings.environment)
        self.region = RegionService(self.db)  # locale, time zone and currency of every page
        self.started = True

    async def stop(self) -> None:
        self.started = False
        scheduler = getattr(self, 'scheduler', None)
        if scheduler is not None:
            scheduler.shutdown()
            await asyncio.sleep(0)  # APScheduler defers its shutdown to the next loop iteration
        webhooks = getattr(self, 'webhooks', None)
        if webhooks is not None:
            await webhooks.drain()  # changes already acknowledged to Intuit are stored before the database closes
        connection = getattr(self, 'connection', None)
        if connection is not None:
            await connection.aclose()
            await self.quickbooks_transport.close_inner()
        db = getattr(self, 'db', None)
        if db is not None:
            await db.dispose()

    async def health(self) -> dict[str, Any]:
        """What /healthz returns: 'ok' when the database answers and the scheduler (when there is one) runs."""
        db = getattr(self, 'db', None)
        database: dict[str, Any] = await db.ping() if db is not None else {'ok': False, 'error': 'not started'}
        scheduler = getattr(self, 'scheduler', None)
        if scheduler is None:
            scheduler_report: dict[str, Any] = {'running': False, 'configured': False}
        else:
            scheduler_report = {'running': bool(scheduler.running), 'configured': True,
                                'jobs': scheduler.jobs() if hasattr(scheduler, 'jobs') else []}
        healthy = database['ok'] and (scheduler is None or scheduler_report['running'])
        return {'status': 'ok' if healthy else 'degraded', 'database': database, 'scheduler': scheduler_report}
