"""``/settings/integrations``: the integrations qbsync offers (QuickBooks Online), with their state and Connect."""
from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from ..auth import allowed, current_user
from qbsync.labels import plain

from ..frame import frame
from ..widgets import Action, action_bar, action_button
from .common import CENTER_PATH, INTEGRATIONS_PATH, start_connect, tab_path

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['register']


def register(services: Services) -> None:
    @ui.page(INTEGRATIONS_PATH, title='Integrations · qbsync')
    async def integrations_page() -> None:
        user = await current_user(services)
        if user is None:
            return
        view = await services.connection.current()
        with frame('Integrations', user=user):
            with ui.card().classes('w-full max-w-2xl gap-2').props('flat bordered').mark('integration-quickbooks'):
                with ui.row().classes('items-center gap-3'):
                    ui.icon('account_balance', size='lg', color='primary')
                    ui.label('QuickBooks Online').classes('text-xl font-bold')
                ui.label('Send customers, items, invoices, payments, expenses and credit memos to QuickBooks Online, '
                         'and bring changes made there back.').classes('text-grey-8')
                if view is None:
                    ui.label('Not connected').mark('integration-status')
                elif view.needs_reconnect:
                    ui.label(f'{view.company_name or view.realm_id}: needs reconnecting').classes('text-negative') \
                        .mark('integration-status')
                else:
                    ui.label(f'Connected to {view.company_name or view.realm_id} ({plain(view.environment)})') \
                        .classes('text-positive').mark('integration-status')
                with action_bar(align='start'):
                    if (view is None or view.needs_reconnect) and allowed(user, manage=True):
                        action_button(Action('Connect QuickBooks' if view is None else 'Reconnect QuickBooks',
                                             on_click=lambda: start_connect(services), icon='link',
                                             marker='connect-quickbooks'))
                    elif view is None:
                        ui.label('An owner or admin can connect QuickBooks.').classes('text-grey-7')
                    action_button(Action('Open QuickBooks settings', href=tab_path('overview') if view else CENTER_PATH,
                                         icon='tune', kind='secondary', marker='open-control-center'))
