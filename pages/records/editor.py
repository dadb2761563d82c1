"""``/<slug>/new`` and ``/<slug>/<id>/edit``: the create and edit form for every record type.

The form starts from the service's input dataclass (blank, or ``input_from_view`` of the record), so new and edit
share every line. Saving re-checks the role on the server, hands the typed values to the record service and, when
it refuses, puts each message next to its field; nothing the user typed is lost.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from nicegui import ui
from nicegui.elements.mixins.validation_element import ValidationElement

from qbsync.models import User
from qbsync.money import document_discount
from qbsync.services.errors import ServiceError, ValidationError
from qbsync.services.records import RecordView, input_from_view

from ..auth import authorize, current_user
from ..forms import error_text, show_field_errors
from ..frame import frame
from ..local import local_formats
from ..widgets import Action, action_bar, action_button, section
from .detail import load_or_explain
from .inputs import FieldElement, field_input, read_field
from .lines import ApplicationEditor, LineEditor, decimal_or_none
from .specs import CUSTOMER, DATE, FLAG, ITEM, LONG_TEXT, RecordPage

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['register']


def register(services: Services, spec: RecordPage) -> None:
    @ui.page(spec.path + '/new')
    async def new_page() -> None:
        user = await current_user(services, manage=True)
        if user is None:
            return
        await _form(services, spec, user, None)

    @ui.page(spec.path + '/{record_id}/edit')
    async def edit_page(record_id: int) -> None:
        user = await current_user(services, manage=True)
        if user is None:
            return
        view = await load_or_explain(services, spec, record_id, user)
        if view is None:
            return
        await _form(services, spec, user, view)


async def _form(services: Services, spec: RecordPage, user: User, view: RecordView | None) -> None:
    start = input_from_view(view) if view is not None else spec.input_type()
    choices = await _choices(services, spec, view)
    formats = await local_formats(services)
    inputs: dict[str, FieldElement] = {}
    labels: dict[str, ui.label] = {}
    lines: LineEditor | None = None
    applications: ApplicationEditor | None = None

    async def save() -> None:
        if await authorize(services, manage=True) is None:
            return
        data = spec.input_type(**{name: read_field(spec.fields_by_name[name], element)
                                  for name, element in inputs.items()})
        if lines is not None:
            data.lines = lines.values()
        if applications is not None:
            data.applications = applications.values()
        targets = {name: element for name, element in inputs.items() if isinstance(element, ValidationElement)}
        targets.update(lines.error_targets() if lines else {})
        targets.update(applications.error_targets() if applications else {})
        save_button.disable()
        try:
            if view is None:
                saved = await services.records.create(data)
            else:
                saved = await services.records.update(view.id, data, expected_version=view.record.version)
        except ValidationError as error:
            show_field_errors(targets, error, labels=labels)
            return
        except ServiceError as error:  # e.g. the record was removed meanwhile
            ui.notify(error_text(error), type='negative')
            return
        finally:
            save_button.enable()
        ui.notify(f'{spec.singular} saved.', type='positive')
        ui.navigate.to(f'{spec.path}/{saved.id}')

    title = f'New {spec.singular.lower()}' if view is None else f'Edit {spec.title_of(view.record)}'
    with frame(title, user=user):
        labels['version'] = _message_label('form-error')
        with ui.card().classes('w-full').props('flat bordered'):
            with ui.row().classes('w-full gap-4 items-start'):
                for field in spec.fields:
                    if view is None and not field.on_create:
                        continue
                    value = getattr(start, field.name)
                    if field.kind == DATE and value is None and view is None and field.name == 'txn_date':
                        value = formats.today()  # the business's date, not the server's
                    with ui.column().classes('gap-0' + (' w-full' if field.kind == LONG_TEXT else '')):
                        inputs[field.name] = field_input(field, value, choices=choices.get(field.kind),
                                                         marker=f'field-{field.name}')
                        if field.kind == FLAG:  # a checkbox has no message slot of its own
                            labels[field.name] = _message_label(f'field-{field.name}-error')
        if spec.lines is not None:
            with section('Lines'):
                labels['lines'] = _message_label('lines-error')
                lines = LineEditor(services, spec.lines, choices, formats, discount=_discount_of(inputs))
                lines.build(list(getattr(start, 'lines', [])))
                for name in DISCOUNT_INPUTS & inputs.keys():
                    inputs[name].on_value_change(lines.update_total)
        if spec.applies_to_invoices:
            with section():
                applications = ApplicationEditor(
                    services, view.id if view else None, payment_amount=lambda: str(inputs['amount'].value or ''),
                    applied={a.invoice_id: a.amount for a in (view.lines if view else [])}, formats=formats)
                applications.build()
                labels['applications'] = _message_label('applications-error')
                await applications.load(inputs['customer_id'].value)
                inputs['customer_id'].on_value_change(lambda e: applications.load(e.value))
        with action_bar():
            action_button(Action('Cancel', href=f'{spec.path}/{view.id}' if view else spec.path, kind='flat',
                                 marker='record-cancel'))
            save_button = action_button(Action('Save', on_click=save, icon='save', marker='record-save'))


def _message_label(marker: str) -> ui.label:
    label = ui.label().classes('text-negative').mark(marker)
    label.set_visibility(False)
    return label


async def _choices(services: Services, spec: RecordPage, view: RecordView | None) -> dict[str, dict[int, str]]:
    """Picker options: active customers and items, plus any inactive one the record already uses."""
    kinds = {field.kind for field in spec.fields} | {field.kind for field in (spec.lines.fields if spec.lines else ())}
    choices: dict[str, dict[int, str]] = {}
    if CUSTOMER in kinds:
        choices[CUSTOMER] = await _with_used(services.records.customer_choices, view, 'customer_id')
    if ITEM in kinds:
        choices[ITEM] = await _with_used(services.records.item_choices, view, 'item_id')
    return choices


async def _with_used(load: Any, view: RecordView | None, key: str) -> dict[int, str]:
    active: dict[int, str] = await load()
    if view is None:
        return active
    used = {getattr(view.record, key, None), *(getattr(line, key, None) for line in view.lines)} - {None}
    if used - active.keys():
        everything: dict[int, str] = await load(active_only=False)
        active.update({i: f'{everything[i]} (inactive)' for i in used - active.keys() if i in everything})
    return active


DISCOUNT_INPUTS = {'discount_percent', 'discount_amount'}


def _discount_of(inputs: dict[str, FieldElement]) -> Callable[[Decimal], Decimal | None] | None:
    """For the live total of a form with a document discount: the discount for a subtotal, as the saved record will
    have it (``document_discount``); None while a discount typed is not a number."""
    if not DISCOUNT_INPUTS <= inputs.keys():
        return None

    def discount(subtotal: Decimal) -> Decimal | None:
        percent = decimal_or_none(inputs['discount_percent'].value or '0')
        amount = decimal_or_none(inputs['discount_amount'].value or '0')
        if amount is None or percent is None:
            return None
        return document_discount(subtotal, percent=percent, amount=amount)
    return discount
