"""Invoice <-> QuickBooks Invoice: number, customer, dates, terms, bill email, messages, item lines."""
from __future__ import annotations

from typing import Any

from ..models import Invoice, InvoiceLine
from .refs import Refs
from .sales import discount_from_qbo, doc_number, lines_from_qbo, sales_lines
from .values import LocalRecord, day, parse_day, put, ref, ref_id, text

__all__ = ['to_qbo', 'from_qbo']


def to_qbo(local: LocalRecord, refs: Refs) -> dict[str, Any]:
    inv: Invoice = local.record  # type: ignore[assignment]
    obj: dict[str, Any] = {'CustomerRef': ref(refs.qbo_id('customer', inv.customer_id)), 'TxnDate': day(inv.txn_date),
                           'Line': sales_lines(local.record, local.lines, refs)}
    doc_number(obj, inv.doc_number, refs)
    put(obj, 'DueDate', day(inv.due_date))
    term = refs.term(inv.terms)
    if term:
        obj['SalesTermRef'] = ref(term)
    if inv.bill_email:
        obj['BillEmail'] = {'Address': inv.bill_email}
    if inv.memo:
        obj['CustomerMemo'] = {'value': inv.memo}
    put(obj, 'PrivateNote', inv.private_note)
    return obj


def from_qbo(obj: dict[str, Any], refs: Refs) -> LocalRecord:
    record = Invoice(doc_number=text(obj, 'DocNumber'),
                     customer_id=refs.local_id('customer', ref_id(obj.get('CustomerRef'))),  # type: ignore[arg-type]
                     txn_date=parse_day(obj.get('TxnDate')), due_date=parse_day(obj.get('DueDate')),  # type: ignore
                     terms=refs.list_name('Term', ref_id(obj.get('SalesTermRef'))),
                     bill_email=text(obj, 'BillEmail', 'Address'), memo=text(obj, 'CustomerMemo', 'value'),
                     private_note=text(obj, 'PrivateNote'), **discount_from_qbo(obj))
    return LocalRecord(record, lines_from_qbo(obj, refs, InvoiceLine))
