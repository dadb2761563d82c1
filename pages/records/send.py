"""A record page's QuickBooks corner: its QuickBooks id with a link that opens it there, and Send to QuickBooks."""
from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from qbsync.models import User
from qbsync.quickbooks.errors import QuickBooksError
from qbsync.services.errors import PermissionDenied
from qbsync.sync.lease import RunBusy

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['quickbooks_link', 'send_button']


def quickbooks_link(services: Services, entity_type: str, qbo_id: str | None) -> None:
    if not qbo_id:
        return
    url = services.sync.quickbooks_url(entity_type, qbo_id)
    if url:
        ui.link(f'QuickBooks id {qbo_id}', url, new_tab=True).mark('record-qbo-link')
    else:  # the embedded demo sandbox has no web app to open
        ui.label(f'QuickBooks id {qbo_id}').classes('text-grey-7').mark('record-qbo-id')


def send_button(services: Services, entity_type: str, record_id: int, user: User) -> None:
    async def send() -> None:
        button.disable()
        try:
            summary = await services.sync.send_record(entity_type, record_id, user)
        except (RunBusy, QuickBooksError, PermissionDenied) as refused:
            ui.notify(str(refused), type='warning')
            return
        finally:
            button.enable()
        ui.notify(summary.message, type='positive' if not summary.failed else 'negative')
        ui.navigate.reload()  # the status chip and the QuickBooks id come from the page load

    button = ui.button('Send to QuickBooks', icon='cloud_upload', on_click=send).props('flat').mark('record-send')
