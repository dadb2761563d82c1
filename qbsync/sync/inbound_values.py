"""A QuickBooks object as the local record would hold it: field values, line rows, and references still by QBO Id.

References (a customer, an item, an invoice paid) stay ``Ref``s here; the applier resolves them through the links,
creating what is missing first. Both sides of a comparison go through ``canonical`` so that "nothing changed" is
decided on the values the app keeps, not on QuickBooks' extra fields.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ..models import (CreditMemoLine, ExpenseLine, InvoiceLine, PaymentApplication)

__all__ = ['Ref', 'LocalValues', 'local_values', 'canonical', 'content_hash', 'LINE_TABLES']

# child table of each entity with lines: (table, column pointing at the parent)
LINE_TABLES: dict[str, tuple[type, str]] = {
    'invoice': (InvoiceLine, 'invoice_id'), 'credit_memo': (CreditMemoLine, 'credit_memo_id'),
    'expense': (ExpenseLine, 'expense_id'), 'payment': (PaymentApplication, 'payment_id')}


@dataclass(frozen=True)
class Ref:
    entity_type: str
    qbo_id: str
    name: str = ''


@dataclass
class LocalValues:
    fields: dict[str, Any]
    lines: list[dict[str, Any]] | None = None  # None: leave the local lines as they are (a void keeps them)
    refs: list[Ref] = field(default_factory=list)  # every reference, for resolving before applying

    def resolved(self, ids: Callable[[Ref], int | None]) -> LocalValues:
        def swap(row: dict[str, Any]) -> dict[str, Any]:
            return {k: (ids(v) if isinstance(v, Ref) else v) for k, v in row.items()}
        return LocalValues(swap(self.fields), None if self.lines is None else [swap(r) for r in self.lines],
                           self.refs)


def local_values(entity_type: str, data: dict[str, Any], *, voided: bool = False) -> LocalValues:
    return _BUILDERS[entity_type](data, voided)


def canonical(values: LocalValues) -> str:
    """Stable JSON of the values (Decimals normalised, dates ISO): equal text means equal content."""
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return format(value.normalize(), 'f') if value == value.to_integral() else str(value.normalize())
        if isinstance(value, date):
            return value.isoformat()
        return value
    body = {'fields': {k: plain(v) for k, v in sorted(values.fields.items())},
            'lines': None if values.lines is None else [{k: plain(v) for k, v in sorted(r.items())}
                                                        for r in values.lines]}
    return json.dumps(body, sort_keys=True, default=str)


def content_hash(values: LocalValues) -> str:
    return hashlib.sha256(canonical(values).encode()).hexdigest()


# -- per entity ----------------------------------------------------------------------------------------------------
def _customer(d: dict[str, Any], voided: bool) -> LocalValues:
    bill = d.get('BillAddr') or {}
    return LocalValues({
        'display_name': _text(d.get('DisplayName'), 500), 'company_name': _text(d.get('CompanyName'), 100),
        'given_name': _text(d.get('GivenName'), 100), 'family_name': _text(d.get('FamilyName'), 100),
        'email': _text(_sub(d, 'PrimaryEmailAddr', 'Address'), 100),
        'phone': _text(_sub(d, 'PrimaryPhone', 'FreeFormNumber'), 30),
        'mobile': _text(_sub(d, 'Mobile', 'FreeFormNumber'), 30),
        'bill_line1': _text(bill.get('Line1'), 500), 'bill_line2': _text(bill.get('Line2'), 500),
        'bill_city': _text(bill.get('City'), 255), 'bill_state': _text(bill.get('CountrySubDivisionCode'), 255),
        'bill_postal_code': _text(bill.get('PostalCode'), 30), 'bill_country': _text(bill.get('Country'), 255),
        'terms': _text(_sub(d, 'SalesTermRef', 'name'), 100), 'notes': _text(d.get('Notes'), 2000),
        'active': d.get('Active', True) is not False})


def _item(d: dict[str, Any], voided: bool) -> LocalValues:
    kind = str(d.get('Type') or 'Service')
    return LocalValues({
        'name': _text(d.get('Name'), 100), 'kind': kind if kind in ('Service', 'NonInventory', 'Inventory')
        else 'Service', 'description': _text(d.get('Description'), 4000), 'sku': _text(d.get('Sku'), 100),
        'unit_price': _money(d.get('UnitPrice')), 'purchase_cost': _money(d.get('PurchaseCost')),
        'quantity_on_hand': _money(d.get('QtyOnHand')), 'taxable': bool(d.get('Taxable', False)),
        'active': d.get('Active', True) is not False})


def _sales(d: dict[str, Any], voided: bool, *, invoice: bool) -> LocalValues:
    customer = _ref('customer', d.get('CustomerRef'))
    fields: dict[str, Any] = {'private_note': _text(d.get('PrivateNote'), 4000), 'voided': voided}
    refs = [customer] if customer else []
    if voided:  # QuickBooks zeroes a voided document: keep the local lines, only the stamp changes
        return LocalValues(fields, None, refs)
    fields.update({'doc_number': _text(d.get('DocNumber'), 21), 'customer_id': customer,
                   'txn_date': _date(d.get('TxnDate')), 'memo': _text(_sub(d, 'CustomerMemo', 'value'), 1000)})
    if invoice:
        fields.update({'due_date': _date(d.get('DueDate'), None), 'terms': _text(_sub(d, 'SalesTermRef', 'name'), 100),
                       'bill_email': _text(_sub(d, 'BillEmail', 'Address'), 100)})
    lines = []
    for line in d.get('Line') or []:
        detail = line.get('SalesItemLineDetail')
        if line.get('DetailType') != 'SalesItemLineDetail' or not isinstance(detail, dict):
            continue
        item = _ref('item', detail.get('ItemRef'))
        if item:
            refs.append(item)
        row = {'line_num': len(lines) + 1, 'item_id': item, 'description': _text(line.get('Description'), 4000),
               'quantity': _money(detail.get('Qty')), 'unit_price': _money(detail.get('UnitPrice')),
               'amount': _money(line.get('Amount'))}
        if invoice:
            row['service_date'] = _date(detail.get('ServiceDate'), None)
        lines.append(row)
    return LocalValues(fields, lines, refs)


def _payment(d: dict[str, Any], voided: bool) -> LocalValues:
    customer = _ref('customer', d.get('CustomerRef'))
    fields: dict[str, Any] = {'customer_id': customer, 'txn_date': _date(d.get('TxnDate')),
                              'amount': _money(d.get('TotalAmt')), 'memo': _text(d.get('PrivateNote'), 4000),
                              'reference': _text(d.get('PaymentRefNum'), 21), 'voided': voided}
    method = _sub(d, 'PaymentMethodRef', 'name')
    if method:
        fields['method'] = _text(method, 30)
    refs = [customer] if customer else []
    if voided:
        fields.pop('amount')  # a voided payment is zeroed in QuickBooks; the app keeps what was received
        return LocalValues(fields, None, refs)
    lines = []
    for line in d.get('Line') or []:
        for linked in line.get('LinkedTxn') or []:
            if linked.get('TxnType') == 'Invoice' and linked.get('TxnId'):
                invoice = Ref('invoice', str(linked['TxnId']))
                refs.append(invoice)
                lines.append({'invoice_id': invoice, 'amount': _money(line.get('Amount'))})
    return LocalValues(fields, lines, refs)


def _purchase(d: dict[str, Any], voided: bool) -> LocalValues:
    kind = str(d.get('PaymentType') or 'CreditCard')
    fields: dict[str, Any] = {'txn_date': _date(d.get('TxnDate')), 'payee': _text(_sub(d, 'EntityRef', 'name'), 500),
                              'payment_type': kind if kind in ('Cash', 'Check', 'CreditCard') else 'CreditCard',
                              'doc_number': _text(d.get('DocNumber'), 21), 'memo': _text(d.get('PrivateNote'), 4000),
                              'voided': voided}
    if voided:
        return LocalValues({k: fields[k] for k in ('memo', 'voided')}, None, [])
    lines, refs = [], []
    for line in d.get('Line') or []:
        detail = line.get('AccountBasedExpenseLineDetail')
        if not isinstance(detail, dict):
            continue
        customer = _ref('customer', detail.get('CustomerRef'))
        if customer:
            refs.append(customer)
        lines.append({'line_num': len(lines) + 1, 'category': _text(_sub(detail, 'AccountRef', 'name'), 100),
                      'description': _text(line.get('Description'), 4000), 'amount': _money(line.get('Amount')),
                      'customer_id': customer})
    return LocalValues(fields, lines, refs)


_BUILDERS: dict[str, Callable[[dict[str, Any], bool], LocalValues]] = {
    'customer': _customer, 'item': _item, 'payment': _payment, 'expense': _purchase,
    'invoice': lambda d, v: _sales(d, v, invoice=True), 'credit_memo': lambda d, v: _sales(d, v, invoice=False)}


def _sub(d: dict[str, Any], key: str, inner: str) -> Any:
    value = d.get(key)
    return value.get(inner) if isinstance(value, dict) else None


def _ref(entity_type: str, value: Any) -> Ref | None:
    if isinstance(value, dict) and value.get('value') not in (None, ''):
        return Ref(entity_type, str(value['value']), str(value.get('name') or ''))
    return None


def _text(value: Any, limit: int) -> str:
    return '' if value is None else str(value).strip()[:limit]


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, '') else Decimal('0')
    except InvalidOperation:
        return Decimal('0')


_UNSET = object()


def _date(value: Any, default: Any = _UNSET) -> Any:
    try:
        return date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return date.today() if default is _UNSET else default
