"""/metrics: Prometheus' text format, from what the engine records and what this process counts.

Runs, records per entity and run durations are read from the SyncRun rows the engine writes (their per-entity
counts), never kept as separate bookkeeping. Each scrape reads only the runs it has not folded in yet: finished
runs are folded into cumulative totals in id order up to the first one still running, so a scrape costs a few
indexed queries whatever the history's length, and the counters only grow while the process lives (a restart
reads the history once; pruned runs leave the totals as a counter reset, which Prometheus handles). Webhook events
are folded the same way (received by id, processed by processed_at). Lease, pending webhooks and scheduler jobs are
gauges read as they are.
"""
from __future__ import annotations

import asyncio
import copy
import json
from collections import Counter as Tally
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from sqlalchemy import func, select

from ..models import RunStatus, SyncRun, WebhookEvent
from ..models.records import utcnow
from .live_metrics import SCHEDULER_EVENTS, LiveMetrics

if TYPE_CHECKING:
    from ..services import Services

__all__ = ['AppMetrics', 'RUN_BUCKETS', 'LAG_BUCKETS', 'CONTENT_TYPE']

CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'
RUN_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)
LAG_BUCKETS = (1.0, 5.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 86400.0)
RECORD_RESULTS = ('created', 'updated', 'linked', 'failed', 'skipped')


class _Histogram:
    def __init__(self, buckets: tuple[float, ...]) -> None:
        self.buckets, self.counts, self.total, self.count = buckets, [0] * len(buckets), 0.0, 0

    def observe(self, value: float) -> None:
        self.total, self.count = self.total + value, self.count + 1
        for n, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[n] += 1

    def family_rows(self) -> tuple[list[tuple[str, float]], float]:
        return [*((str(b), float(c)) for b, c in zip(self.buckets, self.counts, strict=True)),
                ('+Inf', float(self.count))], self.total


@dataclass
class _Folded:
    """Cumulative figures of everything folded so far."""
    runs: Tally = field(default_factory=Tally)  # (trigger, outcome) -> runs
    records: Tally = field(default_factory=Tally)  # (entity, result) -> records
    durations: dict[str, _Histogram] = field(default_factory=dict)  # trigger -> histogram
    last_success: float = 0.0
    run_upto: int = 0  # runs with id <= this are folded
    received: int = 0
    received_upto: int = 0
    processed: Tally = field(default_factory=Tally)  # outcome -> events
    processed_after: datetime | None = None
    lag: _Histogram = field(default_factory=lambda: _Histogram(LAG_BUCKETS))

    def add_run(self, row: Any) -> None:
        self.runs[(row.trigger, row.status)] += 1
        for entity, counts in _entity_counts(row.entity_counts).items():
            for result in RECORD_RESULTS:
                self.records[(entity, result)] += int(counts.get(result, 0) or 0)
        if row.finished_at is not None:
            seconds = max((row.finished_at - row.started_at).total_seconds(), 0.0)
            self.durations.setdefault(row.trigger, _Histogram(RUN_BUCKETS)).observe(seconds)
            if row.status == RunStatus.SUCCEEDED:
                self.last_success = max(self.last_success, row.finished_at.timestamp())


class AppMetrics:
    """One per app: the live counters plus the database-derived families, rendered on demand."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.live = LiveMetrics(self.registry)
        self._folded = _Folded()
        self._view = _Folded()  # what the last refresh saw (folded + finished runs behind a running one)
        self._gauges: list[Metric] = []
        self._lock = asyncio.Lock()
        self.registry.register(self)  # type: ignore[arg-type]  # a custom collector: collect() below

    def watch_scheduler(self, scheduler: Any) -> None:
        scheduler.add_listener(self.live.observe_job, SCHEDULER_EVENTS)

    async def render(self, services: Services) -> bytes:
        """Refresh from the database, then the whole registry in Prometheus' text format."""
        async with self._lock:
            await self._refresh(services)
        return generate_latest(self.registry)

    async def _refresh(self, services: Services) -> None:
        folded = self._folded
        async with services.db.session() as session:
            runs = (await session.exec(select(SyncRun.id, SyncRun.trigger, SyncRun.status, SyncRun.started_at,
                                              SyncRun.finished_at, SyncRun.entity_counts)
                                       .where(SyncRun.id > folded.run_upto).order_by(SyncRun.id))).all()
            received, newest = (await session.exec(select(func.count(), func.max(WebhookEvent.id)).where(
                WebhookEvent.id > folded.received_upto))).one()
            processed_query = select(WebhookEvent.received_at, WebhookEvent.processed_at, WebhookEvent.error).where(
                WebhookEvent.processed_at.is_not(None))  # type: ignore[union-attr]
            if folded.processed_after is not None:
                processed_query = processed_query.where(WebhookEvent.processed_at > folded.processed_after)
            processed = (await session.exec(processed_query)).all()
            pending, oldest = (await session.exec(select(func.count(), func.min(WebhookEvent.received_at)).where(
                WebhookEvent.processed_at.is_(None)))).one()  # type: ignore[union-attr]
        blocked = False
        view_runs: list[Any] = []
        for row in runs:
            blocked = blocked or row.status == RunStatus.RUNNING
            if blocked:  # not folded yet: it may still finish, and the ones after it must wait for it
                view_runs.append(row)
            else:
                folded.add_run(row)
                folded.run_upto = row.id
        folded.received += received
        folded.received_upto = max(folded.received_upto, newest or 0)
        for received_at, processed_at, error in processed:
            folded.processed['failed' if error else 'processed'] += 1
            folded.lag.observe(max((processed_at - received_at).total_seconds(), 0.0))
            folded.processed_after = max(folded.processed_after or processed_at, processed_at)
        view = copy.deepcopy(folded)
        for row in view_runs:
            if row.status != RunStatus.RUNNING:
                view.add_run(row)
        self._view = view
        self._gauges = await self._read_gauges(services, pending, oldest)

    async def _read_gauges(self, services: Services, pending: int, oldest: datetime | None) -> list[Metric]:
        now = utcnow()
        webhooks = GaugeMetricFamily('qbsync_webhook_events_pending', 'Webhook events received, not yet processed')
        webhooks.add_metric([], pending)
        age = GaugeMetricFamily('qbsync_webhook_oldest_pending_age_seconds',
                                'Age of the oldest unprocessed webhook event (0 when none)')
        age.add_metric([], max((now - oldest).total_seconds(), 0.0) if oldest else 0.0)
        inbox = getattr(services, 'webhooks', None)
        unstored = GaugeMetricFamily('qbsync_webhook_deliveries_unstored',
                                     'Webhook deliveries acknowledged and kept in the journal, not yet in the database '
                                     '(grows only while the database refuses writes)')
        unstored.add_metric([], inbox.unstored if inbox is not None else 0)
        running = GaugeMetricFamily('qbsync_sync_running', '1 while a sync run holds the lease (any process)')
        runner = getattr(services, 'runner', None)
        running.add_metric([], 1.0 if runner is not None and await runner.is_running() else 0.0)
        scheduler = getattr(services, 'scheduler', None)
        up = GaugeMetricFamily('qbsync_scheduler_running', '1 while the job scheduler runs')
        up.add_metric([], 1.0 if scheduler is not None and scheduler.running else 0.0)
        jobs = GaugeMetricFamily('qbsync_scheduler_job_next_run_timestamp_seconds',
                                 'When each scheduled job runs next (0 = paused)', labels=['job'])
        for job in scheduler.scheduled_jobs() if scheduler is not None else []:
            jobs.add_metric([job.id], job.next_run_at.timestamp() if job.next_run_at else 0.0)
        return [webhooks, age, unstored, running, up, jobs]

    def collect(self) -> Iterator[Metric]:
        """prometheus_client's collector protocol: the families of the last refresh."""
        view = self._view
        runs = CounterMetricFamily('qbsync_sync_runs', 'Finished sync runs by trigger and outcome',
                                   labels=['trigger', 'outcome'])
        for (trigger, outcome), count in sorted(view.runs.items()):
            if outcome != RunStatus.RUNNING:
                runs.add_metric([trigger, outcome], count)
        yield runs
        records = CounterMetricFamily('qbsync_sync_records', 'Records handled by sync runs, per entity and result',
                                      labels=['entity', 'result'])
        for (entity, result), count in sorted(view.records.items()):
            records.add_metric([entity, result], count)
        yield records
        duration = HistogramMetricFamily('qbsync_sync_run_duration_seconds', 'Sync run duration by trigger',
                                         labels=['trigger'])
        for trigger, histogram in sorted(view.durations.items()):
            duration.add_metric([trigger], *histogram.family_rows())
        yield duration
        success = GaugeMetricFamily('qbsync_sync_last_success_timestamp_seconds',
                                    'When the last fully successful run finished (0 = never)')
        success.add_metric([], view.last_success)
        yield success
        received = CounterMetricFamily('qbsync_webhook_events_received', 'Webhook events stored (new changes)')
        received.add_metric([], view.received)
        yield received
        processed = CounterMetricFamily('qbsync_webhook_events_processed', 'Webhook events processed by outcome',
                                        labels=['outcome'])
        for outcome in ('processed', 'failed'):
            processed.add_metric([outcome], view.processed[outcome])
        yield processed
        lag = HistogramMetricFamily('qbsync_webhook_processing_lag_seconds',
                                    'Time from receiving a webhook event to processing it')
        lag.add_metric([], *view.lag.family_rows())
        yield lag
        yield from self._gauges


def _entity_counts(raw: str | None) -> dict[str, dict[str, Any]]:
    try:
        value = json.loads(raw or '{}')
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
