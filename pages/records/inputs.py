"""One input widget per field kind, and reading it back as the value the record service expects.

Money and quantities are typed as text and handed to the service as text: it parses them with ``Decimal`` (never
float) and names the field when it cannot, so the message lands next to the input.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from nicegui import ui
from nicegui.elements.mixins.validation_element import ValidationElement

from qbsync.labels import plain_choices

from .specs import CHOICE, CUSTOMER, DATE, FLAG, ITEM, LONG_TEXT, MONEY, QUANTITY, FieldSpec

__all__ = ['field_input', 'read_field', 'as_text', 'FieldElement']

FieldElement = ValidationElement | ui.checkbox  # checkboxes carry no message of their own: see the editor


def field_input(spec: FieldSpec, value: Any, *, choices: dict[int, str] | None = None, marker: str,
                dense: bool = False) -> FieldElement:
    """The widget for ``spec`` showing ``value``; marked ``marker`` for tests."""
    label = spec.label + (' *' if spec.required else '')
    props = 'dense outlined' if dense else 'outlined'
    element: Any
    if spec.kind == FLAG:
        return ui.checkbox(spec.label, value=bool(value)).mark(marker)
    if spec.kind in (CUSTOMER, ITEM):
        options = dict(choices or {})
        element = ui.select(options, value=value if value in options else None, label=label, with_input=True,
                            clearable=True)
    elif spec.kind == CHOICE:
        element = ui.select(plain_choices(spec.choices), value=value, label=label)  # stored code, plain words
    elif spec.kind == LONG_TEXT:
        element = ui.textarea(label, value=as_text(value)).props('autogrow')
    elif spec.kind == DATE:
        element = _date_input(label, as_text(value)).classes('shrink-0')  # in a line editor's row: never "Serv…"
    else:
        element = ui.input(label, value=as_text(value))
        if spec.kind in (MONEY, QUANTITY):
            element.props('inputmode=decimal input-class=text-right')
    element.props(props).classes(spec.width).mark(marker)
    if spec.hint:
        element.props(f'hint="{spec.hint}"')
    return element


def read_field(spec: FieldSpec, element: FieldElement) -> Any:
    """The value for the service's input dataclass: bool, id, choice, or the text as typed (None = default)."""
    if spec.kind == FLAG:
        return bool(element.value)
    if spec.kind in (CUSTOMER, ITEM, CHOICE):
        return element.value
    text = '' if element.value is None else str(element.value).strip()
    if not text and spec.blank_is_default:
        return None
    return text


def as_text(value: Any) -> str:
    if value is None:
        return ''
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f'{value:f}'
    return str(value)


def _date_input(label: str, value: str) -> ui.input:
    """A text input taking YYYY-MM-DD, with a calendar to pick from."""
    with ui.input(label, value=value).props('placeholder=YYYY-MM-DD') as element:
        with ui.menu().props('no-parent-event') as menu:
            ui.date(mask='YYYY-MM-DD').bind_value(element)
        with element.add_slot('append'):
            ui.icon('edit_calendar').on('click', menu.open).classes('cursor-pointer')
    return element
