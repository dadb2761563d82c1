"""Sync Dashboard: synced, pending, failed and not-synced records per type; last syncs; the next run; the run going
on right now; a chart of recent runs; Sync to QuickBooks, Sync from QuickBooks and Preview.

Live without polling the database every few seconds: the page subscribes to the runner's progress bus, moves the
progress bar on every message, and re-reads the figures (the link counts the database's triggers keep exact, see
``qbsync.sync.stats``) at most once a second while a run goes, and when it ends. Times are in the business's time
zone and locale, codes in plain words. A slow fallback re-read catches changes made by another process
(``qbsync sync`` in a shell) while this tab is shown.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from nicegui import background_tasks, ui

from qbsync.formats import LocalFormats
from qbsync.labels import plain
from qbsync.models import SyncRun
from qbsync.sync.progress import RunProgress
from qbsync.sync.stats import DashboardStats, dashboard_stats, recent_runs

from .common import CenterContext, NextRunLabel
from .run_controls import RunControls

__all__ = ['build', 'REFRESH_SECONDS', 'LIVE_SECONDS', 'CHART_RUNS']

REFRESH_SECONDS = 60.0  # fallback for runs in another process; runs of this app push their progress
LIVE_SECONDS = 1.0  # at most one re-read of the figures per this while a run goes
CHART_RUNS = 20
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
    {'name': 'direction', 'label': 'Direction', 'field': 'direction', 'align': 'left'},
    {'name': 'status', 'label': 'Status', 'field': 'status', 'align': 'left'},
    {'name': 'created', 'label': 'Created', 'field': 'created'},
    {'name': 'updated', 'label': 'Updated', 'field': 'updated'},
    {'name': 'failed', 'label': 'Failed', 'field': 'failed'},
    {'name': 'message', 'label': 'Result', 'field': 'message', 'align': 'left'},
]


async def build(context: CenterContext) -> None:
    services = context.services
    figures, runs = await _load(context)  # before drawing: the table never shows empty while the query runs
    state = {'loaded': time.monotonic(), 'loading': False, 'again': False}
    with ui.card().classes('w-full gap-2'):
        with ui.row().classes('w-full items-center gap-8'):
            last_run = ui.label().mark('last-run')
            last_success = ui.label().mark('last-success')
        with ui.row().classes('gap-8'):
            last_outbound = ui.label().mark('last-outbound')
            last_inbound = ui.label().mark('last-inbound')
            NextRunLabel(services, context.formats).mark('dashboard-next-run')
        company = ui.label().classes('text-xs text-grey-7').mark('dashboard-company')

        async def on_progress(progress: RunProgress) -> None:
            """Re-read in the background: the run never waits for a browser tab's queries."""
            if progress.finished or time.monotonic() - state['loaded'] >= LIVE_SECONDS:
                if state['loading']:
                    state['again'] = True  # one more read after the current one: the latest figures are never lost
                else:
                    background_tasks.create(update(), name='Sync Dashboard figures')
        controls = RunControls(context, on_progress=on_progress)
        await controls.setup({'outbound': figures.last_outbound, 'inbound': figures.last_inbound})
        table = ui.table(columns=COLUMNS, rows=[], row_key='entity_type').classes('w-full').mark('dashboard-table')
    with ui.card().classes('w-full gap-2'):
        ui.label('Recent runs').classes('text-lg font-bold')
        chart = ui.echart(_chart([], context.formats)).classes('w-full h-64').mark('runs-chart')
        runs_table = ui.table(columns=RUN_COLUMNS, rows=[], row_key='id').classes('w-full').mark('recent-runs')

    formats = context.formats

    def show(figures: DashboardStats, runs: list[SyncRun]) -> None:
        _show(figures, formats, table, last_run, last_success, company)
        last_outbound.set_text(f'Last sync to QuickBooks: {formats.datetime(figures.last_outbound_at)}')
        last_inbound.set_text(f'Last sync from QuickBooks: {formats.datetime(figures.last_inbound_at)}')
        runs_table.update_rows([{'id': r.id, 'started': formats.datetime(r.started_at), 'trigger': plain(r.trigger),
                                 'direction': plain(r.direction), 'status': plain(r.status), 'created': r.created,
                                 'updated': r.updated, 'failed': r.failed, 'message': r.message or r.error}
                                for r in runs[:10]])
        chart.options.update(_chart(runs, formats))
        chart.update()

    async def update() -> None:
        state['loaded'], state['loading'] = time.monotonic(), True
        try:
            show(*await _load(context))
            while state['again']:
                state['again'] = False
                show(*await _load(context))
        except asyncio.CancelledError:  # the app is stopping: the read in flight finishes on its own (shielded)
            return
        finally:
            state['loading'] = False

    async def fallback() -> None:
        if context.active_tab() == 'dashboard' and not controls.running:
            controls.running = await services.runner.is_running()
            controls.refresh_buttons()
            await update()

    show(figures, runs)
    unsubscribe = services.runner.progress.subscribe(controls.show)
    ui.context.client.on_delete(unsubscribe)
    ui.timer(REFRESH_SECONDS, fallback, immediate=False)
    context.on_change(update)


async def _load(context: CenterContext) -> tuple[DashboardStats, list[SyncRun]]:
    """The figures and recent runs; shielded, so a cancelled page task never abandons a database connection."""
    async def read() -> tuple[DashboardStats, list[SyncRun]]:
        async with context.services.db.session() as session:
            figures = await dashboard_stats(session)
            return figures, list(await recent_runs(session, figures.realm_id, limit=CHART_RUNS))
    return await asyncio.shield(read())


def _chart(runs: Sequence[SyncRun], formats: LocalFormats) -> dict:
    """Records per run by outcome, oldest run on the left (NiceGUI's echart, a stacked bar)."""
    ordered = list(reversed(runs))
    return {
        'tooltip': {'trigger': 'axis'},
        'legend': {'data': ['Synced', 'Failed', 'Skipped']},
        'xAxis': {'type': 'category', 'data': [f'#{r.id} {formats.datetime(r.started_at)}' for r in ordered]},
        'yAxis': {'type': 'value', 'minInterval': 1},
        'series': [
            {'name': 'Synced', 'type': 'bar', 'stack': 'records', 'color': '#2E7D32',
             'data': [r.created + r.updated + r.linked for r in ordered]},
            {'name': 'Failed', 'type': 'bar', 'stack': 'records', 'color': '#C62828',
             'data': [r.failed for r in ordered]},
            {'name': 'Skipped', 'type': 'bar', 'stack': 'records', 'color': '#9E9E9E',
             'data': [r.skipped for r in ordered]},
        ],
    }


def _show(figures: DashboardStats, formats: LocalFormats, table: ui.table, last_run: ui.label,
          last_success: ui.label, company: ui.label) -> None:
    rows = [{'entity_type': e.entity_type, 'label': e.label, 'synced': e.synced, 'pending': e.pending,
             'failed': e.failed, 'not_synced': e.not_synced, 'total': e.total}
            for e in (*figures.entities, figures.totals)]
    table.update_rows(rows)
    status = f' ({plain(figures.last_run_status).lower()})' if figures.last_run_status else ''
    last_run.set_text(f'Last run: {formats.datetime(figures.last_run_at)}{status}')
    last_success.set_text(f'Last successful sync: {formats.datetime(figures.last_success_at)}')
    company.set_text(f'QuickBooks Company ID {figures.realm_id}' if figures.realm_id
                     else 'No company connected: every record counts as not synced.')
