"""Background jobs on APScheduler's AsyncIOScheduler: the token keep-alive, automatic sync and its debounced push.

Jobs are coroutine functions (never lambdas: stack-notes gotcha 8) registered by id, so adding a job is one call to
``add_interval_job``; the scheduler must be started inside the running event loop (gotcha 9).

Automatic sync is two jobs calling the one coroutine bound with ``bind_auto_sync``: the interval job
(``configure_auto_sync``, which Sync Settings calls on save and the app calls at start-up) and a one-off push
(``request_push``) a short delay after a record is saved in the app, so a change goes out within a minute without
waiting for the interval. Saving many records in that delay still makes one push. Overlap with runs started
elsewhere (the dashboard, the shell) is the runner's lease to refuse; ``max_instances=1`` keeps a job from
doubling itself.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

__all__ = ['SyncScheduler', 'ScheduledJob', 'KEEPALIVE_JOB', 'KEEPALIVE_INTERVAL', 'AUTO_SYNC_JOB', 'PUSH_JOB',
           'PUSH_DELAY', 'AutoSyncJob', 'NOTIFY_JOB', 'NOTIFY_INTERVAL', 'REPORTS_JOB', 'REPORTS_INTERVAL',
           'RETENTION_JOB', 'RETENTION_INTERVAL']

log = logging.getLogger(__name__)

KEEPALIVE_JOB = 'token-keepalive'
KEEPALIVE_INTERVAL = timedelta(hours=1)  # how often idle connections are looked at (each is refreshed after 24 h)
AUTO_SYNC_JOB = 'auto-sync'
PUSH_JOB = 'auto-sync-push'
PUSH_DELAY = timedelta(seconds=30)  # a saved record goes out within this (plus the run's own time)
NOTIFY_JOB = 'notifications'
NOTIFY_INTERVAL = timedelta(minutes=5)  # problems are also looked at after every run
REPORTS_JOB = 'sync-reports'
REPORTS_INTERVAL = timedelta(hours=1)  # a period's report goes out within the hour after it ends
RETENTION_JOB = 'log-retention'
RETENTION_INTERVAL = timedelta(days=1)
AutoSyncJob = Callable[[str], Awaitable[Any]]  # called with the trigger: 'scheduled' or 'push'


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
    def __init__(self, *, push_delay: timedelta = PUSH_DELAY) -> None:
        self._auto_sync: AutoSyncJob | None = None
        self._interval: timedelta | None = None  # the automatic-sync interval while it is on
        self._push_delay = push_delay
        self._running: set[asyncio.Task[Any]] = set()  # jobs in flight, for a clean ``aclose``
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
        self._scheduler.add_job(self._tracked(func), 'interval', seconds=interval.total_seconds(), id=job_id,
                                name=name or job_id, replace_existing=True, **options)

    @property
    def auto_sync_enabled(self) -> bool:
        return self._interval is not None

    def bind_auto_sync(self, job: AutoSyncJob) -> None:
        """The coroutine both automatic jobs call; a switch-on made before it was bound takes effect now."""
        self._auto_sync = job
        if self._interval is not None:
            self._schedule_interval()

    def configure_auto_sync(self, *, enabled: bool, interval_minutes: int) -> None:
        """Switch automatic sync on (every ``interval_minutes``) or off, at once.

        Saving settings that leave the interval as it was keeps the next run time; a new interval starts counting
        now. Switching off also drops a push that was waiting.
        """
        if not enabled:
            self._interval = None
            self.remove_job(AUTO_SYNC_JOB)
            self.remove_job(PUSH_JOB)
            return
        interval = timedelta(minutes=interval_minutes)
        if interval == self._interval and self._scheduler.get_job(AUTO_SYNC_JOB) is not None:
            return
        self._interval = interval
        if self._auto_sync is not None:
            self._schedule_interval()

    def _schedule_interval(self) -> None:
        assert self._interval is not None
        self.add_interval_job(AUTO_SYNC_JOB, partial(self._run_auto_sync, 'scheduled'), self._interval,
                              name='Automatic sync')

    def request_push(self) -> datetime | None:
        """A record was saved in the app: send it soon. Returns when the push (or an earlier run) will start.

        Debounced: a push already waiting is kept (so a burst of saves makes one run, and the first save is never
        delayed past the push delay); when the interval job comes sooner, that run carries the change. Nothing is
        scheduled while automatic sync is off (None).
        """
        if self._interval is None or self._auto_sync is None:
            return None
        waiting = self._scheduler.get_job(PUSH_JOB)
        if waiting is not None and waiting.next_run_time is not None:
            return waiting.next_run_time
        when = datetime.now(timezone.utc) + self._push_delay
        interval_job = self._scheduler.get_job(AUTO_SYNC_JOB)
        if interval_job is not None and interval_job.next_run_time is not None and interval_job.next_run_time <= when:
            return interval_job.next_run_time
        self._scheduler.add_job(self._tracked(partial(self._run_auto_sync, 'push')), 'date', run_date=when, id=PUSH_JOB,
                                name='Send saved changes', replace_existing=True)
        return when

    async def _run_auto_sync(self, trigger: str) -> None:
        """A coroutine method, so APScheduler runs it on the loop whatever callable was bound (gotcha 8)."""
        if self._auto_sync is not None:
            await self._auto_sync(trigger)

    def next_run_at(self, job_id: str = AUTO_SYNC_JOB) -> datetime | None:
        """When ``job_id`` runs next (None when it is not scheduled)."""
        job = self._scheduler.get_job(job_id)
        return getattr(job, 'next_run_time', None) if job is not None else None

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
                             interval_seconds=_interval_seconds(job.trigger))
                for job in self._scheduler.get_jobs()]

    def start(self) -> None:
        """Start inside the running event loop (a sync startup handler is fine)."""
        if not self._scheduler.running:
            self._scheduler.start()

    async def aclose(self, timeout: float = 10.0) -> None:
        """Stop cleanly: no new job starts, jobs in flight get ``timeout`` seconds to finish, the rest are cancelled
        (a sync run records itself as interrupted), then the scheduler shuts down."""
        if self._scheduler.running:
            self._scheduler.pause()
        if self._running:
            _, late = await asyncio.wait(set(self._running), timeout=timeout)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        self.shutdown()
        await asyncio.sleep(0)  # APScheduler stops at the next loop iteration

    def _tracked(self, func: Callable[[], Awaitable[Any]]) -> Callable[[], Awaitable[None]]:
        """``func`` as a job that ``aclose`` can wait for, and whose cancellation at shutdown is not an error."""
        async def job() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
            try:
                await func()
            except asyncio.CancelledError:
                log.info('a background job was stopped by the shutdown')
            finally:
                if task is not None:
                    self._running.discard(task)
        return job

    def shutdown(self) -> None:
        """Deferred by APScheduler to the next loop iteration; in-flight coroutine jobs are cancelled."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def add_listener(self, callback: Callable[[Any], None], mask: int) -> None:
        """APScheduler's job events (executed, error, missed) for whoever counts them (/metrics)."""
        self._scheduler.add_listener(callback, mask)


def _interval_seconds(trigger: Any) -> float:
    """An interval job's period; 0 for a one-off (date) job such as the push."""
    interval = getattr(trigger, 'interval', None)
    return interval.total_seconds() if interval is not None else 0.0
