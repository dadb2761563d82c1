"""How record values and QuickBooks statuses look on the pages (one place, so lists and views agree)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from nicegui import ui

from qbsync.sync.record_status import QuickBooksStatus, SyncState

from .specs import CUSTOMER, DATE, FLAG, ITEM, MONEY, QUANTITY, FieldSpec

__all__ = ['status_chip', 'show_value', 'money', 'STATUS_LOOK']

# status -> (label, Quasar colour)
STATUS_LOOK = {
    QuickBooksStatus.SYNCED: ('Synced', 'positive'),
    QuickBooksStatus.PENDING: ('Pending', 'warning'),
    QuickBooksStatus.FAILED: ('Failed', 'negative'),
    QuickBooksStatus.NOT_SYNCED: ('Not synced', 'grey-6'),
}


def status_chip(sync: SyncState, *, marker: str) -> None:
    """The QuickBooks status as a coloured chip; a failure also shows its reason (tooltip and text)."""
    label, color = STATUS_LOOK.get(sync.status, (sync.status, 'grey-6'))
    with ui.column().classes('gap-0'):
        with ui.badge(label, color=color).classes('text-sm px-2 py-1').mark(marker):
            if sync.status == QuickBooksStatus.FAILED and sync.error:
                ui.tooltip(sync.error)
        if sync.status == QuickBooksStatus.FAILED:
            ui.label(sync.error or 'No reason was recorded.').classes('text-xs text-negative max-w-xs') \
                .mark(f'{marker}-reason')


def money(value: Decimal | None) -> str:
    return '' if value is None else f'{value:,.2f}'


def show_value(spec: FieldSpec, value: Any, *, names: dict[int, str] | None = None) -> str:
    """A field's value as text: names for references, thousands separators for money, ISO dates."""
    if value is None or value == '':
        return '—'
    if spec.kind in (CUSTOMER, ITEM):
        return (names or {}).get(value, f'#{value}')
    if spec.kind == MONEY:
        return money(value)
    if spec.kind == QUANTITY:
        return f'{value:,}'
    if spec.kind == FLAG:
        return 'Yes' if value else 'No'
    if spec.kind == DATE and isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)
