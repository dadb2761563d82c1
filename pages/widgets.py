"""The small set of UI pieces every page is made of, so pages look like one product and work on a phone.

- ``section(title)``: a card with a heading (the unit of every page).
- ``empty_state(title, detail, action=...)``: what a list or table shows when it has nothing, with the next step.
- ``problem(title, detail, action=...)``: a problem in plain words with the one action that fixes it.
- ``action_button`` / ``link_button``: primary, secondary (outline) and danger buttons, one look everywhere.
- ``action_bar()``: a right-aligned row of buttons that wraps on a phone.
- ``facts(pairs)``: label/value pairs, two columns on a desktop, stacked on a phone.
- ``RowList``: a list whose rows are links as a whole; a table on a desktop, one card per row on a phone;
  ``Column(align='right')`` for amounts.

Tests find these by their ``marker``; the look lives in ``theme.py``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from nicegui import ui

__all__ = ['section', 'empty_state', 'problem', 'Action', 'action_button', 'link_button', 'action_bar', 'facts',
           'Column', 'RowList']


@dataclass(frozen=True)
class Action:
    """A button: ``on_click`` runs a handler, or ``href`` is where it goes."""
    label: str
    on_click: Callable[[], Any] | None = None
    href: str | None = None
    icon: str | None = None
    kind: str = 'primary'  # primary | secondary | danger | flat
    marker: str | None = None


@contextmanager
def section(title: str | None = None, *, marker: str | None = None, tone: str = '') -> Iterator[ui.card]:
    """A card with an optional heading; ``tone`` 'warning' | 'negative' | 'info' tints it for problems."""
    tint = {'warning': 'bg-orange-1', 'negative': 'bg-red-1', 'info': 'bg-blue-1'}.get(tone, '')
    with ui.card().classes(f'w-full gap-3 {tint}').props('flat bordered') as card:
        if marker:
            card.mark(marker)
        if title:
            ui.label(title).classes('text-lg font-bold').props('role=heading aria-level=2')
        yield card


def action_button(action: Action) -> ui.button:
    props = {'primary': 'unelevated no-caps', 'secondary': 'outline no-caps', 'flat': 'flat no-caps',
             'danger': 'unelevated no-caps color=negative'}[action.kind]
    href = action.href
    on_click = action.on_click if href is None else (lambda: ui.navigate.to(href))
    button = ui.button(action.label, icon=action.icon, on_click=on_click).props(props)
    if action.marker:
        button.mark(action.marker)
    return button


def link_button(label: str, href: str, *, icon: str | None = None, kind: str = 'secondary',
                marker: str | None = None) -> ui.button:
    return action_button(Action(label, href=href, icon=icon, kind=kind, marker=marker))


@contextmanager
def action_bar(*, align: str = 'end') -> Iterator[ui.row]:
    with ui.row().classes(f'w-full items-center gap-2 justify-{align} wrap') as row:
        yield row


def empty_state(title: str, detail: str = '', *, icon: str = 'inbox', action: Action | None = None,
                marker: str = 'empty-state') -> None:
    """A friendly 'nothing here yet' with what to do next, instead of a bare 'No data available'."""
    with ui.column().classes('w-full items-center text-center gap-2 py-8').mark(f'{marker}-box'):
        ui.icon(icon, size='2.5rem').classes('text-grey-7').props('aria-hidden=true')
        ui.label(title).classes('text-base font-bold').mark(marker)
        if detail:
            ui.label(detail).classes('text-grey-7 max-w-md')
        if action is not None:
            action_button(action)


def problem(title: str, detail: str, *, action: Action | None = None, marker: str = 'problem',
            tone: str = 'warning', note: str = '') -> None:
    """A problem (or, with tone 'positive', a good state) in plain words and, on the same screen, the action that
    fixes it; ``note`` is small print (what to quote to support)."""
    icon, colour = {'negative': ('error_outline', 'text-negative'), 'positive': ('check_circle', 'text-positive'),
                    'info': ('info', 'text-info')}.get(tone, ('warning_amber', 'text-warning'))
    with section(marker=marker, tone='' if tone == 'positive' else tone):
        with ui.row().classes('items-start gap-3 no-wrap'):
            ui.icon(icon, size='1.75rem').classes(colour).props('aria-hidden=true')
            with ui.column().classes('gap-1 min-w-0'):
                ui.label(title).classes('text-base font-bold').mark(f'{marker}-title')
                ui.label(detail).classes('text-grey-8').mark(f'{marker}-detail')
                if note:
                    ui.label(note).classes('text-xs text-grey-7 break-all').mark(f'{marker}-note')
                if action is not None:
                    action_button(action)


def facts(pairs: Sequence[tuple[str, str, str | None]]) -> None:
    """(label, value, marker) pairs: two columns from a tablet up, stacked on a phone."""
    with ui.element('dl').classes('grid grid-cols-1 sm:grid-cols-[max-content_1fr] gap-x-6 gap-y-1 w-full m-0'):
        for label, value, marker in pairs:
            with ui.element('dt').classes('text-grey-7'):
                ui.label(label)
            with ui.element('dd').classes('m-0 mb-2 sm:mb-0 break-words'):
                shown = ui.label(value)
                if marker:
                    shown.mark(marker)


@dataclass(frozen=True)
class Column:
    label: str
    align: str = 'left'  # 'right' for amounts (and they get tabular figures)
    width: str = 'flex-1'  # Tailwind classes for the column's share of the row
    phone: bool = True  # False: left out of the phone card (secondary detail)


class RowList:
    """Rows that are links as a whole (click anywhere, or Tab + Enter); a table on a desktop, cards on a phone."""

    def __init__(self, columns: Sequence[Column], *, marker: str = 'row-list') -> None:
        self.columns = tuple(columns)
        with ui.column().classes('w-full gap-0').mark(marker) as self.container:
            with ui.row().classes('qb-list-head w-full no-wrap gap-2 border-b-2 py-2 px-2 font-bold text-grey-8') \
                    .props('aria-hidden=true'):
                for column in self.columns:
                    ui.label(column.label).classes(self._classes(column))

    def row(self, href: str | None, cells: Sequence[str | Callable[[], None]], *, marker: str) -> ui.element:
        """One row linking to ``href`` (None: a plain row, e.g. a document's lines); a cell is text, or a function
        that draws it (a status chip)."""
        with self.container:
            row = ui.link(target=href) if href is not None else ui.element('div')
            with row.classes('qb-row w-full flex no-wrap items-center gap-2 border-b py-2 px-2').mark(*marker.split()):
                for column, cell in zip(self.columns, cells, strict=True):
                    with ui.element('div').classes(self._classes(column)):
                        ui.label(column.label).classes('qb-cell-label').props('aria-hidden=true')
                        if callable(cell):
                            cell()
                        else:
                            ui.label(cell).classes('truncate' if href is not None else 'break-words')
        return row

    def empty(self, title: str, detail: str = '', *, action: Action | None = None, marker: str = 'empty-state') -> None:
        with self.container:
            empty_state(title, detail, action=action, marker=marker)

    @staticmethod
    def _classes(column: Column) -> str:
        classes = f'qb-cell min-w-0 {column.width}'
        if column.align == 'right':
            classes += ' qb-money'
        if not column.phone:
            classes += ' qb-hide-phone'
        return classes
