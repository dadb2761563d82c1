"""The dashboard's kept counts (LinkStateCount, moved by triggers) always equal the join of links and records: after
every kind of change to links and records, in every entity table, on SQLite and PostgreSQL, after a rollback, and
with two writers at once."""
from __future__ import annotations

import asyncio
import random
from datetime import date

from sqlalchemy import delete, text, update
from sqlmodel import select

from center_db import database  # noqa: F401 (fixture)
from qbsync.models import (CreditMemo, Customer, EntityLink, Expense, Invoice, Item, LinkStateCount, LinkStatus,
                           Payment, QuickBooksConnection)
from qbsync.sync import stats
from qbsync.sync.entities import ENTITIES

REALM, OTHER = '9130350000000001', '9130350000000002'
STATUSES = (LinkStatus.SYNCED, LinkStatus.PENDING, LinkStatus.FAILED, LinkStatus.HELD, LinkStatus.DELETED_IN_QBO)


def _record(entity_type: str, n: int):  # type: ignore[no-untyped-def]
    made = {'customer': lambda: Customer(display_name=f'Customer {n}'), 'item': lambda: Item(name=f'Item {n}'),
            'invoice': lambda: Invoice(doc_number=f'I{n}', customer_id=1, txn_date=date(2026, 3, 1)),
            'payment': lambda: Payment(customer_id=1, txn_date=date(2026, 3, 1)),
            'expense': lambda: Expense(txn_date=date(2026, 3, 1)),
            'credit_memo': lambda: CreditMemo(doc_number=f'C{n}', customer_id=1, txn_date=date(2026, 3, 1))}
    return made[entity_type]()


async def _assert_counts_agree(db) -> None:  # type: ignore[no-untyped-def]
    async with db.session() as session:
        assert await stats.all_entity_counts(session) == await stats.derived_entity_counts(session)
        kept = {(r.realm_id, r.entity_type, r.state): r.records
                for r in (await session.exec(select(LinkStateCount))).all() if r.records}
        joined: dict[tuple[str, str, str], int] = {}
        for realm in (REALM, OTHER):  # every company's counts, not only the active one's
            await session.exec(update(QuickBooksConnection).values(status='disconnected'))
            await session.exec(update(QuickBooksConnection).where(QuickBooksConnection.realm_id == realm)
                               .values(status='connected'))
            for spec in ENTITIES:
                for entity_type, state, count in (await session.exec(stats.counts_statement(spec.name))).all():
                    joined[(realm, entity_type, state)] = count
        await session.rollback()
    assert kept == joined


async def test_counts_follow_every_change_in_every_entity_table(database) -> None:  # noqa: F811
    rng = random.Random(9)
    async with database.session() as session:
        session.add_all([QuickBooksConnection(realm_id=REALM, company_name='Ours'),
                         QuickBooksConnection(realm_id=OTHER, company_name='Other', status='disconnected')])
        await session.commit()
    for spec in ENTITIES:
        async with database.session() as session:  # records and links of every state, in both companies
            records = [_record(spec.name, n) for n in range(8)]
            session.add_all(records)
            await session.flush()
            session.add_all([EntityLink(realm_id=realm, entity_type=spec.name, local_id=r.id, qbo_id=str(r.id),
                                        status=rng.choice(STATUSES), synced_version=rng.choice((0, 1)))
                             for r in records[:6] for realm in (REALM, OTHER)])
            await session.commit()
        await _assert_counts_agree(database)
        model, ids = spec.model, [r.id for r in records]
        changes = [  # a record saved (version bump) and saved without a change; links resent, failed, held
            update(model).where(model.id.in_(ids[:3])).values(version=model.version + 1),  # type: ignore
            update(EntityLink).where(EntityLink.entity_type == spec.name, EntityLink.local_id.in_(ids[:4]))  # type: ignore
            .values(status=LinkStatus.SYNCED, synced_version=2),
            update(EntityLink).where(EntityLink.entity_type == spec.name, EntityLink.local_id == ids[0])
            .values(last_hash='unrelated'),
            update(EntityLink).where(EntityLink.entity_type == spec.name, EntityLink.local_id == ids[1])
            .values(status=LinkStatus.FAILED, last_error='Duplicate Name Exists Error'),
            update(EntityLink).where(EntityLink.entity_type == spec.name, EntityLink.local_id == ids[6])
            .values(status=LinkStatus.HELD),  # no such link yet: nothing moves
            delete(EntityLink).where(EntityLink.entity_type == spec.name, EntityLink.local_id == ids[2],
                                     EntityLink.realm_id == OTHER),
            update(EntityLink).where(EntityLink.entity_type == spec.name, EntityLink.local_id == ids[3],
                                     EntityLink.realm_id == REALM).values(local_id=ids[7]),  # relinked
        ]
        for change in changes:
            async with database.session() as session:
                await session.exec(change)  # type: ignore[call-overload]
                await session.commit()
            await _assert_counts_agree(database)
    async with database.session() as session:  # records deleted with their links left behind; then re-created
        for spec in reversed(ENTITIES):  # documents reference customer 1 only
            await session.exec(delete(spec.model).where(spec.model.id.in_((2, 3))))  # type: ignore[attr-defined]
        await session.commit()
    await _assert_counts_agree(database)
    async with database.session() as session:
        session.add(Customer(id=2, display_name='Back again', version=2))
        await session.commit()
    await _assert_counts_agree(database)


async def test_a_rolled_back_change_moves_no_count(database) -> None:  # noqa: F811
    async with database.session() as session:
        session.add(QuickBooksConnection(realm_id=REALM, company_name='Ours'))
        customer = Customer(display_name='Acme')
        session.add(customer)
        await session.flush()
        session.add(EntityLink(realm_id=REALM, entity_type='customer', local_id=customer.id, qbo_id='1',
                               status=LinkStatus.SYNCED, synced_version=1))
        await session.commit()
    async with database.session() as session:
        await session.exec(update(Customer).values(version=5))
        await session.exec(update(EntityLink).values(status=LinkStatus.FAILED))
        counts = await stats.all_entity_counts(session)
        assert counts[0].failed == 1  # seen inside the transaction that made the change
        await session.rollback()
    async with database.session() as session:
        counts = await stats.all_entity_counts(session)
    assert (counts[0].synced, counts[0].failed, counts[0].pending) == (1, 0, 0)
    await _assert_counts_agree(database)


async def test_two_writers_at_once_keep_the_counts_exact(database) -> None:  # noqa: F811
    """A run marking links synced while the owner saves records (moving the same counts the other way)."""
    async with database.session() as session:
        session.add(QuickBooksConnection(realm_id=REALM, company_name='Ours'))
        customers = [Customer(display_name=f'Customer {n}') for n in range(40)]
        session.add_all(customers)
        await session.flush()
        session.add_all([EntityLink(realm_id=REALM, entity_type='customer', local_id=c.id, status=LinkStatus.PENDING)
                         for c in customers])
        await session.commit()
    ids = [c.id for c in customers]

    async def run() -> None:
        for local_id in ids:
            async with database.session() as session:
                await session.exec(update(EntityLink).where(EntityLink.local_id == local_id).values(
                    status=LinkStatus.SYNCED, synced_version=1))
                await session.commit()
            await asyncio.sleep(0)

    async def owner() -> None:
        for local_id in reversed(ids):
            async with database.session() as session:
                await session.exec(update(Customer).where(Customer.id == local_id).values(
                    version=Customer.version + 1))
                await session.commit()
            await asyncio.sleep(0)
    await asyncio.gather(run(), owner())
    await _assert_counts_agree(database)


async def test_every_trigger_is_there_at_head(database) -> None:  # noqa: F811
    """A later migration that rebuilds a record table or the links (SQLite's batch mode copies the table and drops
    the old one, triggers and all) would silently stop the counts: this names the trigger it lost."""
    tables = ['entitylink', *(spec.model.__tablename__ for spec in ENTITIES)]  # type: ignore[attr-defined]
    wanted = {(table if table != 'entitylink' else 'link', event) for table in tables
              for event in ('insert', 'update', 'delete')}
    query = ("SELECT name FROM sqlite_master WHERE type = 'trigger'" if database.engine.dialect.name == 'sqlite'
             else 'SELECT tgname FROM pg_trigger WHERE NOT tgisinternal')
    async with database.session() as session:
        names = set((await session.exec(text(query))).scalars().all())
    assert {f'qbsync_{table}_{event}' for table, event in wanted} <= names
