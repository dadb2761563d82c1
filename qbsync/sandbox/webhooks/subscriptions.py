"""Which changes an app's webhooks carry: the entities (and operations) it ticked on Intuit's developer portal.

An app's ``webhook_entities`` is ``None`` (everything, the sandbox's default) or a list of entries, each an entity
name (``"Invoice"``: all its operations) or ``"Entity.Operation"`` (``"Invoice.Emailed"``: that one only). Names
are checked against the entities Intuit offers webhooks for (qbo-api.md 7.5) and written in Intuit's spelling, so
``"invoice"`` and ``"Invoice"`` are the same entry. An empty list selects nothing, like a portal with no boxes ticked.
"""
from __future__ import annotations

from collections.abc import Iterable

from ..events import Operation

__all__ = ['WEBHOOK_ENTITIES', 'WEBHOOK_OPERATIONS', 'normalise_subscriptions', 'subscribed']

WEBHOOK_ENTITIES = (
    'Account', 'Bill', 'BillPayment', 'Budget', 'Class', 'CreditMemo', 'Currency', 'Customer', 'Department', 'Deposit',
    'Employee', 'Estimate', 'Invoice', 'Item', 'JournalCode', 'JournalEntry', 'Payment', 'PaymentMethod',
    'Preferences', 'Purchase', 'PurchaseOrder', 'RefundReceipt', 'SalesReceipt', 'TaxAgency', 'Term', 'TimeActivity',
    'Transfer', 'Vendor', 'VendorCredit',
)
WEBHOOK_OPERATIONS: tuple[Operation, ...] = ('Create', 'Update', 'Delete', 'Merge', 'Void', 'Emailed')
_ENTITIES = {name.lower(): name for name in WEBHOOK_ENTITIES}
_OPERATIONS = {name.lower(): name for name in WEBHOOK_OPERATIONS}


def normalise_subscriptions(entries: Iterable[str] | None) -> list[str] | None:
    """Entries in Intuit's spelling, without repeats; raises ValueError naming a bad entry."""
    if entries is None:
        return None
    if isinstance(entries, str):
        raise ValueError('webhook_entities must be a list of names, e.g. ["Invoice", "Customer"]')
    out: list[str] = []
    for raw in entries:
        text = str(raw).strip()
        entity, dot, operation = text.partition('.')
        name = _ENTITIES.get(entity.strip().lower())
        if name is None:
            raise ValueError(f'{text!r} is not an entity QuickBooks sends webhooks for '
                             f'({", ".join(WEBHOOK_ENTITIES)})')
        if dot:
            verb = _OPERATIONS.get(operation.strip().lower())
            if verb is None:
                raise ValueError(f'{text!r}: the operation must be one of {", ".join(WEBHOOK_OPERATIONS)}')
            name = f'{name}.{verb}'
        if name not in out:
            out.append(name)
    return out


def subscribed(entries: list[str] | None, entity: str, operation: Operation) -> bool:
    """Whether an app with these (normalised) entries is told about ``operation`` on ``entity``; entities Intuit
    sends no webhooks for (Attachable, ExchangeRate, TaxCode, CreditCardPaymentTxn...) are never announced."""
    if entity not in WEBHOOK_ENTITIES:
        return False
    return entries is None or entity in entries or f'{entity}.{operation}' in entries
