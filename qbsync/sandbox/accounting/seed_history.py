"""A year of the US sandbox company's history, so that reading, paging and backfill code meets real volume.

Like Intuit's sandbox company: a few dozen customers and vendors beyond the original six, more employees, classes
and departments, a non-inventory item, and a year of invoices (most paid), sales receipts, weekly deposits of what
sat in Undeposited Funds, estimates (some turned into invoices), bills (most paid by check), expenses and a card
payment. Everything is created through the entity rules (so every reference resolves and every balance is derived
as for any client's data) with the company's clock set back to each transaction's date: MetaData says when it
happened, and the year ends 31 days before "today", so change data capture (30 days) starts out empty. The
original six customers and vendors keep no history (tests and demos start from them with clean balances). The
history's sales forms are numbered from 9001 (and new ones continue after them), so an app that numbers its own
documents from 1001, QuickBooks' default start, never meets 6140 because of the seed. The sequence is deterministic
(a fixed random seed), so every sandbox holds the same history.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..events import EventBus
from .seed import SALES_DOC_COUNTER
from .seed_us import ACCOUNT_IDS

if TYPE_CHECKING:
    from .store import Company

__all__ = ['seed_history', 'HISTORY_DAYS', 'HISTORY_GAP_DAYS', 'HISTORY_FIRST_NUMBER']

HISTORY_DAYS = 364
HISTORY_FIRST_NUMBER = 9001    # the history's first sales form number (see above)
HISTORY_GAP_DAYS = 31          # the history ends this many days before the sandbox's today (CDC sees none of it)
_SEED = 20260115

_FIRST = ['Adams', 'Baker', 'Chen', 'Diaz', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Ito', 'Jensen', 'Kowalski',
          'Lopez', 'Moreau', 'Nakamura', 'Olsen', 'Patel', 'Quinn', 'Rossi', 'Silva', 'Tanaka', 'Usman', 'Vargas',
          'Weber', 'Young']
_TRADES = ['Gardens', 'Vineyards', 'Dental', 'Bakery', 'Realty', 'Fitness', 'Winery', 'Cafe', 'Law Office',
           'Nursery', 'Hotel', 'Pet Clinic']
_CITIES = ['Palo Alto', 'San Mateo', 'Half Moon Bay', 'Redwood City', 'Menlo Park', 'Sunnyvale']
_SUPPLIERS = ['Bay Irrigation Supply', 'Cal Stone Works', 'Coastal Nursery', 'Delta Fuel', 'Evergreen Tools',
              'Fernwood Fertilizer', 'Golden State Insurance', 'Harbor Equipment Rental', 'Iron Horse Trucking',
              'Jade Landscaping Supply', 'Keystone Lumber', 'Lakeside Printing', 'Mesa Office Supply',
              'North Bay Telecom', 'Oakridge Seeds', 'Pacific Water', 'Redwood Mulch', 'Sierra Pumps',
              'Tri-Valley Waste', 'Union Pipe and Valve']
_EMPLOYEES = [('Maria', 'Gonzalez'), ('Kevin', 'Nguyen'), ('Priya', 'Shah')]


@dataclass
class _Clock:
    instant: datetime

    def now(self) -> datetime:
        return self.instant


def seed_history(company: Company) -> None:
    """Create the history in ``company`` (its lists already seeded); announces nothing, stamps the past."""
    real_clock, real_events = company.clock, company.events
    clock = _Clock(real_clock.now())
    company.clock, company.events = clock, EventBus()
    try:
        _History(company, clock, random.Random(_SEED)).run()
    finally:
        company.clock, company.events = real_clock, real_events


class _History:
    def __init__(self, company: Company, clock: _Clock, rng: random.Random) -> None:
        self.company, self.clock, self.rng = company, clock, rng
        self.end = company.today() - timedelta(days=HISTORY_GAP_DAYS)
        self.start = self.end - timedelta(days=HISTORY_DAYS)

    def at(self, day: date, hour: int = 10) -> None:
        self.clock.instant = datetime.combine(day, time(hour, self.rng.randrange(60)), tzinfo=self.company.zone)

    def create(self, entity: str, obj: dict[str, Any]) -> dict[str, Any]:
        from .entities import entity_type
        return entity_type(entity).create(self.company, obj)

    def run(self) -> None:
        self.company.counters[SALES_DOC_COUNTER] = HISTORY_FIRST_NUMBER - 1
        self.at(self.start - timedelta(days=30))
        customers, vendors = self.lists()
        items = ['3', '5', self.create('Item', {'Name': 'Garden Gloves', 'Type': 'NonInventory',
                                                'UnitPrice': '12.50', 'IncomeAccountRef': {'value': ACCOUNT_IDS[
                                                    'Sales of Product Income']}})['Id']]
        classes = [self.create('Class', {'Name': name})['Id'] for name in ('Design', 'Maintenance')]
        classes.append(self.create('Class', {'Name': 'Irrigation', 'SubClass': True,
                                             'ParentRef': {'value': classes[1]}})['Id'])
        places = [self.create('Department', {'Name': name})['Id'] for name in ('Downtown', 'Harbor')]
        undeposited: list[tuple[str, str, Decimal]] = []
        open_invoices: list[dict[str, Any]] = []
        open_bills: list[dict[str, Any]] = []
        day = self.start
        while day + timedelta(days=4) <= self.end:        # whole working weeks, none of them inside the gap
            self.week(day, customers, vendors, items, classes, places, undeposited, open_invoices, open_bills)
            day += timedelta(days=7)

    def lists(self) -> tuple[list[str], list[str]]:
        customers = []
        for n, family in enumerate(_FIRST):
            trade = _TRADES[n % len(_TRADES)]
            name = f'{family} {trade}'
            customers.append(self.create('Customer', {
                'DisplayName': name, 'CompanyName': name, 'GivenName': _FIRST[(n * 7) % len(_FIRST)][:3] + 'a',
                'FamilyName': family, 'PrimaryEmailAddr': {'Address': f"{family.lower()}@{trade.split()[0].lower()}"
                                                                      f".example.com"},
                'BillAddr': {'Line1': f'{100 + n * 17} Main St.', 'City': _CITIES[n % len(_CITIES)],
                             'CountrySubDivisionCode': 'CA', 'PostalCode': f'94{300 + n}'},
                'SalesTermRef': {'value': ('4', '3', '1')[n % 3]}})['Id'])
        vendors = [self.create('Vendor', {'DisplayName': name, 'CompanyName': name,
                                          'TermRef': {'value': ('4', '2')[n % 2]},
                                          'PrimaryEmailAddr': {'Address': f'billing{n}@supplier.example.com'}})['Id']
                   for n, name in enumerate(_SUPPLIERS)]
        for given, family in _EMPLOYEES:
            self.create('Employee', {'GivenName': given, 'FamilyName': family, 'BillableTime': True,
                                     'HiredDate': self.start.isoformat()})
        return customers, vendors

    def amount(self, low: int, high: int) -> Decimal:
        return Decimal(self.rng.randrange(low * 4, high * 4)) * 25 / 100

    def sale_lines(self, items: list[str], classes: list[str]) -> list[dict[str, Any]]:
        lines = []
        for _ in range(self.rng.randrange(1, 4)):
            item = self.rng.choice(items)
            lines.append({'Amount': str(self.amount(40, 900)), 'DetailType': 'SalesItemLineDetail',
                          'SalesItemLineDetail': {'ItemRef': {'value': item},
                                                  'ClassRef': {'value': self.rng.choice(classes)}}})
        return lines

    def week(self, monday: date, customers: list[str], vendors: list[str], items: list[str], classes: list[str],
             places: list[str], undeposited: list[tuple[str, str, Decimal]], open_invoices: list[dict[str, Any]],
             open_bills: list[dict[str, Any]]) -> None:
        rng, days = self.rng, [monday + timedelta(days=n) for n in range(5)]
        for day in sorted(rng.sample(days, 2)):
            self.at(day)
            invoice = self.create('Invoice', {'CustomerRef': {'value': rng.choice(customers)},
                                              'TxnDate': day.isoformat(), 'Line': self.sale_lines(items, classes),
                                              'DepartmentRef': {'value': rng.choice(places)}})
            if rng.random() < 0.8:
                open_invoices.append(invoice)
        self.at(days[2], 14)
        receipt = self.create('SalesReceipt', {'CustomerRef': {'value': rng.choice(customers)},
                                               'TxnDate': days[2].isoformat(), 'Line': self.sale_lines(items, classes),
                                               'PaymentMethodRef': {'value': rng.choice(('1', '2', '3'))}})
        undeposited.append(('SalesReceipt', receipt['Id'], receipt['TotalAmt']))
        for invoice in [i for i in open_invoices if date.fromisoformat(i['TxnDate']) <= monday - timedelta(days=10)]:
            if rng.random() < 0.6:
                continue
            open_invoices.remove(invoice)
            self.at(days[3], 11)
            payment = self.create('Payment', {
                'CustomerRef': {'value': invoice['CustomerRef']['value']}, 'TotalAmt': str(invoice['TotalAmt']),
                'TxnDate': days[3].isoformat(), 'PaymentMethodRef': {'value': '2'},
                'Line': [{'Amount': str(invoice['TotalAmt']),
                          'LinkedTxn': [{'TxnId': invoice['Id'], 'TxnType': 'Invoice'}]}]})
            undeposited.append(('Payment', payment['Id'], payment['TotalAmt']))
        if monday < self.end - timedelta(days=14) and undeposited:
            self.at(days[4], 16)
            self.create('Deposit', {'DepositToAccountRef': {'value': ACCOUNT_IDS['Checking']},
                                    'TxnDate': days[4].isoformat(),
                                    'Line': [{'Amount': str(amount), 'LinkedTxn': [{'TxnId': txn_id,
                                                                                     'TxnType': kind}]}
                                             for kind, txn_id, amount in undeposited]})
            undeposited.clear()
        self.vendor_side(days, vendors, open_bills)
        if monday.day <= 14:
            self.at(days[1], 9)
            estimate = self.create('Estimate', {'CustomerRef': {'value': rng.choice(customers)},
                                                'TxnDate': days[1].isoformat(), 'Line': self.sale_lines(items, classes),
                                                'ExpirationDate': (days[1] + timedelta(days=30)).isoformat()})
            if rng.random() < 0.5:
                self.at(days[4], 9)
                self.create('Invoice', {'CustomerRef': estimate['CustomerRef'], 'TxnDate': days[4].isoformat(),
                                        'Line': [{k: v for k, v in line.items() if k not in ('Id', 'LineNum')}
                                                 for line in estimate['Line']
                                                 if line['DetailType'] == 'SalesItemLineDetail'],
                                        'LinkedTxn': [{'TxnId': estimate['Id'], 'TxnType': 'Estimate'}]})

    def vendor_side(self, days: list[date], vendors: list[str], open_bills: list[dict[str, Any]]) -> None:
        rng = self.rng
        self.at(days[0], 8)
        expense_accounts = [ACCOUNT_IDS[name] for name in ('Office Expenses', 'Advertising', 'Utilities', 'Supplies',
                                                            'Rent or Lease')]
        bill = self.create('Bill', {'VendorRef': {'value': rng.choice(vendors)}, 'TxnDate': days[0].isoformat(),
                                    'Line': [{'Amount': str(self.amount(20, 600)),
                                              'DetailType': 'AccountBasedExpenseLineDetail',
                                              'AccountBasedExpenseLineDetail': {
                                                  'AccountRef': {'value': rng.choice(expense_accounts)}}}]})
        if rng.random() < 0.75:
            open_bills.append(bill)
        for due in [b for b in open_bills if date.fromisoformat(b['DueDate']) <= days[3]]:
            open_bills.remove(due)
            self.at(days[3], 15)
            self.create('BillPayment', {'VendorRef': due['VendorRef'], 'PayType': 'Check',
                                        'TxnDate': days[3].isoformat(), 'TotalAmt': str(due['TotalAmt']),
                                        'CheckPayment': {'BankAccountRef': {'value': ACCOUNT_IDS['Checking']}},
                                        'Line': [{'Amount': str(due['TotalAmt']),
                                                  'LinkedTxn': [{'TxnId': due['Id'], 'TxnType': 'Bill'}]}]})
        card = rng.random() < 0.5
        self.at(days[2], 12)
        self.create('Purchase', {'PaymentType': 'CreditCard' if card else 'Check', 'TxnDate': days[2].isoformat(),
                                 'AccountRef': {'value': ACCOUNT_IDS['Mastercard' if card else 'Checking']},
                                 'EntityRef': {'value': rng.choice(vendors), 'type': 'Vendor'},
                                 'Line': [{'Amount': str(self.amount(5, 250)),
                                           'DetailType': 'AccountBasedExpenseLineDetail',
                                           'AccountBasedExpenseLineDetail': {
                                               'AccountRef': {'value': rng.choice(expense_accounts)}}}]})
        if days[0].day <= 7:
            owed = self.company.read('Account', ACCOUNT_IDS['Mastercard'])['CurrentBalance']
            if owed > 0:
                self.at(days[4], 17)
                self.create('CreditCardPayment', {'CreditCardAccountRef': {'value': ACCOUNT_IDS['Mastercard']},
                                                  'BankAccountRef': {'value': ACCOUNT_IDS['Checking']},
                                                  'Amount': str(owed), 'TxnDate': days[4].isoformat()})
