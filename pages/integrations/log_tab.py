"""Sync Log: the newest entries (what was sent, skipped, refused, and connection events), filterable by level."""
from __future__ import annotations

from nicegui import ui

from qbsync.sync.log_view import LEVELS, recent_entries

from . import conflicts
from .common import CenterContext, stamp

__all__ = ['build']

REFRESH_SECONDS = 5.0
LIMIT = 200
COLUMNS = [
    {'name': 'at', 'label': 'Time', 'field': 'at', 'align': 'left'},
    {'name': 'level', 'label': 'Level', 'field': 'level', 'align': 'left'},
    {'name': 'entity', 'label': 'Record', 'field': 'entity', 'align': 'left'},
    {'name': 'action', 'label': 'Action', 'field': 'action', 'align': 'left'},
    {'name': 'message', 'label': 'Message', 'field': 'message', 'align': 'left', 'style': 'white-space: normal'},
]


async def build(context: CenterContext) -> None:
    await conflicts.build(context)  # records held for the user's choice come first
    with ui.card().classes('w-full gap-2'):
        with ui.row().classes('items-center gap-4'):
            level = ui.select({'': 'All levels', **{name: name.capitalize() for name in LEVELS}}, value='',
                              label='Level', on_change=lambda: update()).classes('w-40').mark('log-level')
            count = ui.label().classes('text-grey-7').mark('log-count')
        table = ui.table(columns=COLUMNS, rows=[], row_key='id', pagination=25).classes('w-full').mark('log-table')

    async def update() -> None:
        services = context.services
        view = await services.connection.current()
        async with services.db.session() as session:
            entries = await recent_entries(session, view.realm_id if view else None, level=level.value or None,
                                           limit=LIMIT)
        table.update_rows([{'id': e.id, 'at': stamp(e.at), 'level': e.level, 'action': e.action, 'message': e.message,
                            'entity': f'{e.entity_type} {e.local_id or ""}'.strip() if e.entity_type else ''}
                           for e in entries])
        count.set_text(f'{len(entries)} newest entries' if entries else 'No entries yet.')

    async def tick() -> None:
        if context.active_tab() == 'log':
            await update()

    await update()
    ui.timer(REFRESH_SECONDS, tick, immediate=False)
    context.on_change(update)
