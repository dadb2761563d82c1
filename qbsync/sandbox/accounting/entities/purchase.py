"""Purchase (expense, check, credit-card charge): TotalAmt is the sum of its expense lines.

Void through ``operation=void`` zeroes the lines (Intuit lists Void for Purchase in webhooks; the API form is
UNCONFIRMED, the Invoice form is used).
"""
from __future__ import annotations

from typing import Any

from .. import faults
from .base import Context, RefRule
from .sales import compute_item_line
from .txn import TXN_FIELDS, ZERO, TransactionType, assign_line_ids
from .values import money, to_bool, to_decimal

__all__ = ['PurchaseType']

LINE_TYPES = ('AccountBasedExpenseLineDetail', 'ItemBasedExpenseLineDetail')
PAYMENT_ACCOUNT_TYPES = {'Cash': ('Bank', 'Other Current Asset'), 'Check': ('Bank',), 'CreditCard': ('Credit Card',)}
PAYEES = ('Vendor', 'Customer', 'Employee')


class PurchaseType(TransactionType):
    name, path = 'Purchase', 'purchase'
    taxed = True
    fields = TXN_FIELDS | {'PaymentType', 'AccountRef', 'EntityRef', 'Credit', 'TxnTaxDetail', 'PaymentMethodRef',
                           'RemitToAddr', 'PrintStatus', 'GlobalTaxCalculation'}
    computed = frozenset({'TotalAmt'})
    required = ('PaymentType',)
    enums = {'PaymentType': tuple(PAYMENT_ACCOUNT_TYPES), 'Line[].DetailType': LINE_TYPES,
             'Line[].AccountBasedExpenseLineDetail.BillableStatus': ('Billable', 'NotBillable', 'HasBeenBilled'),
             'PrintStatus': ('NotSet', 'NeedToPrint', 'PrintComplete')}
    refs = (RefRule('AccountRef', ('Account',), required=True), RefRule('EntityRef', PAYEES),
            RefRule('Line[].AccountBasedExpenseLineDetail.AccountRef', ('Account',)),
            RefRule('Line[].AccountBasedExpenseLineDetail.CustomerRef', ('Customer',)),
            RefRule('Line[].AccountBasedExpenseLineDetail.ClassRef', ('Class',)),
            RefRule('Line[].AccountBasedExpenseLineDetail.TaxCodeRef', ('TaxCode',), named=False),
            RefRule('Line[].ItemBasedExpenseLineDetail.ItemRef', ('Item',)),
            RefRule('Line[].ItemBasedExpenseLineDetail.CustomerRef', ('Customer',)),
            RefRule('PaymentMethodRef', ('PaymentMethod',)), RefRule('DepartmentRef', ('Department',)))
    defaults = {'Credit': False}
    filterable = TransactionType.filterable | {'PaymentType', 'AccountRef', 'EntityRef', 'Credit'}

    def derive_lines(self, ctx: Context, obj: dict[str, Any]) -> None:
        if not obj['Line']:
            raise faults.required_param('Line')
        for line in obj['Line']:
            kind = line.get('DetailType') or next((t for t in LINE_TYPES if t in line), '')
            line['DetailType'] = kind
            if kind == 'AccountBasedExpenseLineDetail':
                detail = line.setdefault(kind, {})
                if 'AccountRef' not in detail:
                    raise faults.required_param('Line.AccountBasedExpenseLineDetail.AccountRef')
                detail.setdefault('BillableStatus', 'NotBillable')
                detail.setdefault('TaxCodeRef', {'value': 'NON'})
            elif kind == 'ItemBasedExpenseLineDetail' and 'ItemRef' not in line.setdefault(kind, {}):
                raise faults.required_param('Line.ItemBasedExpenseLineDetail.ItemRef')
        assign_line_ids(ctx, obj['Line'])
        obj['Credit'] = to_bool(obj.get('Credit', False))

    def rules(self, ctx: Context, obj: dict[str, Any]) -> None:
        kind = obj['PaymentType']
        if ctx.existing is not None and ctx.existing.get('PaymentType') != kind:
            raise faults.business_validation('The PaymentType of a purchase cannot be changed.', 'PaymentType')
        account = ctx.company.get_object('Account', obj['AccountRef']['value']) or {}
        if account.get('AccountType') not in PAYMENT_ACCOUNT_TYPES[kind]:
            raise faults.business_validation(f"A {kind} purchase must be paid from a "
                                             f"{' or '.join(PAYMENT_ACCOUNT_TYPES[kind])} account.", 'AccountRef')
        if obj['Credit'] and kind != 'CreditCard':
            raise faults.business_validation('Only credit card purchases can be credits.', 'Credit')
        super().rules(ctx, obj)

    def compute(self, ctx: Context, obj: dict[str, Any]) -> None:
        total = ZERO
        for line in obj['Line']:
            if line['DetailType'] == 'ItemBasedExpenseLineDetail':
                compute_item_line(line, 'ItemBasedExpenseLineDetail')
            elif 'Amount' not in line:
                raise faults.required_param('Line.Amount')
            line['Amount'] = money(to_decimal(line['Amount'], 'Line.Amount'))
            total += line['Amount']
        obj['TotalAmt'] = money(total)

    def apply_void(self, obj: dict[str, Any]) -> None:
        for line in obj.get('Line', []):
            line['Amount'] = ZERO
        obj['TotalAmt'] = ZERO
