"""Record <-> QuickBooks JSON, one module per entity, both directions.

``to_qbo(record, refs)`` builds the object the engine sends (create or sparse update body, without Id and
SyncToken); ``from_qbo(obj, refs)`` gives back the local field values (and lines) for inbound sync and for the
round-trip tests. References to other records and to QuickBooks' own lists go through ``Refs``, so the modules
never query anything themselves.
"""
from __future__ import annotations

from . import credit_memo, customer, expense, invoice, item, payment
from .refs import Blocked, MappingError, Refs
from .values import LocalRecord

__all__ = ['Refs', 'MappingError', 'Blocked', 'LocalRecord', 'MODULES', 'to_qbo', 'from_qbo']

MODULES = {'customer': customer, 'item': item, 'invoice': invoice, 'payment': payment, 'expense': expense,
           'credit_memo': credit_memo}


def to_qbo(entity_type: str, record: LocalRecord, refs: Refs) -> dict:
    return MODULES[entity_type].to_qbo(record, refs)


def from_qbo(entity_type: str, obj: dict, refs: Refs) -> LocalRecord:
    return MODULES[entity_type].from_qbo(obj, refs)
