"""Webhook delivery: collect committed changes per app and realm, send them signed, retry on Intuit's schedule.

Listening must never slow the API call that changed something, so the event listener only appends to memory;
sending happens in ``deliver_due()``, which tests await after ``clock.advance(...)`` and which a background task
runs when the sandbox serves for real. That task starts lazily on first use (the API gate and the listener call
``ensure_background``) because a sandbox mounted inside another app never sees its own lifespan events.

Only the entities (and operations) an app selected reach it (``RegisteredApp.webhook_entities``, as on Intuit's
portal; all of them when unset). Per app and realm, deliveries form a queue. A delivery first collects events for
``aggregation_window`` (close events go out together, one realm per notification), is then sealed (body, signature
and CloudEvents ids fixed, so retries are byte-identical) and sent. Only HTTP 200 within ``timeout_seconds``
counts as delivered (Intuit asks for a 200 in 3 s); anything else is retried after 10 s, 20 s, 30 s, 5 min, 20 min,
2 h, 4 h, 6 h and then every 6 h.
With ``hold_while_failing`` (Intuit: later events "may be held") nothing newer goes out until the head succeeds.
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

import httpx

from ..clock import ManualClock
from ..events import ChangeEvent
from .payloads import Notice, WebhookFormat, aggregate, cloudevents_body, content_type, legacy_body
from .signing import SIGNATURE_HEADER, sign

if TYPE_CHECKING:
    from ..state import SandboxState

__all__ = ['WebhookSettings', 'DeliveryAttempt', 'WebhookDelivery', 'WebhookDispatcher', 'INTUIT_RETRY_SCHEDULE']

log = logging.getLogger(__name__)

INTUIT_RETRY_SCHEDULE: tuple[timedelta, ...] = tuple(
    timedelta(seconds=s) for s in (10, 20, 30, 5 * 60, 20 * 60, 2 * 3600, 4 * 3600, 6 * 3600))

DeliveryStatus = Literal['collecting', 'pending', 'retrying', 'delivered', 'abandoned']


@dataclass(frozen=True)
class WebhookSettings:
    aggregation_window: timedelta = timedelta(seconds=1)
    timeout_seconds: float = 3.0
    retry_schedule: tuple[timedelta, ...] = INTUIT_RETRY_SCHEDULE   # the last interval repeats forever
    hold_while_failing: bool = True
    max_events: int = 100              # CloudEvents arrays carry up to ~100 events (qbo-api.md 7.4)
    give_up_after: timedelta | None = None  # Intuit documents no end to the 6-hourly retries
    history: int = 500                 # finished deliveries kept for the inspect page
    poll_seconds: float = 0.5          # background task's longest nap (real time)


@dataclass(frozen=True)
class DeliveryAttempt:
    at: datetime
    status_code: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code == 200


@dataclass
class WebhookDelivery:
    id: int
    client_id: str
    realm_id: str
    url: str
    format: WebhookFormat
    opened_at: datetime
    due_at: datetime | None
    notices: list[Notice] = field(default_factory=list)
    status: DeliveryStatus = 'collecting'
    body: bytes = b''
    signature: str = ''
    event_ids: tuple[str, ...] = ()
    attempts: list[DeliveryAttempt] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.status in ('delivered', 'abandoned')


class WebhookDispatcher:
    """``state.webhooks``: subscribes to ``state.events`` and owns every delivery the sandbox makes."""

    def __init__(self, state: SandboxState, settings: WebhookSettings | None = None) -> None:
        self.state = state
        self.settings = settings or WebhookSettings()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._queues: dict[tuple[str, str], list[WebhookDelivery]] = {}
        self._finished: list[WebhookDelivery] = []
        self._in_flight: set[int] = set()
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None   # set (from any thread) when a new event arrives
        self._stopping = False
        self._unsubscribe = state.events.subscribe(self._on_event)

    # -- intake -----------------------------------------------------------------------------------------------
    def _on_event(self, event: ChangeEvent) -> None:
        if not any(app.webhook_url and app.verifier_token for app in self.state.apps.all()):
            return  # no app takes webhooks: skip looking up the realm's grants on every change of a large write
        notice = Notice.from_event(event)
        now = self.state.clock.now()
        for app in self.state.grants.connected_apps(event.realm_id):
            if not (app.webhook_url and app.verifier_token) or not app.wants_webhook(event.entity, event.operation):
                continue
            with self._lock:
                queue = self._queues.setdefault((app.client_id, event.realm_id), [])
                open_one = queue[-1] if queue and queue[-1].status == 'collecting' else None
                if open_one is None or len(open_one.notices) >= self.settings.max_events:
                    open_one = WebhookDelivery(next(self._ids), app.client_id, event.realm_id, app.webhook_url,
                                               app.webhook_format, now, now + self.settings.aggregation_window)
                    queue.append(open_one)
                aggregate(open_one.notices, notice)
        self.ensure_background()
        self._nudge()

    # -- inspection -------------------------------------------------------------------------------------------
    def deliveries(self, realm_id: str | None = None) -> list[WebhookDelivery]:
        """Every delivery known, newest first (finished ones up to ``settings.history``)."""
        with self._lock:
            found = self._finished + [d for queue in self._queues.values() for d in queue]
        found = [d for d in found if realm_id is None or d.realm_id == realm_id]
        return sorted(found, key=lambda d: d.id, reverse=True)

    def next_due(self) -> datetime | None:
        with self._lock:
            dues = [d.due_at for queue in self._queues.values() for d in queue if d.due_at is not None]
        return min(dues, default=None)

    # -- sending ----------------------------------------------------------------------------------------------
    async def deliver_due(self) -> list[WebhookDelivery]:
        """Send every delivery whose time has come (on the sandbox clock); returns those attempted."""
        chains = self._take_due(self.state.clock.now())
        if not chains:
            return []
        async with httpx.AsyncClient(transport=self.state.config.webhook_transport,
                                     timeout=self.settings.timeout_seconds) as client:
            results = await asyncio.gather(*(self._send_chain(client, chain) for chain in chains))
        return [delivery for chain in results for delivery in chain]

    async def flush(self) -> list[WebhookDelivery]:
        """Close every aggregation window now and send what is due; for tests and the demo's "sync now"."""
        now = self.state.clock.now()
        with self._lock:
            for queue in self._queues.values():
                for delivery in queue:
                    if delivery.status == 'collecting':
                        delivery.due_at = now
        return await self.deliver_due()

    def _take_due(self, now: datetime) -> list[list[WebhookDelivery]]:
        """Pick due deliveries, one chain per app and realm, and mark them in flight (so a second pump skips them)."""
        chains = []
        with self._lock:
            for queue in self._queues.values():
                chain = []
                for delivery in queue:
                    if delivery.id in self._in_flight or delivery.due_at is None or delivery.due_at > now:
                        if self.settings.hold_while_failing:
                            break
                        continue
                    chain.append(delivery)
                    if self.settings.hold_while_failing:
                        break
                if chain:
                    self._in_flight.update(d.id for d in chain)
                    chains.append(chain)
        return chains

    async def _send_chain(self, client: httpx.AsyncClient, chain: list[WebhookDelivery]) -> list[WebhookDelivery]:
        try:
            for delivery in chain:
                await self._attempt(client, delivery)
        finally:
            with self._lock:
                self._in_flight.difference_update(d.id for d in chain)
        return chain

    async def _attempt(self, client: httpx.AsyncClient, delivery: WebhookDelivery) -> None:
        if delivery.status == 'collecting':
            self._seal(delivery)
        started = self.state.clock.now()
        headers = {SIGNATURE_HEADER: delivery.signature, 'content-type': content_type(delivery.format)}
        try:
            async with asyncio.timeout(self.settings.timeout_seconds):
                response = await client.post(delivery.url, content=delivery.body, headers=headers)
            attempt = DeliveryAttempt(started, response.status_code)
        except TimeoutError:
            attempt = DeliveryAttempt(started, None, f'no answer within {self.settings.timeout_seconds:g} s')
        except Exception as exc:  # the receiver's failure, whatever it is, is a failed attempt, never ours
            attempt = DeliveryAttempt(started, None, f'{type(exc).__name__}: {exc}')
        self._record(delivery, attempt)

    def _seal(self, delivery: WebhookDelivery) -> None:
        registered = self.state.apps.get(delivery.client_id)
        token = registered.verifier_token if registered is not None else ''
        if delivery.format == 'cloudevents':
            delivery.event_ids = tuple(str(uuid.uuid4()) for _ in delivery.notices)
            delivery.body = cloudevents_body(delivery.realm_id, delivery.client_id, delivery.notices,
                                             delivery.event_ids)
        else:
            delivery.body = legacy_body(delivery.realm_id, delivery.notices)
        delivery.signature = sign(delivery.body, token or '')
        delivery.status = 'pending'

    def _record(self, delivery: WebhookDelivery, attempt: DeliveryAttempt) -> None:
        with self._lock:
            delivery.attempts.append(attempt)
            if attempt.ok:
                delivery.status, delivery.due_at = 'delivered', None
            else:
                give_up = self.settings.give_up_after
                schedule = self.settings.retry_schedule
                wait = schedule[min(len(delivery.attempts), len(schedule)) - 1]
                if give_up is not None and attempt.at + wait - delivery.opened_at > give_up:
                    delivery.status, delivery.due_at = 'abandoned', None
                else:
                    delivery.status, delivery.due_at = 'retrying', attempt.at + wait
            if delivery.finished:
                self._queues[(delivery.client_id, delivery.realm_id)].remove(delivery)
                self._finished.append(delivery)
                del self._finished[:-self.settings.history]
        if not attempt.ok:
            log.info('webhook delivery %s to %s failed (%s); next try %s', delivery.id, delivery.url,
                     attempt.error or attempt.status_code, delivery.due_at)

    # -- background task --------------------------------------------------------------------------------------
    @property
    def background_enabled(self) -> bool:
        """Explicit config wins; otherwise run only on a real clock (a ManualClock moves when a test says so)."""
        configured = self.state.config.webhook_background
        return configured if configured is not None else not isinstance(self.state.clock, ManualClock)

    def ensure_background(self) -> None:
        """Start the delivery task in the running event loop if it is not already running there."""
        if not self.background_enabled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called from a worker thread or plain Python: the next API call starts it
            return
        if self._task is not None and not self._task.done() and self._task.get_loop() is loop:
            return
        self._wake = asyncio.Event()
        self._stopping = False
        self._task = loop.create_task(self._run(), name='sandbox webhook delivery')

    def _nudge(self) -> None:
        """Cut the background task's nap short; events may come from a worker thread, hence call_soon_threadsafe."""
        task, wake = self._task, self._wake
        if task is not None and wake is not None and not task.done():
            with contextlib.suppress(RuntimeError):   # the task's loop has closed
                task.get_loop().call_soon_threadsafe(wake.set)

    async def stop(self) -> None:
        if self._task is not None:
            # the flag as well as the cancel: Python 3.11's wait_for loses a cancel that arrives as the wait ends
            # (bpo-42130), and the task would nap on for ever with stop() waiting for it
            self._stopping = True
            self._nudge()
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        wake = self._wake
        assert wake is not None
        while not self._stopping:
            try:
                await self.deliver_due()
            except Exception:
                log.exception('webhook delivery pass failed')
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), self._nap())
            wake.clear()

    def _nap(self) -> float:
        due = self.next_due()
        if due is None:
            return self.settings.poll_seconds
        wait = (due - self.state.clock.now()).total_seconds()
        return min(max(wait, 0.05), self.settings.poll_seconds)
