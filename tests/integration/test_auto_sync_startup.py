"""The app's composition: saved automatic-sync settings are scheduled at start-up, jobs are listed, shutdown stops
them; a record saved through the app's RecordService asks for a push."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from qbsync.models import Role, User
from qbsync.services import Services
from qbsync.services.record_inputs import CustomerInput
from qbsync.services.sync_settings import SyncPreferences
from qbsync.settings import load_settings
from qbsync.sync.scheduler import AUTO_SYNC_JOB, PUSH_JOB

ADMIN = User(id=1, email='admin@example.com', password_hash='-', role=Role.ADMIN)


def _about(moment: datetime | None, delta: timedelta) -> bool:
    return moment is not None and abs((moment - datetime.now(timezone.utc) - delta).total_seconds()) < 10


async def test_saved_settings_are_applied_at_start_up_and_jobs_stop_on_shutdown() -> None:
    settings = load_settings()
    services = Services(settings)
    services.start()
    try:
        assert services.scheduler.next_run_at() is None
        jobs = {job['id'] for job in (await services.health())['scheduler']['jobs']}
        assert {'token-keepalive', 'notifications', 'log-retention', 'sync-reports'} <= jobs
        await services.sync_settings.save(SyncPreferences(auto_sync_enabled=True, interval_minutes=30), acting=ADMIN)
        assert _about(services.scheduler.next_run_at(), timedelta(minutes=30))  # at once, no restart
        await services.records.create(CustomerInput(display_name='Pushed Customer'))
        assert _about(services.scheduler.next_run_at(PUSH_JOB), timedelta(seconds=30))
    finally:
        await services.stop()
    assert not services.scheduler.running

    restarted = Services(settings)
    restarted.start()
    try:
        assert _about(restarted.scheduler.next_run_at(AUTO_SYNC_JOB), timedelta(minutes=30))
        await restarted.sync_settings.save(SyncPreferences(auto_sync_enabled=False), acting=ADMIN)
        assert restarted.scheduler.next_run_at() is None
    finally:
        await restarted.stop()
        await asyncio.sleep(0)
