"""Sync Dashboard: per entity type how many records are synced, pending, failed or not synced; the last runs.

The figures refresh on their own every few seconds while this tab is the one shown (eight indexed queries per
tick and browser tab; nothing while another tab is open).
"""
from __future__ import annotations

from nicegui import ui

from qbsync.models import SyncRun
from qbsync.sync.stats import DashboardStats, dashboard_stats, recent_runs

from . import sync_actions
from .common import CenterContext, stamp

__all__ = ['build', 'REFRESH_SECONDS']

REFRESH_SECONDS = 5.0
COLUMNS = [
    {'name': 'label', 'label': 'Records', 'field': 'label', 'align': 'left'},
    {'name': 'synced', 'label': 'Synced', 'field': 'synced'},
    {'name': 'pending', 'label': 'Pending', 'field': 'pending'},
    {'name': 'failed', 'label': 'Failed', 'field': 'failed'},
    {'name': 'not_synced', 'label': 'Not synced', 'field': 'not_synced'},
    {'name': 'total', 'label': 'Total', 'field': 'total'},
]
RUN_COLUMNS = [
    {'name': 'started', 'label': 'Started', 'field': 'started', 'align': 'left'},
    {'name': 'trigger', 'label': 'Trigger', 'field': 'trigger', 'align': 'left'},
    {'name': 'status', 'label': 'Status', 'field': 'status', 'align': 'left'},
    {'name': 'created', 'label': 'Created', 'field': 'created'},
    {'name': 'updated', 'label': 'Updated', 'field': 'updated'},
    {'name': 'failed', 'label': 'Failed', 'field': 'failed'},
    {'name': 'error', 'label': 'Error', 'field': 'error', 'align': 'left'},
]


async def build(context: CenterContext) -> None:
    figures, runs = await _load(context)  # before drawing: the table never shows empty while the query runs
    sync_actions.build(context)
    with ui.card().classes('w-full gap-2'):
        with ui.row().classes('gap-8'):
            last_run = ui.label().mark('last-run')
            last_success = ui.label().mark('last-success')
        company = ui.label().classes('text-xs text-grey-7').mark('dashboard-company')
        table = ui.table(columns=COLUMNS, rows=[], row_key='entity_type').classes('w-full').mark('dashboard-table')
    with ui.card().classes('w-full gap-2'):
        ui.label('Recent runs').classes('text-lg font-bold')
        runs_table = ui.table(columns=RUN_COLUMNS, rows=[], row_key='id').classes('w-full').mark('recent-runs')

    def show(figures: DashboardStats, runs: list[SyncRun]) -> None:
        _show(figures, table, last_run, last_success, company)
        runs_table.update_rows([{'id': r.id, 'started': stamp(r.started_at), 'trigger': r.trigger,
                                 'status': r.status, 'created': r.created, 'updated': r.updated,
                                 'failed': r.failed, 'error': r.error} for r in runs])

    async def update() -> None:
        show(*await _load(context))

    async def tick() -> None:
        if context.active_tab() == 'dashboard':
            await update()

    show(figures, runs)
    ui.timer(REFRESH_SECONDS, tick, immediate=False)
    context.on_change(update)


async def _load(context: CenterContext) -> tuple[DashboardStats, list[SyncRun]]:
    async with context.services.db.session() as session:
        figures = await dashboard_stats(session)
        return figures, list(await recent_runs(session, figures.realm_id))


def _show(figures: DashboardStats, table: ui.table, last_run: ui.label, last_success: ui.label,
          company: ui.label) -> None:
    rows = [{'entity_type': e.entity_type, 'label': e.label, 'synced': e.synced, 'pending': e.pending,
             'failed': e.failed, 'not_synced': e.not_synced, 'total': e.total}
            for e in (*figures.entities, figures.totals)]
    table.update_rows(rows)
    status = f' ({figures.last_run_status})' if figures.last_run_status else ''
    last_run.set_text(f'Last run: {stamp(figures.last_run_at)}{status}')
    last_success.set_text(f'Last successful sync: {stamp(figures.last_success_at)}')
    company.set_text(f'QuickBooks company {figures.realm_id}' if figures.realm_id
                     else 'No company connected: every record counts as not synced.')
