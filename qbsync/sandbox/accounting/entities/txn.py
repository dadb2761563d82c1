"""What all transactions share: TxnDate, currency, document numbers, line Ids, delete, and the void stamp."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from .. import faults
from ..seed import SALES_DOC_COUNTER, home_currency
from .base import Context, EntityType
from .tracking import apply_tracking
from .values import to_date, to_decimal

__all__ = ['TransactionType', 'TXN_FIELDS', 'ZERO', 'assign_line_ids', 'next_sales_number', 'doc_numbers']

ZERO = Decimal('0')
TXN_FIELDS = frozenset({'DocNumber', 'TxnDate', 'PrivateNote', 'CurrencyRef', 'ExchangeRate', 'Line',
                        'CustomField', 'DepartmentRef', 'TxnSource'})
AUTO_NUMBER = 'AUTO_GENERATE'
SALES_FORMS = ('Invoice', 'CreditMemo', 'SalesReceipt', 'RefundReceipt', 'Estimate')


class TransactionType(EntityType):
    operations = frozenset({'create', 'read', 'update', 'delete', 'void', 'query'})
    auto_number: ClassVar[bool] = False       # DocNumber assigned from the sales sequence when omitted
    check_doc_number: ClassVar[bool] = True   # duplicate DocNumber -> 6140 unless include=allowduplicatedocnum
    taxed: ClassVar[bool] = False             # carries GlobalTaxCalculation (required outside the US)
    lengths = {'DocNumber': 21, 'PrivateNote': 4000, 'Line[].Description': 4000}
    filterable = EntityType.filterable | {'DocNumber', 'TxnDate', 'TotalAmt', 'PrivateNote'}

    def derive(self, ctx: Context, obj: dict[str, Any]) -> None:
        obj['TxnDate'] = to_date(obj['TxnDate'], 'TxnDate').isoformat() if 'TxnDate' in obj \
            else ctx.company.today().isoformat()
        self.company_settings(ctx, obj)
        if 'ExchangeRate' in obj:
            obj['ExchangeRate'] = to_decimal(obj['ExchangeRate'], 'ExchangeRate')
        if 'DocNumber' in obj:
            obj['DocNumber'] = str(obj['DocNumber']).strip()
        if ctx.existing is not None and 'DocNumber' not in obj and 'DocNumber' in ctx.existing:
            obj['DocNumber'] = ctx.existing['DocNumber']   # lenient: a full update without DocNumber keeps it
        if self.auto_number and obj.get('DocNumber', AUTO_NUMBER) == AUTO_NUMBER:
            prefs = ctx.company.get_object('Preferences', '1') or {}
            custom = prefs.get('SalesFormsPrefs', {}).get('CustomTxnNumbers', False)
            if obj.get('DocNumber') == AUTO_NUMBER or not custom:
                obj['DocNumber'] = ctx.auto_doc_number = next_sales_number(ctx)
            else:
                obj.pop('DocNumber', None)
        obj['Line'] = [line for line in obj.get('Line', []) if isinstance(line, dict)]
        self.derive_lines(ctx, obj)
        apply_tracking(ctx.company, obj)

    def company_settings(self, ctx: Context, obj: dict[str, Any]) -> None:
        """Preferences and company country change what a transaction needs (checklist 37).

        Multicurrency on: CurrencyRef is required (else the home currency is implied). Outside the US:
        GlobalTaxCalculation is required and NotApplicable forbids TxnTaxDetail (6170); US companies ignore it.
        """
        prefs = ctx.company.get_object('Preferences', '1') or {}
        if prefs.get('CurrencyPrefs', {}).get('MultiCurrencyEnabled'):
            if 'CurrencyRef' not in obj:
                raise faults.required_param('CurrencyRef')
        else:
            obj.setdefault('CurrencyRef', home_currency(ctx.company))
        if not self.taxed:
            return
        country = (ctx.company.get_object('CompanyInfo', '1') or {}).get('Country', 'US')
        if country in ('US', 'USA'):
            obj.pop('GlobalTaxCalculation', None)
            return
        mode = obj.get('GlobalTaxCalculation')
        if mode is None:
            raise faults.required_param('GlobalTaxCalculation')
        if mode not in ('TaxExcluded', 'TaxInclusive', 'NotApplicable'):
            raise faults.invalid_enum('GlobalTaxCalculation', mode)
        if mode == 'NotApplicable' and obj.get('TxnTaxDetail'):
            raise faults.tax_detail_not_applicable()

    def derive_lines(self, ctx: Context, obj: dict[str, Any]) -> None:
        """Normalise lines (detail types, defaults) before references are checked."""

    def rules(self, ctx: Context, obj: dict[str, Any]) -> None:
        if self.check_doc_number and obj.get('DocNumber') and not ctx.allow_duplicate_doc_num:
            for other in ctx.company.lookup(self.name, doc_numbers, obj['DocNumber']):
                if other['Id'] != obj.get('Id'):
                    raise faults.duplicate_doc_num(self.name, other['Id'], obj['DocNumber'])
        self.compute(ctx, obj)
        if ctx.auto_doc_number is not None:
            ctx.company.counters[SALES_DOC_COUNTER] = int(ctx.auto_doc_number)

    def compute(self, ctx: Context, obj: dict[str, Any]) -> None:
        """Amounts and totals."""

    def txn_date(self, obj: dict[str, Any]) -> date:
        return date.fromisoformat(obj['TxnDate'])


def assign_line_ids(ctx: Context, lines: list[dict[str, Any]]) -> None:
    """An existing positive line Id updates that line; any other line is new and gets the next Id."""
    old_ids = {str(line.get('Id')) for line in (ctx.existing or {}).get('Line', []) if line.get('Id')}
    used: set[str] = set()
    for line in lines:
        line_id = str(line.get('Id', '')).strip()
        if line_id in old_ids and line_id not in used:
            line['Id'] = line_id
        else:
            line.pop('Id', None)
        if 'Id' in line:
            used.add(line['Id'])
    counter = max((int(i) for i in old_ids | used if i.isdigit()), default=0)
    for number, line in enumerate(lines, start=1):
        if 'Id' not in line:
            counter += 1
            line['Id'] = str(counter)
        line['LineNum'] = number


def next_sales_number(ctx: Context) -> str:
    """All sales forms share one numbering sequence, skipping numbers already in use."""
    company = ctx.company
    number = company.counters.get(SALES_DOC_COUNTER, 1000) + 1
    while any(company.lookup(entity, doc_numbers, str(number)) for entity in SALES_FORMS):
        number += 1
    return str(number)


def doc_numbers(obj: dict[str, Any]) -> tuple[str, ...]:
    """Index keys of a transaction by document number (``Company.lookup``)."""
    number = obj.get('DocNumber')
    return (number,) if number else ()
