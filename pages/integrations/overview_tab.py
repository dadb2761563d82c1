"""Overview: the connection in plain words (and when it needs attention, the action on the same screen), the
company's details (its Company ID stays visible for support), what still needs doing, Disconnect."""
from __future__ import annotations

from nicegui import ui

from qbsync.formats import LocalFormats
from qbsync.labels import plain
from qbsync.quickbooks.errors import QuickBooksError
from qbsync.services.connection_views import ConnectionView
from qbsync.services.errors import ServiceError
from qbsync.services.owner_messages import OPEN_MAPPING, OwnerMessage, connection_health

from ..auth import authorize
from ..local import local_formats
from ..messages import show_message
from ..widgets import Action, action_bar, action_button, confirm, facts, section
from .common import CenterContext, NextRunLabel, start_connect

__all__ = ['build']

STATUS_LABELS = {'connected': ('Connected', 'positive'), 'needs_reconnect': ('Needs reconnecting', 'negative'),
                 'disconnected': ('Disconnected', 'grey-8')}


async def build(context: CenterContext) -> None:
    services = context.services

    @ui.refreshable
    async def content() -> None:
        view = await services.connection.current()
        if view is None or view.status == 'disconnected':
            _not_connected(context)
            return
        formats = await local_formats(services)
        missing = await services.account_mapping.missing_required(view.realm_id)
        show_message(services, connection_health(view, formats), can_manage=context.can_manage,
                     marker='warning-reconnect-card' if view.needs_reconnect else 'connection-health')
        if missing:
            show_message(services, OwnerMessage('Invoices cannot be sent yet',
                                                f'Map these accounts first: {", ".join(missing)}.', OPEN_MAPPING),
                         can_manage=context.can_manage, marker='warning-mapping')
        _details(view, formats)
        with section('Automatic sync', marker='overview-automatic-sync'):
            NextRunLabel(services, context.formats).mark('overview-next-run')
        if context.can_manage:
            with action_bar(align='start'):
                action_button(Action('Disconnect', on_click=lambda: _confirm_disconnect(view), icon='link_off',
                                     kind='secondary', marker='disconnect'))

    async def _confirm_disconnect(view: ConnectionView) -> None:
        if not await confirm(f'Disconnect {view.company_name or view.realm_id}?',
                             'qbsync revokes its access at Intuit, deletes the stored tokens and stops syncing. Your '
                             'records and the links to QuickBooks objects are kept, so reconnecting the same company '
                             'continues where it stopped.', confirm_label='Disconnect', marker='disconnect-dialog'):
            return
        user = await authorize(services, manage=True)
        if user is None:
            return
        try:
            revoked = await services.connection.disconnect(user)
        except (ServiceError, QuickBooksError) as error:
            ui.notify(str(error), type='negative')
            return
        name = view.company_name or view.realm_id
        if revoked:
            ui.notify(f'Disconnected from {name}.', type='positive')
        else:
            ui.notify(f'Disconnected from {name}, but Intuit did not confirm the revocation: remove qbsync under '
                      'Connected apps in QuickBooks if it is still listed.', type='warning', multi_line=True)
        await context.changed()

    await content()
    context.on_change(content.refresh)


def _not_connected(context: CenterContext) -> None:
    with section('Not connected', marker='overview-not-connected'):
        ui.label('Connect a QuickBooks Online company to start syncing customers, items, invoices, payments, '
                 'expenses and credit memos.').classes('text-grey-8')
        if context.can_manage:
            action_button(Action('Connect QuickBooks', on_click=lambda: start_connect(context.services), icon='link',
                                 marker='connect-quickbooks'))
        else:
            ui.label('An owner or admin can connect QuickBooks.').classes('text-grey-7')


def _details(view: ConnectionView, formats: LocalFormats) -> None:
    label, color = STATUS_LABELS.get(view.status, (plain(view.status), 'grey-8'))
    with section():
        with ui.row().classes('items-center gap-3 wrap'):
            ui.label(view.company_name or 'QuickBooks company').classes('text-xl font-bold').mark('company-name')
            ui.badge(label, color=color).mark('connection-status')
        facts([
            ('Company ID', view.realm_id, 'realm-id'),
            ('Kind of company', plain(view.environment), 'environment'),
            ('Connected since', formats.datetime(view.connected_at), 'connected-at'),
            ('Access last renewed', formats.when(view.last_refreshed_at), 'last-refresh'),
        ])
        ui.label('Give the Company ID to Intuit or qbsync support when asked for your "realm ID".') \
            .classes('text-xs text-grey-7')
