""""Show QuickBooks version" on a record's page: what a run would send under the current mapping, field by field in
plain words beside the app's values, and the exact JSON; nothing is sent."""
from __future__ import annotations

from typing import TYPE_CHECKING

import simplejson
from nicegui import ui

from qbsync.quickbooks.errors import QuickBooksError
from qbsync.services.account_mapping import NotConnected
from qbsync.services.errors import NotFound

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['preview_button']

COLUMNS = [{'name': 'label', 'label': 'QuickBooks field', 'field': 'label', 'align': 'left'},
           {'name': 'quickbooks', 'label': 'Sent as', 'field': 'quickbooks', 'align': 'left'},
           {'name': 'app', 'label': 'In the app', 'field': 'app', 'align': 'left'}]


def preview_button(services: Services, entity_type: str, record_id: int) -> None:
    with ui.dialog() as dialog, ui.card().classes('w-full max-w-4xl gap-2').mark('preview-dialog'):
        content = ui.column().classes('w-full gap-2')
        ui.button('Close', on_click=dialog.close).props('flat').mark('preview-close')

    async def show() -> None:
        content.clear()
        with content:
            ui.label('QuickBooks version').classes('text-lg font-bold')
            await _render(services, entity_type, record_id)
        dialog.open()
    ui.button('Show QuickBooks version', icon='preview', on_click=show).props('outline').mark('record-preview')


async def _render(services: Services, entity_type: str, record_id: int) -> None:
    try:
        view = await services.record_preview.preview(entity_type, record_id)
    except (NotConnected, NotFound, QuickBooksError) as error:
        ui.label(str(error)).classes('text-negative').mark('preview-error')
        return
    preview = view.preview
    ui.label(view.headline).mark('preview-headline')
    if preview.error:
        ui.label(preview.error).classes('text-negative').mark('preview-error')
        if preview.suggestion:
            ui.label(preview.suggestion).classes('text-grey-8')
        return
    ui.table(columns=COLUMNS, rows=[{'key': row.key or row.label, 'label': row.label, 'quickbooks': row.quickbooks,
                                     'app': row.app} for row in view.rows], row_key='key') \
        .classes('w-full').props('dense flat').mark('preview-table')
    with ui.expansion('Exact JSON').classes('w-full'):
        ui.code(simplejson.dumps(preview.body, use_decimal=True, indent=2), language='json') \
            .classes('w-full').mark('preview-json')
