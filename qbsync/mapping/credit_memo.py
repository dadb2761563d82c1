"""Credit memo <-> QuickBooks CreditMemo: number, customer, date, messages, item lines."""
from __future__ import annotations

from typing import Any

from ..models import CreditMemo, CreditMemoLine
from .refs import Refs
from .sales import discount_from_qbo, doc_number, lines_from_qbo, sales_lines
from .values import LocalRecord, day, parse_day, put, ref, ref_id, text

__all__ = ['to_qbo', 'from_qbo']


def to_qbo(local: LocalRecord, refs: Refs) -> dict[str, Any]:
    memo: CreditMemo = local.record  # type: ignore[assignment]
    obj: dict[str, Any] = {'CustomerRef': ref(refs.qbo_id('customer', memo.customer_id)),
                           'TxnDate': day(memo.txn_date), 'Line': sales_lines(local.record, local.lines, refs)}
    doc_number(obj, memo.doc_number, refs)
    if memo.memo:
        obj['CustomerMemo'] = {'value': memo.memo}
    put(obj, 'PrivateNote', memo.private_note)
    return obj


def from_qbo(obj: dict[str, Any], refs: Refs) -> LocalRecord:
    record = CreditMemo(doc_number=text(obj, 'DocNumber'),
                        customer_id=refs.local_id('customer', ref_id(obj.get('CustomerRef'))),  # type: ignore
                        txn_date=parse_day(obj.get('TxnDate')),  # type: ignore[arg-type]
                        memo=text(obj, 'CustomerMemo', 'value'), private_note=text(obj, 'PrivateNote'),
                        **discount_from_qbo(obj))
    return LocalRecord(record, lines_from_qbo(obj, refs, CreditMemoLine))
