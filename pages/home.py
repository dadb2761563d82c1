"""``/``: a short overview: the QuickBooks connection in one line, the records and their sync state, links onward."""
from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from qbsync.services.connection_views import ConnectionView
from qbsync.sync.stats import dashboard_stats

from .auth import current_user
from .frame import frame
from .records.specs import PAGES_BY_TYPE

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['register', 'CONTROL_CENTER']

CONTROL_CENTER = '/settings/integrations/quickbooks/overview'


def register(services: Services) -> None:
    @ui.page('/')
    async def home_page() -> None:
        user = await current_user(services)
        if user is None:
            return
        view = await _connection(services)
        async with services.db.session() as session:
            stats = await dashboard_stats(session)
        with frame('Dashboard', user=user):
            with ui.card().classes('w-full'):
                ui.label('QuickBooks').classes('text-lg font-bold')
                ui.label(_connection_line(view)).mark('connection-status')
                with ui.row().classes('gap-6'):
                    ui.link('Open the QuickBooks control center', CONTROL_CENTER).mark('control-center-link')
                    ui.link('All integrations', '/settings/integrations')
            with ui.row().classes('w-full gap-4'):
                for counts in stats.entities:
                    page = PAGES_BY_TYPE[counts.entity_type]
                    with ui.link(target=page.path).classes('no-underline text-inherit').mark(f'count-{page.slug}'):
                        with ui.card().classes('w-44 gap-1'):
                            ui.label(page.plural).classes('text-grey-8')
                            ui.label(str(counts.total)).classes('text-2xl font-bold').mark(f'count-{page.slug}-total')
                            ui.label(f'{counts.synced} synced · {counts.pending} pending · {counts.failed} failed') \
                                .classes('text-xs text-grey-7').mark(f'count-{page.slug}-states')


async def _connection(services: Services) -> ConnectionView | None:
    """The connection view from ``services.connection.current()``, or None when absent or not connected."""
    connection = getattr(services, 'connection', None)
    return None if connection is None else await connection.current()


def _connection_line(view: ConnectionView | None) -> str:
    if view is None:
        return 'Not connected to QuickBooks. An owner or admin can connect in the control center.'
    name = view.company_name or f'company {view.realm_id}'
    if view.connected:
        return f'Connected to {name} ({view.environment}).'
    if view.needs_reconnect:
        return f'{name} needs to be reconnected: {view.last_error or "QuickBooks no longer accepts our access"}.'
    return f'Disconnected from {name}.'
