"""The async database: URLs, SQLite pragmas, exact decimals, tz-aware timestamps, sessions, health."""
from __future__ import annotations

from datetime import date, timezone
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from qbsync.db import Database, async_url, sync_url, upgrade_schema
from qbsync.models import Customer, Invoice, Item, SyncRun

from data_support import db, db_url  # noqa: F401 (fixtures)


def test_urls_switch_between_sync_and_async_drivers() -> None:
    assert sync_url('sqlite+aiosqlite:////data/q.db') == 'sqlite+pysqlite:////data/q.db'
    assert sync_url('sqlite:///q.db') == 'sqlite:///q.db'
    assert sync_url('postgresql+asyncpg://u:p%40ss@db/qb') == 'postgresql+psycopg://u:p%40ss@db/qb'
    assert async_url('sqlite:///q.db') == 'sqlite+aiosqlite:///q.db'
    assert async_url('sqlite+aiosqlite:///q.db') == 'sqlite+aiosqlite:///q.db'
    assert async_url('postgresql://u@db/qb') == 'postgresql+asyncpg://u@db/qb'
    assert async_url('postgresql+psycopg://u@db/qb') == 'postgresql+psycopg://u@db/qb'
    with pytest.raises(ValueError, match='no async driver'):
        async_url('oracle://u@db/qb')


async def test_sqlite_connections_get_wal_foreign_keys_and_busy_timeout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f'sqlite+aiosqlite:///{tmp_path / "pragmas.db"}')
    async with db.session() as session:
        assert (await session.exec(text('PRAGMA journal_mode'))).one()[0] == 'wal'
        assert (await session.exec(text('PRAGMA foreign_keys'))).one()[0] == 1
        assert (await session.exec(text('PRAGMA busy_timeout'))).one()[0] == 5000
    await db.dispose()


async def test_decimals_round_trip_exactly(db: Database) -> None:
    price = Decimal('0.10') + Decimal('0.20')
    async with db.session() as session:
        session.add(Item(name='Filter', unit_price=price, purchase_cost=Decimal('12345678901.23456')))
        await session.commit()
    async with db.session() as session:
        item = (await session.exec(select(Item))).one()
        stored = (await session.exec(text('SELECT unit_price FROM item'))).one()[0]
    assert item.unit_price == Decimal('0.30') and str(item.unit_price) == '0.30'
    assert item.purchase_cost == Decimal('12345678901.23456')
    assert stored == '0.30'  # kept as exact text, never a float, on every backend


async def test_timestamps_come_back_timezone_aware(db: Database) -> None:
    async with db.session() as session:
        session.add(SyncRun(realm_id='1', trigger='manual'))
        session.add(Customer(display_name='Ana'))
        await session.commit()
    async with db.session() as session:
        run = (await session.exec(select(SyncRun))).one()
        customer = (await session.exec(select(Customer))).one()
    assert run.started_at.tzinfo is not None and run.started_at.utcoffset() == timezone.utc.utcoffset(None)
    assert customer.updated_at.tzinfo is not None


async def test_an_error_inside_a_session_rolls_back(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.session() as session:
            session.add(Customer(display_name='Never stored'))
            await session.flush()
            raise RuntimeError('boom')
    async with db.session() as session:
        assert (await session.exec(select(Customer))).all() == []


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError):
        async with db.session() as session:
            session.add(Invoice(doc_number='1', customer_id=999, txn_date=date(2026, 1, 1)))
            await session.commit()


async def test_ping_reports_health(db: Database, db_url: str) -> None:
    report = await db.ping()
    assert report['ok'] is True and report['backend'] == db_url.split('+')[0] and report['latency_ms'] >= 0


async def test_ping_reports_a_failing_database_instead_of_raising(db: Database,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    class Refusing:
        def connect(self) -> None:
            raise OSError('disk I/O error')
    real = db.engine
    monkeypatch.setattr(db, 'engine', Refusing())
    report = await db.ping()
    db.engine = real
    assert report == {'ok': False, 'error': 'OSError: disk I/O error'}


async def test_upgrade_schema_runs_inside_a_running_event_loop(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f'sqlite+aiosqlite:///{tmp_path / "in-loop.db"}'
    upgrade_schema(url)  # synchronous, no asyncio.run inside: fine from a startup handler
    database = Database(url)
    async with database.session() as session:
        assert (await session.exec(select(Customer))).all() == []
    await database.dispose()
