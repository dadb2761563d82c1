"""Sync Dashboard and Sync Log at size: 1,000,000 log entries and 100,000 links (target: each figure < 50 ms).

Builds the database once in a temporary folder with the real migrations (so the real indexes, and the triggers that
keep the dashboard's link counts, which count the bulk-inserted links as they go in), then times, through
the app's own async code: the dashboard figures, the log's first page, filtered pages, a text search and a deep
page. ``python -m bench.dashboard [--quick]`` runs only this; ``make bench`` runs it with the others.
"""
from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import insert

from qbsync.db import Database, create_sync_engine, upgrade_schema
from qbsync.models import Customer, EntityLink, Invoice, Item, QuickBooksConnection, SyncLogEntry, SyncRun
from qbsync.sync.log_view import LogFilter, log_page
from qbsync.sync.stats import all_entity_counts, dashboard_stats, derived_entity_counts

REALM = '9130350000000001'
NOW = datetime(2026, 6, 30, tzinfo=timezone.utc)
ACTIONS = ('create', 'update', 'skip', 'create', 'update')
MESSAGES = ('Sent to QuickBooks.', 'Updated in QuickBooks.', 'Unchanged since the last sync.',
            'Duplicate Document Number Error: the number is already used in QuickBooks.',
            'Business Validation Error: choose an income account for the item.')


def build(url: str, *, entries: int, links: int) -> None:
    """Records for every link (customers, items, invoices), one link per record, ``entries`` log lines over a year."""
    upgrade_schema(url)
    engine = create_sync_engine(url)
    rng = random.Random(7)
    customers, items = links // 2, links // 10
    invoices = links - customers - items
    runs = entries // 1000
    with engine.begin() as connection:
        connection.execute(insert(QuickBooksConnection), [{'realm_id': REALM, 'company_name': 'Bench Co',
                                                          'status': 'connected', 'connected_at': NOW,
                                                          'updated_at': NOW}])
        connection.execute(insert(Customer), [_tracked(display_name=f'Customer {n:06d}') for n in range(customers)])
        connection.execute(insert(Item), [_tracked(name=f'Item {n:06d}') for n in range(items)])
        connection.execute(insert(Invoice), [_tracked(doc_number=f'B{n:07d}', customer_id=1 + n % customers,
                                                      txn_date=date(2026, 1, 1) + timedelta(days=n % 180))
                                             for n in range(invoices)])
        link_rows = []
        for entity_type, count in (('customer', customers), ('item', items), ('invoice', invoices)):
            for local_id in range(1, count + 1):
                status = rng.choices(('synced', 'pending', 'failed'), (90, 8, 2))[0]
                link_rows.append({'realm_id': REALM, 'entity_type': entity_type, 'local_id': local_id,
                                  'qbo_id': str(local_id), 'status': status, 'synced_version': 1,
                                  'last_synced_at': NOW, 'updated_at': NOW})
        connection.execute(insert(EntityLink), link_rows)
        started = NOW - timedelta(days=365)
        step = timedelta(days=365) / runs
        connection.execute(insert(SyncRun), [{'realm_id': REALM, 'trigger': 'scheduled', 'direction': 'outbound',
                                              'started_at': started + step * n, 'finished_at': started + step * n,
                                              'status': 'succeeded', 'created': 900, 'failed': 10}
                                             for n in range(runs)])
        batch: list[dict[str, Any]] = []
        entity_types = ('customer', 'item', 'invoice', 'payment', 'expense', 'credit_memo')
        for n in range(entries):
            kind = rng.randrange(100)
            level = 'error' if kind < 2 else 'warning' if kind < 5 else 'info'
            message = MESSAGES[3 + kind % 2] if level == 'error' else MESSAGES[n % 3]
            batch.append({'run_id': 1 + n // 1000, 'realm_id': REALM, 'at': started + step * (n // 1000)
                          + timedelta(milliseconds=n % 1000), 'level': level,
                          'entity_type': entity_types[n % 6], 'local_id': 1 + n % 1000, 'qbo_id': str(n % 1000),
                          'action': ACTIONS[n % 5], 'message': message})
            if len(batch) == 50_000:
                connection.execute(insert(SyncLogEntry), batch)
                batch = []
        if batch:
            connection.execute(insert(SyncLogEntry), batch)
    with engine.connect() as connection:
        connection.exec_driver_sql('ANALYZE')
    engine.dispose()


def _tracked(**fields: Any) -> dict[str, Any]:
    return {'version': 1, 'created_at': NOW, 'updated_at': NOW, **fields}


async def measure(url: str, rounds: int) -> dict[str, tuple[float, float]]:
    """Median milliseconds of each figure the two tabs load: (wall clock, this process's CPU). On a shared machine
    the CPU figure is the work itself, the wall clock adds the wait for a core."""
    db = Database(url)
    results: dict[str, tuple[float, float]] = {}
    async with db.session() as session:
        async def timed(name: str, call: Callable[[], Awaitable[Any]]) -> None:
            await call()  # warm the page cache and the statement cache, as a second visit would
            walls, cpus = [], []
            for _ in range(rounds):
                start, cpu = time.perf_counter(), time.process_time()
                await call()
                walls.append(time.perf_counter() - start)
                cpus.append(time.process_time() - cpu)
            results[name] = (statistics.median(walls) * 1000, statistics.median(cpus) * 1000)

        await timed('dashboard: figures (counts, last runs)', lambda: dashboard_stats(session))
        await timed('dashboard: counts kept by the triggers', lambda: all_entity_counts(session))
        await timed('dashboard: the same counts joined (no triggers)', lambda: derived_entity_counts(session))
        await timed('log: first page', lambda: log_page(session, REALM))
        await timed('log: errors only, first page', lambda: log_page(session, REALM, LogFilter(level='error')))
        await timed('log: invoices, first page', lambda: log_page(session, REALM, LogFilter(entity_type='invoice')))
        await timed('log: one run', lambda: log_page(session, REALM, LogFilter(run_id=500)))
        await timed('log: last 7 days, errors', lambda: log_page(session, REALM, LogFilter(
            level='error', since=NOW - timedelta(days=7))))
        await timed('log: text search "duplicate"', lambda: log_page(session, REALM, LogFilter(text='duplicate')))
        await timed('log: page 100', lambda: log_page(session, REALM, page=100))
    await db.dispose()
    return results


def dashboard_benchmark(*, quick: bool = False) -> None:
    entries, links = (200_000, 20_000) if quick else (1_000_000, 100_000)
    with tempfile.TemporaryDirectory() as folder:
        url = f'sqlite+aiosqlite:///{folder}/dashboard.db'
        start = time.perf_counter()
        build(url, entries=entries, links=links)
        print(f'dashboard bench: built {entries:,} log entries and {links:,} links in '
              f'{time.perf_counter() - start:.1f} s')
        results = asyncio.run(measure(url, rounds=9 if quick else 21))
        for name, (wall, cpu) in results.items():
            verdict = ('(the way before migration 0010, for comparison)' if 'joined' in name
                       else 'ok' if wall < 50 else 'OVER the 50 ms target')
            print(f'{name:<48} median={wall:8.2f} ms  cpu={cpu:8.2f} ms  {verdict}')
        kept, joined = (results[f'dashboard: {name}'][1] for name in (
            'counts kept by the triggers', 'the same counts joined (no triggers)'))
        print(f'dashboard counts: the join costs {joined / max(kept, 1e-6):.0f}x the kept counts (cpu)')


if __name__ == '__main__':
    dashboard_benchmark(quick='--quick' in sys.argv)
