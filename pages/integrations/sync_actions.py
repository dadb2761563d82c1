"""Sync Dashboard actions for owners and admins: Sync to QuickBooks now, and Preview what it would do."""
from __future__ import annotations

from nicegui import ui

from qbsync.quickbooks.errors import QuickBooksError
from qbsync.services.errors import PermissionDenied
from qbsync.sync.lease import RunBusy
from qbsync.sync.plan import Action, Plan
from qbsync.sync.runner import PassMissing

from .common import CenterContext, tab_path

__all__ = ['build']

PLAN_COLUMNS = [
    {'name': 'label', 'label': 'Records', 'field': 'label', 'align': 'left'},
    {'name': 'create', 'label': 'Create', 'field': 'create'},
    {'name': 'update', 'label': 'Update', 'field': 'update'},
    {'name': 'void', 'label': 'Void', 'field': 'void'},
    {'name': 'deactivate', 'label': 'Deactivate', 'field': 'deactivate'},
    {'name': 'skip', 'label': 'Skipped', 'field': 'skip'},
    {'name': 'why', 'label': 'Why skipped', 'field': 'why', 'align': 'left'},
]
REFUSALS = (RunBusy, PassMissing, QuickBooksError, PermissionDenied)


def build(context: CenterContext) -> None:
    if not context.can_manage:
        return
    services = context.services
    with ui.card().classes('w-full gap-2'):
        with ui.row().classes('items-center gap-4'):
            sync_button = ui.button('Sync to QuickBooks', icon='sync').mark('sync-now')
            preview_button = ui.button('Preview', icon='visibility').props('flat').mark('sync-preview')
            result = ui.label().mark('sync-result')
            failures = ui.link('See the failures in the Sync Log', tab_path('log')).mark('sync-failures')
            failures.set_visibility(False)
        plan_table = ui.table(columns=PLAN_COLUMNS, rows=[], row_key='entity_type').classes('w-full') \
            .mark('sync-plan')
        plan_table.set_visibility(False)

    async def sync_now() -> None:
        sync_button.disable()
        result.set_text('Syncing…')
        try:
            summary = await services.sync.sync_now(context.user)
        except REFUSALS as refused:
            result.set_text(str(refused))
            return
        finally:
            sync_button.enable()
        result.set_text(summary.message)
        failures.set_visibility(summary.failed > 0)
        plan_table.set_visibility(False)
        await context.changed()

    async def preview() -> None:
        try:
            plan = await services.sync.preview(context.user)
        except REFUSALS as refused:
            result.set_text(str(refused))
            return
        result.set_text(f'Preview: {plan.summary()}')
        plan_table.update_rows(_rows(plan))
        plan_table.set_visibility(True)

    sync_button.on_click(sync_now)
    preview_button.on_click(preview)


def _rows(plan: Plan) -> list[dict]:
    rows = []
    for part in plan.entities:
        if not part.send and not part.skipped:
            continue
        reasons = sorted({entry.reason for entry in part.skipped})
        rows.append({'entity_type': part.entity_type, 'label': part.spec.label,
                     **{action: part.count(action) for action in (Action.CREATE, Action.UPDATE, Action.VOID,
                                                                  Action.DEACTIVATE, Action.SKIP)},
                     'why': ' '.join(reasons[:3]) + (' …' if len(reasons) > 3 else '')})
    return rows
