"""Payment <-> QuickBooks Payment: customer, date, amount, method (PaymentMethodRef by name), reference number,
deposit account (mapping, else Undeposited Funds), and the invoices it pays (LinkedTxn lines)."""
from __future__ import annotations

from typing import Any

from ..models import MappingPurpose, Payment, PaymentApplication
from .refs import Refs
from .values import LocalRecord, day, money, parse_day, put, ref, ref_id, text

__all__ = ['to_qbo', 'from_qbo', 'METHOD_LIST']

METHOD_LIST = 'PaymentMethod'


def to_qbo(local: LocalRecord, refs: Refs) -> dict[str, Any]:
    pay: Payment = local.record  # type: ignore[assignment]
    obj: dict[str, Any] = {
        'CustomerRef': ref(refs.qbo_id('customer', pay.customer_id)), 'TxnDate': day(pay.txn_date),
        'TotalAmt': pay.amount,
        'Line': [{'Amount': app.amount, 'LinkedTxn': [{'TxnId': refs.qbo_id('invoice', app.invoice_id),
                                                        'TxnType': 'Invoice'}]}
                 for app in sorted(local.lines, key=lambda a: a.id or 0)]}
    if pay.method:
        obj['PaymentMethodRef'] = ref(refs.named(METHOD_LIST, pay.method))
    put(obj, 'PaymentRefNum', pay.reference)
    put(obj, 'PrivateNote', pay.memo)
    deposit = refs.deposit_account()
    if deposit:
        obj['DepositToAccountRef'] = ref(deposit)
    receivable = refs.accounts.get(MappingPurpose.ACCOUNTS_RECEIVABLE)
    if receivable:
        obj['ARAccountRef'] = ref(receivable)
    return obj


def from_qbo(obj: dict[str, Any], refs: Refs) -> LocalRecord:
    record = Payment(customer_id=refs.local_id('customer', ref_id(obj.get('CustomerRef'))),  # type: ignore[arg-type]
                     txn_date=parse_day(obj.get('TxnDate')), amount=money(obj.get('TotalAmt')),  # type: ignore
                     method=refs.list_name(METHOD_LIST, ref_id(obj.get('PaymentMethodRef'))),
                     reference=text(obj, 'PaymentRefNum'), memo=text(obj, 'PrivateNote'))
    applications = []
    for line in obj.get('Line') or []:
        for linked in line.get('LinkedTxn') or []:
            if linked.get('TxnType') == 'Invoice':
                applications.append(PaymentApplication(
                    invoice_id=refs.local_id('invoice', str(linked.get('TxnId'))),  # type: ignore[arg-type]
                    amount=money(line.get('Amount'))))
    return LocalRecord(record, applications)
