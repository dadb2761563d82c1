"""Form helpers shared by every page: field-level error messages and exact money parsing.

Services raise ``ValidationError`` with ``field_errors`` keyed by field name; the pages keep their inputs in a
dict with the same keys, so one helper puts each message under its field.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from nicegui import ui
from nicegui.elements.mixins.validation_element import ValidationElement

from qbsync.services.errors import ServiceError, ValidationError

__all__ = ['show_field_errors', 'clear_field_errors', 'parse_money', 'text_of', 'error_text']


def show_field_errors(fields: Mapping[str, ValidationElement], error: ValidationError) -> None:
    """Show each message next to its field; messages for fields the form does not show go to a notification."""
    clear_field_errors(fields)
    stray = []
    for name, message in error.field_errors.items():
        if name in fields:
            fields[name].error = message
        else:
            stray.append(message)
    if stray:
        ui.notify(' '.join(stray), type='negative', multi_line=True)
    else:
        ui.notify('Please correct the marked fields.', type='warning')


def clear_field_errors(fields: Mapping[str, ValidationElement]) -> None:
    for field in fields.values():
        field.error = None


def text_of(element: ValidationElement) -> str:
    """The element's value as stripped text ('' for None)."""
    value = element.value
    return '' if value is None else str(value).strip()


def parse_money(text: str) -> Decimal | None:
    """Exact decimal from what the user typed ('1,250.50', '$ 12', '-3.1'); None when it is not a number.

    Never goes through float, so 0.1 + 0.2 stays 0.3.
    """
    cleaned = text.replace(',', '').replace('$', '').replace(' ', '')
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def error_text(error: ServiceError) -> str:
    """What to tell the user about a refused action: the field messages, or the error's own sentence."""
    if isinstance(error, ValidationError):
        return ' '.join(error.field_errors.values()) or error.message
    return str(error)
