"""Runs: one at a time across processes (the lease), recorded as a SyncRun, executed by registered passes.

Everything that starts a sync (the dashboard, the scheduler, a webhook, ``qbsync sync``) calls ``SyncRunner.run``;
the runner takes the lease, records the run, hands each pass a RunContext, keeps the lease alive with heartbeats,
and writes the outcome (counts per entity, a one-line message) whatever happened: a lost connection stops the
run cleanly with a reconnect hint, a cancel or a lost lease marks it interrupted, anything else marks it failed.
The engine reaches QuickBooks through an injected client factory, so it stays below ``qbsync.services``.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from ..db import Database
from ..models import RunStatus, SyncLogEntry, SyncRun, SyncSettings
from ..models.records import utcnow
from ..logs import bind_log_context, reset_log_context
from ..quickbooks.client import QuickBooksClient
from ..quickbooks.errors import AuthorizationError, ReconnectRequired
from .context import RunCancelled, RunContext, RunSummary, RunTally, SyncPass, summary_message
from .entities import ENTITY_NAMES, entity
from .lease import LEASE_TTL, RunBusy, RunLease, describe_holder
from .duplicates import preview_links
from .outbound import OutboundPass
from .plan import Plan, build_plan
from .progress import ProgressBus, RateMeter
from .references import direct_call

__all__ = ['SyncRunner', 'RunBusy', 'RunSummary', 'RunContext', 'SyncPass', 'PassMissing', 'TRIGGERS',
           'DIRECTIONS', 'SETTINGS_ID']

log = logging.getLogger(__name__)

TRIGGERS = ('manual', 'scheduled', 'push', 'cli', 'webhook')
DIRECTIONS = ('outbound', 'inbound', 'both')
SETTINGS_ID = 1  # the single SyncSettings row
RECONNECT_MESSAGE = 'QuickBooks needs to be reconnected: open Overview and choose Reconnect QuickBooks.'

ClientFactory = Callable[[], Awaitable[QuickBooksClient]]


class PassMissing(ValueError):
    """The direction asked for has no pass registered (inbound sync not installed)."""


class SyncRunner:
    def __init__(self, db: Database, client_factory: ClientFactory, *, lease_ttl: timedelta = LEASE_TTL,
                 now: Callable[[], datetime] = utcnow, monotonic: Callable[[], float] = time.monotonic,
                 outbound: SyncPass | None = None) -> None:
        """:param client_factory: the connected company's API client (raises NotConnectedError or
        ReconnectRequired); the app passes ``ConnectionService.api``
        :param outbound: the outbound pass (an OutboundPass with Intuit's limits by default)"""
        self._db = db
        self._client_factory = client_factory
        self._now = now
        self._monotonic = monotonic
        self.lease = RunLease(db, ttl=lease_ttl, now=now)
        self.progress = ProgressBus()
        self._passes: dict[str, SyncPass] = {'outbound': outbound or OutboundPass()}
        self._cancel: asyncio.Event | None = None

    # -- configuration -----------------------------------------------------------------------------------------
    def register_pass(self, direction: str, pass_: SyncPass) -> None:
        if direction not in ('outbound', 'inbound'):
            raise ValueError("a pass is 'outbound' or 'inbound'")
        self._passes[direction] = pass_

    def has_pass(self, direction: str) -> bool:
        return direction in self._passes

    # -- state -------------------------------------------------------------------------------------------------
    async def is_running(self) -> bool:
        """True while anyone (this process or another) holds a live lease."""
        return await self.lease.current() is not None

    def cancel(self) -> bool:
        """Ask this process's current run to stop after the batch in flight; False when none runs here."""
        if self._cancel is None:
            return False
        self._cancel.set()
        return True

    # -- work --------------------------------------------------------------------------------------------------
    async def preview(self, entities: Sequence[str] | None = None) -> Plan:
        """What an outbound run would do now, without sending anything (``--dry-run`` and the dashboard)."""
        names = _checked_entities(entities)
        client = await self._client_factory()
        async with self._db.session() as session:
            settings = await session.get(SyncSettings, SETTINGS_ID)
            plan = await build_plan(session, client.realm_id, settings=settings, entities=names)
        outbound = self._passes['outbound']
        call = outbound.call if isinstance(outbound, OutboundPass) else direct_call
        return await preview_links(self._db, client, call, plan)  # the names QuickBooks already has: links

    async def send_record(self, entity_type: str, local_id: int, *, trigger: str = 'manual') -> RunSummary:
        """Send one record now, with the records it needs that QuickBooks does not have yet."""
        entity(entity_type)
        return await self._run(trigger=trigger, direction='outbound', entities=None, only=(entity_type, local_id))

    async def run(self, *, trigger: str, direction: str = 'outbound',
                  entities: Sequence[str] | None = None) -> RunSummary:
        """One run; raises RunBusy when another holds the lease, PassMissing for a direction not installed,
        NotConnectedError / ReconnectRequired when there is no usable connection to start with."""
        return await self._run(trigger=trigger, direction=direction, entities=_checked_entities(entities))

    async def _run(self, *, trigger: str, direction: str, entities: tuple[str, ...] | None,
                   only: tuple[str, int] | None = None) -> RunSummary:
        if trigger not in TRIGGERS:
            raise ValueError(f'unknown trigger {trigger!r}; expected one of {TRIGGERS}')
        passes = self._passes_for(direction)
        client = await self._client_factory()
        held = await self.lease.acquire(describe_holder(trigger))
        cancel = asyncio.Event()
        self._cancel = cancel
        heartbeat: asyncio.Task[None] | None = None
        log_context = None
        try:
            async with self._db.session() as session:
                settings = await session.get(SyncSettings, SETTINGS_ID) or SyncSettings(id=SETTINGS_ID)
                run = SyncRun(realm_id=client.realm_id, trigger=trigger, direction=direction, started_at=self._now())
                session.add(run)
                await session.commit()
            assert run.id is not None
            log_context = bind_log_context(run_id=run.id, realm_id=client.realm_id)  # on every line of the run
            await self.lease.attach_run(held.token, run.id)
            heartbeat = asyncio.create_task(self._heartbeat(held.token, cancel))
            tally = RunTally()
            meter = RateMeter(run.id, direction, clock=self._monotonic)
            status, error = RunStatus.SUCCEEDED, ''
            try:
                for pass_direction, pass_ in passes:
                    ctx = RunContext(run_id=run.id, realm_id=client.realm_id, trigger=trigger, direction=pass_direction,
                                     entities=entities or ENTITY_NAMES, client=client, db=self._db, settings=settings,
                                     only=only, tally=tally, publish=self.progress.publish, meter=meter,
                                     cancel_event=cancel)
                    await pass_.execute(ctx)
                    ctx.check_cancelled()
            except RunCancelled as stop:
                status, error = RunStatus.INTERRUPTED, str(stop)
            except (ReconnectRequired, AuthorizationError):
                status, error = RunStatus.FAILED, RECONNECT_MESSAGE
            except Exception as unexpected:  # the run is recorded as failed, never left 'running'
                log.exception('sync run %s failed', run.id)
                status, error = RunStatus.FAILED, f'The sync stopped: {unexpected}'[:2000]
            if status == RunStatus.SUCCEEDED and tally.totals().failed:
                status = RunStatus.PARTIAL
            summary = await self._finish(run, tally, status, error)
            await self.progress.publish(meter.measure(entity_type='', done=tally.totals().done, total=tally.total,
                                                      message=summary.message, finished=True))
            return summary
        finally:
            if heartbeat is not None:
                heartbeat.cancel()
                await asyncio.gather(heartbeat, return_exceptions=True)
            self._cancel = None
            await self.lease.release(held.token)
            if log_context is not None:
                reset_log_context(log_context)

    def _passes_for(self, direction: str) -> list[tuple[str, SyncPass]]:
        if direction not in DIRECTIONS:
            raise ValueError(f'unknown direction {direction!r}; expected one of {DIRECTIONS}')
        wanted = ['outbound', 'inbound'] if direction == 'both' else [direction]  # QuickBooks' answer last
        missing = [name for name in wanted if name not in self._passes]
        if missing:
            raise PassMissing(f'{" and ".join(missing).capitalize()} sync is not available in this installation.')
        return [(name, self._passes[name]) for name in wanted]

    async def _heartbeat(self, token: str, cancel: asyncio.Event) -> None:
        interval = self.lease.ttl.total_seconds() / 4
        while True:
            await asyncio.sleep(interval)
            try:
                if not await self.lease.heartbeat(token):
                    log.error('the sync lease was taken over; stopping this run')
                    cancel.set()
                    return
            except Exception:  # a busy database now and then must not kill the run; the next beat retries
                log.warning('sync lease heartbeat failed', exc_info=True)

    async def _finish(self, run: SyncRun, tally: RunTally, status: str, error: str) -> RunSummary:
        totals = tally.totals()
        message = summary_message(totals)
        if error:
            message = f'{message}. {error}'
        finished = self._now()
        async with self._db.session() as session:
            row = await session.get(SyncRun, run.id)
            assert row is not None
            row.status, row.error, row.finished_at, row.message = status, error, finished, message[:500]
            row.total = tally.total
            row.created, row.updated, row.linked = totals.created, totals.updated, totals.linked
            row.failed, row.skipped = totals.failed, totals.skipped
            row.entity_counts = tally.as_json()
            session.add(row)
            session.add(_run_entry(row, finished))  # every run has its line in the Sync Log
            await session.commit()
        assert run.id is not None
        return RunSummary(run_id=run.id, status=status, trigger=run.trigger, direction=run.direction,
                          entities=dict(tally.entities), totals=totals, total=tally.total, message=message,
                          started_at=run.started_at, finished_at=finished, error=error)


def _run_entry(run: SyncRun, at: datetime) -> SyncLogEntry:
    """The Sync Log's line for a finished run: 'Run 12 (manual, outbound) partial: 12 synced, 1 failed, ...'."""
    level = 'info' if run.status == RunStatus.SUCCEEDED else 'warning' if run.status == RunStatus.PARTIAL else 'error'
    return SyncLogEntry(run_id=run.id, realm_id=run.realm_id, at=at, level=level, direction=run.direction,
                        action='run', status=run.status,
                        message=f'Run {run.id} ({run.trigger}, {run.direction}) {run.status}: {run.message}'[:2000])


def _checked_entities(entities: Sequence[str] | None) -> tuple[str, ...] | None:
    if not entities:
        return None
    return tuple(entity(name).name for name in entities)
