"""Consistent copies of the app's database, taken while the app runs and syncs, and put back into an empty one.

SQLite: the online backup API copies every page in one step inside a read transaction, so the copy is one
committed state even while the engine writes (WAL lets the writer go on meanwhile). The copy becomes a standalone
file (rollback journal, not WAL) that is checked with ``PRAGMA quick_check`` before it is trusted.

Any other database (PostgreSQL): a logical dump of every table, read in one REPEATABLE READ READ ONLY transaction
(one snapshot), written as JSON lines with exact types (timestamps, dates, Decimals, bytes tagged). The tables are
reflected from the database itself rather than taken from the models, so a database at an older revision (the
automatic backup before a migration) dumps and loads as it is. Loading needs an empty database migrated to the
dump's revision; the values go back through the same driver, so they round-trip exactly, and the id sequences are
moved past the restored ids.
"""
from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Integer, MetaData, insert, select, text

__all__ = ['sqlite_online_copy', 'dump_rows', 'load_rows', 'user_tables', 'SnapshotError']

CHUNK = 1000
_VERSION_TABLE = 'alembic_version'
# kept by triggers from the other tables (migration 0010): never dumped, rebuilt by the triggers as the rows load
_DERIVED_TABLES = ('linkstatecount',)


class SnapshotError(RuntimeError):
    """A copy that cannot be trusted or a target that is not empty: the message says which."""


def sqlite_online_copy(source: Path, target: Path, *, standalone: bool = True) -> None:
    """Copy a live SQLite database (WAL or not) into ``target`` as one consistent file.

    ``standalone``: switch the copy to a rollback journal (a backup file); otherwise the target keeps its own
    journal mode (SQLite's backup keeps a WAL target in WAL), which is what writing over a live database needs.
    """
    if not source.exists():
        raise SnapshotError(f'no database at {source}')
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.execute('PRAGMA busy_timeout=30000')
        src.backup(dst)  # pages=-1: the whole database in one step, one read transaction on the source
        if standalone:
            dst.execute('PRAGMA journal_mode=DELETE')  # a file that stands alone, without -wal/-shm companions
        verdict = dst.execute('PRAGMA quick_check').fetchone()[0]
    finally:
        dst.close()
        src.close()
    if verdict != 'ok':
        raise SnapshotError(f'the copy of {source.name} failed its integrity check: {verdict}')


def user_tables(connection: Connection) -> MetaData:
    """The database's own tables (reflected, so any revision), Alembic's bookkeeping and derived tables excluded."""
    metadata = MetaData()
    metadata.reflect(connection)
    for name in (_VERSION_TABLE, *_DERIVED_TABLES):
        if name in metadata.tables:
            metadata.remove(metadata.tables[name])
    return metadata


def dump_rows(connection: Connection, out: IO[str]) -> dict[str, int]:
    """Write every row of every table as JSON lines; the caller holds the connection in one snapshot transaction.

    Returns rows per table (the manifest records them, and the restore checks them).
    """
    counts: dict[str, int] = {}
    for table in user_tables(connection).sorted_tables:  # parents before children
        columns = [column.name for column in table.columns]
        out.write(json.dumps({'table': table.name, 'columns': columns}) + '\n')
        order = list(table.primary_key.columns) or list(table.columns)
        counts[table.name] = 0
        for row in connection.execute(select(table).order_by(*order)).yield_per(CHUNK):
            out.write(json.dumps(list(row), default=_encode) + '\n')
            counts[table.name] += 1
    return counts


def load_rows(connection: Connection, lines: Iterator[str]) -> dict[str, int]:
    """Insert a dump into a database that has the dump's schema and no rows; moves id sequences on."""
    metadata = user_tables(connection)
    occupied = [name for name, table in metadata.tables.items()
                if connection.execute(select(table).limit(1)).first() is not None]
    if occupied:
        raise SnapshotError(f'the target database is not empty (rows in {", ".join(sorted(occupied))})')
    counts: dict[str, int] = {}
    table = None
    columns: list[str] = []
    batch: list[dict[str, Any]] = []
    for line in lines:
        item = json.loads(line, object_hook=_decode)
        if isinstance(item, dict):
            _flush(connection, table, batch)
            if item['table'] not in metadata.tables:
                raise SnapshotError(f"the dump has table {item['table']!r}, which this database's schema lacks")
            table, columns = metadata.tables[item['table']], item['columns']
            counts[table.name] = 0
            continue
        batch.append(dict(zip(columns, item, strict=True)))
        counts[table.name] += 1  # type: ignore[union-attr]
        if len(batch) >= CHUNK:
            _flush(connection, table, batch)
    _flush(connection, table, batch)
    if connection.dialect.name == 'postgresql':
        _advance_sequences(connection, metadata)
    return counts


def _flush(connection: Connection, table: Any, batch: list[dict[str, Any]]) -> None:
    if table is not None and batch:
        connection.execute(insert(table), batch)
    batch.clear()


def _advance_sequences(connection: Connection, metadata: MetaData) -> None:
    """Rows came back with their ids, so each serial sequence must continue after the largest one."""
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = connection.execute(text('SELECT pg_get_serial_sequence(:t, :c)'),
                                          {'t': table.name, 'c': column.name}).scalar()
            if sequence:
                connection.execute(text(f'SELECT setval(:s, COALESCE((SELECT max("{column.name}") FROM '
                                        f'"{table.name}"), 0) + 1, false)'), {'s': sequence})


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {'$datetime': value.isoformat()}
    if isinstance(value, date):
        return {'$date': value.isoformat()}
    if isinstance(value, Decimal):
        return {'$decimal': str(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {'$bytes': base64.b64encode(bytes(value)).decode()}
    raise TypeError(f'cannot dump a {type(value).__name__} value')


_DECODERS = {'$datetime': datetime.fromisoformat, '$date': date.fromisoformat, '$decimal': Decimal,
             '$bytes': base64.b64decode}


def _decode(item: dict[str, Any]) -> Any:
    if len(item) == 1:
        ((key, value),) = item.items()
        if key in _DECODERS:
            return _DECODERS[key](value)
    return item
