"""Purchase (expense, check, credit-card charge) and what it shares with bills, vendor credits and purchase orders:
expense lines (by account or by item) whose sum is TotalAmt.

Void through ``operation=void`` zeroes the lines (Intuit lists Void for Purchase in webhooks; the API form is
UNCONFIRMED, the Invoice form is used).
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import faults
from .base import Context, RefRule
from .ledger import Posting
from .sales import compute_item_line
from .tax import global_tax, is_global, tax_account
from .txn import TXN_FIELDS, ZERO, TransactionType, assign_line_ids
from .values import money, ref_id, to_bool, to_decimal

if TYPE_CHECKING:
    from ..store import Company

__all__ = ['PurchaseType', 'ExpenseLinesType', 'expense_postings', 'EXPENSE_LINE_REFS', 'PAYEES']

LINE_TYPES = ('AccountBasedExpenseLineDetail', 'ItemBasedExpenseLineDetail')
PAYMENT_ACCOUNT_TYPES = {'Cash': ('Bank', 'Other Current Asset'), 'Check': ('Bank',), 'CreditCard': ('Credit Card',)}
PAYEES = ('Vendor', 'Customer', 'Employee')
EXPENSE_LINE_REFS = (
    RefRule('Line[].AccountBasedExpenseLineDetail.AccountRef', ('Account',)),
    RefRule('Line[].AccountBasedExpenseLineDetail.CustomerRef', ('Customer',)),
    RefRule('Line[].AccountBasedExpenseLineDetail.ClassRef', ('Class',)),
    RefRule('Line[].AccountBasedExpenseLineDetail.TaxCodeRef', ('TaxCode',), named=False),
    RefRule('Line[].ItemBasedExpenseLineDetail.ItemRef', ('Item',)),
    RefRule('Line[].ItemBasedExpenseLineDetail.CustomerRef', ('Customer',)),
    RefRule('Line[].ItemBasedExpenseLineDetail.ClassRef', ('Class',)),
    RefRule('Line[].ItemBasedExpenseLineDetail.TaxCodeRef', ('TaxCode',), named=False),
    RefRule('DepartmentRef', ('Department',)),
)
BILLABLE = ('Billable', 'NotBillable', 'HasBeenBilled')


class ExpenseLinesType(TransactionType):
    """Transactions made of expense lines: Purchase, Bill, VendorCredit, PurchaseOrder."""

    taxed = True
    enums = {'Line[].DetailType': LINE_TYPES,
             'Line[].AccountBasedExpenseLineDetail.BillableStatus': BILLABLE,
             'Line[].ItemBasedExpenseLineDetail.BillableStatus': BILLABLE}
    refs = EXPENSE_LINE_REFS

    def derive_lines(self, ctx: Context, obj: dict[str, Any]) -> None:
        if not obj['Line']:
            raise faults.required_param('Line')
        us = ctx.company.get_object('TaxCode', 'NON') is not None
        for line in obj['Line']:
            kind = line.get('DetailType') or next((t for t in LINE_TYPES if t in line), '')
            line['DetailType'] = kind
            if kind == 'AccountBasedExpenseLineDetail':
                detail = line.setdefault(kind, {})
                if 'AccountRef' not in detail:
                    raise faults.required_param('Line.AccountBasedExpenseLineDetail.AccountRef')
                detail.setdefault('BillableStatus', 'NotBillable')
                if us:
                    detail.setdefault('TaxCodeRef', {'value': 'NON'})
            elif kind == 'ItemBasedExpenseLineDetail':
                detail = line.setdefault(kind, {})
                if 'ItemRef' not in detail:
                    raise faults.required_param('Line.ItemBasedExpenseLineDetail.ItemRef')
                detail.setdefault('BillableStatus', 'NotBillable')
        assign_line_ids(ctx, obj['Line'])

    def compute(self, ctx: Context, obj: dict[str, Any]) -> None:
        total = ZERO
        for line in obj['Line']:
            if line['DetailType'] == 'ItemBasedExpenseLineDetail':
                compute_item_line(line, 'ItemBasedExpenseLineDetail')
            elif 'Amount' not in line:
                raise faults.required_param('Line.Amount')
            line['Amount'] = money(to_decimal(line['Amount'], 'Line.Amount'))
            if line['Amount'] < 0:
                raise faults.business_validation('A line amount cannot be negative.', 'Line.Amount')
            total += line['Amount']
        obj['TotalAmt'] = money(total)
        if is_global(ctx.company):      # VAT/GST on each line from its code's purchase rates, as on sales forms
            tax, net = global_tax(ctx.company, obj, [(line['Amount'], _line_detail(line).get('TaxCodeRef'))
                                                     for line in obj['Line']], side='Purchase')
            obj['TotalAmt'] = money(net + tax)

    def apply_void(self, obj: dict[str, Any]) -> None:
        for line in obj.get('Line', []):
            line['Amount'] = ZERO
        obj['TotalAmt'] = ZERO


def _line_detail(line: dict[str, Any]) -> dict[str, Any]:
    return line.get('AccountBasedExpenseLineDetail') or line.get('ItemBasedExpenseLineDetail') or {}


def expense_postings(company: Company, obj: dict[str, Any], sign: int) -> list[Posting]:
    """Each expense line debits its account (an item line: the item's expense, or inventory asset, account); tax
    paid that can be reclaimed (outside the US) debits the tax control account. Only balance-sheet accounts keep a
    balance, so with tax-inclusive lines the expense side is not split further."""
    tax = Decimal((obj.get('TxnTaxDetail') or {}).get('TotalTax', ZERO)) if is_global(company) else ZERO
    found: list[Posting] = [(tax_account(company), sign * tax)]
    for line in obj.get('Line', []):
        detail = line.get('AccountBasedExpenseLineDetail')
        if detail is not None:
            account = ref_id(detail.get('AccountRef'))
        else:
            item = company.get_object('Item', ref_id((line.get('ItemBasedExpenseLineDetail') or {})
                                                     .get('ItemRef')) or '') or {}
            account = ref_id(item.get('AssetAccountRef') or item.get('ExpenseAccountRef'))
        found.append((account, sign * Decimal(line.get('Amount', ZERO))))
    return found


class PurchaseType(ExpenseLinesType):
    name, path = 'Purchase', 'purchase'
    posts = True
    fields = TXN_FIELDS | {'PaymentType', 'AccountRef', 'EntityRef', 'Credit', 'TxnTaxDetail', 'PaymentMethodRef',
                           'RemitToAddr', 'PrintStatus', 'GlobalTaxCalculation'}
    computed = frozenset({'TotalAmt'})
    required = ('PaymentType',)
    enums = {**ExpenseLinesType.enums, 'PaymentType': tuple(PAYMENT_ACCOUNT_TYPES),
             'PrintStatus': ('NotSet', 'NeedToPrint', 'PrintComplete')}
    refs = (RefRule('AccountRef', ('Account',), required=True), RefRule('EntityRef', PAYEES),
            *EXPENSE_LINE_REFS, RefRule('PaymentMethodRef', ('PaymentMethod',)))
    defaults = {'Credit': False}
    filterable = TransactionType.filterable | {'PaymentType', 'AccountRef', 'EntityRef', 'Credit'}

    def derive_lines(self, ctx: Context, obj: dict[str, Any]) -> None:
        super().derive_lines(ctx, obj)
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

    def postings(self, company: Company, obj: dict[str, Any]) -> list[Posting]:
        sign = -1 if obj.get('Credit') else 1
        return [(ref_id(obj.get('AccountRef')), -sign * Decimal(obj.get('TotalAmt', ZERO))),
                *expense_postings(company, obj, sign)]
