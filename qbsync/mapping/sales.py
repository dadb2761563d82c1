"""What invoices and credit memos share: item lines, the customer, the document number."""
from __future__ import annotations

from typing import Any

from ..models import CreditMemoLine, InvoiceLine
from .refs import Refs
from .values import day, money, parse_day, put, ref, ref_id, text

__all__ = ['item_lines', 'lines_from_qbo', 'doc_number', 'TAXABLE', 'NON_TAXABLE']

TAXABLE, NON_TAXABLE = 'TAX', 'NON'


def item_lines(lines: list[Any], refs: Refs) -> list[dict[str, Any]]:
    out = []
    for line in sorted(lines, key=lambda row: row.line_num):
        detail: dict[str, Any] = {'Qty': line.quantity, 'UnitPrice': line.unit_price}
        if line.item_id is not None:
            detail['ItemRef'] = ref(refs.qbo_id('item', line.item_id))
            detail['TaxCodeRef'] = ref(TAXABLE if line.item_id in refs.taxable_items else NON_TAXABLE)
        service_date = getattr(line, 'service_date', None)
        if service_date:
            detail['ServiceDate'] = day(service_date)
        wire: dict[str, Any] = {'LineNum': line.line_num, 'Amount': line.amount, 'DetailType': 'SalesItemLineDetail',
                                'SalesItemLineDetail': detail}
        put(wire, 'Description', line.description)
        out.append(wire)
    return out


def lines_from_qbo(obj: dict[str, Any], refs: Refs, line_type: type[InvoiceLine] | type[CreditMemoLine]) -> list[Any]:
    lines = []
    for number, wire in enumerate((w for w in obj.get('Line') or [] if w.get('DetailType') == 'SalesItemLineDetail'),
                                  start=1):
        detail = wire.get('SalesItemLineDetail') or {}
        values: dict[str, Any] = {
            'line_num': int(wire.get('LineNum') or number), 'description': text(wire, 'Description'),
            'item_id': refs.local_id('item', ref_id(detail.get('ItemRef'))), 'quantity': money(detail.get('Qty')),
            'unit_price': money(detail.get('UnitPrice')), 'amount': money(wire.get('Amount'))}
        if line_type is InvoiceLine:
            values['service_date'] = parse_day(detail.get('ServiceDate'))
        lines.append(line_type(**values))
    return lines


def doc_number(obj: dict[str, Any], number: str, refs: Refs) -> None:
    """DocNumber goes out only when the company numbers its own documents (else QuickBooks assigns one)."""
    if refs.custom_txn_numbers:
        put(obj, 'DocNumber', number)
