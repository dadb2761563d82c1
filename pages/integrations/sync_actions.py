"""What Preview shows on the Sync Dashboard: per record type what a run would create, update, void, deactivate or
skip, and why records are skipped (the buttons themselves are ``run_controls``)."""
from __future__ import annotations

from qbsync.quickbooks.errors import QuickBooksError
from qbsync.services.errors import PermissionDenied
from qbsync.sync.lease import RunBusy
from qbsync.sync.plan import SENDING, Action, Plan
from qbsync.sync.runner import PassMissing


__all__ = ['PLAN_COLUMNS', 'plan_rows', 'REFUSALS']

PLAN_COLUMNS = [
    {'name': 'label', 'label': 'Records', 'field': 'label', 'align': 'left'},
    {'name': 'create', 'label': 'Create', 'field': 'create'},
    {'name': 'link', 'label': 'Link', 'field': 'link'},
    {'name': 'update', 'label': 'Update', 'field': 'update'},
    {'name': 'void', 'label': 'Void', 'field': 'void'},
    {'name': 'deactivate', 'label': 'Deactivate', 'field': 'deactivate'},
    {'name': 'skip', 'label': 'Skipped', 'field': 'skip'},
    {'name': 'why', 'label': 'Why skipped', 'field': 'why', 'align': 'left'},
]
REFUSALS = (RunBusy, PassMissing, QuickBooksError, PermissionDenied)


def plan_rows(plan: Plan) -> list[dict]:
    rows = []
    for part in plan.entities:
        if not part.send and not part.skipped:
            continue
        reasons = sorted({entry.reason for entry in part.skipped})
        rows.append({'entity_type': part.entity_type, 'label': part.spec.label,
                     **{action: part.count(action) for action in (*SENDING, Action.SKIP)},
                     'why': ' '.join(reasons[:3]) + (' …' if len(reasons) > 3 else '')})
    return rows
