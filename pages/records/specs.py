"""What each record page shows: one spec per record type, read by the shared list, view and form pages.

The pages are written once (``listing.py``, ``detail.py``, ``editor.py``); a record type is only data here:
its URL, its labels, its header fields, and its line editor or payment applications.
"""
from __future__ import annotations

from dataclasses import dataclass

from qbsync.services.record_inputs import (EXPENSE_PAYMENT_TYPES, ITEM_KINDS, PAYMENT_METHODS, CreditMemoInput,
                                           CustomerInput, ExpenseInput, ExpenseLineInput, InvoiceInput, ItemInput,
                                           PaymentApplicationInput, PaymentInput, SalesLineInput)

__all__ = ['FieldSpec', 'LineSpec', 'RecordPage', 'RECORD_PAGES', 'PAGES_BY_SLUG', 'PAGES_BY_TYPE', 'APPLICATION_INPUT',
           'TEXT', 'LONG_TEXT', 'MONEY', 'QUANTITY', 'DATE', 'FLAG', 'CHOICE', 'CUSTOMER', 'ITEM']

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
    blank_is_default: bool = False  # '' is sent as None: the service fills in a default (terms, price, ...)
    on_create: bool = True  # False: only an existing record shows it (a new record is never voided or inactive)


@dataclass(frozen=True)
class LineSpec:
    """A document's lines (invoice, credit memo, expense); errors come back as ``lines.<index>.<field>``."""
    fields: tuple[FieldSpec, ...]
    input_type: type  # the service's line input dataclass
    amount_from_quantity: bool  # amount = quantity x unit price (item lines) or typed (expense lines)


@dataclass(frozen=True)
class RecordPage:
    entity_type: str  # a local entity name of qbsync.sync.entities
    slug: str  # URL: /<slug>, /<slug>/new, /<slug>/<id>, /<slug>/<id>/edit
    singular: str
    plural: str
    fields: tuple[FieldSpec, ...]
    input_type: type  # the service's input dataclass (qbsync.services.record_inputs)
    title_field: str  # what names one record in titles and links
    list_fields: tuple[str, ...]  # the columns of the list, besides total and QuickBooks status
    search_hint: str
    lines: LineSpec | None = None
    applies_to_invoices: bool = False  # payments: amounts applied to the customer's open invoices
    has_total: bool = False  # documents: show the total (and the open balance where there is one)

    @property
    def path(self) -> str:
        return f'/{self.slug}'

    @property
    def fields_by_name(self) -> dict[str, FieldSpec]:
        return {spec.name: spec for spec in self.fields}

    def title_of(self, record: object) -> str:
        """'Invoice 1001', 'Customer Acme' - or the id when the naming field is blank (a payment's reference)."""
        name = str(getattr(record, self.title_field, '') or '').strip()
        return f'{self.singular} {name or "#" + str(getattr(record, "id", ""))}'


ITEM_LINE_FIELDS = (
    FieldSpec('item_id', 'Product or service', ITEM, required=True, width='w-56'),
    FieldSpec('description', 'Description', hint='Blank: the item\'s description', width='w-64'),
    FieldSpec('quantity', 'Qty', QUANTITY, required=True, width='w-24'),
    FieldSpec('unit_price', 'Rate', MONEY, hint='Blank: the item\'s price', blank_is_default=True, width='w-32'),
    FieldSpec('tax_rate', 'Tax %', QUANTITY, hint='Blank: the item\'s taxable flag', blank_is_default=True,
              width='w-24'),
)
INVOICE_LINES = LineSpec(fields=(*ITEM_LINE_FIELDS, FieldSpec('service_date', 'Service date', DATE, width='w-36')),
                         input_type=SalesLineInput, amount_from_quantity=True)
CREDIT_MEMO_LINES = LineSpec(fields=ITEM_LINE_FIELDS, input_type=SalesLineInput, amount_from_quantity=True)

# app fields the Field Mapping tab can send to QuickBooks as a class, a location or a custom field
SERVICE_AREA = FieldSpec('service_area', 'Service area', hint='e.g. North; can become a class or location',
                         width='w-48')
SALES_MAPPED_FIELDS = (SERVICE_AREA, FieldSpec('job_number', 'Job number', width='w-40'),
                       FieldSpec('technician', 'Technician', width='w-48'),
                       FieldSpec('po_number', 'PO number', width='w-40'))
# a discount on the whole document: sent to QuickBooks as a discount line
DISCOUNT_FIELDS = (FieldSpec('discount_percent', 'Discount %', QUANTITY, hint='e.g. 10; or an amount', width='w-32'),
                   FieldSpec('discount_amount', 'Discount amount', MONEY, hint='Or a percent', width='w-40'))

CUSTOMER_PAGE = RecordPage(
    entity_type='customer', slug='customers', singular='Customer', plural='Customers', title_field='display_name',
    input_type=CustomerInput,
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
        FieldSpec('customer_type', 'Customer type', hint='e.g. Residential; can pick an A/R account',
                   width='w-48'),
        FieldSpec('class_name', 'QuickBooks class', hint='Used when classes come from the customer', width='w-48'),
        FieldSpec('location_name', 'QuickBooks location', hint='Used when locations come from the customer',
                  width='w-48'),
        FieldSpec('active', 'Active', FLAG, on_create=False),
    ))

ITEM_PAGE = RecordPage(
    entity_type='item', slug='items', singular='Item', plural='Items', title_field='name', input_type=ItemInput,
    search_hint='Search by name, SKU or description',
    list_fields=('name', 'kind', 'sku', 'unit_price'),
    fields=(
        FieldSpec('name', 'Name', required=True, hint='Unique', width='w-80'),
        FieldSpec('kind', 'Type', CHOICE, required=True, choices=ITEM_KINDS, width='w-48'),
        FieldSpec('sku', 'SKU', width='w-48'),
        FieldSpec('description', 'Description', LONG_TEXT, width='w-full'),
        FieldSpec('unit_price', 'Sales price', MONEY, width='w-40'),
        FieldSpec('purchase_cost', 'Purchase cost', MONEY, width='w-40'),
        FieldSpec('quantity_on_hand', 'Quantity on hand', QUANTITY, hint='Inventory items only', width='w-40'),
        FieldSpec('taxable', 'Taxable', FLAG),
        FieldSpec('class_name', 'QuickBooks class', hint='Used when classes come from the item', width='w-48'),
        FieldSpec('active', 'Active', FLAG, on_create=False),
    ))

INVOICE_PAGE = RecordPage(
    entity_type='invoice', slug='invoices', singular='Invoice', plural='Invoices', title_field='doc_number',
    input_type=InvoiceInput, search_hint='Search by number, customer or memo', lines=INVOICE_LINES, has_total=True,
    list_fields=('doc_number', 'customer_id', 'txn_date', 'due_date'),
    fields=(
        FieldSpec('doc_number', 'Invoice number', hint='Blank: the next number', width='w-48'),
        FieldSpec('customer_id', 'Customer', CUSTOMER, required=True, width='w-80'),
        FieldSpec('txn_date', 'Invoice date', DATE, required=True, width='w-40'),
        FieldSpec('due_date', 'Due date', DATE, hint='Blank: from the terms', blank_is_default=True, width='w-40'),
        FieldSpec('terms', 'Terms', hint='Blank: the customer\'s terms', blank_is_default=True, width='w-40'),
        FieldSpec('bill_email', 'Send to email', hint='Blank: the customer\'s email', blank_is_default=True),
        FieldSpec('memo', 'Message to the customer', LONG_TEXT, width='w-full'),
        FieldSpec('private_note', 'Private note', LONG_TEXT, width='w-full'),
        *DISCOUNT_FIELDS,
        *SALES_MAPPED_FIELDS,
        FieldSpec('voided', 'Voided', FLAG, on_create=False),
    ))

PAYMENT_PAGE = RecordPage(
    entity_type='payment', slug='payments', singular='Payment', plural='Payments', title_field='reference',
    input_type=PaymentInput, search_hint='Search by customer, reference or memo', applies_to_invoices=True,
    has_total=True,
    list_fields=('txn_date', 'customer_id', 'method', 'reference'),
    fields=(
        FieldSpec('customer_id', 'Customer', CUSTOMER, required=True, width='w-80'),
        FieldSpec('txn_date', 'Payment date', DATE, required=True, width='w-40'),
        FieldSpec('amount', 'Amount received', MONEY, required=True, width='w-40'),
        FieldSpec('method', 'Method', CHOICE, required=True, choices=PAYMENT_METHODS, width='w-40'),
        FieldSpec('reference', 'Reference (check no.)', width='w-48'),
        FieldSpec('memo', 'Memo', LONG_TEXT, width='w-full'),
        SERVICE_AREA,
        FieldSpec('voided', 'Voided', FLAG, on_create=False),
    ))

EXPENSE_PAGE = RecordPage(
    entity_type='expense', slug='expenses', singular='Expense', plural='Expenses', title_field='payee',
    input_type=ExpenseInput, search_hint='Search by payee, number or memo', has_total=True,
    lines=LineSpec(fields=(
        FieldSpec('category', 'Category', required=True, hint='Mapped to a QuickBooks account', width='w-48'),
        FieldSpec('description', 'Description', width='w-64'),
        FieldSpec('amount', 'Amount', MONEY, required=True, width='w-28'),
        FieldSpec('customer_id', 'Billable to', CUSTOMER, width='w-48'),
    ), input_type=ExpenseLineInput, amount_from_quantity=False),
    list_fields=('txn_date', 'payee', 'payment_type', 'doc_number'),
    fields=(
        FieldSpec('payee', 'Payee', required=True, width='w-80'),
        FieldSpec('txn_date', 'Date', DATE, required=True, width='w-40'),
        FieldSpec('payment_type', 'Paid by', CHOICE, required=True, choices=EXPENSE_PAYMENT_TYPES, width='w-40'),
        FieldSpec('doc_number', 'Reference no.', width='w-40'),
        FieldSpec('memo', 'Memo', LONG_TEXT, width='w-full'),
        SERVICE_AREA,
        FieldSpec('voided', 'Voided', FLAG, on_create=False),
    ))

CREDIT_MEMO_PAGE = RecordPage(
    entity_type='credit_memo', slug='credit-memos', singular='Credit memo', plural='Credit memos',
    title_field='doc_number', input_type=CreditMemoInput, search_hint='Search by number, customer or memo',
    lines=CREDIT_MEMO_LINES, has_total=True,
    list_fields=('doc_number', 'customer_id', 'txn_date'),
    fields=(
        FieldSpec('doc_number', 'Credit memo number', hint='Blank: the next number', width='w-48'),
        FieldSpec('customer_id', 'Customer', CUSTOMER, required=True, width='w-80'),
        FieldSpec('txn_date', 'Date', DATE, required=True, width='w-40'),
        FieldSpec('memo', 'Message to the customer', LONG_TEXT, width='w-full'),
        FieldSpec('private_note', 'Private note', LONG_TEXT, width='w-full'),
        *DISCOUNT_FIELDS,
        *SALES_MAPPED_FIELDS,
        FieldSpec('voided', 'Voided', FLAG, on_create=False),
    ))

RECORD_PAGES: tuple[RecordPage, ...] = (CUSTOMER_PAGE, ITEM_PAGE, INVOICE_PAGE, PAYMENT_PAGE, EXPENSE_PAGE,
                                         CREDIT_MEMO_PAGE)
PAGES_BY_SLUG = {page.slug: page for page in RECORD_PAGES}
PAGES_BY_TYPE = {page.entity_type: page for page in RECORD_PAGES}
APPLICATION_INPUT = PaymentApplicationInput
