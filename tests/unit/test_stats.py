"""Dashboard figures come from the links and the records, counted by the database with indexes."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import text
from sqlalchemy.dialects import sqlite

from center_db import database  # noqa: F401 (fixture)
from qbsync.models import Customer, EntityLink, Invoice, LinkStatus, QuickBooksConnection, SyncRun
from qbsync.sync import stats

REALM = '9130350000000001'
OTHER_REALM = '9130350000000002'
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


async def _connect(db, realm_id: str = REALM) -> None:  # type: ignore[no-untyped-def]
    async with db.session() as session:
        session.add(QuickBooksConnection(realm_id=realm_id, company_name='Sandbox Company US 1'))
        await session.commit()


async def _seed(db) -> None:  # type: ignore[no-untyped-def]
    async with db.session() as session:
        customers = [Customer(display_name=f'Customer {n}', version=1) for n in range(6)]
        session.add_all(customers)
        await session.flush()
        invoice = Invoice(doc_number='1001', customer_id=customers[0].id, txn_date=date(2026, 3, 1))
        session.add(invoice)
        await session.flush()
        customers[1].version = 3  # changed after it was synced at version 2: pending again
        session.add_all([
            EntityLink(realm_id=REALM, entity_type='customer', local_id=customers[0].id, qbo_id='1',
                       status=LinkStatus.SYNCED, synced_version=1),
            EntityLink(realm_id=REALM, entity_type='customer', local_id=customers[1].id, qbo_id='2',
                       status=LinkStatus.SYNCED, synced_version=2),
            EntityLink(realm_id=REALM, entity_type='customer', local_id=customers[2].id, status=LinkStatus.PENDING),
            EntityLink(realm_id=REALM, entity_type='customer', local_id=customers[3].id, status=LinkStatus.FAILED,
                       last_error='Duplicate Name Exists Error'),
            # the same record linked in another company does not count for the active one
            EntityLink(realm_id=OTHER_REALM, entity_type='customer', local_id=customers[4].id, qbo_id='7',
                       status=LinkStatus.SYNCED, synced_version=1),
            EntityLink(realm_id=REALM, entity_type='invoice', local_id=invoice.id, qbo_id='130',
                       status=LinkStatus.SYNCED, synced_version=1),
        ])
        await session.commit()


async def test_counts_per_entity_type(database) -> None:  # noqa: F811
    await _connect(database)
    await _seed(database)
    async with database.session() as session:
        figures = await stats.dashboard_stats(session)
    by_type = {e.entity_type: e for e in figures.entities}
    assert list(by_type) == ['customer', 'item', 'invoice', 'payment', 'expense', 'credit_memo']
    customers = by_type['customer']
    assert (customers.synced, customers.pending, customers.failed, customers.not_synced) == (1, 2, 1, 2)
    assert customers.total == 6 and customers.label == 'Customers'
    assert (by_type['invoice'].synced, by_type['invoice'].not_synced) == (1, 0)
    assert by_type['item'].total == 0
    assert figures.totals.synced == 2 and figures.totals.total == 7


async def test_without_a_company_every_record_is_not_synced(database) -> None:  # noqa: F811
    await _seed(database)
    async with database.session() as session:
        figures = await stats.dashboard_stats(session)
    customers = figures.entities[0]
    assert (customers.synced, customers.pending, customers.failed, customers.not_synced) == (0, 0, 0, 6)
    assert figures.realm_id is None and figures.last_run_at is None and figures.last_success_at is None


async def test_last_run_and_last_success(database) -> None:  # noqa: F811
    await _connect(database)
    async with database.session() as session:
        session.add_all([
            SyncRun(realm_id=REALM, trigger='manual', started_at=T0, finished_at=T0 + timedelta(minutes=1),
                    status='succeeded'),
            SyncRun(realm_id=REALM, trigger='scheduled', started_at=T0 + timedelta(hours=1),
                    finished_at=T0 + timedelta(hours=1, minutes=2), status='failed', error='boom'),
            SyncRun(realm_id=OTHER_REALM, trigger='manual', started_at=T0 + timedelta(hours=5),
                    finished_at=T0 + timedelta(hours=5, minutes=1), status='succeeded'),
        ])
        await session.commit()
    async with database.session() as session:
        figures = await stats.dashboard_stats(session)
    assert figures.realm_id == REALM
    assert figures.last_run_at == T0 + timedelta(hours=1)
    assert figures.last_run_status == 'failed'
    assert figures.last_success_at == T0 + timedelta(minutes=1)
    assert figures.last_outbound == stats.RunResult(T0 + timedelta(hours=1, minutes=2), 'failed', 'boom')
    assert figures.last_inbound is None


async def test_the_last_result_of_each_direction(database) -> None:  # noqa: F811
    """An inbound run after an outbound one leaves the outbound result in place; a run still going is no result."""
    await _connect(database)
    async with database.session() as session:
        session.add_all([
            SyncRun(realm_id=REALM, trigger='manual', direction='outbound', started_at=T0,
                    finished_at=T0 + timedelta(minutes=1), status='partial', message='5 synced, 1 failed'),
            SyncRun(realm_id=REALM, trigger='webhook', direction='inbound', started_at=T0 + timedelta(minutes=2),
                    finished_at=T0 + timedelta(minutes=3), status='succeeded', message='0 synced'),
            SyncRun(realm_id=REALM, trigger='manual', direction='outbound', started_at=T0 + timedelta(minutes=4),
                    status='running'),
        ])
        await session.commit()
    async with database.session() as session:
        figures = await stats.dashboard_stats(session)
    assert figures.last_outbound == stats.RunResult(T0 + timedelta(minutes=1), 'partial', '5 synced, 1 failed')
    assert figures.last_inbound == stats.RunResult(T0 + timedelta(minutes=3), 'succeeded', '0 synced')
    assert figures.last_run_status == 'running'


async def test_link_lookups_use_the_index(database) -> None:  # noqa: F811
    """The count walks the covering link index and probes records by primary key; it never scans a table."""
    statement = stats.counts_statement('customer')
    if database.engine.dialect.name == 'postgresql':
        # on a near-empty table PostgreSQL rightly prefers a scan; forbid that to see whether the index serves
        compiled = statement.compile(dialect=database.engine.dialect, compile_kwargs={'literal_binds': True})
        async with database.session() as session:
            await session.exec(text('SET LOCAL enable_seqscan = off'))
            plan = ' '.join(str(row[0]) for row in (await session.exec(text(f'EXPLAIN {compiled}'))).all())
        assert ' on entitylink link' in plan and 'Seq Scan on entitylink' not in plan, plan  # an index probe
        return
    compiled = statement.compile(dialect=sqlite.dialect(), compile_kwargs={'literal_binds': True})
    async with database.session() as session:
        plan = (await session.exec(text(f'EXPLAIN QUERY PLAN {compiled}'))).all()
    details = ' | '.join(str(row[-1]) for row in plan)
    assert 'SEARCH link USING COVERING INDEX ix_link_state (realm_id=? AND entity_type=?)' in details, details
    assert 'USING INTEGER PRIMARY KEY (rowid=?)' in details, details
    assert 'SCAN link' not in details and 'SCAN customer' not in details, details
