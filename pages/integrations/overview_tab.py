"""Overview: the connection at a glance, token health, what still needs doing, Disconnect."""
from __future__ import annotations

from datetime import datetime, timezone

from nicegui import ui

from qbsync.quickbooks.errors import QuickBooksError
from qbsync.services.connection_views import ConnectionView
from qbsync.services.errors import ServiceError

from ..auth import authorize
from .common import CenterContext, NextRunLabel, countdown, stamp, start_connect, tab_path

__all__ = ['build']

STATUS_LABELS = {'connected': ('Connected', 'positive'), 'needs_reconnect': ('Needs reconnection', 'warning'),
                 'disconnected': ('Disconnected', 'grey')}


async def build(context: CenterContext) -> None:
    services = context.services

    @ui.refreshable
    async def content() -> None:
        view = await services.connection.current()
        if view is None or view.status == 'disconnected':
            _not_connected(context)
            return
        missing = await services.account_mapping.missing_required(view.realm_id)
        _warnings(context, view, missing)
        _details(view)
        with ui.card().classes('w-full'):
            ui.label('Automatic sync').classes('text-lg font-bold')
            NextRunLabel(services).mark('overview-next-run')
        _token_health(view)
        if context.can_manage:
            ui.button('Disconnect', icon='link_off', color='negative', on_click=lambda: _confirm_disconnect(view)) \
                .props('outline').mark('disconnect')

    async def _confirm_disconnect(view: ConnectionView) -> None:
        with ui.dialog() as dialog, ui.card().classes('w-[32rem]').mark('disconnect-dialog'):
            ui.label(f'Disconnect {view.company_name or view.realm_id}?').classes('text-lg font-bold')
            ui.label('qbsync revokes its access at Intuit, deletes the stored tokens and stops syncing. Your records '
                     'and the links to QuickBooks objects are kept, so reconnecting the same company continues '
                     'where it stopped.').classes('text-grey-8')
            with ui.row().classes('w-full justify-end'):
                ui.button('Cancel', on_click=lambda: dialog.submit(False)).props('flat').mark('disconnect-cancel')
                ui.button('Disconnect', color='negative', on_click=lambda: dialog.submit(True)) \
                    .mark('disconnect-confirm')
        confirmed = await dialog
        dialog.delete()
        if not confirmed:
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
    with ui.card().classes('w-full').mark('overview-not-connected'):
        ui.label('Not connected').classes('text-lg font-bold')
        ui.label('Connect a QuickBooks Online company to start syncing customers, items, invoices, payments, '
                 'expenses and credit memos.').classes('text-grey-8')
        if context.can_manage:
            ui.button('Connect QuickBooks Online', icon='link', on_click=lambda: start_connect(context.services)) \
                .mark('connect-quickbooks')
        else:
            ui.label('An owner or admin can connect QuickBooks.').classes('text-grey-7')


def _warnings(context: CenterContext, view: ConnectionView, missing: list[str]) -> None:
    if view.needs_reconnect:
        with ui.card().classes('w-full bg-orange-1').mark('warning-reconnect-card'):
            ui.label('QuickBooks needs to be reconnected').classes('text-lg font-bold text-orange-10')
            reason = view.last_error or ('Intuit no longer accepts qbsync\'s access (the authorization was revoked '
                                         'or expired). Sync is paused until you reconnect.')
            ui.label(reason).classes('text-grey-9').mark('warning-reconnect')
            if context.can_manage:
                ui.button('Reconnect', icon='sync_lock', on_click=lambda: start_connect(context.services)) \
                    .mark('reconnect')
    if missing:
        with ui.card().classes('w-full bg-amber-1').mark('warning-mapping-card'):
            ui.label('Invoices cannot be sent yet').classes('text-lg font-bold text-amber-10')
            ui.label(f'Map these accounts first: {", ".join(missing)}.').classes('text-grey-9').mark('warning-mapping')
            ui.link('Open Account Mapping', tab_path('mapping'))


def _details(view: ConnectionView) -> None:
    label, color = STATUS_LABELS.get(view.status, (view.status, 'grey'))
    with ui.card().classes('w-full'):
        with ui.row().classes('items-center gap-3'):
            ui.label(view.company_name or 'QuickBooks company').classes('text-xl font-bold').mark('company-name')
            ui.badge(label, color=color).mark('connection-status')
        with ui.grid(columns='auto 1fr').classes('gap-x-6 gap-y-1'):
            for caption, value, marker in (
                ('Realm ID', view.realm_id, 'realm-id'),
                ('Environment', view.environment, 'environment'),
                ('Connected', stamp(view.connected_at), 'connected-at'),
                ('Last token refresh', stamp(view.last_refreshed_at), 'last-refresh'),
            ):
                ui.label(caption).classes('text-grey-7')
                ui.label(value).mark(marker)


def _token_health(view: ConnectionView) -> None:
    """Countdowns computed in the browser's session from the stored instants: ticking costs no query."""
    with ui.card().classes('w-full').mark('token-health'):
        ui.label('Token health').classes('text-lg font-bold')
        with ui.grid(columns='auto 1fr').classes('gap-x-6 gap-y-1'):
            ui.label('Access token').classes('text-grey-7')
            access = ui.label().mark('access-token-expiry')
            ui.label('Refresh token').classes('text-grey-7')
            refresh = ui.label().mark('refresh-token-expiry')
        ui.label('Access tokens last an hour and are renewed automatically; the refresh token renews with them. '
                 'If it ever expires, QuickBooks must be reconnected.').classes('text-xs text-grey-7')

    def tick() -> None:
        now = datetime.now(timezone.utc)
        access.set_text(_expiry(view.access_token_expires_at, now))
        refresh.set_text(_expiry(view.refresh_token_expires_at, now))

    tick()
    ui.timer(1.0, tick)


def _expiry(moment: datetime | None, now: datetime) -> str:
    return 'not available' if moment is None else f'expires {stamp(moment)} ({countdown(moment, now)})'
