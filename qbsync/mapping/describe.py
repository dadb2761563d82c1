"""A QuickBooks body in plain words, field by field, beside the app's own values: what "Show QuickBooks version"
lists. Pure: the caller says what each reference stands for (``name_of``)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .values import LocalRecord

__all__ = ['FieldRow', 'describe', 'LABELS']

# Intuit's field -> plain words
LABELS = {
    'DisplayName': 'Display name', 'CompanyName': 'Company', 'GivenName': 'First name', 'FamilyName': 'Last name',
    'PrimaryEmailAddr': 'Email', 'PrimaryPhone': 'Phone', 'Mobile': 'Mobile', 'BillAddr': 'Billing address',
    'Notes': 'Notes', 'Active': 'Active', 'Name': 'Name', 'Type': 'Type', 'Description': 'Description',
    'Sku': 'SKU', 'UnitPrice': 'Rate', 'PurchaseCost': 'Purchase cost', 'IncomeAccountRef': 'Income account',
    'ExpenseAccountRef': 'Expense account', 'AssetAccountRef': 'Inventory asset account',
    'QtyOnHand': 'Quantity on hand',
    'Taxable': 'Taxable', 'DocNumber': 'Number', 'TxnDate': 'Date', 'DueDate': 'Due date', 'CustomerRef': 'Customer',
    'SalesTermRef': 'Terms', 'BillEmail': 'Send to email', 'CustomerMemo': 'Message to the customer',
    'PrivateNote': 'Private note', 'ClassRef': 'Class', 'DepartmentRef': 'Location', 'TotalAmt': 'Amount received',
    'PaymentMethodRef': 'Payment method', 'PaymentRefNum': 'Reference no.', 'DepositToAccountRef': 'Deposit to',
    'ARAccountRef': 'Accounts receivable account', 'PaymentType': 'Paid by', 'AccountRef': 'Account',
    'EntityRef': 'Payee', 'Amount': 'Amount', 'ItemRef': 'Product or service', 'Qty': 'Quantity',
    'ServiceDate': 'Service date', 'TaxCodeRef': 'Tax code', 'BillableStatus': 'Billable', 'LinkedTxn': 'Applied to',
    'TrackQtyOnHand': 'Tracks quantity', 'InvStartDate': 'Inventory start date',
    'GlobalTaxCalculation': 'Tax', 'PercentBased': 'Discount by percent', 'DiscountPercent': 'Discount percent',
}
# Intuit's field -> the app's attribute, on the record or on a line
APP_ATTRIBUTES = {
    'DisplayName': 'display_name', 'CompanyName': 'company_name', 'GivenName': 'given_name',
    'FamilyName': 'family_name', 'PrimaryEmailAddr': 'email', 'PrimaryPhone': 'phone', 'Mobile': 'mobile',
    'Notes': 'notes', 'Active': 'active', 'Name': 'name', 'Type': 'kind', 'Description': 'description', 'Sku': 'sku',
    'PurchaseCost': 'purchase_cost', 'QtyOnHand': 'quantity_on_hand', 'Taxable': 'taxable',
    'DocNumber': 'doc_number', 'TxnDate': 'txn_date', 'DueDate': 'due_date', 'CustomerRef': 'customer_id',
    'SalesTermRef': 'terms', 'BillEmail': 'bill_email', 'CustomerMemo': 'memo', 'PrivateNote': 'private_note',
    'PaymentMethodRef': 'method', 'PaymentRefNum': 'reference', 'PaymentType': 'payment_type', 'EntityRef': 'payee',
    'ItemRef': 'item_id', 'Qty': 'quantity', 'ServiceDate': 'service_date', 'AccountRef': 'category',
    'TaxCodeRef': 'tax_rate',
}
# wire values said in plain words
_PLAIN = {'TaxExcluded': 'added on top of the amounts', 'TaxInclusive': 'included in the amounts',
          'NotApplicable': 'none'}
_SKIPPED = {'sparse', 'Id', 'SyncToken', 'LineNum', 'DetailType'}


@dataclass(frozen=True)
class FieldRow:
    label: str  # 'Line 1 · Product or service'
    quickbooks: str  # what QuickBooks gets, in words: "Consulting Hour"
    app: str = ''  # the app's own value it comes from ('' where the mapping supplies it)
    key: str = ''  # Intuit's path: 'Line[0].SalesItemLineDetail.ItemRef'


def describe(entity_type: str, payload: dict[str, Any], local: LocalRecord | None,
             name_of: Callable[[str, str], str]) -> list[FieldRow]:
    """Rows for ``payload``; ``name_of(field, id)`` names what a reference points at ('CustomerRef', '58')."""
    record = local.record if local is not None else None
    lines = sorted(local.lines, key=lambda line: getattr(line, 'line_num', 0) or 0) if local is not None else []
    rows: list[FieldRow] = []
    for key, value in payload.items():
        if key in _SKIPPED:
            continue
        if key == 'Line':
            for index, line in enumerate(value or []):
                rows += _line(index, line, lines[index] if index < len(lines) else None, name_of)
        elif key == 'CustomField':
            rows += [FieldRow(f"Custom field '{field.get('Name')}'", str(field.get('StringValue') or ''),
                              key=f'CustomField[{field.get("DefinitionId")}]') for field in value or []]
        else:
            rows.append(FieldRow(LABELS.get(key, key), _words(key, value, name_of), _app(record, key), key))
    return rows


def _line(index: int, line: dict[str, Any], local: Any, name_of: Callable[[str, str], str]) -> list[FieldRow]:
    prefix = f'Line {index + 1}'
    rows = []
    for key, value in line.items():
        if key in _SKIPPED:
            continue
        if key.endswith('Detail') and isinstance(value, dict):
            rows += [FieldRow(f'{prefix} · {LABELS.get(k, k)}', _words(k, v, name_of), _app(local, k),
                              f'Line[{index}].{key}.{k}') for k, v in value.items() if k not in _SKIPPED]
        else:
            rows.append(FieldRow(f'{prefix} · {LABELS.get(key, key)}', _words(key, value, name_of), _app(local, key),
                                 f'Line[{index}].{key}'))
    return rows


def _words(key: str, value: Any, name_of: Callable[[str, str], str]) -> str:
    if value is None and key.endswith('Ref'):  # a sparse update clearing what the app set before
        return 'none (cleared)'
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    if isinstance(value, dict) and 'value' in value and key.endswith('Ref'):
        return name_of(key, str(value['value']))
    if isinstance(value, dict):
        return ', '.join(str(v) for v in value.values() if v not in (None, ''))
    if isinstance(value, list):  # LinkedTxn
        return ', '.join(name_of(str(v.get('TxnType')), str(v.get('TxnId'))) for v in value if isinstance(v, dict))
    return '' if value is None else _PLAIN.get(str(value), str(value))


def _app(source: Any, key: str) -> str:
    name = APP_ATTRIBUTES.get(key)
    if source is None or name is None or not hasattr(source, name):
        return ''
    value = getattr(source, name)
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    return '' if value is None else str(value)
