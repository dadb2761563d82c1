"""Inbound sync as the app runs it: a webhook pass over stored events, or a CDC sweep, for the connected company.

Reads the connection and the settings through callables handed in by the services (the engine never imports
services): which company is connected, a client for it, and the sync preferences (inbound switch, per-entity
switches, conflict policy).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from sqlmodel import col, select

from ..db import Database
from ..models import EntityLink, SyncSettings
from ..models.records import utcnow
from ..quickbooks.client import QuickBooksClient
from ..quickbooks.errors import NotConnectedError, ReconnectRequired
from ..quickbooks.limits import RateLimiter
from ..quickbooks.retry import RetryPolicy, with_retries
from .cdc_sweep import CdcSweep, SweepReport
from .context import RunContext
from .entities import ENTITIES, by_qbo_name, entity
from .event_queue import EventQueue
from .inbound import InboundApplier
from .inbound_changes import ApplyResult, InboundChange
from .inbound_lists import ListCache
from .lease import RunBusy
from .runner import SyncRunner
from .webhook_pass import PassReport, WebhookPass
from .worker import Busy, Paused

__all__ = ['InboundSync', 'InboundPass', 'InboundPreferences', 'InboundOff', 'SettingsPreferences', 'INBOUND_OFF']

T = TypeVar('T')
INBOUND_OFF = 'Inbound sync is off: switch it on in Sync Settings to receive QuickBooks changes.'


class InboundPreferences(Protocol):
    inbound_enabled: bool
    conflict_policy: str

    def entity_enabled(self, entity_type: str) -> bool: ...


class InboundOff(Exception):
    """Inbound sync is switched off (Sync Settings): nothing is read from QuickBooks."""


class InboundSync:
    def __init__(self, db: Database, *, realm: Callable[[], Awaitable[str | None]],
                 api: Callable[[], Awaitable[QuickBooksClient]],
                 preferences: Callable[[], Awaitable[InboundPreferences]],
                 now: Callable[[], datetime] = utcnow, limiter: RateLimiter | None = None,
                 policy: RetryPolicy | None = None) -> None:
        """:param limiter: Intuit's request limits for this process (its own unless one is shared with outbound)"""
        self.limiter = limiter or RateLimiter()
        self._policy = policy or RetryPolicy()
        self._db = db
        self._realm = realm
        self._api = api
        self._preferences = preferences
        self._now = now
        self.queue = EventQueue(db, now=now)
        self.sweeper = CdcSweep(db, now=now, call=self.call)
        self._lists = ListCache()  # QuickBooks' terms, payment methods and vendors, kept between passes
        self._pass = WebhookPass(db, self.queue, call=self.call)

    async def call(self, function: Callable[[], Awaitable[T]]) -> T:
        """One QuickBooks request under the rate limiter, retried after a 429, a 5xx or a lost answer."""
        return await with_retries(function, limiter=self.limiter, policy=self._policy)

    async def process_events(self, *, run_id: int | None = None) -> PassReport:
        """One pass over the due webhook events (the worker calls this, under the run lease)."""
        prefs = await self._preferences()
        realm_id = await self._realm()

        def skip_reason(entity: str) -> str | None:
            if not prefs.inbound_enabled:
                return 'inbound sync is off'
            spec = by_qbo_name(entity)
            if spec is None:
                return f'{entity} is not synced by the app'
            return None if prefs.entity_enabled(spec.name) else f'{spec.label} are switched off in Sync Settings'

        return await self._pass.run(realm_id=realm_id, synced=skip_reason, client=self._api,
                                    applier=lambda api: self.applier(api, prefs, run_id), run_id=run_id)

    async def catch_up(self, *, run_id: int | None = None,
                       on_progress: Callable[[SweepReport], None] | None = None) -> SweepReport:
        """"Sync from QuickBooks": everything changed since the cursors, by CDC (or queries), then the cursors move."""
        prefs = await self._preferences()
        if not prefs.inbound_enabled:
            raise InboundOff(INBOUND_OFF)
        api = await self._api()
        entities = [s.qbo_name for s in sorted(ENTITIES, key=lambda s: s.tier) if prefs.entity_enabled(s.name)]
        return await self.sweeper.run(api, entities, self.applier(api, prefs, run_id), on_progress=on_progress)

    def applier(self, api: QuickBooksClient, prefs: InboundPreferences, run_id: int | None) -> InboundApplier:
        return InboundApplier(self._db, api, policy=prefs.conflict_policy, enabled=prefs.entity_enabled,
                              run_id=run_id, now=self._now, call=self.call, lists=self._lists)

    async def bring_in_kept_versions(self, api: QuickBooksClient, prefs: InboundPreferences,
                                     run_id: int | None = None) -> ApplyResult:
        """Records whose QuickBooks version won a conflict during an outbound run (``needs_inbound``): read and
        applied now, whether or not CDC still lists them."""
        async with self._db.session() as session:
            links = (await session.exec(select(EntityLink).where(
                EntityLink.realm_id == api.realm_id, EntityLink.needs_inbound == True,  # noqa: E712
                col(EntityLink.qbo_id).is_not(None)))).all()
        result = ApplyResult()
        for spec in ENTITIES:
            ids = [str(link.qbo_id) for link in links if link.entity_type == spec.name]
            if ids and prefs.entity_enabled(spec.name):
                found = await self.call(lambda s=spec, i=ids: api.read_many(s.qbo_name, i))
                changes = [InboundChange(obj) for obj in found]
                result.add(await self.applier(api, prefs, run_id).apply(changes))
        return result


@dataclass(frozen=True)
class SettingsPreferences:
    """The SyncSettings row a run started with, seen as InboundPreferences."""
    settings: SyncSettings

    @property
    def inbound_enabled(self) -> bool:
        return bool(self.settings.inbound_enabled)

    @property
    def conflict_policy(self) -> str:
        return self.settings.conflict_policy

    def entity_enabled(self, entity_type: str) -> bool:
        return bool(getattr(self.settings, entity(entity_type).switch))


class InboundPass:
    """The runner's inbound pass: a webhook-triggered run works off the stored events; any other run sweeps by
    change data capture ("Sync from QuickBooks", the automatic job after outbound, ``qbsync sync --direction in``).
    """

    def __init__(self, inbound: InboundSync) -> None:
        self._inbound = inbound
        self.last_events: PassReport | None = None
        self.last_sweep: SweepReport | None = None

    async def execute(self, ctx: RunContext) -> None:
        if ctx.trigger == 'webhook':
            report = await self._inbound.process_events(run_id=ctx.run_id)
            self.last_events = report
            if report.result is not None:
                self._count(ctx, report.result)
            return
        prefs = SettingsPreferences(ctx.settings)
        if not prefs.inbound_enabled:
            if ctx.trigger in ('manual', 'cli'):  # asked for explicitly: say why nothing happened
                await ctx.log(level='warning', action='inbound_off', message=INBOUND_OFF)
            return
        wanted = set(ctx.entities)
        entities = [s.qbo_name for s in sorted(ENTITIES, key=lambda s: s.tier)
                    if s.name in wanted and prefs.entity_enabled(s.name)]
        await ctx.progress('', 'Reading changes from QuickBooks')

        def progress(report: SweepReport) -> None:
            ctx.check_cancelled()

        applier = self._inbound.applier(ctx.client, prefs, ctx.run_id)
        sweep = await self._inbound.sweeper.run(ctx.client, entities, applier, on_progress=progress)
        self.last_sweep = sweep
        ctx.add_total(sweep.objects)
        self._count(ctx, sweep.result)
        self._count(ctx, await self._inbound.bring_in_kept_versions(ctx.client, prefs, ctx.run_id))
        await ctx.progress('', f'{sweep.result.applied:,} change(s) from QuickBooks applied')

    @staticmethod
    def _count(ctx: RunContext, result: ApplyResult) -> None:
        for (entity_type, outcome), n in result.outcomes.items():
            ctx.count(entity_type, outcome, n)


    async def run_webhooks(self, runner: SyncRunner) -> int:
        """What the worker does when events are due: one webhook-triggered inbound run under the lease (so it
        never overlaps an outbound run); without a connection the events are only sorted out (foreign, skipped).
        Returns the events finished."""
        self.last_events = None
        try:
            await runner.run(trigger='webhook', direction='inbound')
        except RunBusy as busy:
            raise Busy(str(busy)) from None
        except NotConnectedError:
            return (await self._inbound.process_events()).finished
        except ReconnectRequired as exc:
            raise Paused(f'QuickBooks needs to be reconnected ({exc})') from None
        return self.last_events.finished if self.last_events is not None else 0
