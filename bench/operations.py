"""Operations benchmarks: how long a backup of real-sized books takes (SQLite's online backup API against
``VACUUM INTO``, the other consistent way to copy a live SQLite database, in the same process), and what a /metrics
scrape costs over a long run history (the first scrape folds every run in; later ones read only the new runs)."""
from __future__ import annotations

import asyncio
import json
import sqlite3
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert

from qbsync.db import Database, upgrade_schema
from qbsync.models import SyncRun
from qbsync.operations.backup import create_backup
from qbsync.operations.metrics import AppMetrics
from qbsync.operations.snapshot import sqlite_online_copy
from qbsync.settings import load_settings

from .books import BENCH_SIZE, BookSize, make_books

__all__ = ['operations_benchmarks']


def operations_benchmarks(quick: bool) -> None:
    size = BookSize(customers=200, items=50, invoices=1000, payments=600, expenses=100, credit_memos=60) \
        if quick else BENCH_SIZE
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_backup_benchmark(Path(folder), size))
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_metrics_benchmark(Path(folder), 2000 if quick else 20000))


async def _backup_benchmark(folder: Path, size: BookSize) -> None:
    settings = load_settings({'QBSYNC_DATA_DIR': str(folder / 'data'), 'QBSYNC_DEMO_DATA': '0'})
    upgrade_schema(settings.database_url)
    db = Database(settings.database_url)
    await make_books(db, size)
    await db.dispose()
    database = settings.data_dir / 'qbsync.db'
    megabytes = database.stat().st_size / 1e6
    create_backup(settings, folder / 'warm.tar.gz')  # imports and the first engine, once per process
    started = time.perf_counter()
    path, _ = create_backup(settings, folder / 'b.tar.gz')
    archive = time.perf_counter() - started
    started = time.perf_counter()
    sqlite_online_copy(database, folder / 'copy.db')
    online = time.perf_counter() - started
    started = time.perf_counter()
    with sqlite3.connect(database) as connection:
        connection.execute('VACUUM INTO ?', (str(folder / 'vacuum.db'),))
    vacuum = time.perf_counter() - started
    label = f'backup: {size.total} records ({megabytes:.1f} MB)'
    print(f'{label:<42} whole backup {archive * 1000:7.1f} ms '
          f'(archive {path.stat().st_size / 1e6:.1f} MB)  online copy {online * 1000:6.1f} ms  VACUUM INTO '
          f'{vacuum * 1000:6.1f} ms  ratio {online / vacuum:.2f}')


async def _metrics_benchmark(folder: Path, runs: int) -> None:
    settings = load_settings({'QBSYNC_DATA_DIR': str(folder / 'data'), 'QBSYNC_DEMO_DATA': '0'})
    upgrade_schema(settings.database_url)
    db = Database(settings.database_url)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    counts = json.dumps({'customer': {'created': 3, 'updated': 1, 'linked': 0, 'failed': 0, 'skipped': 0},
                         'invoice': {'created': 12, 'updated': 4, 'linked': 0, 'failed': 1, 'skipped': 2}})
    rows = [{'realm_id': '9341', 'trigger': 'scheduled' if n % 4 else 'manual', 'direction': 'outbound',
             'started_at': start + timedelta(minutes=15 * n),
             'finished_at': start + timedelta(minutes=15 * n, seconds=40),
             'status': 'partial' if n % 10 == 0 else 'succeeded', 'entity_counts': counts} for n in range(runs)]
    async with db.engine.begin() as connection:
        await connection.execute(insert(SyncRun), rows)

    class Scraped:  # what AppMetrics reads from the app: the database, no runner, no scheduler
        pass
    services = Scraped()
    services.db = db  # type: ignore[attr-defined]
    metrics = AppMetrics()
    started = time.perf_counter()
    await metrics.render(services)  # type: ignore[arg-type]
    first = time.perf_counter() - started
    samples = []
    for _ in range(20):
        started = time.perf_counter()
        await metrics.render(services)  # type: ignore[arg-type]
        samples.append(time.perf_counter() - started)
    later = sorted(samples)[len(samples) // 2]
    await db.dispose()
    print(f'{"metrics: scrape over " + str(runs) + " runs":<42} first (folds all) {first * 1000:8.1f} ms  '
          f'later (new runs only) {later * 1000:8.2f} ms  ratio {first / later:.1f}')
