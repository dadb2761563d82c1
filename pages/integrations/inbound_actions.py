""""Sync from QuickBooks": an inbound run on demand (everything changed in QuickBooks since the last one)."""
from __future__ import annotations

from nicegui import ui

from qbsync.models import RunStatus
from qbsync.quickbooks.errors import NotConnectedError, ReconnectRequired
from qbsync.sync.inbound_sync import INBOUND_OFF
from qbsync.sync.runner import PassMissing, RunBusy

from .common import CenterContext

__all__ = ['sync_from_quickbooks_button']


def sync_from_quickbooks_button(context: CenterContext) -> None:
    """Owners and admins only; the run goes through the runner, so it waits for no one and never overlaps."""
    if not context.can_manage:
        return

    async def run() -> None:
        services = context.services
        if not (await services.sync_settings.load()).inbound_enabled:
            ui.notify(INBOUND_OFF, type='warning')
            return
        button.disable()
        try:
            summary = await services.runner.run(trigger='manual', direction='inbound')
        except RunBusy as busy:
            ui.notify(f'A sync is already running ({busy}); try again when it has finished.', type='warning')
        except (NotConnectedError, ReconnectRequired, PassMissing) as error:
            ui.notify(str(error), type='negative')
        else:
            ui.notify(f'From QuickBooks: {summary.message}', type='positive' if summary.status == RunStatus.SUCCEEDED
                      else 'warning')
        finally:
            button.enable()
        await context.changed()

    button = ui.button('Sync from QuickBooks', icon='cloud_download', on_click=run).props('outline') \
        .mark('sync-from-quickbooks')
