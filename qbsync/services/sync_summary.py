"""The last sync, its result and the next scheduled run, for the home page and anything else that sums up syncing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..db import Database
from ..sync.scheduler import KEEPALIVE_JOB
from ..sync.stats import DashboardStats, dashboard_stats
from .sync_settings import SyncPreferences

__all__ = ['SyncSummary', 'sync_summary']


@dataclass(frozen=True)
class SyncSummary:
    stats: DashboardStats
    auto_sync_enabled: bool
    interval_minutes: int
    next_run_at: datetime | None  # the scheduler's next automatic run, when one is scheduled

    @property
    def last_run_at(self) -> datetime | None:
        return self.stats.last_run_at

    @property
    def last_run_status(self) -> str:
        return self.stats.last_run_status


async def sync_summary(db: Database, prefs: SyncPreferences, scheduler: Any = None) -> SyncSummary:
    """Figures from the database; the next run from the scheduler's jobs (any but the token keep-alive)."""
    async with db.session() as session:
        stats = await dashboard_stats(session)
    upcoming = [job.next_run_at for job in (scheduler.scheduled_jobs() if scheduler is not None else [])
                if job.id != KEEPALIVE_JOB and job.next_run_at is not None]
    return SyncSummary(stats, prefs.auto_sync_enabled, prefs.interval_minutes,
                       min(upcoming) if upcoming and prefs.auto_sync_enabled else None)
