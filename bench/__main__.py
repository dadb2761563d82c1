"""Benchmarks with printed figures (`make bench`). Targets live here, not in timed tests.

Measures the embedded sandbox the way the sync engine uses it (in-process ASGI, the path every test takes):
writes per second, a 5,000-row paged read, the query parser alone, and the app's cold start on an empty database;
then the Sync Dashboard and Sync Log at size (bench/dashboard.py: 1,000,000 log entries, 100,000 links), and the
operations figures (bench/operations.py): backup time against VACUUM INTO, and the /metrics scrape cost.
"""
from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal

import httpx

from qbsync.sandbox import ManualClock, SandboxConfig, SandboxState, create_sandbox_app
from qbsync.sandbox.accounting.query import parse_query

from .dashboard import dashboard_benchmark
from .operations import operations_benchmarks

CLIENT_ID = 'bench-client'
BASE = 'http://sandbox.bench'


def report(name: str, samples: list[float], unit_count: int | None = None) -> None:
    """One line per benchmark: count, median and p95 latency, and throughput."""
    total = sum(samples)
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    rate = (unit_count or len(samples)) / total if total else float('inf')
    print(f'{name:<42} n={len(samples):>5}  median={statistics.median(samples) * 1000:8.2f} ms  '
          f'p95={p95 * 1000:8.2f} ms  {rate:10.1f}/s')


async def timed(samples: list[float], call: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
    start = time.perf_counter()
    response = await call()
    samples.append(time.perf_counter() - start)
    if response.status_code >= 400:
        raise SystemExit(f'benchmark request failed: {response.status_code} {response.text[:300]}')
    return response


async def sandbox_benchmarks(customers: int, invoices: int) -> None:
    state = SandboxState(SandboxConfig(clock=ManualClock()))
    state.apps.register(CLIENT_ID, 'bench-secret-0123456789', name='bench', redirect_uris=['https://bench/cb'],
                        throttling=False)
    realm = state.companies.realms()[0].realm_id
    tokens = state.grants.connect(CLIENT_ID, realm)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_sandbox_app(state)),
                                 base_url=f'{BASE}/v3/company/{realm}',
                                 headers={'Authorization': f'Bearer {tokens.access_token}',
                                          'Accept': 'application/json'}) as api:
        item = (await api.get('/query', params={'query': "select * from Item where Type = 'Service'"})).json()
        item_id = item['QueryResponse']['Item'][0]['Id']

        samples: list[float] = []
        customer_ids = []
        for n in range(customers):
            response = await timed(samples, lambda n=n: api.post(
                '/customer', params={'minorversion': 75, 'requestid': f'bench-c-{n}'},
                json={'DisplayName': f'Bench Customer {n:05d}', 'PrimaryEmailAddr': {'Address': f'c{n}@bench.test'}}))
            customer_ids.append(response.json()['Customer']['Id'])
        report('sandbox: create Customer', samples)

        samples = []
        for n in range(invoices):
            lines = [{'DetailType': 'SalesItemLineDetail', 'Amount': str(Decimal('150.00') * q),
                      'SalesItemLineDetail': {'ItemRef': {'value': item_id}, 'Qty': q, 'UnitPrice': 150}}
                     for q in (1, 2, 3)]
            body = {'CustomerRef': {'value': customer_ids[n % len(customer_ids)]}, 'Line': lines,
                    'TxnDate': f'2025-{(n % 12) + 1:02d}-15'}
            await timed(samples, lambda n=n, body=body: api.post(
                '/invoice', params={'minorversion': 75, 'requestid': f'bench-i-{n}'},
                content=_json(body), headers={'Content-Type': 'application/json'}))
        report('sandbox: create Invoice (3 lines)', samples)

        samples = []
        for n in range(0, invoices, 10):
            await timed(samples, lambda n=n: api.post(
                '/invoice', params={'minorversion': 75, 'requestid': f'bench-i-{n}'},
                content=_json({'CustomerRef': {'value': customer_ids[0]}, 'Line': []}),
                headers={'Content-Type': 'application/json'}))
        report('sandbox: requestid replay', samples)

        samples = []
        read = 0
        position = 1
        while True:
            response = await timed(samples, lambda position=position: api.get('/query', params={
                'query': f'select * from Invoice STARTPOSITION {position} MAXRESULTS 1000', 'minorversion': 75}))
            page = response.json()['QueryResponse'].get('Invoice', [])
            read += len(page)
            if len(page) < 1000:
                break
            position += 1000
        report(f'sandbox: page all invoices ({read} rows, per page)', samples)

        samples = []
        for _ in range(50):
            await timed(samples, lambda: api.get('/query', params={
                'query': "select * from Invoice where TxnDate >= '2025-06-01' and TxnDate < '2025-07-01' "
                         'ORDERBY TxnDate DESC MAXRESULTS 100'}))
        report('sandbox: filtered + ordered query', samples)


def parser_benchmark(rounds: int) -> None:
    text = ("SELECT * FROM Invoice WHERE TxnDate >= '2025-01-01' AND CustomerRef IN ('1', '2', '3') "
            "AND DocNumber LIKE '10%' ORDERBY TxnDate DESC, Id STARTPOSITION 1 MAXRESULTS 1000")
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        parse_query(text)
        samples.append(time.perf_counter() - start)
    report('query parser: parse one statement', samples)


def seed_benchmark(rounds: int) -> None:
    """Every test builds a SandboxState, which seeds a company with a year of history: built once per process,
    then shared. Both ways in this process, one after the other, and the ratio."""
    from qbsync.sandbox.accounting import seed

    built = []
    for _ in range(max(1, rounds // 20)):
        seed._templates.clear()
        start = time.perf_counter()
        SandboxState(SandboxConfig(clock=ManualClock()))
        built.append(time.perf_counter() - start)
    report('sandbox: new state, seed built', built)
    shared = []
    for _ in range(rounds):
        start = time.perf_counter()
        SandboxState(SandboxConfig(clock=ManualClock()))
        shared.append(time.perf_counter() - start)
    report('sandbox: new state, seed from template', shared)
    ratio = statistics.median(built) / statistics.median(shared)
    print(f'{"sandbox: seed built / from template":<42} ratio={ratio:.0f}x')


def migration_benchmark(rounds: int) -> None:
    """Alembic on a fresh SQLite file: NiceGUI's user fixture pays it for every UI test."""
    from qbsync.db import upgrade_schema

    samples = []
    with tempfile.TemporaryDirectory() as folder:
        upgrade_schema(f'sqlite+aiosqlite:///{folder}/warm.db')  # imports and script parsing, once per process
        for n in range(rounds):
            start = time.perf_counter()
            upgrade_schema(f'sqlite+aiosqlite:///{folder}/fresh-{n}.db')
            samples.append(time.perf_counter() - start)
    report('db: migrate a fresh database', samples)


def cold_start_benchmark() -> None:
    """Services.start() on an empty data folder: migrations, owner, no demo data; then again with demo data."""
    from qbsync.services import Services
    from qbsync.settings import load_settings

    for demo in ('0', '1'):
        with tempfile.TemporaryDirectory() as data:
            env = {**os.environ, 'QBSYNC_DATA_DIR': data, 'QBSYNC_DEMO_DATA': demo,
                   'QBSYNC_ADMIN_EMAIL': 'owner@bench.test', 'QBSYNC_ADMIN_PASSWORD': 'bench-password-123'}
            env.pop('QUICKBOOKS_CLIENT_ID', None)

            async def boot(env: dict[str, str]) -> float:
                services = Services(load_settings(env))
                start = time.perf_counter()
                services.start()
                elapsed = time.perf_counter() - start
                await services.stop()
                return elapsed

            report(f'app: Services.start() (demo data={demo})', [asyncio.run(boot(env))])


def _json(body: dict) -> str:
    import json
    return json.dumps(body)


def main() -> None:
    quick = '--quick' in sys.argv
    asyncio.run(sandbox_benchmarks(customers=100 if quick else 500, invoices=300 if quick else 3000))
    parser_benchmark(2000 if quick else 20000)
    seed_benchmark(40 if quick else 200)
    migration_benchmark(3 if quick else 10)
    cold_start_benchmark()
    from .outbound import outbound_benchmarks
    asyncio.run(outbound_benchmarks(quick=quick))
    from . import inbound  # webhook acknowledgement under load, change to local record, CDC catch-up
    inbound.main()
    dashboard_benchmark(quick=quick)
    operations_benchmarks(quick)


if __name__ == '__main__':
    main()
