"""Inbound sync benchmarks (`python -m bench.inbound [--quick]`, also part of `make bench`).

1. Webhook acknowledgement under load: the app's real webhook route on a loopback uvicorn server, the inbound
   worker applying the changes in the same process (as in the app), QuickBooks played by the standalone sandbox
   in a process of its own, and Intuit's sender by a third process: signed deliveries at 200 per second. Prints
   p50/p99 of the answer time. Target: p99 under 100 ms.
2. Change to local record: a person's edit in the (real-clock) sandbox, its webhook delivered to the server, the
   worker's run, until the local record shows the edit. Prints the time from delivery and from the edit.
   Target: visible within 2 s of delivery.
3. CDC catch-up: 10,000 expenses changed in QuickBooks, applied by one "Sync from QuickBooks" sweep, counting the
   requests. Target: at most 1 request per 500 records.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI
from sqlmodel import select

from qbsync.db import Database, upgrade_schema
from qbsync.heap import settle_heap
from qbsync.models import Customer, EntityLink, QuickBooksConnection, SyncSettings
from qbsync.quickbooks.client import QuickBooksClient
from qbsync.sandbox import ManualClock, SandboxConfig, SandboxState, create_sandbox_app
from qbsync.sandbox.admin.companies import UserEdit, edit_as_user
from qbsync.sandbox.clock import SystemClock
from qbsync.sandbox.webhooks.delivery import WebhookSettings
from qbsync.services.webhook_inbox import WebhookInbox
from qbsync.settings import sandbox_endpoints
from qbsync.sync.inbound_sync import InboundPass, InboundSync, SettingsPreferences
from qbsync.sync.runner import SyncRunner
from qbsync.sync.worker import InboundWorker
from qbsync.web import quickbooks_routes

from .outbound import FixedTokens

CLIENT_ID, SECRET, VERIFIER = 'bench-inbound', 'bench-inbound-secret-0123456789', 'bench-verifier-token'
SANDBOX = 'http://sandbox.bench'


@dataclass
class Stack:
    """The app's inbound side wired as the container wires it, against an in-process sandbox."""
    state: SandboxState
    realm_id: str
    db: Database
    inbound: InboundSync
    runner: SyncRunner
    worker: InboundWorker
    receiver: FastAPI
    requests: list[str]  # every request the app made to QuickBooks (paths), for counting
    http: httpx.AsyncClient

    @property
    def company(self) -> Any:
        return self.state.companies.get(self.realm_id)


class _Counting(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, seen: list[str]) -> None:
        self.inner, self.seen = inner, seen

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request.url.path)
        return await self.inner.handle_async_request(request)


def sandbox_thread(app: Any) -> tuple[str, uvicorn.Server]:
    """The sandbox on its own loopback server and thread, as QuickBooks is another machine: its work never holds
    up the app's event loop (the in-process ASGI path would run it inside the app's loop)."""
    import threading
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan='off', ws='none', log_level='warning', access_log=False))
    threading.Thread(target=server.run, kwargs={'sockets': [sock]}, daemon=True, name='bench-sandbox').start()
    while not server.started:
        time.sleep(0.01)
    return f'http://127.0.0.1:{sock.getsockname()[1]}', server


@dataclass
class SandboxProcess:
    """QuickBooks as another machine: the standalone sandbox (``qbsync sandbox``) in a process of its own, so its
    work neither holds the app's event loop nor competes for the app's GIL (a thread of the app's process did both)."""
    base: str
    process: subprocess.Popen[bytes]
    access_token: str
    realm_id: str

    @classmethod
    def start(cls) -> SandboxProcess:
        with socket.socket() as probe:
            probe.bind(('127.0.0.1', 0))
            port = probe.getsockname()[1]
        process = subprocess.Popen([sys.executable, '-m', 'qbsync.cli', 'sandbox', '--port', str(port), '--no-throttle',
                                    '--app', f'{CLIENT_ID}:{SECRET}:https://bench/cb'],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f'http://127.0.0.1:{port}'
        for _ in range(600):
            try:
                answer = httpx.post(f'{base}/_sandbox/tokens', json={'client_id': CLIENT_ID, 'client_secret': SECRET})
                break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            process.kill()
            raise SystemExit('the sandbox process did not start')
        tokens = answer.json()
        return cls(base, process, tokens['access_token'], tokens['realmId'])

    def create_customers(self, count: int) -> list[str]:
        """``count`` customers through the batch API (30 per request); their Ids."""
        ids: list[str] = []
        url = f'{sandbox_endpoints(self.base).api_base_url}/company/{self.realm_id}/batch'
        for start in range(0, count, 30):
            items = [{'bId': str(n), 'operation': 'create', 'Customer': {'DisplayName': f'Load {n:05d}'}}
                     for n in range(start, min(count, start + 30))]
            answer = httpx.post(url, json={'BatchItemRequest': items}, headers={
                'Authorization': f'Bearer {self.access_token}', 'Accept': 'application/json'}, timeout=30)
            ids += [item['Customer']['Id'] for item in answer.json()['BatchItemResponse']]
        return ids

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


async def build_stack(folder: str, *, real_clock: bool, remote: bool = False,
                      process: SandboxProcess | None = None) -> Stack:
    """:param process: the sandbox in its own process (the Stack then has no in-process sandbox state)"""
    clock = SystemClock() if real_clock else ManualClock()
    sandbox: Any = None
    if process is None:
        sandbox = SandboxState(SandboxConfig(clock=clock, webhook_background=real_clock,
                                             webhook_settings=WebhookSettings(aggregation_window=timedelta(0))))
        sandbox.apps.register(CLIENT_ID, SECRET, name='bench', redirect_uris=['https://bench/cb'], throttling=False)
        realm_id, access_token = sandbox.default_realm_id, sandbox.grants.connect(CLIENT_ID,
                                                                                  sandbox.default_realm_id).access_token
    else:
        realm_id, access_token = process.realm_id, process.access_token
    url = f'sqlite+aiosqlite:///{folder}/bench.db'
    upgrade_schema(url)
    db = Database(url)
    async with db.session() as session:
        session.add(SyncSettings(id=1, inbound_enabled=True))
        session.add(QuickBooksConnection(realm_id=realm_id, company_name='Bench Co'))
        await session.commit()
    seen: list[str] = []
    if process is not None:
        base, transport = process.base, httpx.AsyncHTTPTransport()
    elif remote:
        base, _ = sandbox_thread(create_sandbox_app(sandbox))
        transport: httpx.AsyncBaseTransport = httpx.AsyncHTTPTransport()
    else:
        base, transport = SANDBOX, httpx.ASGITransport(app=create_sandbox_app(sandbox))
    http = httpx.AsyncClient(transport=_Counting(transport, seen), timeout=30)
    client = QuickBooksClient(http, api_base_url=sandbox_endpoints(base).api_base_url, realm_id=realm_id,
                              tokens=FixedTokens(access_token))

    async def api() -> QuickBooksClient:
        return client

    async def realm() -> str:
        return realm_id

    async def preferences() -> SettingsPreferences:
        async with db.session() as session:
            row = await session.get(SyncSettings, 1)
        assert row is not None
        return SettingsPreferences(row)

    inbound = InboundSync(db, realm=realm, api=api, preferences=preferences, now=clock.now)
    runner = SyncRunner(db, api)
    inbound_pass = InboundPass(inbound)
    runner.register_pass('inbound', inbound_pass)
    worker = InboundWorker(inbound.queue, lambda: inbound_pass.run_webhooks(runner), now=clock.now)
    inbox = WebhookInbox(db, Path(folder) / 'webhooks', on_stored=worker.notify)
    receiver = FastAPI()
    receiver.include_router(quickbooks_routes.build_router(SimpleNamespace(  # type: ignore[arg-type]
        settings=SimpleNamespace(webhook_verifier_token=VERIFIER), webhooks=inbox)))
    settle_heap()  # as the app does once started (qbsync/heap.py)
    return Stack(sandbox, realm_id, db, inbound, runner, worker, receiver, seen, http)


async def serve(app: FastAPI) -> tuple[uvicorn.Server, str, asyncio.Task[None]]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan='off', log_level='warning', access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    return server, f'http://127.0.0.1:{sock.getsockname()[1]}/api/quickbooks/webhook', task


def signed(body: bytes) -> str:
    return base64.b64encode(hmac.new(VERIFIER.encode(), body, hashlib.sha256).digest()).decode()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


# -- 1. acknowledgement under load ------------------------------------------------------------------------------
async def ack_latency(seconds: float, rate: int) -> None:
    quickbooks = SandboxProcess.start()
    try:
        await _ack_latency(quickbooks, seconds, rate)
    finally:
        quickbooks.stop()


async def _ack_latency(quickbooks: SandboxProcess, seconds: float, rate: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        stack = await build_stack(folder, real_clock=False, process=quickbooks)
        customers = quickbooks.create_customers(200)
        count = int(seconds * rate)
        deliveries = []
        base = datetime(2026, 1, 1, tzinfo=timezone.utc)
        for n in range(count):
            customer = customers[n % len(customers)]
            body = json.dumps({'eventNotifications': [{'realmId': stack.realm_id, 'dataChangeEvent': {'entities': [
                {'name': 'Customer', 'id': customer, 'operation': 'Update',
                 'lastUpdated': (base + timedelta(milliseconds=n)).isoformat()}]}}]})
            deliveries.append([body, signed(body.encode())])
        path = os.path.join(folder, 'deliveries.json')
        with open(path, 'w') as handle:
            json.dump(deliveries, handle)
        server, url, task = await serve(stack.receiver)
        stack.worker.start()
        started = time.perf_counter()
        child = await asyncio.create_subprocess_exec(sys.executable, '-m', 'bench.inbound', '--load', url, path,
                                                     str(rate), stdout=subprocess.PIPE)
        out, _ = await child.communicate()
        answer = json.loads(out)
        latencies, failures, sent, late = answer['latencies'], answer['failures'], answer['seconds'], answer['late']
        while (await stack.inbound.queue.next_due()) is not None:
            await asyncio.wait_for(stack.worker.settled(), 120)
            await asyncio.sleep(0.05)
        drained = time.perf_counter() - started
        counts = await stack.inbound.queue.counts()
        await stack.worker.stop()
        server.should_exit = True
        await task
        await stack.http.aclose()
        await stack.db.dispose()
    print(f'webhook ack at {rate}/s for {seconds:g} s (worker applying)   n={len(latencies):>5}  '
          f'p50={statistics.median(latencies) * 1000:7.2f} ms  p99={percentile(latencies, 0.99) * 1000:7.2f} ms  '
          f'max={max(latencies) * 1000:7.2f} ms  failed={len(failures)}   target p99 < 100 ms')
    print(f'  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; events: {counts}; sent in {sent:.1f} s, '
          f'all applied {drained:.1f} s after the first delivery '
          f'({stack.worker.passes} worker passes, {len(stack.requests)} QuickBooks requests); the sender itself was '
          f'late by p99 {percentile(late, 0.99) * 1000:.1f} ms (not counted)')


async def load(url: str, path: str, rate: int) -> None:
    """The "Intuit" side of benchmark 1: deliveries at a steady rate, each timed from when it was due until its
    answer. HTTP/1.1 over a pool of kept-alive connections written with asyncio streams: an httpx client with
    hundreds of requests waiting for its pool spends more CPU than the server under test (15 ms per request here,
    so it measured itself)."""
    with open(path) as handle:
        deliveries = json.load(handle)
    target = httpx.URL(url)
    latencies: list[float] = []
    late: list[float] = []
    failures: list[str] = []
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(100):
        pool.put_nowait(await asyncio.open_connection(target.host, target.port))
    start = time.perf_counter()

    async def one(n: int, body: str, signature: str) -> None:
        due = start + n / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        began = time.perf_counter()  # from when it goes: waiting for a free connection (the server's slowness) counts,
        late.append(began - due)  # this process's own lateness (it shares the 2 cores) is reported apart
        reader, writer = await pool.get()
        data = body.encode()
        writer.write(f'POST {target.raw_path.decode()} HTTP/1.1\r\nHost: {target.host}\r\n'
                     f'content-type: application/json\r\nintuit-signature: {signature}\r\n'
                     f'content-length: {len(data)}\r\n\r\n'.encode() + data)
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        length = 0
        while (line := await reader.readline()) not in (b'\r\n', b''):
            name, _, value = line.decode().partition(':')
            if name.lower() == 'content-length':
                length = int(value)
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - began)
        pool.put_nowait((reader, writer))
        if status != 200:
            failures.append(f'HTTP {status}')
    await asyncio.gather(*(one(n, body, sig) for n, (body, sig) in enumerate(deliveries)))
    took = time.perf_counter() - start
    while not pool.empty():
        pool.get_nowait()[1].close()
    print(json.dumps({'latencies': latencies, 'failures': failures, 'seconds': took, 'late': late}))


# -- 2. change to local record ----------------------------------------------------------------------------------
async def change_to_local(changes: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        stack = await build_stack(folder, real_clock=True, remote=True)
        server, url, task = await serve(stack.receiver)
        registered = stack.state.apps.get(CLIENT_ID)
        assert registered is not None
        registered.webhook_url, registered.verifier_token = url, VERIFIER
        stack.state.config.webhook_transport = None  # over the loopback network, as from Intuit
        stack.worker.start()
        made = edit_as_user(stack.company, UserEdit('Customer', 'create', None, {'DisplayName': 'Timing Co'}))
        await _visible(stack, made['Id'], 'Timing Co')
        from_edit, from_delivery = [], []
        for n in range(changes):
            notes = f'edit {n}'
            edited = time.perf_counter()
            wall = datetime.now(timezone.utc)
            edit_as_user(stack.company, UserEdit('Customer', 'update', made['Id'], {'Notes': notes}))
            await _visible(stack, made['Id'], notes)
            seen = time.perf_counter()
            delivered = min((a.at for d in stack.state.webhooks.deliveries() for a in d.attempts if a.at >= wall),
                            default=wall)
            from_edit.append(seen - edited)
            from_delivery.append(seen - edited - (delivered - wall).total_seconds())
        await stack.worker.stop()  # the sandbox's delivery task lives in its own thread and ends with it
        server.should_exit = True
        await task
        await stack.http.aclose()
        await stack.db.dispose()
    for name, samples in (('delivery', from_delivery), ('edit', from_edit)):
        print(f'change visible locally, from its {name:<9} n={len(samples):>4}  '
              f'p50={statistics.median(samples) * 1000:7.1f} ms  max={max(samples) * 1000:7.1f} ms'
              + ('   target < 2000 ms' if name == 'delivery' else ''))


async def _visible(stack: Stack, qbo_id: str, value: str, timeout: float = 10.0) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        async with stack.db.session() as session:
            link = (await session.exec(select(EntityLink).where(EntityLink.qbo_id == qbo_id,
                                                                EntityLink.entity_type == 'customer'))).first()
            record = await session.get(Customer, link.local_id) if link else None
        if record is not None and value in (record.display_name, record.notes):
            return
        await asyncio.sleep(0.005)
    raise SystemExit(f'the change {value!r} never became visible locally')


# -- 3. CDC catch-up --------------------------------------------------------------------------------------------
async def cdc_catch_up(records: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        stack = await build_stack(folder, real_clock=False)
        clock = stack.state.clock
        await stack.inbound.catch_up()  # the cursor of an app in step with QuickBooks
        clock.advance(minutes=10)
        company = stack.company
        accounts = list(company.objects['Account'].values())
        bank = next(a for a in accounts if a.get('AccountType') == 'Bank')
        expense = next(a for a in accounts if a.get('AccountType') == 'Expense')
        for n in range(records):
            company.create('Purchase', {'PaymentType': 'Check', 'AccountRef': {'value': bank['Id']}, 'Line': [
                {'Amount': Decimal('10.00') + n % 50, 'DetailType': 'AccountBasedExpenseLineDetail',
                 'Description': f'bench {n}',
                 'AccountBasedExpenseLineDetail': {'AccountRef': {'value': expense['Id']}}}]})
            if n % 250 == 0:
                clock.advance(seconds=1)
        clock.advance(minutes=1)
        before = len(stack.requests)
        started = time.perf_counter()
        report = await stack.inbound.catch_up()
        elapsed = time.perf_counter() - started
        requests = len(stack.requests) - before
        await stack.http.aclose()
        await stack.db.dispose()
    cdc = report.requests  # the sweep's own CDC (or query) calls; the rest read lists and references
    print(f'CDC catch-up of {records:,} changed expenses: {report.result.applied:,} applied in {elapsed:.1f} s '
          f'({report.result.applied / elapsed:,.0f}/s), {requests} requests ({cdc} CDC), '
          f'{records / max(requests, 1):,.0f} records per request   target >= 500 per request')


def main() -> None:
    if '--load' in sys.argv:
        index = sys.argv.index('--load')
        url, path, rate = sys.argv[index + 1], sys.argv[index + 2], int(sys.argv[index + 3])
        asyncio.run(load(url, path, rate))
        return
    quick = '--quick' in sys.argv
    asyncio.run(ack_latency(seconds=3 if quick else 10, rate=200))
    asyncio.run(change_to_local(changes=5 if quick else 20))
    asyncio.run(cdc_catch_up(records=2000 if quick else 10000))


if __name__ == '__main__':
    main()
