"""Short write transactions in one round trip to SQLite: what the outbox and each batch's answers write.

Every batch of a run writes twice (its outbox rows before it is sent, its links and log entries when its answers
come back), always inserts plus one update by id. Through SQLAlchemy's aiosqlite adapter each statement costs
several trips to the connection's thread (cursor, execute, close, begin, commit), and each trip waits for the
event loop's thread to let go of the GIL while other batches are being mapped or parsed: ~30 waits per batch,
under the run's write lock. Here the statements are compiled once by SQLAlchemy (same SQL, same bind processing:
the stored values are exactly what a Core insert stores) and the whole transaction runs in the connection's thread
in one call. Other databases, and a driver without that thread, take the ordinary Core path with the same
statements, in one transaction either way.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, insert, update

from ..db import Database

__all__ = ['Insert', 'UpdateById', 'Step', 'Writer', 'write']


@dataclass(frozen=True)
class Insert:
    """Rows for ``table`` (dicts with the same keys); ``id_from_previous`` names the column that takes the id of
    the row the previous single-row insert of the transaction created (an outbox item's batch)."""
    table: Table
    rows: Sequence[dict[str, Any]]
    id_from_previous: str | None = None


@dataclass(frozen=True)
class UpdateById:
    table: Table
    row_id: int
    values: dict[str, Any] = field(default_factory=dict)


Step = Insert | UpdateById


async def write(db: Database, steps: Sequence[Step]) -> int | None:
    """Run ``steps`` in one transaction; returns the id of the row the first step inserted, when it inserts one."""
    async with Writer(db) as writer:
        return await writer.write(steps)


class Writer:
    """Writes through one connection kept for a series of transactions (a run's batches): taking a connection from
    the pool and handing it back (with its reset) costs two more trips each time. One transaction at a time."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._connection: Any = None
        self._driver: Any = None

    async def __aenter__(self) -> Writer:
        if self.db.engine.dialect.name == 'sqlite':
            connection = await self.db.engine.connect()
            driver = (await connection.get_raw_connection()).driver_connection
            if callable(getattr(driver, '_execute', None)):  # aiosqlite: a call in the connection's own thread
                self._connection, self._driver = connection, driver
            else:
                await connection.close()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._connection is not None:
            connection, self._connection, self._driver = self._connection, None, None
            await connection.close()

    async def write(self, steps: Sequence[Step]) -> int | None:
        """``steps`` in one transaction (see ``write``)."""
        steps = [step for step in steps if not isinstance(step, Insert) or step.rows]
        if not steps:
            return None
        if self._driver is not None:
            try:
                prepared = [_prepared(self._connection.dialect, step) for step in steps]
            except _NotPrepared:  # a column left to its default: SQLAlchemy fills it in on the Core path
                pass
            else:
                return await self._driver._execute(_run, self._driver, prepared)
        return await _core(self.db, steps)


class _NotPrepared(Exception):
    pass


# (sql, parameter rows as tuples, position of the column that takes the previous id or None)
_Prepared = tuple[str, list[tuple[Any, ...]], int | None]
_COMPILED: dict[tuple[Any, ...], tuple[str, tuple[str, ...], dict[str, Any]] | None] = {}  # None: not preparable


def _prepared(dialect: Any, step: Step) -> _Prepared:
    if isinstance(step, Insert):
        columns = tuple(step.rows[0])
        sql, order, processors = _compiled(dialect, ('insert', step.table.name, columns),
                                           lambda: insert(step.table), columns)
        rows = [tuple(_bound(processors, name, row[name]) for name in order) for row in step.rows]
        return sql, rows, order.index(step.id_from_previous) if step.id_from_previous else None
    columns = tuple(step.values)
    sql, order, processors = _compiled(
        dialect, ('update', step.table.name, columns),
        lambda: update(step.table).where(step.table.c.id == bindparam('row_id'))
        .values({name: bindparam(f'v_{name}') for name in columns}),
        ('row_id', *(f'v_{name}' for name in columns)))
    values = {'row_id': step.row_id, **{f'v_{name}': value for name, value in step.values.items()}}
    return sql, [tuple(_bound(processors, name, values[name]) for name in order)], None


def _compiled(dialect: Any, key: tuple[Any, ...], statement: Any,
              keys: tuple[str, ...]) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    cache_key = (dialect.name, *key)
    if cache_key not in _COMPILED:  # compiled once, also when it cannot be prepared (then the Core path, each time)
        compiled = statement().compile(dialect=dialect, column_keys=list(keys))
        processors = {name: proc for name, proc in compiled._bind_processors.items() if proc is not None}
        order = tuple(compiled.positiontup or ())
        _COMPILED[cache_key] = (compiled.string, order, processors) if set(order) == set(keys) else None
    found = _COMPILED[cache_key]
    if found is None:
        raise _NotPrepared(key)
    return found


def _bound(processors: dict[str, Any], name: str, value: Any) -> Any:
    processor = processors.get(name)
    return processor(value) if processor is not None and value is not None else value


def _run(driver: Any, prepared: list[_Prepared]) -> int | None:
    """In the connection's thread: the statements and the commit, or a rollback of all of them."""
    connection: sqlite3.Connection = driver._conn
    ids: list[int | None] = []  # per step: the id of the row it inserted, if it inserted one
    try:
        for sql, rows, id_at in prepared:
            if id_at is not None:
                rows = [(*row[:id_at], ids[-1], *row[id_at + 1:]) for row in rows]
            if len(rows) == 1:
                ids.append(connection.execute(sql, rows[0]).lastrowid)
            else:
                connection.executemany(sql, rows)
                ids.append(None)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    return ids[0]


async def _core(db: Database, steps: Sequence[Step]) -> int | None:
    ids: list[int | None] = []
    async with db.engine.begin() as connection:
        for step in steps:
            if isinstance(step, UpdateById):
                await connection.execute(update(step.table).where(step.table.c.id == step.row_id)
                                         .values(step.values))
                ids.append(None)
                continue
            rows = step.rows
            if step.id_from_previous:
                rows = [{**row, step.id_from_previous: ids[-1]} for row in rows]
            if len(rows) == 1:
                ids.append((await connection.execute(insert(step.table), rows[0])).inserted_primary_key[0])
            else:
                await connection.execute(insert(step.table), list(rows))
                ids.append(None)
    return ids[0]
