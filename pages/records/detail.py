"""``/<slug>/<id>``: one record with its fields, lines (or a payment's applications), totals and QuickBooks status,
and the way to remove it that QuickBooks allows (delete, void or make inactive), explained before confirming."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nicegui import ui

from qbsync.formats import LocalFormats
from qbsync.models import User
from qbsync.services.errors import NotFound, ServiceError
from qbsync.services.records import RecordView

from ..auth import allowed, authorize, current_user
from ..forms import error_text
from ..frame import frame
from ..local import local_formats
from ..widgets import Action, Column, RowList, action_bar, action_button, facts, section
from .display import show_value, status_chip
from .send import quickbooks_link, send_button
from .specs import CUSTOMER, ITEM, RecordPage

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['register', 'load_or_explain']


def register(services: Services, spec: RecordPage) -> None:
    @ui.page(spec.path + '/{record_id}')
    async def view_page(record_id: int) -> None:
        user = await current_user(services)
        if user is None:
            return
        view = await load_or_explain(services, spec, record_id, user)
        if view is None:
            return
        formats = await local_formats(services)
        names = await _names(services, spec, view)
        with frame(spec.title_of(view.record), user=user):
            with ui.row().classes('w-full items-center gap-2 sm:gap-4 wrap'):
                ui.link(f'← All {spec.plural.lower()}', spec.path)
                ui.space()
                status_chip(view.sync, marker='record-status')
                quickbooks_link(services, spec.entity_type, view.sync.qbo_id)
            with section():
                facts([(field.label, view.customer_name if field.kind == CUSTOMER and field.name == 'customer_id'
                        else show_value(field, getattr(view.record, field.name), formats, names=names),
                        f'value-{field.name}') for field in spec.fields])
            if spec.lines is not None:
                _lines(spec, view, names, formats)
            if spec.applies_to_invoices:
                await _applications(services, view, formats)
            if spec.has_total:
                with ui.row().classes('w-full justify-end gap-x-8 gap-y-1 text-lg wrap'):
                    ui.label(f'Total {formats.money(view.total)}').classes('font-bold').mark('record-total')
                    if view.balance is not None:
                        ui.label(f'{_balance_label(spec)} {formats.money(view.balance)}').mark('record-balance')
            if allowed(user, manage=True):
                with action_bar():
                    await _removal(services, spec, view)
                    send_button(services, spec.entity_type, record_id, user)
                    action_button(Action('Edit', icon='edit', href=f'{spec.path}/{record_id}/edit',
                                         marker='record-edit'))


async def load_or_explain(services: Services, spec: RecordPage, record_id: int, user: User) -> RecordView | None:
    """The record, or None after drawing a page that says it does not exist (view and edit pages alike)."""
    try:
        return await services.records.get(spec.entity_type, record_id)
    except NotFound:
        with frame(spec.plural, user=user):
            ui.label(f'There is no {spec.singular.lower()} #{record_id}. It may have been removed.') \
                .classes('text-lg').mark('record-not-found')
            ui.link(f'All {spec.plural.lower()}', spec.path)
        return None


async def _removal(services: Services, spec: RecordPage, view: RecordView) -> None:
    """The Delete / Void / Make inactive button, whose dialog says what happens in QuickBooks first."""
    options = await services.record_removal.options(spec.entity_type, view.id)
    if not options.action:
        return

    async def confirm() -> None:
        title = f'{options.label} {spec.title_of(view.record)}?'
        with ui.dialog() as dialog, ui.card().classes('w-full max-w-lg').mark('remove-dialog'):
            ui.label(title).classes('text-lg font-bold')
            ui.label(options.consequence).classes('text-grey-9').mark('remove-consequence')
            with action_bar():
                action_button(Action('Cancel', on_click=lambda: dialog.submit(False), kind='flat',
                                     marker='remove-cancel'))
                action_button(Action(options.label, on_click=lambda: dialog.submit(True), kind='danger',
                                     marker='remove-confirm'))
        confirmed = await dialog
        dialog.delete()
        if not confirmed:
            return
        acting = await authorize(services, manage=True)
        if acting is None:
            return
        try:
            done = await services.record_removal.remove(spec.entity_type, view.id, acting=acting,
                                                        expected_version=view.record.version)
        except ServiceError as error:
            ui.notify(error_text(error), type='negative', multi_line=True)
            return
        what = spec.title_of(view.record)
        ui.notify({'delete': f'{what} deleted.', 'void': f'{what} voided.',
                   'deactivate': f'{what} is now inactive.'}[done], type='positive')
        ui.navigate.to(spec.path if done == 'delete' else f'{spec.path}/{view.id}')

    action_button(Action(options.label, on_click=confirm, icon='delete' if options.action == 'delete' else 'block',
                         kind='secondary', marker='record-remove'))


def _balance_label(spec: RecordPage) -> str:
    return {'invoice': 'Open balance', 'payment': 'Not applied', 'credit_memo': 'Credit'}.get(spec.entity_type,
                                                                                               'Balance')


async def _names(services: Services, spec: RecordPage, view: RecordView) -> dict[int, str]:
    """Names for the item and customer references on the lines (inactive ones included)."""
    kinds = {field.kind for field in (spec.lines.fields if spec.lines else ())}
    names: dict[int, str] = {}
    if ITEM in kinds:
        names.update(await services.records.item_choices(active_only=False))
    if CUSTOMER in kinds:
        names.update(await services.records.customer_choices(active_only=False))
    return names


def _lines(spec: RecordPage, view: RecordView, names: dict[int, str], formats: LocalFormats) -> None:
    assert spec.lines is not None
    with section('Lines'):
        table = RowList([*(Column(field.label, align='right' if field.kind in ('money', 'quantity') else 'left')
                           for field in spec.lines.fields), Column('Amount', align='right', width='w-32')],
                        marker='record-lines')
        for index, line in enumerate(view.lines):
            cells = [_line_value(field, line, names, formats) for field in spec.lines.fields]
            table.row(None, [*cells, formats.money(line.amount)], marker=f'line-{index}')


def _line_value(field: Any, line: Any, names: dict[int, str], formats: LocalFormats) -> str:
    return show_value(field, getattr(line, field.name, None), formats, names=names)


async def _applications(services: Services, view: RecordView, formats: LocalFormats) -> None:
    with section('Applied to invoices'):
        if not view.lines:
            ui.label('Not applied to any invoice.').classes('text-grey-7')
        for application in view.lines:
            try:
                invoice = await services.records.get('invoice', application.invoice_id)
                name = f'Invoice {invoice.record.doc_number}'
            except NotFound:
                name = f'Invoice #{application.invoice_id} (removed)'
            with ui.row().classes('gap-4').mark(f'application-{application.invoice_id}'):
                ui.link(name, f'/invoices/{application.invoice_id}')
                ui.label(formats.money(application.amount))
