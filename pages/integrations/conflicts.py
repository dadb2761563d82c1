"""Records held under the "ask me" conflict policy: both versions field by field, and the user's choice.

Shown at the top of the Sync Log tab (every open conflict), on its own page ``.../quickbooks/conflicts/{id}``
(linked from the record's page) and as a banner on the record's page.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from nicegui import ui

from qbsync.formats import LocalFormats
from qbsync.models import User
from qbsync.services.conflicts import KEEP_APP, KEEP_QUICKBOOKS, ConflictView
from qbsync.services.errors import NotFound, ServiceError

from ..auth import allowed, current_user
from ..frame import frame
from ..local import local_formats
from .common import CENTER_PATH, CenterContext, tab_path

if TYPE_CHECKING:
    from qbsync.services import Services

__all__ = ['register', 'build', 'conflict_banner', 'conflict_path']

COLUMNS = [
    {'name': 'field', 'label': 'Field', 'field': 'field', 'align': 'left'},
    {'name': 'app', 'label': 'App version', 'field': 'app', 'align': 'left', 'style': 'white-space: normal'},
    {'name': 'quickbooks', 'label': 'QuickBooks version', 'field': 'quickbooks', 'align': 'left',
     'style': 'white-space: normal'},
    {'name': 'differs', 'label': '', 'field': 'differs', 'align': 'center'},
]


def conflict_path(conflict_id: int) -> str:
    return f'{CENTER_PATH}/conflicts/{conflict_id}'


def register(services: Services) -> None:
    @ui.page(CENTER_PATH + '/conflicts/{conflict_id}', title='Conflict · qbsync')
    async def conflict_page(conflict_id: int) -> None:
        user = await current_user(services)
        if user is None:
            return
        with frame('Changed in both places', user=user):
            ui.link('← Sync Log', tab_path('log'))
            try:
                conflict = await services.conflicts.get(conflict_id)
            except NotFound:
                ui.label(f'There is no conflict #{conflict_id}.').mark('conflict-missing')
                return
            holder = ui.column().classes('w-full')
            formats = await local_formats(services)

            async def redraw() -> None:
                holder.clear()
                with holder:
                    _card(services, await services.conflicts.get(conflict_id), user, redraw, formats)
            with holder:
                _card(services, conflict, user, redraw, formats)


async def build(context: CenterContext) -> None:
    """The open conflicts above the Sync Log (nothing at all when there are none)."""
    holder = ui.column().classes('w-full gap-2').mark('conflicts')

    async def refresh() -> None:
        conflicts = await context.services.conflicts.open_conflicts()
        holder.clear()
        with holder:
            if conflicts:
                ui.label(f'{len(conflicts)} record{"s" if len(conflicts) != 1 else ""} changed in both the app and '
                         f'QuickBooks: choose the version to keep').classes('text-lg text-orange-9') \
                    .mark('conflicts-heading')
            for conflict in conflicts:
                _card(context.services, conflict, context.user, refresh, context.formats)

    await refresh()
    context.on_change(refresh)


async def conflict_banner(services: Services, entity_type: str, local_id: int) -> None:
    """On a record's page: a link to the choice when the record is held."""
    conflict = await services.conflicts.open_for(entity_type, local_id)
    if conflict is not None:
        with ui.row().classes('w-full items-center gap-2 bg-orange-1 p-2 rounded').mark('conflict-banner'):
            ui.icon('call_split', color='orange')
            ui.label('Changed in both the app and QuickBooks since the last sync.')
            ui.link('Compare and choose the version to keep', conflict_path(conflict.id)).mark('conflict-link')


def _card(services: Services, conflict: ConflictView, user: User,
          done: Callable[[], Awaitable[None]], formats: LocalFormats) -> None:
    with ui.card().classes('w-full gap-2').mark(f'conflict-{conflict.id}'):
        with ui.row().classes('w-full items-center gap-4'):
            ui.label(conflict.title).classes('text-base font-bold').mark('conflict-title')
            ui.space()
            ui.label(f'Held since {formats.datetime(conflict.detected_at)}; QuickBooks changed it '
                     f'{formats.datetime(conflict.qbo_updated_at)}').classes('text-grey-7 text-sm')
        rows = [{'id': n, 'field': f.label, 'app': f.app, 'quickbooks': f.quickbooks, 'differs': '≠' if f.differs
                 else ''} for n, f in enumerate(conflict.fields)]
        ui.table(columns=COLUMNS, rows=rows, row_key='id').classes('w-full').props('dense flat') \
            .mark('conflict-fields')
        if conflict.resolved:
            ui.label(f'Resolved: kept the {"app" if conflict.resolved == KEEP_APP else "QuickBooks"} version.') \
                .mark('conflict-resolved')
            return
        if not allowed(user, manage=True):
            ui.label('An owner or admin chooses which version to keep.').classes('text-grey-7')
            return

        async def keep(which: str) -> None:
            try:
                await services.conflicts.resolve(conflict.id, which, acting=user)
            except ServiceError as error:
                ui.notify(str(error), type='negative')
                return
            ui.notify('Kept the app version: it goes to QuickBooks with the next sync.' if which == KEEP_APP else
                      'Kept the QuickBooks version.', type='positive')
            await done()
        with ui.row().classes('gap-2'):
            ui.button('Keep app version', icon='computer', on_click=lambda: keep(KEEP_APP)).mark('keep-app')
            ui.button('Keep QuickBooks version', icon='cloud_download',
                      on_click=lambda: keep(KEEP_QUICKBOOKS)).props('outline').mark('keep-quickbooks')
