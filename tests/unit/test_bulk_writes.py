"""One-round-trip writes (qbsync.sync.bulk): SQLite's fast path stores exactly what SQLAlchemy's Core path stores,
and a failing statement leaves nothing of its transaction behind."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from qbsync.db import Database, upgrade_schema
from qbsync.models import EntityLink, OutboxBatch, OutboxItem, SyncLogEntry
from qbsync.sync import bulk

NOW = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=timezone.utc)
LINKS, LOG, BATCHES, ITEMS = (m.__table__ for m in (EntityLink, SyncLogEntry, OutboxBatch, OutboxItem))


def _link(local_id: int) -> dict:
    return {'realm_id': 'r1', 'entity_type': 'invoice', 'local_id': local_id, 'qbo_id': str(local_id + 100),
            'sync_token': '0', 'last_hash': 'h', 'synced_version': 2, 'status': 'synced', 'last_error': '',
            'last_synced_at': NOW, 'updated_at': NOW, 'qbo_updated_at': None, 'needs_inbound': False}


def _log(local_id: int) -> dict:
    return {'run_id': None, 'realm_id': 'r1', 'direction': 'outbound', 'level': 'info', 'at': NOW,
            'entity_type': 'invoice', 'local_id': local_id, 'qbo_id': str(local_id + 100), 'action': 'create',
            'status': 'synced', 'message': 'Invoice créé', 'code': '', 'element': '', 'detail': '', 'suggestion': ''}


def _steps(first: int, request_id: str) -> list[bulk.Step]:
    return [bulk.Insert(BATCHES, [{'realm_id': 'r1', 'request_id': request_id, 'run_id': None, 'created_at': NOW,
                                   'sent_at': NOW, 'attempts': 1}]),
            bulk.Insert(ITEMS, [{'batch_id': None, 'bid': str(n), 'entity_type': 'invoice', 'local_id': first + n,
                                 'version': 2, 'operation': 'create', 'payload': '{"a": 1.50}', 'content_hash': 'x'}
                                for n in range(3)], id_from_previous='batch_id'),
            bulk.Insert(LINKS, [_link(first + n) for n in range(3)]),
            bulk.Insert(LOG, [_log(first + n) for n in range(3)])]


def _rows(path: Path, table: str, where: str, columns: str = '*') -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(f'SELECT {columns} FROM {table} WHERE {where} ORDER BY id').fetchall()


@pytest.fixture
async def db(tmp_path: Path):
    url = f'sqlite+aiosqlite:///{tmp_path / "bulk.db"}'
    upgrade_schema(url)
    database = Database(url)
    yield database, tmp_path / 'bulk.db'
    await database.dispose()


async def test_fast_path_stores_what_the_core_path_stores(db) -> None:
    database, path = db
    fast = await bulk.write(database, _steps(0, 'fast'))
    core = await bulk._core(database, _steps(10, 'core'))
    assert fast is not None and core is not None and fast != core
    await bulk.write(database, [bulk.UpdateById(BATCHES, fast, {'answered_at': NOW})])
    await bulk._core(database, [bulk.UpdateById(BATCHES, core, {'answered_at': NOW})])

    def same(table: str, columns: str, fast_where: str, core_where: str) -> None:
        stored = [_rows(path, table, where, columns) for where in (fast_where, core_where)]
        assert stored[0] and stored[0] == stored[1]
    same('outboxbatch', 'realm_id, run_id, created_at, sent_at, attempts, answered_at', f'id = {fast}', f'id = {core}')
    same('outboxitem', 'bid, entity_type, local_id % 10, version, operation, payload, content_hash',
         f'batch_id = {fast}', f'batch_id = {core}')
    link_columns = ', '.join(c.name for c in LINKS.c if c.name not in ('id', 'local_id', 'qbo_id'))
    same('entitylink', link_columns, 'local_id < 10', 'local_id >= 10')
    log_columns = ', '.join(c.name for c in LOG.c if c.name not in ('id', 'local_id', 'qbo_id'))
    same('synclogentry', log_columns, 'local_id < 10', 'local_id >= 10')


async def test_a_failing_statement_leaves_nothing_behind(db) -> None:
    database, path = db
    await bulk.write(database, _steps(0, 'first'))
    with pytest.raises((sqlite3.IntegrityError, IntegrityError)):
        await bulk.write(database, _steps(20, 'second') + [bulk.Insert(LINKS, [_link(0)])])  # link 0 exists
    assert _rows(path, 'outboxbatch', "request_id = 'second'") == []
    assert _rows(path, 'entitylink', 'local_id >= 20') == []
    assert _rows(path, 'synclogentry', 'local_id >= 20') == []
    await bulk.write(database, _steps(30, 'third'))  # the connection is usable again
    assert len(_rows(path, 'entitylink', 'local_id >= 30')) == 3
