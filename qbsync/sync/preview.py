""""Show QuickBooks version": the exact body a run would send for one record, under the current mapping, built by
the outbound pass's own code (the same Refs, field mapping and entity mapper) without sending or creating
anything.

Records the run would send first (the invoice's customer, a new payment method, a class to create) are not in
QuickBooks yet: their Ids show as NEW_TARGET, as the run would fill them in after creating them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..mapping.expense import VENDOR_LIST
from ..mapping.payment import METHOD_LIST
from ..mapping.refs import MappingError
from ..mapping.values import LocalRecord
from .context import RunContext
from .entities import entity
from .field_context import LIST_ENTITY, NEW_TARGET, RunFieldMapping
from .outbound import OutboundPass, _load, _OutboundRun
from .plan import Action, PlanEntry, build_plan
from .references import load_refs

__all__ = ['RecordPreview', 'preview_record', 'NEW_TARGET']


@dataclass(frozen=True)
class RecordPreview:
    entity_type: str
    local_id: int
    action: str  # Action.* a run would send it with (once ``reason`` is gone, when it is skipped now)
    qbo_name: str  # Intuit's entity name: the key of ``body``'s object
    body: dict[str, Any] = field(default_factory=dict)  # the batch item as the run would send it (bId aside)
    local: LocalRecord | None = None
    reason: str = ''  # why a run would skip it now
    error: str = ''  # why it cannot be expressed in QuickBooks now
    suggestion: str = ''
    names: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, Id) -> name, for the wire's refs
    local_ids: dict[tuple[str, str], int] = field(default_factory=dict)  # (entity, QuickBooks Id) -> local id

    @property
    def payload(self) -> dict[str, Any]:
        """The object inside the body (what QuickBooks stores)."""
        return dict(self.body.get(self.qbo_name) or {})


async def preview_record(ctx: RunContext, entity_type: str, local_id: int, *,
                         config: OutboundPass | None = None) -> RecordPreview:
    """:param config: the outbound pass whose rate limiter and retry policy QuickBooks reads go through"""
    spec = entity(entity_type)
    run = _OutboundRun(ctx, config or OutboundPass())
    async with ctx.db.session() as session:
        plan = await build_plan(session, ctx.realm_id, settings=ctx.settings, only=(entity_type, local_id))
    records = await _load(ctx, entity_type, [local_id])
    local = records.get(local_id)
    if local is None:
        raise LookupError(f'{spec.singular} #{local_id} does not exist')
    entries = {(e.entity_type, e.local_id): e for part in plan.entities for e in (*part.send, *part.skipped)}
    entry = entries.get((entity_type, local_id))
    run.refs = await load_refs(ctx, run.call)
    if entry is None:  # nothing to send: show what the current mapping makes of it, as an update
        qbo_id = run.refs.links.get((entity_type, local_id))
        entry = PlanEntry(entity_type, local_id, local.record.version, Action.UPDATE if qbo_id else Action.CREATE,  # type: ignore
                          spec.title(local.record), qbo_id=qbo_id, sync_token='…')
    for (kind, dep_id), dep in entries.items():  # sent earlier in the same run: no Id yet
        if (kind, dep_id) != (entity_type, local_id) and dep.action == Action.CREATE:
            run.refs.links.setdefault((kind, dep_id), NEW_TARGET)
    for kind, name in ((METHOD_LIST, getattr(local.record, 'method', '')), (VENDOR_LIST, getattr(local.record,
                                                                                               'payee', ''))):
        if name and entity_type in ('payment', 'expense') and run.refs.list_id(kind, name) is None:
            run.refs.add_list_entry(kind, NEW_TARGET, name)
    run.fields = await RunFieldMapping.load(ctx.db, ctx.client, ctx.realm_id, run.call)
    await run.fields.prepare(ctx.db, entity_type, [local], create=False)
    names = _names(run)
    local_ids = {(kind, qbo_id): local for (kind, local), qbo_id in run.refs.links.items() if qbo_id != NEW_TARGET}
    reason = entry.reason if entry.action == Action.SKIP else ''
    if reason:  # a run skips it now; show what it would send once the reason is gone
        entry = PlanEntry(entity_type, local_id, entry.version, Action.UPDATE if entry.qbo_id else Action.CREATE,
                          entry.title, qbo_id=entry.qbo_id, sync_token=entry.sync_token)
    try:
        body = run.item_body(entity_type, spec.qbo_name, entry, local)
    except MappingError as problem:
        return RecordPreview(entity_type, local_id, entry.action, spec.qbo_name, local=local, reason=reason,
                             error=str(problem), suggestion=problem.suggestion, names=names, local_ids=local_ids)
    return RecordPreview(entity_type, local_id, entry.action, spec.qbo_name, body, local, reason=reason, names=names,
                         local_ids=local_ids)


def _names(run: _OutboundRun) -> dict[tuple[str, str], str]:
    """What the Ids in a body stand for: QuickBooks' lists, classes and locations."""
    names = {(kind, qbo_id): name for (kind, qbo_id), name in run.refs.list_names.items()}
    for (kind, qbo_id), name in run.fields.context.lists.names.items():
        names[(LIST_ENTITY[kind], qbo_id)] = name
    for code in run.fields.context.tax.codes:  # a company's own tax codes, by name and rate
        names[('TaxCode', code.id)] = code.label
    return names
