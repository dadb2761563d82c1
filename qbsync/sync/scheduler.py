"""Background jobs on APScheduler's AsyncIOScheduler: the token keep-alive now, automatic sync later.

Jobs are coroutine functions (never lambdas: stack-notes gotcha 8) registered by id, so adding a job is one call to
``add_interval_job``; the scheduler must be started inside the running event loop (gotcha 9).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

__all__ = ['SyncScheduler', 'ScheduledJob', 'KEEPALIVE_JOB', 'KEEPALIVE_INTERVAL']

log = logging.getLogger(__name__)

KEEPALIVE_JOB = 'token-keepalive'
KEEPALIVE_INTERVAL = timedelta(hours=1)  # how often idle connections are looked at (each is refreshed after 24 h)


@dataclass(frozen=True)
class ScheduledJob:
    id: str
    name: str
    next_run_at: datetime | None  # None = paused
    interval_seconds: float

    def as_json(self) -> dict[str, Any]:
        return {'id': self.id, 'name': self.name, 'interval_seconds': self.interval_seconds,
                'next_run_at': self.next_run_at.isoformat() if self.next_run_at else None}


class SyncScheduler:
    def __init__(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone=timezone.utc, job_defaults={
            'coalesce': True,  # missed runs (sleeping laptop) collapse into one
            'max_instances': 1,  # an overlapping run is skipped, never doubled
            'misfire_grace_time': 300,
        })

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    def add_interval_job(self, job_id: str, func: Callable[[], Awaitable[Any]], interval: timedelta, *,
                         name: str = '', enabled: bool = True) -> None:
        """Add or replace job ``job_id``, run every ``interval``; ``enabled=False`` adds it paused."""
        if interval <= timedelta(0):
            raise ValueError('a job interval must be positive')
        options: dict[str, Any] = {} if enabled else {'next_run_time': None}
        self._scheduler.add_job(func, 'interval', seconds=interval.total_seconds(), id=job_id, name=name or job_id,
                                replace_existing=True, **options)

    def remove_job(self, job_id: str) -> None:
        if self._scheduler.get_job(job_id) is not None:
            self._scheduler.remove_job(job_id)

    def run_now(self, job_id: str) -> None:
        """Run a job at the next loop iteration, keeping its interval afterwards."""
        self._scheduler.modify_job(job_id, next_run_time=datetime.now(timezone.utc))

    def jobs(self) -> list[dict[str, Any]]:
        """JSON-ready descriptions for /healthz; ``scheduled_jobs()`` gives the typed ones."""
        return [job.as_json() for job in self.scheduled_jobs()]

    def scheduled_jobs(self) -> list[ScheduledJob]:
        return [ScheduledJob(id=job.id, name=job.name, next_run_at=getattr(job, 'next_run_time', None),
                             interval_seconds=job.trigger.interval.total_seconds())
                for job in self._scheduler.get_jobs()]

    def start(self) -> None:
        """Start inside the running event loop (a sync startup handler is fine)."""
        if not self._scheduler.running:
            self._scheduler.start()

    def shutdown(self) -> None:
        """Deferred by APScheduler to the next loop iteration; in-flight coroutine jobs are cancelled."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def add_listener(self, callback: Callable[[Any], None], mask: int) -> None:
        """APScheduler's job events (executed, error, missed) for whoever counts them (/metrics)."""
        self._scheduler.add_listener(callback, mask)
