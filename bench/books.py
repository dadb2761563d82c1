"""Generated books of any size for the outbound benchmark, the fault and crash tests: deterministic for a seed,
written with a few bulk INSERTs (10,000 records in about a second)."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import insert

from qbsync.db import Database
from qbsync.models import (AccountMapping, CreditMemo, CreditMemoLine, Customer, Expense, ExpenseLine, Invoice,
                           InvoiceLine, Item, MappingPurpose, Payment, PaymentApplication)
from qbsync.sandbox.accounting.seed_us import ACCOUNT_IDS

__all__ = ['BookSize', 'make_books', 'map_accounts', 'BENCH_SIZE']


@dataclass(frozen=True)
class BookSize:
    customers: int
    items: int
    invoices: int
    payments: int  # each pays one invoice in full (at most one per invoice)
    expenses: int
    credit_memos: int

    @property
    def total(self) -> int:
        return self.customers + self.items + self.invoices + self.payments + self.expenses + self.credit_memos


BENCH_SIZE = BookSize(customers=1000, items=200, invoices=5000, payments=3000, expenses=500, credit_memos=300)
START = date(2026, 1, 1)
STAMP = datetime(2026, 1, 1, tzinfo=timezone.utc)


async def make_books(db: Database, size: BookSize, *, seed: int = 7, payees: int = 20) -> None:
    rng = random.Random(seed)
    rows: dict[type, list[dict]] = {model: [] for model in (Customer, Item, Invoice, InvoiceLine, Payment,
                                                             PaymentApplication, Expense, ExpenseLine, CreditMemo,
                                                             CreditMemoLine)}
    common = {'version': 1, 'created_at': STAMP, 'updated_at': STAMP}
    for n in range(1, size.customers + 1):
        rows[Customer].append({**common, 'id': n, 'display_name': f'Customer {n:05d}', 'email': f'c{n}@example.com',
                               'company_name': '', 'given_name': '', 'family_name': '', 'phone': '', 'mobile': '',
                               'bill_line1': f'{n} Main St', 'bill_line2': '', 'bill_city': 'Reno',
                               'bill_state': 'NV', 'bill_postal_code': '89501', 'bill_country': '', 'terms': '',
                               'notes': '', 'active': True})
    prices = {}
    for n in range(1, size.items + 1):
        prices[n] = Decimal(rng.randint(10, 300))
        rows[Item].append({**common, 'id': n, 'name': f'Item {n:04d}', 'kind': 'Service', 'description': '',
                           'sku': f'SKU-{n}', 'unit_price': prices[n], 'purchase_cost': Decimal('0'),
                           'quantity_on_hand': Decimal('0'), 'taxable': False, 'active': True})
    totals: dict[int, tuple[int, Decimal, date]] = {}
    line_id = 0
    for n in range(1, size.invoices + 1):
        customer = rng.randint(1, size.customers)
        day = START + timedelta(days=n % 300)
        rows[Invoice].append({**common, 'id': n, 'doc_number': f'{100000 + n}', 'customer_id': customer,
                              'txn_date': day, 'due_date': day + timedelta(days=30), 'terms': '', 'bill_email': '',
                              'memo': '', 'private_note': '', 'voided': False})
        total = Decimal('0')
        for number in range(1, rng.randint(1, 3) + 1):
            line_id += 1
            item = rng.randint(1, size.items)
            quantity = Decimal(rng.randint(1, 4))
            total += quantity * prices[item]
            rows[InvoiceLine].append({'id': line_id, 'invoice_id': n, 'line_num': number, 'item_id': item,
                                      'description': '', 'quantity': quantity, 'unit_price': prices[item],
                                      'amount': quantity * prices[item], 'service_date': None})
        totals[n] = (customer, total, day)
    for n in range(1, min(size.payments, size.invoices) + 1):
        customer, total, day = totals[n]
        rows[Payment].append({**common, 'id': n, 'customer_id': customer, 'txn_date': day + timedelta(days=10),
                              'amount': total, 'method': 'Check', 'reference': str(n), 'memo': '', 'voided': False})
        rows[PaymentApplication].append({'id': n, 'payment_id': n, 'invoice_id': n, 'amount': total})
    for n in range(1, size.expenses + 1):
        amount = Decimal(rng.randint(500, 50000)) / 100
        rows[Expense].append({**common, 'id': n, 'txn_date': START + timedelta(days=n % 300),
                              'payee': f'Vendor {n % payees:02d}', 'payment_type': 'Check', 'doc_number': '',
                              'memo': '', 'voided': False})
        rows[ExpenseLine].append({'id': n, 'expense_id': n, 'line_num': 1, 'category': 'Office',
                                  'description': 'Supplies', 'amount': amount, 'customer_id': None})
    for n in range(1, size.credit_memos + 1):
        item = rng.randint(1, size.items)
        rows[CreditMemo].append({**common, 'id': n, 'doc_number': f'CM{n:05d}',
                                 'customer_id': rng.randint(1, size.customers), 'txn_date': START + timedelta(days=n),
                                 'memo': '', 'private_note': '', 'voided': False})
        rows[CreditMemoLine].append({'id': n, 'credit_memo_id': n, 'line_num': 1, 'item_id': item, 'description': '',
                                     'quantity': Decimal(1), 'unit_price': prices[item], 'amount': prices[item]})
    async with db.engine.begin() as connection:  # core inserts: no ORM objects for 10,000 rows
        for model, values in rows.items():
            for start in range(0, len(values), 2000):
                if values[start:start + 2000]:
                    await connection.execute(insert(model), values[start:start + 2000])


async def map_accounts(db: Database, realm_id: str) -> None:
    """The mapping a user makes on the Account Mapping tab, against a seeded sandbox company's accounts."""
    roles = {MappingPurpose.INCOME: 'Services', MappingPurpose.ACCOUNTS_RECEIVABLE: 'Accounts Receivable (A/R)',
             MappingPurpose.EXPENSE_PAYMENT: 'Checking', MappingPurpose.EXPENSE_CATEGORY: 'Office Expenses'}
    async with db.session() as session:
        session.add_all([AccountMapping(realm_id=realm_id, purpose=purpose, qbo_account_id=ACCOUNT_IDS[name],
                                        qbo_account_name=name) for purpose, name in roles.items()])
        await session.commit()
