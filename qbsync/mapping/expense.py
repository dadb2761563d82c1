"""Expense <-> QuickBooks Purchase: payment type and paying account (mapping), payee as a Vendor (found by name
or created before the run sends expenses), lines on the account of their category (a mapping per category, else
the default category account), billable customer."""
from __future__ import annotations

from typing import Any

from ..models import Expense, ExpenseLine, MappingPurpose
from .refs import MappingError, Refs
from .values import LocalRecord, day, money, parse_day, put, ref, ref_id, text

__all__ = ['to_qbo', 'from_qbo', 'VENDOR_LIST', 'PAYMENT_TYPES']

VENDOR_LIST = 'Vendor'
PAYMENT_TYPES = ('Cash', 'Check', 'CreditCard')


def to_qbo(local: LocalRecord, refs: Refs) -> dict[str, Any]:
    exp: Expense = local.record  # type: ignore[assignment]
    if exp.payment_type not in PAYMENT_TYPES:
        raise MappingError(f"Payment type '{exp.payment_type}' is not one QuickBooks accepts.",
                           f'Use one of {", ".join(PAYMENT_TYPES)}.')
    obj: dict[str, Any] = {
        'PaymentType': exp.payment_type, 'TxnDate': day(exp.txn_date),
        'AccountRef': ref(refs.account(MappingPurpose.EXPENSE_PAYMENT, 'the account expenses are paid from')),
        'Line': [_line(line, refs) for line in sorted(local.lines, key=lambda row: row.line_num)]}
    if exp.payee:
        obj['EntityRef'] = {**ref(refs.named(VENDOR_LIST, exp.payee)), 'type': 'Vendor'}
    put(obj, 'DocNumber', exp.doc_number)
    put(obj, 'PrivateNote', exp.memo)
    return obj


def _line(line: ExpenseLine, refs: Refs) -> dict[str, Any]:
    detail: dict[str, Any] = {'AccountRef': ref(refs.expense_account(line.category))}
    if line.customer_id is not None:
        detail['CustomerRef'] = ref(refs.qbo_id('customer', line.customer_id))
        detail['BillableStatus'] = 'Billable'
    wire: dict[str, Any] = {'LineNum': line.line_num, 'Amount': line.amount,
                            'DetailType': 'AccountBasedExpenseLineDetail', 'AccountBasedExpenseLineDetail': detail}
    put(wire, 'Description', line.description)
    return wire


def from_qbo(obj: dict[str, Any], refs: Refs) -> LocalRecord:
    record = Expense(txn_date=parse_day(obj.get('TxnDate')),  # type: ignore[arg-type]
                     payee=refs.list_name(VENDOR_LIST, ref_id(obj.get('EntityRef'))) or text(obj, 'EntityRef', 'name'),
                     payment_type=text(obj, 'PaymentType') or 'Cash', doc_number=text(obj, 'DocNumber'),
                     memo=text(obj, 'PrivateNote'))
    by_account = {value: name for name, value in refs.category_accounts.items()}
    lines = []
    for number, wire in enumerate((w for w in obj.get('Line') or []
                                   if w.get('DetailType') == 'AccountBasedExpenseLineDetail'), start=1):
        detail = wire.get('AccountBasedExpenseLineDetail') or {}
        account = ref_id(detail.get('AccountRef'))
        category = by_account.get(account or '', '') or text(detail, 'AccountRef', 'name')
        lines.append(ExpenseLine(line_num=int(wire.get('LineNum') or number), category=category,
                                 description=text(wire, 'Description'), amount=money(wire.get('Amount')),
                                 customer_id=refs.local_id('customer', ref_id(detail.get('CustomerRef')))))
    return LocalRecord(record, lines)
