"""``/``: the business at a glance: the QuickBooks connection in words (and Connect when there is none), the last
sync and its result, the next automatic run, then the records and their sync state."""
from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import ui

from qbsync.formats import LocalFormats
from qbsync.labels import plain
from qbsync.services.owner_messages import connection_health
from qbsync.services.sync_summary import SyncSummary, sync_summary

from .auth import allowed, current_user
from .frame import frame
from .local import local_formats
from .messages import show_message
from .records.specs import PAGES_BY_TYPE
from .widgets import facts, link_button, section

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['register', 'CONTROL_CENTER']

CONTROL_CENTER = '/settings/integrations/quickbooks/overview'
DASHBOARD = '/settings/integrations/quickbooks/dashboard'


def register(services: Services) -> None:
    @ui.page('/')
    async def home_page() -> None:
        user = await current_user(services)
        if user is None:
            return
        formats = await local_formats(services)
        view = await services.connection.current()
        summary = await sync_summary(services.db, await services.sync_settings.load(),
                                     getattr(services, 'scheduler', None))
        with frame('Home', user=user):
            show_message(services, connection_health(view, formats), can_manage=allowed(user, manage=True),
                         marker='connection')
            with section('Syncing', marker='sync-summary'):
                facts(_sync_facts(summary, formats))
                with ui.row().classes('gap-2 wrap'):
                    link_button('Open the Sync Dashboard', DASHBOARD, icon='bar_chart', marker='open-dashboard')
                    link_button('QuickBooks settings', CONTROL_CENTER, icon='tune', kind='flat',
                                marker='control-center-link')
            with ui.element('div').classes('w-full grid grid-cols-2 sm:grid-cols-3 lg:grid-cols-6 gap-3'):
                for counts in summary.stats.entities:
                    page = PAGES_BY_TYPE[counts.entity_type]
                    with ui.link(target=page.path).classes('no-underline text-inherit').mark(f'count-{page.slug}'):
                        with ui.card().classes('w-full h-full gap-1').props('flat bordered'):
                            ui.label(page.plural).classes('text-grey-8')
                            ui.label(formats.number(counts.total)).classes('text-2xl font-bold text-grey-10') \
                                .mark(f'count-{page.slug}-total')
                            ui.label(f'{counts.synced} synced · {counts.pending} waiting · {counts.failed} failed') \
                                .classes('text-xs text-grey-7').mark(f'count-{page.slug}-states')


def _sync_facts(summary: SyncSummary, formats: LocalFormats) -> list[tuple[str, str, str | None]]:
    if summary.last_run_at is None:
        last = 'No sync has run yet.'
    else:
        last = f'{formats.when(summary.last_run_at)}: {plain(summary.last_run_status) or "unknown"}'
    if not summary.auto_sync_enabled:
        upcoming = 'Automatic sync is off. Turn it on under Sync Settings.'
    elif summary.next_run_at is not None:
        upcoming = formats.when(summary.next_run_at)
    else:
        upcoming = f'Every {summary.interval_minutes} minutes while connected'
    success = formats.when(summary.stats.last_success_at) if summary.stats.last_success_at else 'Not yet'
    return [('Last sync', last, 'last-sync'), ('Last successful sync', success, 'last-success'),
            ('Next automatic sync', upcoming, 'next-sync')]
