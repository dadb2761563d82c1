"""Form helpers shared by every page: field-level error messages next to the fields they are about.

Services raise ``ValidationError`` with ``field_errors`` keyed by field name; the pages keep their inputs in a
dict with the same keys, so one helper puts each message under its field.
"""
from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import TypeVar

from nicegui import ui
from nicegui.elements.mixins.validation_element import ValidationElement

from qbsync.services.errors import ServiceError, ValidationError

__all__ = ['show_field_errors', 'clear_field_errors', 'text_of', 'error_text', 'submit']


def show_field_errors(fields: Mapping[str, ValidationElement], error: ValidationError, *,
                      labels: Mapping[str, ui.label] | None = None) -> None:
    """Show each message next to its field (or in ``labels``, for keys that are about a group such as 'lines');
    messages for anything the form does not show go to a notification, so none is lost."""
    clear_field_errors(fields, labels=labels)
    stray = []
    for name, message in error.field_errors.items():
        if name in fields:
            fields[name].error = message
        elif labels is not None and name in labels:
            labels[name].set_text(message)
            labels[name].set_visibility(True)
        else:
            stray.append(message)
    if stray:
        ui.notify(' '.join(stray), type='negative', multi_line=True)
    else:
        ui.notify('Please correct the marked fields.', type='warning')


T = TypeVar('T')


async def submit(fields: Mapping[str, ValidationElement], action: Awaitable[T]) -> T | None:
    """Run a form's service call: field messages go next to their fields, any other refusal to a notification;
    None when refused (nothing was written, the form keeps its input)."""
    try:
        return await action
    except ValidationError as error:
        show_field_errors(fields, error)
    except ServiceError as error:
        ui.notify(error_text(error), type='negative')
    return None


def clear_field_errors(fields: Mapping[str, ValidationElement], *,
                       labels: Mapping[str, ui.label] | None = None) -> None:
    for field in fields.values():
        field.error = None
    for label in (labels or {}).values():
        label.set_text('')
        label.set_visibility(False)


def text_of(element: ValidationElement) -> str:
    """The element's value as stripped text ('' for None)."""
    value = element.value
    return '' if value is None else str(value).strip()


def error_text(error: ServiceError) -> str:
    """What to tell the user about a refused action: the field messages, or the error's own sentence."""
    if isinstance(error, ValidationError):
        return ' '.join(error.field_errors.values()) or error.message
    return str(error)
