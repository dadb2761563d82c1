"""Demo data for `make run`: a year of a small heating, cooling and plumbing business near Sacramento.

Deterministic for a (seed, today) pair. Loaded only when every record table is empty, in one transaction, with
explicit ids so it is a handful of bulk inserts (well under a second). The amounts obey the same rules the
RecordService enforces: line amount = quantity x unit price in cents, payments never exceed an invoice's balance.
Emails use the reserved example.* domains and phones the 555-01xx fictional range.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlmodel import Session, SQLModel, select

from .models import (CreditMemo, CreditMemoLine, Customer, Expense, ExpenseLine, Invoice, InvoiceLine, Item, Payment,
                     PaymentApplication)
from .services.record_inputs import TERMS_DAYS
from .services.validation import cents

__all__ = ['DemoData', 'build_demo_data', 'load_demo_data', 'records_empty', 'announce_owner', 'DEMO_OWNER_EMAIL',
           'DEMO_COMPANY', 'DEFAULT_SEED']

DEFAULT_SEED = 20240601
DEMO_COMPANY = 'Summit Comfort Heating, Cooling & Plumbing'
DEMO_OWNER_EMAIL = 'owner@summitcomfort.example.com'
RECORD_TABLES = (Customer, Item, Invoice, Payment, Expense, CreditMemo)

# name, kind, unit price, purchase cost, description, quantities a technician would bill
ITEMS = (
    ('Service Call', 'Service', '89.00', '0', 'Diagnostic visit, first 30 minutes on site', ('1',)),
    ('Trip Charge', 'Service', '49.00', '0', 'Travel to site outside the standard service area', ('1',)),
    ('Labor - Standard Hour', 'Service', '125.00', '0', 'Technician labor, weekdays 7am-5pm', ('1', '1.5', '2', '3')),
    ('Labor - After Hours', 'Service', '185.00', '0', 'Technician labor, evenings, weekends, holidays', ('1', '2')),
    ('AC Tune-Up', 'Service', '129.00', '0', '21-point air conditioner inspection and cleaning', ('1',)),
    ('Furnace Tune-Up', 'Service', '119.00', '0', 'Gas furnace safety inspection and cleaning', ('1',)),
    ('Maintenance Plan - Annual', 'Service', '199.00', '0', 'Two tune-ups a year, priority scheduling', ('1',)),
    ('Water Heater Flush', 'Service', '145.00', '0', 'Drain and flush sediment, check anode rod', ('1',)),
    ('Drain Cleaning', 'Service', '175.00', '0', 'Snake main or branch line up to 100 ft', ('1',)),
    ('Hydro Jetting', 'Service', '450.00', '0', 'High-pressure jetting of sewer line', ('1',)),
    ('Leak Detection', 'Service', '225.00', '0', 'Electronic and acoustic leak location', ('1',)),
    ('Capacitor Replacement', 'Service', '165.00', '38.00', 'Replace run/start capacitor, parts included', ('1',)),
    ('Condenser Fan Motor', 'NonInventory', '395.00', '142.00', 'Condenser fan motor, installed', ('1',)),
    ('Refrigerant R-410A (lb)', 'NonInventory', '85.00', '22.50', 'R-410A refrigerant per pound', ('1', '2', '3', '4')),
    ('Smart Thermostat, installed', 'NonInventory', '289.00', '129.00', 'Wi-Fi thermostat with setup', ('1',)),
    ('Air Filter 16x25x1', 'NonInventory', '18.00', '6.25', 'MERV 11 pleated filter', ('1', '2', '4', '6')),
    ('Faucet Replacement', 'Service', '210.00', '0', 'Remove and install customer-supplied faucet', ('1',)),
    ('Garbage Disposal Install', 'Service', '325.00', '95.00', '1/2 HP disposal, installed', ('1',)),
    ('Tankless Water Heater Install', 'NonInventory', '3450.00', '1780.00', '199k BTU unit, venting and permit',
     ('1',)),
    ('Duct Sealing', 'Service', '650.00', '0', 'Seal accessible ductwork, before/after pressure test', ('1',)),
)
FIRST = ('Maria', 'James', 'Linda', 'Robert', 'Patricia', 'Michael', 'Jennifer', 'David', 'Elizabeth', 'William',
         'Susan', 'Carlos', 'Karen', 'Daniel', 'Nancy', 'Thomas', 'Lisa', 'Kevin', 'Angela', 'Brian', 'Priya',
         'Wei', 'Fatima', 'Diego', 'Hannah', 'Tyler', 'Grace', 'Andre', 'Rosa', 'Samuel', 'Mei', 'Aaron')
LAST = ('Gonzalez', 'Smith', 'Nguyen', 'Johnson', 'Patel', 'Williams', 'Garcia', 'Brown', 'Kim', 'Miller',
        'Davis', 'Martinez', 'Wilson', 'Anderson', 'Thompson', 'Lopez', 'Lee', 'Harris', 'Clark', 'Ramirez',
        'Lewis', 'Walker', 'Chen', 'Young', 'Hernandez', 'King', 'Wright', 'Singh', 'Torres', 'Hill')
BUSINESSES = ('Riverside Dental Group', 'Oak Park Bakery', 'Capitol Fitness Center', 'Fair Oaks Veterinary Clinic',
              'Delta Property Management', 'Sunrise Senior Living', 'Midtown Coffee Roasters', 'Elk Grove Auto Spa',
              'Folsom Lake Realty', 'American River Brewing Co.', 'Greenhaven Pediatrics', 'Natomas Self Storage',
              'Land Park Montessori', 'Granite Bay Golf Club', 'Arden Fair Dry Cleaners', 'Tower Bridge Lofts HOA',
              'Sierra Oaks Apartments', 'Davis Co-op Market')
STREETS = ('Oak Ave', 'Maple St', 'Sunset Blvd', 'Riverside Blvd', 'J St', 'Fair Oaks Blvd', 'Madison Ave',
           'Elm Dr', 'Hazel Ave', 'Greenback Ln', 'Freeport Blvd', 'Folsom Blvd', 'Laguna Blvd', 'Douglas Blvd',
           'Watt Ave', 'Cypress Ct', 'Willow Way', 'Alder Creek Dr', 'Poplar Ln', 'Birch Pl')
CITIES = (('Sacramento', ('95814', '95816', '95818', '95819', '95822', '95831', '95864')),
          ('Elk Grove', ('95624', '95757', '95758')), ('Roseville', ('95661', '95678', '95747')),
          ('Folsom', ('95630',)), ('Davis', ('95616', '95618')), ('Rancho Cordova', ('95670', '95742')),
          ('Citrus Heights', ('95610', '95621')), ('Carmichael', ('95608',)), ('West Sacramento', ('95691',)))
EXPENSES = (  # payee, payment type, category, low, high, per-job (billable) materials
    ('Ferguson Plumbing Supply', 'CreditCard', 'Materials & Supplies', 120, 1400, True),
    ('Johnstone Supply', 'CreditCard', 'Materials & Supplies', 90, 2200, True),
    ('The Home Depot', 'CreditCard', 'Materials & Supplies', 25, 380, True),
    ('Chevron', 'CreditCard', 'Fuel', 60, 180, False),
    ('Shell', 'CreditCard', 'Fuel', 55, 170, False),
    ('Grainger', 'Check', 'Tools & Equipment', 150, 1900, False),
    ('Pep Boys', 'CreditCard', 'Vehicle Repairs', 80, 900, False),
    ('State Farm', 'Check', 'Insurance', 480, 480, False),
    ('Verizon Wireless', 'CreditCard', 'Phone & Internet', 212.4, 212.4, False),
    ('SMUD', 'Check', 'Utilities', 140, 260, False),
    ('Yelp Ads', 'CreditCard', 'Advertising', 300, 300, False),
    ('Capitol Industrial Park LLC', 'Check', 'Rent', 2850, 2850, False),
)
CREDIT_REASONS = ('Goodwill credit - missed appointment window', 'Duplicate trip charge refunded',
                  'Warranty: part failed within 90 days', 'Maintenance plan discount applied late',
                  'Price match on replacement part')


@dataclass
class DemoData:
    """The rows to insert, by table, in dependency order."""
    tables: dict[type[SQLModel], list[SQLModel]] = field(default_factory=dict)

    def count(self, model: type[SQLModel]) -> int:
        return len(self.tables.get(model, []))


def records_empty(session: Session) -> bool:
    return all(session.exec(select(model.id).limit(1)).first() is None  # type: ignore[attr-defined]
               for model in RECORD_TABLES)


def load_demo_data(session: Session, *, today: date, seed: int = DEFAULT_SEED) -> DemoData | None:
    """Insert the demo business unless any record exists; returns what was inserted (None when skipped)."""
    if not records_empty(session):
        return None
    data = build_demo_data(today=today, seed=seed)
    for rows in data.tables.values():
        session.add_all(rows)
        session.flush()
    session.commit()
    return data


def announce_owner(email: str, password: str) -> None:
    """Shown once, on the console only (never in a log file): the generated password is not kept anywhere else."""
    print('\n' + '=' * 72 + f'\n  qbsync demo: owner account created\n    email:    {email}\n'
          f'    password: {password}\n  Sign in at the login page; add users under Users.\n'
          '  This password is shown only once.\n' + '=' * 72 + '\n', flush=True)


def build_demo_data(*, today: date, seed: int = DEFAULT_SEED) -> DemoData:
    rng = random.Random(seed)
    start = today - timedelta(days=364)
    items = [_item(i + 1, spec, start) for i, spec in enumerate(ITEMS)]
    customers = _customers(rng, start)
    invoices, invoice_lines, totals = _invoices(rng, start, today, customers, items)
    payments, applications = _payments(rng, today, customers, invoices, totals)
    expenses, expense_lines = _expenses(rng, start, today, customers)
    memos, memo_lines = _credit_memos(rng, today, invoices, items)
    return DemoData({Customer: customers, Item: items, Invoice: invoices, InvoiceLine: invoice_lines,
                     Payment: payments, PaymentApplication: applications, Expense: expenses,
                     ExpenseLine: expense_lines, CreditMemo: memos, CreditMemoLine: memo_lines})


def _stamp(day: date, rng: random.Random | None = None) -> datetime:
    hour = 15 if rng is None else rng.randint(14, 23)  # business hours in California, in UTC
    return datetime.combine(day, time(hour, 0 if rng is None else rng.randint(0, 59)), tzinfo=timezone.utc)


def _item(item_id: int, spec: tuple[Any, ...], start: date) -> Item:
    name, kind, price, cost, description, _ = spec
    return Item(id=item_id, name=name, kind=kind, unit_price=Decimal(price), purchase_cost=Decimal(cost),
                description=description, sku=f'SC-{100 + item_id}', created_at=_stamp(start),
                updated_at=_stamp(start))


def _customers(rng: random.Random, start: date) -> list[Customer]:
    customers: list[Customer] = []
    names: set[str] = set()
    businesses = list(BUSINESSES)
    rng.shuffle(businesses)
    while len(customers) < 56:
        given, family = rng.choice(FIRST), rng.choice(LAST)
        commercial = len(customers) % 3 == 2 and businesses
        display = businesses.pop() if commercial else f'{given} {family}'
        if display in names:
            continue
        names.add(display)
        city, postcodes = rng.choice(CITIES)
        domain = display.lower().replace('&', 'and').replace('.', '').replace(' ', '') + '.example.com'
        email = f'{given.lower()}@{domain}' if commercial else f'{given.lower()}.{family.lower()}@example.net'
        created = _stamp(start + timedelta(days=rng.randint(0, 20)), rng)
        customers.append(Customer(
            id=len(customers) + 1, display_name=display, company_name=display if commercial else '',
            given_name=given, family_name=family, email=email, phone=f'(916) 555-01{rng.randint(0, 99):02d}',
            mobile='' if commercial else f'(530) 555-01{rng.randint(0, 99):02d}',
            bill_line1=f'{rng.randint(100, 9899)} {rng.choice(STREETS)}',
            bill_line2=f'Suite {rng.randint(100, 400)}' if commercial and rng.random() < 0.5 else '',
            bill_city=city, bill_state='CA', bill_postal_code=rng.choice(postcodes), bill_country='USA',
            terms=rng.choice(('Net 15', 'Net 30')) if commercial else 'Due on receipt',
            notes='Gate code on file; call before arrival' if rng.random() < 0.15 else '',
            created_at=created, updated_at=created))
    return customers


def _invoices(rng: random.Random, start: date, today: date, customers: Sequence[Customer],
              items: Sequence[Item]) -> tuple[list[Invoice], list[InvoiceLine], dict[int, Decimal]]:
    days = sorted(start + timedelta(days=rng.randint(0, 364)) for _ in range(212))
    commercial = [c for c in customers if c.company_name]
    invoices: list[Invoice] = []
    lines: list[InvoiceLine] = []
    totals: dict[int, Decimal] = {}
    for number, day in enumerate(days, start=1):
        customer = rng.choice(commercial if rng.random() < 0.4 else customers)
        invoice = Invoice(id=number, doc_number=str(1000 + number), customer_id=customer.id, txn_date=day,
                          due_date=day + timedelta(days=TERMS_DAYS[customer.terms]), terms=customer.terms,
                          bill_email=customer.email, memo='Thank you for your business!' if rng.random() < 0.5 else '',
                          private_note=f'Tech: {rng.choice(FIRST)} {rng.choice(LAST)[0]}.',
                          created_at=_stamp(day, rng), updated_at=_stamp(day, rng))
        invoice.updated_at = invoice.created_at
        chosen = rng.sample(range(len(items)), rng.randint(1, 4))
        totals[number] = Decimal('0.00')
        for line_num, index in enumerate(chosen, start=1):
            item = items[index]
            quantity = Decimal(rng.choice(ITEMS[index][5]))
            amount = cents(quantity * item.unit_price)
            lines.append(InvoiceLine(id=len(lines) + 1, invoice_id=number, line_num=line_num, item_id=item.id,
                                     description=item.description, quantity=quantity, unit_price=item.unit_price,
                                     amount=amount, service_date=day - timedelta(days=rng.randint(0, 2))))
            totals[number] += amount
        invoices.append(invoice)
    return invoices, lines, totals


def _payments(rng: random.Random, today: date, customers: Sequence[Customer], invoices: Sequence[Invoice],
              totals: dict[int, Decimal]) -> tuple[list[Payment], list[PaymentApplication]]:
    by_id = {c.id: c for c in customers}
    payments: list[Payment] = []
    applications: list[PaymentApplication] = []
    last_full: dict[int | None, Payment] = {}  # a customer's latest full payment, open to cover one more invoice
    for invoice in invoices:
        age = (today - invoice.txn_date).days
        chance = 0.9 if age > 45 else 0.55 if age > 14 else 0.2
        if rng.random() >= chance:
            continue  # unpaid: overdue once past the due date
        total = totals[invoice.id]  # type: ignore[index]
        partial = rng.random() < 0.1 and total > 100
        amount = cents(total * Decimal(rng.choice(('0.25', '0.4', '0.5')))) if partial else total
        day = min(today, invoice.txn_date + timedelta(days=rng.randint(0, 35)))
        customer = by_id[invoice.customer_id]
        method = rng.choice(('Check', 'ACH')) if customer.company_name else rng.choice(
            ('Credit Card', 'Credit Card', 'Check', 'Cash'))
        previous = last_full.get(customer.id)
        if customer.company_name and not partial and previous is not None and previous.txn_date >= invoice.txn_date:
            previous.amount += amount  # a company paying two invoices with one check
            applications.append(PaymentApplication(id=len(applications) + 1, payment_id=previous.id,
                                                   invoice_id=invoice.id, amount=amount))
            del last_full[customer.id]
            continue
        payment = Payment(id=len(payments) + 1, customer_id=customer.id, txn_date=day, amount=amount, method=method,
                          reference=str(rng.randint(1001, 9999)) if method == 'Check' else '',
                          memo='Partial payment' if partial else '', created_at=_stamp(day, rng))
        payment.updated_at = payment.created_at
        payments.append(payment)
        if not partial:
            last_full[customer.id] = payment
        applications.append(PaymentApplication(id=len(applications) + 1, payment_id=payment.id,
                                               invoice_id=invoice.id, amount=amount))
    return payments, applications


def _expenses(rng: random.Random, start: date, today: date,
              customers: Sequence[Customer]) -> tuple[list[Expense], list[ExpenseLine]]:
    expenses: list[Expense] = []
    lines: list[ExpenseLine] = []
    for number, day in enumerate(sorted(start + timedelta(days=rng.randint(0, 364)) for _ in range(44)), start=1):
        payee, payment_type, category, low, high, billable = rng.choice(EXPENSES)
        expense = Expense(id=number, txn_date=min(day, today), payee=payee, payment_type=payment_type,
                          doc_number=str(rng.randint(2001, 8999)) if payment_type == 'Check' else '',
                          memo=f'{category} - {payee}', created_at=_stamp(day, rng))
        expense.updated_at = expense.created_at
        for line_num in range(1, (rng.randint(1, 3) if billable else 1) + 1):
            amount = cents(Decimal(str(rng.uniform(low, high))))
            lines.append(ExpenseLine(id=len(lines) + 1, expense_id=number, line_num=line_num, category=category,
                                     description='Parts for job' if billable else category, amount=amount,
                                     customer_id=rng.choice(customers).id if billable and rng.random() < 0.4
                                     else None))
        expenses.append(expense)
    return expenses, lines


def _credit_memos(rng: random.Random, today: date, invoices: Sequence[Invoice],
                  items: Sequence[Item]) -> tuple[list[CreditMemo], list[CreditMemoLine]]:
    memos: list[CreditMemo] = []
    lines: list[CreditMemoLine] = []
    for number, invoice in enumerate(sorted(rng.sample(list(invoices), 12), key=lambda i: i.txn_date), start=1):
        day = min(today, invoice.txn_date + timedelta(days=rng.randint(1, 20)))
        item = items[rng.choice((0, 1, 2, 11))]  # service call, trip charge, labor hour, capacitor
        memo = CreditMemo(id=number, doc_number=f'CM-{1000 + number}', customer_id=invoice.customer_id,
                          txn_date=day, memo=rng.choice(CREDIT_REASONS),
                          private_note=f'Relates to invoice {invoice.doc_number}', created_at=_stamp(day, rng))
        memo.updated_at = memo.created_at
        lines.append(CreditMemoLine(id=number, credit_memo_id=number, line_num=1, item_id=item.id,
                                    description=item.description, quantity=Decimal('1'), unit_price=item.unit_price,
                                    amount=cents(item.unit_price)))
        memos.append(memo)
    return memos, lines
