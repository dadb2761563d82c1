"""The business's own records: what the owner keeps and what qbsync sends to QuickBooks.

Every record carries ``version``, bumped on each change: the outbound engine derives its idempotent
``requestid`` from (entity, id, version), so a retried write of the same version can never post twice.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from sqlmodel import Field, SQLModel

from .types import DecimalText

__all__ = ['Customer', 'Item', 'Invoice', 'InvoiceLine', 'Payment', 'PaymentApplication', 'Expense',
           'ExpenseLine', 'CreditMemo', 'CreditMemoLine', 'utcnow']


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def money(**kwargs) -> Decimal:  # type: ignore[no-untyped-def]
    return Field(default=Decimal('0'), sa_type=DecimalText, **kwargs)


class _Tracked(SQLModel):
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class Customer(_Tracked, table=True):
    id: int | None = Field(default=None, primary_key=True)
    display_name: str = Field(max_length=500, unique=True, index=True)
    company_name: str = Field(default='', max_length=100)
    given_name: str = Field(default='', max_length=100)
    family_name: str = Field(default='', max_length=100)
    email: str = Field(default='', max_length=100, index=True)
    phone: str = Field(default='', max_length=30)
    mobile: str = Field(default='', max_length=30)
    bill_line1: str = Field(default='', max_length=500)
    bill_line2: str = Field(default='', max_length=500)
    bill_city: str = Field(default='', max_length=255)
    bill_state: str = Field(default='', max_length=255)
    bill_postal_code: str = Field(default='', max_length=30)
    bill_country: str = Field(default='', max_length=255)
    terms: str = Field(default='', max_length=100)  # e.g. 'Net 30'
    notes: str = Field(default='', max_length=2000)
    active: bool = Field(default=True, index=True)
    # field mapping (qbsync.mapping.tracking): this customer's QuickBooks class and location, by name, when the
    # Field Mapping tab takes them "from the customer"; its type picks an income account on the Account Mapping tab
    class_name: str = Field(default='', max_length=100)
    location_name: str = Field(default='', max_length=100)
    customer_type: str = Field(default='', max_length=100)


class Item(_Tracked, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True, index=True)
    kind: str = Field(default='Service', max_length=20)  # Service | NonInventory | Inventory
    description: str = Field(default='', max_length=4000)
    sku: str = Field(default='', max_length=100)
    unit_price: Decimal = money()
    purchase_cost: Decimal = money()
    quantity_on_hand: Decimal = money()
    taxable: bool = False
    active: bool = Field(default=True, index=True)
    class_name: str = Field(default='', max_length=100)  # its QuickBooks class, for classes "from the item"


class _SalesForm(_Tracked):
    """What an invoice and a credit memo both hold besides their number, customer, date and lines."""
    memo: str = Field(default='', max_length=1000)  # shown to the customer
    private_note: str = Field(default='', max_length=4000)
    voided: bool = False
    service_area: str = Field(default='', max_length=100)  # mapped to a class or location (Field Mapping)
    job_number: str = Field(default='', max_length=31)  # custom fields on sales forms hold at most 31 characters
    technician: str = Field(default='', max_length=100)
    po_number: str = Field(default='', max_length=31)
    # a discount on the whole document, sent as Intuit's DiscountLineDetail line: a percent or a fixed amount
    discount_percent: Decimal = money()
    discount_amount: Decimal = money()


class Invoice(_SalesForm, table=True):
    id: int | None = Field(default=None, primary_key=True)
    doc_number: str = Field(max_length=21, unique=True, index=True)
    customer_id: int = Field(foreign_key='customer.id', index=True)
    txn_date: date = Field(index=True)
    due_date: date | None = Field(default=None, index=True)  # overdue lists and figures
    terms: str = Field(default='', max_length=100)
    bill_email: str = Field(default='', max_length=100)


class InvoiceLine(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key='invoice.id', index=True, ondelete='CASCADE')
    line_num: int = 1
    item_id: int | None = Field(default=None, foreign_key='item.id', index=True)
    description: str = Field(default='', max_length=4000)
    quantity: Decimal = money()
    unit_price: Decimal = money()
    amount: Decimal = money()
    service_date: date | None = None
    # the line's own tax rate in percent (20 for 20 %); None: the item's taxable flag decides (Field Mapping, tax)
    tax_rate: Decimal | None = Field(default=None, sa_type=DecimalText)


class Payment(_Tracked, table=True):
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key='customer.id', index=True)
    txn_date: date = Field(index=True)
    amount: Decimal = money()
    method: str = Field(default='Check', max_length=30)  # Cash | Check | Credit Card | ACH
    reference: str = Field(default='', max_length=21)  # check number
    memo: str = Field(default='', max_length=4000)
    voided: bool = False
    service_area: str = Field(default='', max_length=100)


class PaymentApplication(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key='payment.id', index=True, ondelete='CASCADE')
    invoice_id: int = Field(foreign_key='invoice.id', index=True)
    amount: Decimal = money()


class Expense(_Tracked, table=True):
    id: int | None = Field(default=None, primary_key=True)
    txn_date: date = Field(index=True)
    payee: str = Field(default='', max_length=500)
    payment_type: str = Field(default='CreditCard', max_length=20)  # Cash | Check | CreditCard
    doc_number: str = Field(default='', max_length=21)
    memo: str = Field(default='', max_length=4000)
    voided: bool = False
    service_area: str = Field(default='', max_length=100)


class ExpenseLine(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    expense_id: int = Field(foreign_key='expense.id', index=True, ondelete='CASCADE')
    line_num: int = 1
    category: str = Field(default='', max_length=100)  # the business's own category; mapped to an account
    description: str = Field(default='', max_length=4000)
    amount: Decimal = money()
    customer_id: int | None = Field(default=None, foreign_key='customer.id')  # billable to a customer


class CreditMemo(_SalesForm, table=True):
    id: int | None = Field(default=None, primary_key=True)
    doc_number: str = Field(max_length=21, unique=True, index=True)
    customer_id: int = Field(foreign_key='customer.id', index=True)
    txn_date: date = Field(index=True)


class CreditMemoLine(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    credit_memo_id: int = Field(foreign_key='creditmemo.id', index=True, ondelete='CASCADE')
    line_num: int = 1
    item_id: int | None = Field(default=None, foreign_key='item.id')
    description: str = Field(default='', max_length=4000)
    quantity: Decimal = money()
    unit_price: Decimal = money()
    amount: Decimal = money()
    # the line's own tax rate in percent (20 for 20 %); None: the item's taxable flag decides (Field Mapping, tax)
    tax_rate: Decimal | None = Field(default=None, sa_type=DecimalText)
