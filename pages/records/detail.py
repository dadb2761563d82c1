"""``/<slug>/<id>``: one record with its fields, lines (or a payment's applications), totals and QuickBooks status."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nicegui import ui

from qbsync.models import User
from qbsync.services.errors import NotFound
from qbsync.services.records import RecordView

from ..auth import allowed, current_user
from ..frame import frame
from .display import money, show_value, status_chip
from .preview import preview_button
from .specs import CUSTOMER, ITEM, LONG_TEXT, RecordPage

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
        names = await _names(services, spec, view)
        with frame(spec.title_of(view.record), user=user):
            with ui.row().classes('w-full items-center gap-4'):
                ui.link(f'← All {spec.plural.lower()}', spec.path)
                ui.space()
                status_chip(view.sync, marker='record-status')
                if view.sync.qbo_id:
                    ui.label(f'QuickBooks id {view.sync.qbo_id}').classes('text-grey-7')
                preview_button(services, spec.entity_type, record_id)
                if allowed(user, manage=True):
                    ui.button('Edit', icon='edit', on_click=lambda: ui.navigate.to(f'{spec.path}/{record_id}/edit')) \
                        .mark('record-edit')
            with ui.card().classes('w-full'):
                with ui.grid(columns=2).classes('w-full gap-x-8 gap-y-2'):
                    for field in spec.fields:
                        value = view.customer_name if field.kind == CUSTOMER and field.name == 'customer_id' \
                            else show_value(field, getattr(view.record, field.name), names=names)
                        with ui.column().classes('gap-0' + (' col-span-2' if field.kind == LONG_TEXT else '')):
                            ui.label(field.label).classes('text-xs text-grey-7')
                            ui.label(value).classes('whitespace-pre-wrap').mark(f'value-{field.name}')
            if spec.lines is not None:
                _lines(spec, view, names)
            if spec.applies_to_invoices:
                await _applications(services, view)
            if spec.has_total:
                with ui.row().classes('w-full justify-end gap-8 text-lg'):
                    ui.label(f'Total {money(view.total)}').classes('font-bold').mark('record-total')
                    if view.balance is not None:
                        ui.label(f'{_balance_label(spec)} {money(view.balance)}').mark('record-balance')


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


def _lines(spec: RecordPage, view: RecordView, names: dict[int, str]) -> None:
    assert spec.lines is not None
    with ui.card().classes('w-full'):
        ui.label('Lines').classes('text-lg font-bold')
        with ui.row().classes('w-full no-wrap gap-2 border-b font-bold text-grey-8'):
            for field in spec.lines.fields:
                ui.label(field.label).classes('flex-1')
            ui.label('Amount').classes('w-32 text-right')
        for index, line in enumerate(view.lines):
            with ui.row().classes('w-full no-wrap gap-2 border-b py-1').mark(f'line-{index}'):
                for field in spec.lines.fields:
                    ui.label(_line_value(field, line, names)).classes('flex-1')
                ui.label(money(line.amount)).classes('w-32 text-right')


def _line_value(field: Any, line: Any, names: dict[int, str]) -> str:
    return show_value(field, getattr(line, field.name, None), names=names)


async def _applications(services: Services, view: RecordView) -> None:
    with ui.card().classes('w-full'):
        ui.label('Applied to invoices').classes('text-lg font-bold')
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
                ui.label(money(application.amount))
