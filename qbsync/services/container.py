"""Composition root: builds every service once and owns their start and stop.

`app.py` creates one Services and hands it to the pages and routes; tests reach it through
``app.state.services`` (NiceGUI re-runs app.py per test, so it must never be imported).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import httpx

from ..db import Database
from ..mail import Mailer
from ..operations.backup import BACKUP_INTERVAL, BACKUP_JOB, run_daily_backup
from ..operations.live_metrics import MeteredTransport, network_transport
from ..operations.metrics import AppMetrics
from ..security import PasswordHasher, TokenCipher
from ..settings import Settings
from ..sync.outbound import OutboundPass
from ..sync.progress import RunProgress
from ..sync.runner import SyncRunner
from ..sync.scheduler import (KEEPALIVE_INTERVAL, KEEPALIVE_JOB, NOTIFY_INTERVAL, NOTIFY_JOB, REPORTS_INTERVAL,
                              REPORTS_JOB, RETENTION_INTERVAL, RETENTION_JOB, SyncScheduler)
from .bootstrap import BootstrapReport, bootstrap_database
from .account_mapping import AccountMappingService
from .account_overrides import AccountOverridesService
from .auto_sync import AutoSync
from .connection import ConnectionService
from .field_mapping import FieldMappingService
from .inbound import InboundServices
from .notifications import NotificationService
from .record_preview import RecordPreviewService
from .record_removal import RecordRemoval
from .records import RecordService
from .sync_control import SyncControl
from .reports import ReportService
from .sessions import SessionRules
from .region import RegionService
from .sync_log import SyncLogService
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
        self.record_path: Callable[[str, int], str] | None = None  # how the pages address a record (pages set it)

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
        self.webhooks = WebhookInbox(self.db, self.settings.data_dir / 'webhooks', on_stored=self._inbound_notice)
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
        self.field_mapping = FieldMappingService(self.db, self.connection)
        self.account_overrides = AccountOverridesService(self.db, self.connection, self.account_mapping)
        outbound = OutboundPass()  # one rate limiter for the runs and the previews: Intuit counts both
        self.runner = SyncRunner(self.db, self.connection.api, outbound=outbound)  # passes register on it
        self.record_preview = RecordPreviewService(self.db, self.connection, outbound=outbound)
        self.inbound = InboundServices(self.db, self.connection, self.sync_settings, self.runner)
        self.conflicts = self.inbound.conflicts
        self.inbound.worker.start()  # in the running loop, like the scheduler
        self.sync = SyncControl(self.runner, self.settings.environment)
        self.region = RegionService(self.db)  # locale, time zone and currency of every page
        self.auto_sync = AutoSync(self.db, self.sync_settings, self.runner, self.scheduler, self.connection)
        self.scheduler.bind_auto_sync(self.auto_sync.run)
        self.records.on_saved = self.auto_sync.record_saved
        if self.bootstrap_report.sync_preferences is not None:  # automatic sync as saved, without a visit to Settings
            self.sync_settings.apply_to_scheduler(self.bootstrap_report.sync_preferences)
        self._start_watchers()
        self.webhooks.start()  # deliveries acknowledged before a crash or stop, still in the journal, are stored now
        self.started = True

    def _inbound_notice(self) -> None:
        inbound = getattr(self, 'inbound', None)
        if inbound is not None:
            inbound.notify()

    def _start_watchers(self) -> None:
        """The Sync Log, notifications and reports, and their jobs (issue 9)."""
        self.mailer = Mailer(self.settings.smtp)
        self.sync_log = SyncLogService(self.db, self.connection, self.sync_settings, self.runner,
                                       export_dir=self.settings.data_dir / 'exports')
        self.notifications = NotificationService(self.db, self.mailer, public_url=self.settings.public_url)
        self.reports = ReportService(self.db, self.mailer, public_url=self.settings.public_url)
        if self.record_path is not None:
            self.reports.link_records(self.record_path)
        self.scheduler.add_interval_job(NOTIFY_JOB, self.notifications.run, NOTIFY_INTERVAL,
                                        name='Problem notifications')
        self.scheduler.add_interval_job(RETENTION_JOB, self.sync_log.prune_by_settings, RETENTION_INTERVAL,
                                        name='Sync Log retention')
        self.scheduler.add_interval_job(REPORTS_JOB, self.reports.send_due, REPORTS_INTERVAL, name='Sync reports')
        self.scheduler.run_now(REPORTS_JOB)  # a period that ended while the app was down goes out now
        self.runner.progress.subscribe(self._after_run)

    def _after_run(self, progress: RunProgress) -> None:
        """A run of this process ended: look for problems now rather than at the next notification tick."""
        if progress.finished and self.scheduler.running:
            self.scheduler.run_now(NOTIFY_JOB)

    async def stop(self) -> None:
        self.started = False
        runner = getattr(self, 'runner', None)
        if runner is not None:
            runner.cancel()  # a run of this process stops after the batch in flight and records itself interrupted
        inbound = getattr(self, 'inbound', None)
        if inbound is not None:
            await inbound.worker.stop()
        scheduler = getattr(self, 'scheduler', None)
        if scheduler is not None:
            await scheduler.aclose()  # jobs in flight finish (or are cancelled) before the database closes
        webhooks = getattr(self, 'webhooks', None)
        if webhooks is not None:
            await webhooks.close()  # what Intuit was told we have is stored, or stays in the journal for next start
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
