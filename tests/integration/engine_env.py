"""The real engine against the real sandbox: a fresh sandbox company (so counts on the sandbox side are exact),
connected through the whole OAuth flow, Income / A/R / deposit / expense accounts mapped, and a SyncRunner whose
limiter runs on generous limits unless a test asks for Intuit's own."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import select

from bench.books import map_accounts
from connection_env import ConnectionEnv, connection_env  # noqa: F401 (fixture)
from qbsync.models import (CreditMemo, CreditMemoLine, Customer, EntityLink, Expense, ExpenseLine,
                           Invoice, InvoiceLine, Item, Payment, PaymentApplication, SyncSettings)
from qbsync.quickbooks.limits import Limits, RateLimiter
from qbsync.quickbooks.retry import RetryPolicy
from qbsync.sync.outbound import OutboundPass
from qbsync.sync.runner import SyncRunner

__all__ = ['EngineEnv', 'engine_env', 'sandbox_limiter', 'make_runner', 'map_accounts']

def sandbox_limiter(clock, limits: Limits | None = None) -> RateLimiter:  # type: ignore[no-untyped-def]
    """Intuit's limits on the sandbox's ManualClock: waiting advances the clock instead of sleeping."""
    async def sleep(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))
        await asyncio.sleep(0)
    return RateLimiter(limits or Limits(), clock=lambda: clock.now().timestamp(), sleep=sleep)


@dataclass
class EngineEnv:
    env: ConnectionEnv
    realm_id: str
    runner: SyncRunner
    seeded: dict[str, frozenset[str]] = field(default_factory=dict)   # the seeded company's own records, by entity

    @property
    def db(self):  # type: ignore[no-untyped-def]
        return self.env.db

    def company(self):  # type: ignore[no-untyped-def]
        return self.env.sandbox.companies.get(self.realm_id)

    def custom_numbers(self, on: bool = True) -> None:
        """The company's "custom transaction numbers" preference (off in a new sandbox company)."""
        for prefs in self.company().objects['Preferences'].values():
            prefs['SalesFormsPrefs']['CustomTxnNumbers'] = on

    def remote(self, entity: str) -> list[dict[str, Any]]:
        """Every object of ``entity`` the test and the sync put in the sandbox company (counted on the sandbox side;
        the seeded company's own records, a year of history, are left out)."""
        mine = self.seeded.get(entity, frozenset())
        return [o for o in self.company().objects.get(entity, {}).values() if o['Id'] not in mine]

    def remote_by(self, entity: str, field: str, value: Any) -> list[dict[str, Any]]:
        return [o for o in self.remote(entity) if o.get(field) == value]

    async def add(self, *records: Any) -> list[Any]:
        async with self.db.session() as session:
            session.add_all(records)
            await session.commit()
        return list(records)

    async def link(self, entity_type: str, local_id: int) -> EntityLink | None:
        async with self.db.session() as session:
            return (await session.exec(select(EntityLink).where(
                EntityLink.realm_id == self.realm_id, EntityLink.entity_type == entity_type,
                EntityLink.local_id == local_id))).first()

    async def settings(self, **values: Any) -> None:
        async with self.db.session() as session:
            row = await session.get(SyncSettings, 1) or SyncSettings(id=1)
            for name, value in values.items():
                setattr(row, name, value)
            session.add(row)
            await session.commit()

    async def edit(self, model: type, local_id: int, **values: Any) -> Any:
        """Change a record the way the app does: new values and a new version."""
        async with self.db.session() as session:
            row = await session.get(model, local_id)
            for name, value in values.items():
                setattr(row, name, value)
            row.version += 1
            session.add(row)
            await session.commit()
            return row

    async def books(self) -> dict[str, Any]:
        """A small set of books touching every entity and field kind."""
        acme = Customer(display_name='Acme Plumbing', company_name='Acme Plumbing LLC', given_name='Dana',
                        family_name='Ortiz', email='ap@acme.example', phone='555-0100', mobile='555-0101',
                        bill_line1='12 Main St', bill_line2='Suite 4', bill_city='Reno', bill_state='NV',
                        bill_postal_code='89501', bill_country='USA', terms='Net 30', notes='Prefers email')
        bolt = Customer(display_name='Bolt Electric', email='bolt@example.com')
        consult = Item(name='Consulting Hour', kind='Service', description='Hourly consulting', sku='CONS-1',
                       unit_price=Decimal('150'), purchase_cost=Decimal('0'), taxable=False)
        pipe = Item(name='Copper Pipe', kind='NonInventory', unit_price=Decimal('12.50'),
                    purchase_cost=Decimal('7.25'))
        await self.add(acme, bolt, consult, pipe)
        invoice = Invoice(doc_number='1070', customer_id=acme.id, txn_date=date(2026, 3, 5),
                          due_date=date(2026, 4, 4), terms='Net 30', bill_email='ap@acme.example',
                          memo='Thank you', private_note='internal')
        await self.add(invoice)
        memo = CreditMemo(doc_number='CM-1', customer_id=bolt.id, txn_date=date(2026, 3, 6), memo='Refund')
        await self.add(memo)
        await self.add(
            InvoiceLine(invoice_id=invoice.id, line_num=1, item_id=consult.id, description='March consulting',
                        quantity=Decimal('2'), unit_price=Decimal('150'), amount=Decimal('300'),
                        service_date=date(2026, 3, 1)),
            InvoiceLine(invoice_id=invoice.id, line_num=2, item_id=pipe.id, description='Pipe',
                        quantity=Decimal('4'), unit_price=Decimal('12.50'), amount=Decimal('50')),
            CreditMemoLine(credit_memo_id=memo.id, line_num=1, item_id=consult.id, quantity=Decimal('1'),
                           unit_price=Decimal('50'), amount=Decimal('50')))
        payment = Payment(customer_id=acme.id, txn_date=date(2026, 3, 20), amount=Decimal('310'), method='Check',
                          reference='4471', memo='March')
        expense = Expense(txn_date=date(2026, 3, 12), payee='Office Depot', payment_type='Check', doc_number='E-1',
                          memo='receipt 8812')
        await self.add(payment, expense)
        await self.add(PaymentApplication(payment_id=payment.id, invoice_id=invoice.id, amount=Decimal('300')),
                       ExpenseLine(expense_id=expense.id, line_num=1, category='Office', description='Paper',
                                   amount=Decimal('86.40'), customer_id=bolt.id))
        return {'acme': acme, 'bolt': bolt, 'consult': consult, 'pipe': pipe, 'invoice': invoice, 'memo': memo,
                'payment': payment, 'expense': expense}


def make_runner(env: ConnectionEnv, limiter: RateLimiter | None = None, **options: Any) -> SyncRunner:
    outbound = OutboundPass(limiter=limiter or sandbox_limiter(env.clock), policy=options.pop('policy', RetryPolicy()),
                            **options)
    return SyncRunner(env.db, env.service.api, outbound=outbound)


@pytest.fixture
async def engine_env(connection_env) -> AsyncIterator[EngineEnv]:  # noqa: F811
    company = connection_env.sandbox.companies.create_company('Engine Test Co', profile='new')
    outcome = await connection_env.connect(realm_id=company.realm_id)
    assert outcome.ok, outcome
    await map_accounts(connection_env.db, company.realm_id)
    seeded = {entity: frozenset(bucket) for entity, bucket in
              connection_env.sandbox.companies.get(company.realm_id).objects.items()}
    engine = EngineEnv(connection_env, company.realm_id, make_runner(connection_env), seeded)
    engine.custom_numbers(True)
    yield engine
