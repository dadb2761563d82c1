"""How record values and QuickBooks statuses look on the pages (one place, so lists and views agree).

Values are formatted with the business's ``LocalFormats`` (locale, time zone, currency) and stored codes are
shown in plain words (``qbsync.labels``).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from nicegui import ui

from qbsync.formats import LocalFormats
from qbsync.labels import plain
from qbsync.sync.record_status import QuickBooksStatus, SyncState

from .specs import CHOICE, CUSTOMER, DATE, FLAG, ITEM, MONEY, QUANTITY, FieldSpec

__all__ = ['status_chip', 'show_value', 'STATUS_LOOK']

# status -> (label, Quasar colour); the theme makes every one readable with white text
STATUS_LOOK = {
    QuickBooksStatus.SYNCED: ('Synced', 'positive'),
    QuickBooksStatus.PENDING: ('Waiting to sync', 'warning'),
    QuickBooksStatus.FAILED: ('Failed', 'negative'),
    QuickBooksStatus.NOT_SYNCED: ('Not sent yet', 'grey-8'),
}


def status_chip(sync: SyncState, *, marker: str, reason: bool = True) -> None:
    """The QuickBooks status as a coloured chip; a failure also shows its reason (tooltip and, with ``reason``,
    as text)."""
    label, color = STATUS_LOOK.get(sync.status, (plain(sync.status), 'grey-8'))
    with ui.column().classes('gap-0'):
        with ui.badge(label, color=color).classes('text-sm px-2 py-1').mark(marker):
            if sync.status == QuickBooksStatus.FAILED and sync.error:
                ui.tooltip(sync.error)
        if sync.status == QuickBooksStatus.FAILED and reason:
            ui.label(sync.error or 'No reason was recorded.').classes('text-xs text-negative max-w-xs') \
                .mark(f'{marker}-reason')


def show_value(spec: FieldSpec, value: Any, formats: LocalFormats, *, names: dict[int, str] | None = None) -> str:
    """A field's value as text: names for references, money with its currency, local dates, plain words."""
    if value is None or value == '':
        return '—'
    if spec.kind in (CUSTOMER, ITEM):
        return (names or {}).get(value, f'#{value}')
    if spec.kind == MONEY:
        return formats.money(Decimal(value))
    if spec.kind == QUANTITY:
        return formats.number(value)
    if spec.kind == FLAG:
        return 'Yes' if value else 'No'
    if spec.kind == DATE and isinstance(value, (date, datetime)):
        return formats.date(value)
    if spec.kind == CHOICE:
        return plain(str(value))
    return str(value)
