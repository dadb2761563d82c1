"""The entity registry: one ``EntityType`` per Intuit entity, found by name (any case) or by URL path segment."""
from __future__ import annotations

from .. import faults
from .base import Context, EntityType, RefRule
from .catalog import READ_ONLY_LISTS, AccountType, ItemType, PreferencesType
from .attachable import AttachableType
from .bills import BillType, PurchaseOrderType, VendorCreditType
from .customer import CustomerType
from .deposit import DepositType
from .journal import CreditCardPaymentType, JournalEntryType, TransferType
from .lists import ClassType, DepartmentType, PaymentMethodType, TaxAgencyType, TermType
from .names import EmployeeType, VendorType
from .payment import BillPaymentType, PaymentType
from .rates import ExchangeRateType
from .purchase import PurchaseType
from .receipts import EstimateType, RefundReceiptType, SalesReceiptType
from .recurring import RecurringTransactionType
from .sales import CreditMemoType, InvoiceType
from .time_activity import TimeActivityType

__all__ = ['ENTITY_TYPES', 'entity_type', 'find_entity_type', 'EntityType', 'RefRule', 'Context']

ENTITY_TYPES: dict[str, EntityType] = {t.name: t for t in (
    CustomerType(), VendorType(), EmployeeType(), ItemType(), AccountType(), InvoiceType(), CreditMemoType(),
    PaymentType(), PurchaseType(), PreferencesType(), ClassType(), DepartmentType(), TermType(), PaymentMethodType(),
    TaxAgencyType(), BillType(), BillPaymentType(), VendorCreditType(), PurchaseOrderType(), DepositType(),
    SalesReceiptType(), RefundReceiptType(), EstimateType(), JournalEntryType(), TransferType(),
    CreditCardPaymentType(), TimeActivityType(), AttachableType(), ExchangeRateType(), RecurringTransactionType(),
    *READ_ONLY_LISTS)}
_BY_KEY = {key: t for t in ENTITY_TYPES.values() for key in (t.name.lower(), t.path)}


def find_entity_type(name_or_path: str) -> EntityType | None:
    """Look up by entity name in any case (``invoice``, ``Invoice``, ``INVOICE``) or by URL path segment."""
    return _BY_KEY.get(name_or_path.strip().lower())


def entity_type(name_or_path: str) -> EntityType:
    found = find_entity_type(name_or_path)
    if found is None:
        raise faults.invalid_object_name(name_or_path)
    return found
