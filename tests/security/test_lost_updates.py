"""No lost updates: two saves of the same record version at the same instant, one wins (issue 10, item 6)."""
from __future__ import annotations

import asyncio

import pytest

from qbsync.db import Database
from qbsync.models import Customer
from qbsync.models.versioning import write_if_version
from qbsync.services.errors import ValidationError
from qbsync.services.records import CustomerInput, InvoiceInput, ItemInput, RecordService, SalesLineInput


async def test_two_simultaneous_saves_one_wins_the_other_is_told(db: Database) -> None:
    records = RecordService(db)
    view = await records.create(CustomerInput(display_name='Acme Dental', email='a@acme.example.com'))
    saves = [records.update(view.id, CustomerInput(display_name=name, email='a@acme.example.com'),
                            expected_version=view.record.version) for name in ('Acme One', 'Acme Two')]
    outcomes = await asyncio.gather(*saves, return_exceptions=True)
    won = [o for o in outcomes if not isinstance(o, BaseException)]
    lost = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], ValidationError) and 'changed meanwhile' in lost[0].field_errors['version']
    stored = await records.get('customer', view.id)
    assert (stored.record.display_name, stored.record.version) == (won[0].record.display_name, 2)


async def test_simultaneous_saves_with_lines_never_mix(db: Database) -> None:
    records = RecordService(db)
    customer = await records.create(CustomerInput(display_name='Lines Co'))
    item = await records.create(ItemInput(name='Labor', unit_price='125'))

    def invoice_with(text: str, price: str) -> InvoiceInput:
        return InvoiceInput(customer_id=customer.id, txn_date='2026-03-02', doc_number='1001',
                            lines=[SalesLineInput(item_id=item.id, description=text, unit_price=price)])
    invoice = await records.create(invoice_with('one', '10.00'))
    saves = [records.update(invoice.id, invoice_with(text, price), expected_version=1)
             for text, price in (('left', '20.00'), ('right', '30.00'))]
    outcomes = await asyncio.gather(*saves, return_exceptions=True)
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1, outcomes
    stored = await records.get('invoice', invoice.id)
    assert len(stored.lines) == 1 and stored.record.version == 2  # one save's lines, never a mix of both


async def test_write_if_version_is_the_reusable_rule(db: Database) -> None:
    async with db.session() as session:
        session.add(Customer(id=5, display_name='Rule Co'))
        await session.commit()
    async with db.session() as session:
        assert await write_if_version(session, Customer, 5, 1, {'email': 'x@rule.example.com'}) == 2
        assert await write_if_version(session, Customer, 5, 1, {'email': 'y@rule.example.com'}) is None
        assert await write_if_version(session, Customer, 99, 1, {'email': 'z@rule.example.com'}) is None
        await session.commit()
    async with db.session() as session:
        row = await session.get(Customer, 5)
        assert row is not None and (row.email, row.version) == ('x@rule.example.com', 2)


@pytest.mark.parametrize('expected', [0, 2])
async def test_a_stale_version_writes_nothing(db: Database, expected: int) -> None:
    records = RecordService(db)
    view = await records.create(CustomerInput(display_name='Stale Co'))
    with pytest.raises(ValidationError):
        await records.update(view.id, CustomerInput(display_name='Fresh Co'), expected_version=expected)
    assert (await records.get('customer', view.id)).record.display_name == 'Stale Co'
