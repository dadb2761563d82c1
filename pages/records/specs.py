"""What each record page shows: one spec per record type, read by the shared list, view and form pages.

The pages are written once (``listing.py``, ``detail.py``, ``editor.py``); a record type is only data here:
its URL, its labels, its header fields, and its line editor or payment applications.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ['FieldSpec', 'LineSpec', 'RecordPage', 'RECORD_PAGES', 'PAGES_BY_SLUG', 'PAGES_BY_TYPE']

# how a value is edited and shown
TEXT, LONG_TEXT, MONEY, QUANTITY, DATE, FLAG, CHOICE, CUSTOMER, ITEM = (
    'text', 'long_text', 'money', 'quantity', 'date', 'flag', 'choice', 'customer', 'item')


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the record attribute and the ValidationError.field_errors key
    label: str
    kind: str = TEXT
    required: bool = False
    choices: tuple[str, ...] = ()  # for CHOICE
    hint: str = ''
    width: str = 'w-64'


@dataclass(frozen=True)
class LineSpec:
    """A document's lines (invoice, credit memo, expense); errors come back as ``lines.<index>.<field>``."""
    fields: tuple[FieldSpec, ...]
    amount_from_quantity: bool  # amount = quantity x unit price (item lines) or typed (expense lines)


@dataclass(frozen=True)
class RecordPage:
    entity_type: str  # key of qbsync.models.RECORD_TYPES
    slug: str  # URL: /<slug>, /<slug>/new, /<slug>/<id>, /<slug>/<id>/edit
    singular: str
    plural: str
    fields: tuple[FieldSpec, ...]
    title_field: str  # what names one record in titles and links
    lines: LineSpec | None = None
    applies_to_invoices: bool = False  # payments: amounts applied to the customer's open invoices
    search_hint: str = ''
    list_fields: tuple[str, ...] = field(default=())

    @property
    def path(self) -> str:
        return f'/{self.slug}'

    def field(self, name: str) -> FieldSpec:
        return next(spec for spec in self.fields if spec.name == name)


ITEM_LINES = LineSpec(fields=(
    FieldSpec('item_id', 'Item', ITEM, width='w-48'),
    FieldSpec('description', 'Description', width='w-64'),
    FieldSpec('quantity', 'Qty', QUANTITY, required=True, width='w-24'),
    FieldSpec('unit_price', 'Rate', MONEY, required=True, width='w-28'),
), amount_from_quantity=True)

CUSTOMER = RecordPage(
    entity_type='customer', slug='customers', singular='Customer', plural='Customers', title_field='display_name',
    search_hint='Search by name, company or email',
    list_fields=('display_name', 'company_name', 'email', 'phone'),
    fields=(
        FieldSpec('display_name', 'Display name', required=True, hint='Unique; shown on invoices', width='w-80'),
        FieldSpec('company_name', 'Company'),
        FieldSpec('given_name', 'First name', width='w-48'),
        FieldSpec('family_name', 'Last name', width='w-48'),
        FieldSpec('email', 'Email'),
        FieldSpec('phone', 'Phone', width='w-48'),
        FieldSpec('mobile', 'Mobile', width='w-48'),
        FieldSpec('bill_line1', 'Street', width='w-80'),
        FieldSpec('bill_line2', 'Street (line 2)', width='w-80'),
        FieldSpec('bill_city', 'City', width='w-48'),
        FieldSpec('bill_state', 'State', width='w-32'),
        FieldSpec('bill_postal_code', 'Postal code', width='w-32'),
        FieldSpec('bill_country', 'Country', width='w-48'),
        FieldSpec('terms', 'Terms', hint='e.g. Net 30', width='w-48'),
        FieldSpec('notes', 'Notes', LONG_TEXT, width='w-full'),
        FieldSpec('active', 'Active', FLAG),
    ))

ITEM = RecordPage(
    entity_type='item', slug='items', singular='Item', plural='Items', title_field='name',
    search_hint='Search by name, SKU or description',
    list_fields=('name', 'kind', 'sku', 'unit_price'),
    fields=(
        FieldSpec('name', 'Name', required=True, hint='Unique', width='w-80'),
        FieldSpec('kind', 'Type', CHOICE, required=True, choices=('Service', 'NonInventory', 'Inventory'),
                  width='w-48'),
        FieldSpec('sku', 'SKU', width='w-48'),
        FieldSpec('description', 'Description', LONG_TEXT, width='w-full'),
        FieldSpec('unit_price', 'Sales price', MONEY, width='w-40'),
        FieldSpec('purchase_cost', 'Purchase cost', MONEY, width='w-40'),
        FieldSpec('quantity_on_hand', 'Quantity on hand', QUANTITY, hint='Inventory items only', width='w-40'),
        FieldSpec('taxable', 'Taxable', FLAG),
        FieldSpec('active', 'Active', FLAG),
    ))

INVOICE = RecordPage(
    entity_type='invoice', slug='invoices', singular='Invoice', plural='Invoices', title_field='doc_number',
    search_hint='Search by number, customer or memo', lines=ITEM_LINES,
    list_fields=('doc_number', 'customer_id', 'txn_date', 'due_date'),
    fields=(
        FieldSpec('doc_number', 'Invoice number', required=True, hint='At most 21 characters', width='w-48'),
        FieldSpec('customer_id', 'Customer', CUSTOMER, required=True, width='w-80'),
        FieldSpec('txn_date', 'Invoice date', DATE, required=True, width='w-40'),
        FieldSpec('due_date', 'Due date', DATE, width='w-40'),
        FieldSpec('terms', 'Terms', width='w-40'),
        FieldSpec('bill_email', 'Send to email'),
        FieldSpec('memo', 'Message to the customer', LONG_TEXT, width='w-full'),
        FieldSpec('private_note', 'Private note', LONG_TEXT, width='w-full'),
        FieldSpec('voided', 'Voided', FLAG),
    ))

PAYMENT = RecordPage(
    entity_type='payment', slug='payments', singular='Payment', plural='Payments', title_field='reference',
    search_hint='Search by customer, reference or memo', applies_to_invoices=True,
    list_fields=('txn_date', 'customer_id', 'method', 'reference', 'amount'),
    fields=(
        FieldSpec('customer_id', 'Customer', CUSTOMER, required=True, width='w-80'),
        FieldSpec('txn_date', 'Payment date', DATE, required=True, width='w-40'),
        FieldSpec('amount', 'Amount received', MONEY, required=True, width='w-40'),
        FieldSpec('method', 'Method', CHOICE, required=True, choices=('Cash', 'Check', 'Credit Card', 'ACH'),
                  width='w-40'),
        FieldSpec('reference', 'Reference (check no.)', width='w-48'),
        FieldSpec('memo', 'Memo', LONG_TEXT, width='w-full'),
        FieldSpec('voided', 'Voided', FLAG),
    ))

EXPENSE = RecordPage(
    entity_type='expense', slug='expenses', singular='Expense', plural='Expenses', title_field='payee',
    search_hint='Search by payee, number or memo',
    lines=LineSpec(fields=(
        FieldSpec('category', 'Category', required=True, hint='Mapped to a QuickBooks account', width='w-48'),
        FieldSpec('description', 'Description', width='w-64'),
        FieldSpec('amount', 'Amount', MONEY, required=True, width='w-28'),
        FieldSpec('customer_id', 'Billable to', CUSTOMER, width='w-48'),
    ), amount_from_quantity=False),
    list_fields=('txn_date', 'payee', 'payment_type', 'doc_number'),
    fields=(
        FieldSpec('payee', 'Payee', required=True, width='w-80'),
        FieldSpec('txn_date', 'Date', DATE, required=True, width='w-40'),
        FieldSpec('payment_type', 'Paid by', CHOICE, required=True, choices=('Cash', 'Check', 'CreditCard'),
                  width='w-40'),
        FieldSpec('doc_number', 'Reference no.', width='w-40'),
        FieldSpec('memo', 'Memo', LONG_TEXT, width='w-full'),
        FieldSpec('voided', 'Voided', FLAG),
    ))

CREDIT_MEMO = RecordPage(
    entity_type='credit_memo', slug='credit-memos', singular='Credit memo', plural='Credit memos',
    title_field='doc_number', search_hint='Search by number, customer or memo', lines=ITEM_LINES,
    list_fields=('doc_number', 'customer_id', 'txn_date'),
    fields=(
        FieldSpec('doc_number', 'Credit memo number', required=True, hint='At most 21 characters', width='w-48'),
        FieldSpec('customer_id', 'Customer', CUSTOMER, required=True, width='w-80'),
        FieldSpec('txn_date', 'Date', DATE, required=True, width='w-40'),
        FieldSpec('memo', 'Message to the customer', LONG_TEXT, width='w-full'),
        FieldSpec('private_note', 'Private note', LONG_TEXT, width='w-full'),
        FieldSpec('voided', 'Voided', FLAG),
    ))

RECORD_PAGES: tuple[RecordPage, ...] = (CUSTOMER, ITEM, INVOICE, PAYMENT, EXPENSE, CREDIT_MEMO)
PAGES_BY_SLUG = {page.slug: page for page in RECORD_PAGES}
PAGES_BY_TYPE = {page.entity_type: page for page in RECORD_PAGES}
