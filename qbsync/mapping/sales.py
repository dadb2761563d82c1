"""What invoices and credit memos share: item lines, the discount line, the customer, the document number."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..models import CreditMemoLine, InvoiceLine
from .refs import Refs
from .rules import NOT_TAXABLE_KEY, TAXABLE_KEY
from .tax import discount_total
from .values import day, money, parse_day, put, ref, ref_id, text

__all__ = ['item_lines', 'lines_from_qbo', 'doc_number', 'TAXABLE', 'NON_TAXABLE', 'sales_lines', 'discount_line',
           'discount_from_qbo', 'DISCOUNT']
DISCOUNT = 'DiscountLineDetail'

TAXABLE, NON_TAXABLE = 'TAX', 'NON'


def item_lines(lines: list[Any], refs: Refs) -> list[dict[str, Any]]:
    out = []
    for line in sorted(lines, key=lambda row: row.line_num):
        detail: dict[str, Any] = {'Qty': line.quantity, 'UnitPrice': line.unit_price}
        if line.item_id is not None:
            detail['ItemRef'] = ref(refs.qbo_id('item', line.item_id))
            detail['TaxCodeRef'] = ref(TAXABLE if _taxable(line, refs) else NON_TAXABLE)
        service_date = getattr(line, 'service_date', None)
        if service_date:
            detail['ServiceDate'] = day(service_date)
        wire: dict[str, Any] = {'LineNum': line.line_num, 'Amount': line.amount, 'DetailType': 'SalesItemLineDetail',
                                'SalesItemLineDetail': detail}
        put(wire, 'Description', line.description)
        out.append(wire)
    return out


def _taxable(line: Any, refs: Refs) -> bool:
    """A line with a rate of its own is taxable when the rate is above 0; otherwise its item decides."""
    rate = getattr(line, 'tax_rate', None)
    return rate > 0 if rate is not None else line.item_id in refs.taxable_items


def sales_lines(record: Any, lines: list[Any], refs: Refs) -> list[dict[str, Any]]:
    """The item lines, then the document's discount line when it has a discount."""
    out = item_lines(lines, refs)
    discount = discount_line(record, sum((line.amount for line in lines), Decimal('0')))
    return out + [discount] if discount else out


def discount_line(record: Any, subtotal: Decimal) -> dict[str, Any] | None:
    """Intuit's DiscountLineDetail line: percent based (QuickBooks takes the percent of the subtotal) or a fixed
    amount; no DiscountAccountRef, so the company's own discount account takes it."""
    percent = Decimal(getattr(record, 'discount_percent', None) or 0)
    amount = discount_total(record, subtotal)
    if not amount and not percent:
        return None
    detail: dict[str, Any] = {'PercentBased': bool(percent)}
    if percent:
        detail['DiscountPercent'] = percent
    return {'Amount': amount, 'DetailType': DISCOUNT, DISCOUNT: detail}


def discount_from_qbo(obj: dict[str, Any]) -> dict[str, Decimal]:
    """The app's discount fields from a sales form's discount line (none: both 0)."""
    wire = next((w for w in obj.get('Line') or [] if w.get('DetailType') == DISCOUNT), None)
    if wire is None:
        return {'discount_percent': Decimal('0'), 'discount_amount': Decimal('0')}
    detail = wire.get(DISCOUNT) or {}
    if detail.get('PercentBased') and detail.get('DiscountPercent') not in (None, ''):
        return {'discount_percent': money(detail['DiscountPercent']), 'discount_amount': Decimal('0')}
    return {'discount_percent': Decimal('0'), 'discount_amount': money(wire.get('Amount'))}


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
        key = refs.tax_keys.get(ref_id(detail.get('TaxCodeRef')) or '')
        if key and key not in (TAXABLE_KEY, NOT_TAXABLE_KEY):  # a rate of its own; else its item decides
            values['tax_rate'] = Decimal(key)
        lines.append(line_type(**values))
    return lines


def doc_number(obj: dict[str, Any], number: str, refs: Refs) -> None:
    """DocNumber goes out only when the company numbers its own documents (else QuickBooks assigns one)."""
    if refs.custom_txn_numbers:
        put(obj, 'DocNumber', number)
