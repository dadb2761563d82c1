"""The one table of the entities qbsync syncs: local name, Intuit name, label, settings switch, table, tier.

Everything that needs to know "which entities exist" (settings toggles, dashboard figures, the plan's dependency
order, the sync log, inbound's routing of Intuit names) reads it from here, so adding an entity is one row.
Tiers are the dependency order of a run: a record only references records of lower tiers (an invoice its customer
and items, a payment its invoices), so sending tier by tier never points at a record QuickBooks does not have yet.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import SQLModel

from ..models import (CreditMemo, CreditMemoLine, Customer, Expense, ExpenseLine, Invoice, InvoiceLine, Item, Payment,
                      PaymentApplication)

__all__ = ['EntitySpec', 'ENTITIES', 'ENTITY_NAMES', 'entity', 'by_qbo_name', 'tiers', 'NAME_LIST', 'TRANSACTION']

NAME_LIST = 'name_list'  # customers and items: deactivated (Active=false), never deleted
TRANSACTION = 'transaction'  # documents: voided the way Intuit requires for each


@dataclass(frozen=True)
class EntitySpec:
    name: str  # local entity type, as links, the log and settings use it: 'credit_memo'
    qbo_name: str  # Intuit's entity name on the wire: 'CreditMemo'
    label: str  # plural, for people: 'Credit memos'
    singular: str  # 'Credit memo'
    switch: str  # the SyncSettings column that turns it on or off
    model: type[SQLModel]  # the local table
    tier: int  # dependency order: 0 items and customers, 1 invoices and credit memos, 2 payments, 3 expenses
    kind: str  # NAME_LIST | TRANSACTION
    title_field: str  # the column that names one record in messages ("blocked by Customer 'Acme'")
    line_model: type[SQLModel] | None = None  # its sub-records: document lines, payment applications
    line_owner: str = ''  # the sub-record column holding the record's id

    def title(self, record: SQLModel) -> str:
        """How a person recognises the record: "Customer 'Acme'", "Invoice 1042", "Payment #17"."""
        value = getattr(record, self.title_field, None) if self.title_field else None
        if self.kind == NAME_LIST and value:
            return f"{self.singular} '{value}'"
        return f'{self.singular} {value}' if value else f'{self.singular} #{getattr(record, "id", "?")}'


# table order is the order people see (settings, dashboard); ``tiers`` gives the order a run sends in
ENTITIES: tuple[EntitySpec, ...] = (
    EntitySpec('customer', 'Customer', 'Customers', 'Customer', 'sync_customers', Customer, 0, NAME_LIST,
               'display_name'),
    EntitySpec('item', 'Item', 'Items', 'Item', 'sync_items', Item, 0, NAME_LIST, 'name'),
    EntitySpec('invoice', 'Invoice', 'Invoices', 'Invoice', 'sync_invoices', Invoice, 1, TRANSACTION, 'doc_number',
               InvoiceLine, 'invoice_id'),
    EntitySpec('payment', 'Payment', 'Payments', 'Payment', 'sync_payments', Payment, 2, TRANSACTION, '',
               PaymentApplication, 'payment_id'),
    EntitySpec('expense', 'Purchase', 'Expenses', 'Expense', 'sync_expenses', Expense, 3, TRANSACTION, 'doc_number',
               ExpenseLine, 'expense_id'),
    EntitySpec('credit_memo', 'CreditMemo', 'Credit memos', 'Credit memo', 'sync_credit_memos', CreditMemo, 1,
               TRANSACTION, 'doc_number', CreditMemoLine, 'credit_memo_id'),
)
ENTITY_NAMES: tuple[str, ...] = tuple(spec.name for spec in ENTITIES)

_BY_NAME = {spec.name: spec for spec in ENTITIES}
_BY_QBO = {spec.qbo_name: spec for spec in ENTITIES}


def entity(name: str) -> EntitySpec:
    """The row for a local entity type; a clear ValueError for anything else (CLI ``--entity`` input included)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f'unknown entity {name!r}; expected one of: {", ".join(ENTITY_NAMES)}') from None


def by_qbo_name(qbo_name: str) -> EntitySpec | None:
    """The row for an Intuit entity name ('Purchase' -> expense); None for entities qbsync does not sync."""
    return _BY_QBO.get(qbo_name)


def tiers(names: tuple[str, ...] | list[str] | None = None) -> list[list[EntitySpec]]:
    """The chosen entities (all by default) grouped by tier, lowest first, in table order within a tier."""
    chosen = [entity(name) for name in names] if names else list(ENTITIES)
    levels = sorted({spec.tier for spec in chosen})
    return [[spec for spec in ENTITIES if spec.tier == level and spec in chosen] for level in levels]
