"""Outbound sync benchmark: 10,000 records (1,000 customers, 200 items, 5,000 invoices, 3,000 payments, 500
expenses, 300 credit memos) into an empty sandbox company, in-process (ASGI), so the engine's own cost shows.

Printed: records per second, HTTP requests per record written, peak RSS; then, in the same process, the same
records sent one request per record the way a plain client would, and the ratio; then both again with the sandbox
in its own process behind a loopback uvicorn server (a real HTTP hop per request, as with Intuit, and the sandbox's
work beside the app's rather than inside its event loop); then a throttled run with its duration in sandbox time
next to the ceiling Intuit's published limits allow.

Wall-clock rates depend on what else the machine runs (the team shares 2 cores), so CPU time of the process
(engine, SQLite threads and the in-process sandbox together) is printed next to them: records per CPU second is
the figure that does not move with the machine's load.

The throttled run puts the sandbox on a ManualClock and the engine's limiter on the same clock: every wait the
limiter asks for moves the clock forward at once instead of sleeping. Sandbox time is then the time the rate
limits cost, with the engine's own work taking none of it (the clock is sped up infinitely between waits), which
isolates what the target is about: how close the engine's scheduling comes to Intuit's ceiling. A 429 from the
sandbox would cost a 60-second pause and show in the figure.
Targets: <= 0.05 requests per record, >= 300 records/s, >= 5x one-request-per-record, throttled within 1.15x of
the ceiling, peak RSS < 300 MB. The 5x is read on the loopback comparison, where the sandbox does Intuit's work in
a process of its own: in-process, creating and answering every object (about half a millisecond each in the
sandbox) is part of both arms' time, which the real engine never spends; that ratio is printed too.

Every arm freezes what its setup left on the heap (``gc.freeze``) before its clock starts, so a full collection
walks the arm's own objects only, as in a long-running app whose start-up objects have long been set aside.
"""
from __future__ import annotations

import asyncio
import gc
import math
import multiprocessing
import os
import resource
import shutil
import socket
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
from sqlmodel import select

from bench.books import BENCH_SIZE, BookSize, make_books, map_accounts
from qbsync.db import Database, upgrade_schema
from qbsync.heap import settle_heap
from qbsync.mapping import MODULES, LocalRecord
from qbsync.models import SyncRun
from qbsync.quickbooks.client import MAX_BATCH_ITEMS, QuickBooksClient
from qbsync.quickbooks.limits import INTUIT_LIMITS, Limits, RateLimiter
from qbsync.sandbox import ManualClock, SandboxConfig, SandboxState, create_sandbox_app
from qbsync.sync.context import RunContext
from qbsync.sync.entities import tiers
from qbsync.sync.outbound import OutboundPass
from qbsync.sync.references import ensure_list_entries, load_refs
from qbsync.sync.runner import SyncRunner

__all__ = ['outbound_benchmarks']

BASE = 'http://sandbox.bench'
CLIENT_ID = 'bench-outbound'
UNLIMITED = Limits(per_second=10**9, per_minute=10**9, batches_per_minute=10**9)


class Counting(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.api_calls, self.throttled = inner, 0, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if '/v3/company/' in request.url.path:
            self.api_calls += 1
        response = await self.inner.handle_async_request(request)
        self.throttled += response.status_code == 429
        return response


class FixedTokens:
    def __init__(self, token: str) -> None:
        self.token = token

    async def access_token(self) -> str:
        return self.token

    async def renew(self, rejected: str) -> str:
        return self.token


def waiting_limiter(clock: ManualClock) -> RateLimiter:
    """Intuit's limits on the sandbox's clock: a wait moves the clock instead of sleeping."""
    async def sleep(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))
        await asyncio.sleep(0)
    return RateLimiter(INTUIT_LIMITS, clock=lambda: clock.now().timestamp(), sleep=sleep)


class Setup:
    """One sandbox, one empty company, one app database with the books and the mapping.

    ``remote``: the sandbox serves from its own process on a loopback port (uvicorn), as QuickBooks is another
    machine: every request then pays a real HTTP hop, and the sandbox's work runs beside the engine's instead of
    inside its event loop."""

    def __init__(self, size: BookSize, folder: Path, *, clock=None, throttling: bool = False,  # noqa
                 remote: bool = False) -> None:
        self.size, self.folder = size, folder
        self.state = SandboxState(SandboxConfig(clock=clock or ManualClock()))
        self.state.apps.register(CLIENT_ID, 'bench-secret-0123456789', name='bench',
                                 redirect_uris=['https://bench/cb'], throttling=throttling)
        self.realm = self.state.companies.create_company('Bench Co', profile='new').realm_id
        for prefs in self.state.companies.get(self.realm).objects['Preferences'].values():
            prefs['SalesFormsPrefs']['CustomTxnNumbers'] = True
        self.token = self.state.grants.connect(CLIENT_ID, self.realm).access_token
        self.server: multiprocessing.process.BaseProcess | None = None
        if remote:
            self.base, self.server = _serve_elsewhere(self.state)
            self.transport = Counting(httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=10)))
        else:
            self.base = BASE
            self.transport = Counting(httpx.ASGITransport(app=create_sandbox_app(self.state)))
        self.http = httpx.AsyncClient(transport=self.transport, timeout=120)
        url = f'sqlite+aiosqlite:///{folder / "bench.db"}'
        upgrade_schema(url)
        self.db = Database(url)

    async def client(self) -> QuickBooksClient:
        return QuickBooksClient(self.http, api_base_url=f'{self.base}/v3', realm_id=self.realm,
                                tokens=FixedTokens(self.token))

    async def remote_written(self) -> int:
        """Objects written, counted by the sandbox process (COUNT queries, not counted as the run's requests)."""
        total = 0
        async with httpx.AsyncClient(timeout=60) as http:
            for name in WRITTEN:
                answer = await http.get(f'{self.base}/v3/company/{self.realm}/query', params={
                    'query': f'SELECT COUNT(*) FROM {name}'}, headers={'Authorization': f'Bearer {self.token}',
                                                                        'Accept': 'application/json'})
                total += answer.json()['QueryResponse']['totalCount']
        return total

    async def prepare(self) -> None:
        await make_books(self.db, self.size)
        await map_accounts(self.db, self.realm)
        settle_arm()

    async def written(self) -> int:
        if self.server is not None:
            return await self.remote_written()
        company = self.state.companies.get(self.realm)
        return sum(len(company.objects.get(name, {})) for name in WRITTEN)

    def server_cpu(self) -> str:
        """', the sandbox process N CPU s so far' (Linux), for the loopback lines: Intuit's side of the work."""
        try:
            assert self.server is not None
            fields = Path(f'/proc/{self.server.pid}/stat').read_text().rsplit(')', 1)[1].split()
        except (AssertionError, OSError):
            return ''
        return f', the sandbox process {(int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"):.1f} CPU s'

    async def close(self) -> None:
        gc.unfreeze()  # what the arm set up may be collected again
        await self.http.aclose()
        await self.db.dispose()
        if self.server is not None:
            self.server.terminate()
            self.server.join(10)


def settle_arm() -> None:
    """What an arm's setup built (the sandbox's seeded company, the books) set aside from full collections, for every
    arm alike, as the app does with its start-up heap (``qbsync.heap``); the garbage the previous arm left is
    collected first, so that it is not frozen with the rest."""
    gc.collect()
    settle_heap()


WRITTEN = ('Customer', 'Item', 'Invoice', 'Payment', 'Purchase', 'CreditMemo')


def _serve_elsewhere(state: SandboxState) -> tuple[str, multiprocessing.process.BaseProcess]:
    """The sandbox (its companies as set up so far) in a forked process on a free loopback port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', 0))
    server = multiprocessing.get_context('fork').Process(target=_serve, args=(state, sock), daemon=True,
                                                          name='bench-sandbox')
    server.start()
    base = f'http://127.0.0.1:{sock.getsockname()[1]}'
    sock.close()
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f'{base}/v3/company/0/query', timeout=1)
            return base, server
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _serve(state: SandboxState, sock: socket.socket) -> None:
    import uvicorn
    uvicorn.Server(uvicorn.Config(create_sandbox_app(state), lifespan='off', ws='none', log_level='warning',
                                  access_log=False)).run(sockets=[sock])


async def batched(size: BookSize, folder: Path, *, remote: bool = False) -> tuple[float, float]:
    setup = Setup(size, folder / 'batched', remote=remote)
    await setup.prepare()
    before = await setup.written()
    runner = SyncRunner(setup.db, setup.client, outbound=OutboundPass(limiter=RateLimiter(UNLIMITED)))
    started, cpu = time.perf_counter(), time.process_time()
    summary = await runner.run(trigger='cli')
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    written = await setup.written() - before
    if summary.failed or written != size.total:
        raise SystemExit(f'benchmark run went wrong: {summary.message}, {written} written')
    rate = size.total / elapsed
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    where = 'loopback' if remote else 'outbound'
    print(f'{where}: {size.total:,} records in {elapsed:.1f} s = {rate:,.0f} records/s wall (target >= 300); '
          f'{cpu:.1f} CPU s = {size.total / cpu:,.0f} records per CPU second'
          + (f' (the app process{setup.server_cpu()})' if remote else ''))
    print(f'{where}: {setup.transport.api_calls:,} HTTP requests = {setup.transport.api_calls / written:.4f} '
          'per record written (target <= 0.05)')
    print(f'{where}: peak RSS {rss:,.0f} MB, ' + ('app process' if remote else 'sandbox included') + ' (target < 300)')
    await setup.close()
    return elapsed, cpu


async def one_by_one(size: BookSize, folder: Path, *, remote: bool = False) -> tuple[float, float]:
    """The same records, one POST each (create, with a requestid), tier by tier, as a plain client sends them."""
    setup = Setup(size, folder / 'plain', remote=remote)
    await setup.prepare()
    client = await setup.client()
    async with setup.db.session() as session:
        run = SyncRun(realm_id=setup.realm, trigger='cli')  # the log entries of the vendors it adds belong to one
        session.add(run)
        await session.commit()
    ctx = RunContext(run_id=run.id, realm_id=setup.realm, trigger='cli', direction='outbound', entities=(),
                     client=client, db=setup.db, settings=None)  # type: ignore[arg-type]

    async def call(fn):  # type: ignore[no-untyped-def]  # no limiter, no retries: a plain client
        return await fn()
    started, cpu = time.perf_counter(), time.process_time()
    refs = await load_refs(ctx, call)
    async with setup.db.session() as session:
        payees = (await session.exec(select(_model('expense').payee))).all()  # type: ignore[attr-defined]
    await ensure_list_entries(ctx, refs, call, 'Vendor', payees)
    sent = 0
    for level in tiers():
        for spec in level:
            records = await _all(setup.db, spec.name)
            for local in records:
                body = MODULES[spec.name].to_qbo(local, refs)
                created = await client.create(spec.qbo_name, body, request_id=f'plain-{spec.name}-{local.record.id}')
                refs.link(spec.name, local.record.id, str(created['Id']))  # type: ignore[attr-defined]
                sent += 1
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f'{"loopback, " if remote else ""}one request per record: {sent:,} records in {elapsed:.1f} s = '
          f'{sent / elapsed:,.0f} records/s wall, '
          f'{sent / cpu:,.0f} per CPU second, {setup.transport.api_calls / sent:.3f} requests per record'
          + (f' (the app process{setup.server_cpu()})' if remote else ''))
    await setup.close()
    return elapsed, cpu


async def throttled(size: BookSize, folder: Path) -> None:
    clock = ManualClock()
    setup = Setup(size, folder / 'throttled', clock=clock, throttling=True)
    await setup.prepare()
    runner = SyncRunner(setup.db, setup.client, outbound=OutboundPass(limiter=waiting_limiter(clock)))
    calls, throttles = setup.transport.api_calls, setup.transport.throttled
    started, wall = clock.now(), time.perf_counter()
    summary = await runner.run(trigger='cli')
    duration, wall = (clock.now() - started).total_seconds(), time.perf_counter() - wall
    requests = setup.transport.api_calls - calls
    batches = math.ceil(size.total / MAX_BATCH_ITEMS)
    ceiling = _ceiling(batches, requests, INTUIT_LIMITS)
    print(f'throttled: {summary.message}; {requests:,} requests, {setup.transport.throttled - throttles} answered '
          f'429; {duration:,.0f} s of sandbox time ({wall:.0f} s wall) vs. a ceiling of {ceiling:,.0f} s '
          f'({batches} batches of {MAX_BATCH_ITEMS} at {INTUIT_LIMITS.batches_per_minute}/min) = '
          f'{duration / ceiling:.2f}x (target <= 1.15)')
    await setup.close()


def _ceiling(batches: int, requests: int, limits: Limits) -> float:
    """The shortest time Intuit's sliding windows allow: ``batches`` batch requests at 40 a minute (the first 40
    at once) and ``requests`` requests in all at 10 a second."""
    return max(((batches - 1) // limits.batches_per_minute) * 60.0, (requests - 1) / limits.per_second, 1.0)


def _model(entity_type: str):  # type: ignore[no-untyped-def]
    from qbsync.sync.entities import entity
    return entity(entity_type).model


async def _all(db: Database, entity_type: str) -> Sequence[LocalRecord]:
    from qbsync.sync.entities import entity
    spec = entity(entity_type)
    async with db.session() as session:
        rows = (await session.exec(select(spec.model).order_by(spec.model.id))).all()  # type: ignore[attr-defined]
        found = {row.id: LocalRecord(row) for row in rows}
        if spec.line_model is not None:
            for line in (await session.exec(select(spec.line_model))).all():
                found[getattr(line, spec.line_owner)].lines.append(line)
    return list(found.values())


async def outbound_benchmarks(quick: bool = False) -> None:
    size = BENCH_SIZE if not quick else replace(BENCH_SIZE, customers=100, items=20, invoices=500, payments=300,
                                                 expenses=50, credit_memos=30)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ('batched', 'plain', 'throttled'):
            (folder / name).mkdir()
        print(f'load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall figures move with it)')
        elapsed, cpu = await batched(size, folder)
        plain, plain_cpu = await one_by_one(size, folder)
        print(f'outbound: batched is {plain / elapsed:.1f}x faster than one request per record in wall time, '
              f'{plain_cpu / cpu:.1f}x in CPU time, in-process: the sandbox\'s own work on every object written '
              '(Intuit\'s side of the wire) runs in this process and counts in both arms')
        for name in ('batched', 'plain'):
            shutil.rmtree(folder / name)
            (folder / name).mkdir()
        elapsed, cpu = await batched(size, folder, remote=True)
        plain, plain_cpu = await one_by_one(size, folder, remote=True)
        print(f'loopback: batched is {plain / elapsed:.1f}x faster than one request per record in wall time, '
              f'{plain_cpu / cpu:.1f}x in CPU time of the app process (target >= 5: the sandbox in its own process, '
              'as Intuit is another machine)')
        print(f'load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores')
        await throttled(size, folder)


if __name__ == '__main__':
    import sys
    asyncio.run(outbound_benchmarks(quick='--quick' in sys.argv))
