"""A QuickBooks object as the local record would hold it, through the mapping modules' ``from_qbo``.

The mapping resolves references through ``Refs`` (the links); ``wire_refs`` names them first, so that the applier
can create the customers, items and invoices the app does not know yet (or hold the change with the reason)
before mapping. Both sides of a comparison go through ``canonical``, so "nothing changed" is decided on the values
the app keeps, not on QuickBooks' extra fields. A voided document is only its stamp: QuickBooks zeroes it, the
app keeps what it had and marks it voided.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ..mapping import Refs, from_qbo
from ..mapping.values import ref_id
from ..models import CreditMemoLine, ExpenseLine, InvoiceLine, PaymentApplication

__all__ = ['Ref', 'LocalValues', 'local_values', 'wire_refs', 'canonical', 'content_hash', 'LINE_TABLES']

# child table of each entity with lines: (table, column pointing at the parent)
LINE_TABLES: dict[str, tuple[type, str]] = {
    'invoice': (InvoiceLine, 'invoice_id'), 'credit_memo': (CreditMemoLine, 'credit_memo_id'),
    'expense': (ExpenseLine, 'expense_id'), 'payment': (PaymentApplication, 'payment_id')}
_BOOKKEEPING = frozenset({'id', 'version', 'created_at', 'updated_at'})
_VOID_NOTE = {'invoice': 'private_note', 'credit_memo': 'private_note', 'payment': 'memo', 'expense': 'memo'}


@dataclass(frozen=True)
class Ref:
    entity_type: str
    qbo_id: str
    name: str = ''


@dataclass
class LocalValues:
    fields: dict[str, Any]
    lines: list[dict[str, Any]] | None = None  # None: leave the local lines as they are (a void keeps them)
    refs: list[Ref] = field(default_factory=list)


def local_values(entity_type: str, data: dict[str, Any], refs: Refs, *, voided: bool = False) -> LocalValues:
    """The record's values (references resolved through ``refs``; call after the references are known)."""
    mapped = from_qbo(entity_type, data, refs)
    fields = {k: v for k, v in mapped.record.model_dump().items() if k not in _BOOKKEEPING}
    if voided and entity_type in _VOID_NOTE:
        note = _VOID_NOTE[entity_type]
        return LocalValues({'voided': True, note: fields.get(note, '')})
    if 'voided' in fields:
        fields['voided'] = False
    if entity_type not in LINE_TABLES:
        return LocalValues(fields)
    parent = LINE_TABLES[entity_type][1]
    lines = [{k: v for k, v in row.model_dump().items() if k not in ('id', parent)} for row in mapped.lines]
    return LocalValues(fields, lines)


def wire_refs(entity_type: str, data: dict[str, Any]) -> list[Ref]:
    """The records an object refers to: its customer, its lines' items and customers, the invoices paid."""
    found: list[Ref] = []

    def add(kind: str, value: Any) -> None:
        qbo_id = ref_id(value)
        if qbo_id:
            found.append(Ref(kind, qbo_id, str(value.get('name') or '')))
    if entity_type in ('invoice', 'credit_memo', 'payment'):
        add('customer', data.get('CustomerRef'))
    for line in data.get('Line') or []:
        add('item', (line.get('SalesItemLineDetail') or {}).get('ItemRef'))
        add('customer', (line.get('AccountBasedExpenseLineDetail') or {}).get('CustomerRef'))
        for linked in line.get('LinkedTxn') or [] if entity_type == 'payment' else []:
            if linked.get('TxnType') == 'Invoice' and linked.get('TxnId'):
                found.append(Ref('invoice', str(linked['TxnId'])))
    return found


def canonical(values: LocalValues) -> str:
    """Stable JSON of the values (Decimals normalised, dates ISO): equal text means equal content."""
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return format(value.normalize(), 'f')
        if isinstance(value, date):
            return value.isoformat()
        return value
    body = {'fields': {k: plain(v) for k, v in sorted(values.fields.items())},
            'lines': None if values.lines is None else [{k: plain(v) for k, v in sorted(r.items())}
                                                        for r in values.lines]}
    return json.dumps(body, sort_keys=True, default=str)


def content_hash(values: LocalValues) -> str:
    return hashlib.sha256(canonical(values).encode()).hexdigest()
