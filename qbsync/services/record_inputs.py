"""What a form hands the RecordService to create or update a record: plain typed values, not yet validated.

Amounts may be Decimal, int, str ('1,250.00') or float from a number input (taken by its shortest repr); dates may
be ``date`` or 'YYYY-MM-DD'. ``None`` in an optional field means "use the default" (the item's price, the
customer's terms and email, the next document number when ``doc_number`` is blank).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .validation import DateLike, DecimalLike

__all__ = ['CustomerInput', 'ItemInput', 'SalesLineInput', 'InvoiceInput', 'PaymentApplicationInput',
           'PaymentInput', 'ExpenseLineInput', 'ExpenseInput', 'CreditMemoInput', 'RecordInput',
           'PAYMENT_METHODS', 'EXPENSE_PAYMENT_TYPES', 'ITEM_KINDS', 'TERMS_DAYS']

ITEM_KINDS = ('Service', 'NonInventory', 'Inventory')
PAYMENT_METHODS = ('Cash', 'Check', 'Credit Card', 'ACH')
EXPENSE_PAYMENT_TYPES = ('Cash', 'Check', 'CreditCard')  # QuickBooks Purchase.PaymentType
# QuickBooks' standard sales terms; other names are allowed (a company may define its own) but set no due date
TERMS_DAYS = {'Due on receipt': 0, 'Net 10': 10, 'Net 15': 15, 'Net 30': 30, 'Net 60': 60}


@dataclass
class CustomerInput:
    display_name: str = ''
    company_name: str = ''
    given_name: str = ''
    family_name: str = ''
    email: str = ''
    phone: str = ''
    mobile: str = ''
    bill_line1: str = ''
    bill_line2: str = ''
    bill_city: str = ''
    bill_state: str = ''
    bill_postal_code: str = ''
    bill_country: str = ''
    terms: str = ''
    notes: str = ''
    active: bool = True
    class_name: str = ''  # field mapping: the customer's QuickBooks class and location
    location_name: str = ''
    customer_type: str = ''


@dataclass
class ItemInput:
    name: str = ''
    kind: str = 'Service'
    description: str = ''
    sku: str = ''
    unit_price: DecimalLike = '0'
    purchase_cost: DecimalLike = '0'
    quantity_on_hand: DecimalLike = '0'  # Inventory only
    taxable: bool = False
    active: bool = True
    class_name: str = ''  # field mapping: the item's QuickBooks class


@dataclass
class SalesLineInput:
    """An invoice or credit memo line; amount is always quantity x unit price, rounded to the cent."""
    item_id: int | None = None
    description: str = ''
    quantity: DecimalLike = '1'
    unit_price: DecimalLike | None = None  # None: the item's price
    service_date: DateLike | None = None
    tax_rate: DecimalLike | None = None  # percent; None: the item's taxable flag decides


@dataclass
class _SalesFormInput:
    """What an invoice and a credit memo form both hold."""
    customer_id: int | None = None
    txn_date: DateLike | None = None
    lines: list[SalesLineInput] = field(default_factory=list)
    doc_number: str = ''  # blank: the next number
    memo: str = ''
    private_note: str = ''
    voided: bool = False
    service_area: str = ''  # field mapping: app fields the Field Mapping tab can send as class, location or
    job_number: str = ''  # custom field
    technician: str = ''
    po_number: str = ''
    discount_percent: DecimalLike = '0'  # a discount on the whole document: a percent, or
    discount_amount: DecimalLike = '0'  # a fixed amount (one or the other)


@dataclass
class InvoiceInput(_SalesFormInput):
    due_date: DateLike | None = None  # None: from the terms (or the invoice date)
    terms: str | None = None  # None: the customer's terms
    bill_email: str | None = None  # None: the customer's email


@dataclass
class PaymentApplicationInput:
    invoice_id: int | None = None
    amount: DecimalLike = '0'


@dataclass
class PaymentInput:
    customer_id: int | None = None
    txn_date: DateLike | None = None
    amount: DecimalLike = '0'
    method: str = 'Check'
    reference: str = ''
    memo: str = ''
    applications: list[PaymentApplicationInput] = field(default_factory=list)
    voided: bool = False
    service_area: str = ''


@dataclass
class ExpenseLineInput:
    category: str = ''
    description: str = ''
    amount: DecimalLike = '0'
    customer_id: int | None = None  # billable to this customer


@dataclass
class ExpenseInput:
    txn_date: DateLike | None = None
    payee: str = ''
    payment_type: str = 'CreditCard'
    doc_number: str = ''
    memo: str = ''
    lines: list[ExpenseLineInput] = field(default_factory=list)
    voided: bool = False
    service_area: str = ''


@dataclass
class CreditMemoInput(_SalesFormInput):
    """A credit memo: the sales form's fields and nothing else (no due date, terms or billing email)."""


RecordInput = CustomerInput | ItemInput | InvoiceInput | PaymentInput | ExpenseInput | CreditMemoInput
