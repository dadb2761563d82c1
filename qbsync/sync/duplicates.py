"""No duplicates of name-list records: before creating a customer or item that has no link, look for one
QuickBooks already has (exact DisplayName / Name, then email for customers) and link to it when exactly one
matches. The record then goes as an update of that object, counted as "linked".

QuickBooks is read once per entity per run (all pages, inactive included), not once per record.
"""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from ..mapping import MappingError
from ..models import EntityLink, LinkStatus
from ..models.records import utcnow
from .answers import link_rows, qbo_time
from .entities import EntitySpec
from .plan import Action, PlanEntry

if TYPE_CHECKING:
    from .outbound import _OutboundRun

__all__ = ['match_existing', 'NAME_FIELDS']

NAME_FIELDS = {'customer': ('DisplayName', 'display_name'), 'item': ('Name', 'name')}


async def match_existing(run: _OutboundRun, spec: EntitySpec, entries: list[PlanEntry]) -> list[PlanEntry]:
    creates = [e for e in entries if e.action == Action.CREATE]
    if not creates:
        return entries
    wire_name, local_name = NAME_FIELDS[spec.name]
    client = run.ctx.client
    existing = await run.call(lambda: client.query(f'SELECT * FROM {spec.qbo_name} WHERE Active IN (true, false)'))
    taken = {run.refs.links[key] for key in run.refs.links if key[0] == spec.name}
    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_email: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for obj in existing:
        if str(obj.get('Id')) in taken:
            continue  # already linked to another local record
        by_name[str(obj.get(wire_name) or '')].append(obj)
        email = str((obj.get('PrimaryEmailAddr') or {}).get('Address') or '').lower()
        if email:
            by_email[email].append(obj)
    records = {e.local_id: e for e in creates}
    values = await _names(run, spec, local_name, list(records))
    matched: dict[int, dict[str, Any]] = {}
    ambiguous: list[tuple[PlanEntry, MappingError]] = []
    for local_id, (name, email) in values.items():
        candidates = by_name.get(name) or (by_email.get(email.lower(), []) if email else [])
        if len(candidates) == 1:
            matched[local_id] = candidates[0]
        elif len(candidates) > 1:
            ambiguous.append((records[local_id], MappingError(
                f"QuickBooks has {len(candidates)} {spec.label.lower()} matching '{name}'.",
                'Rename or merge them in QuickBooks so that exactly one matches, then sync again.')))
    if matched:
        await _link(run, spec, matched)
    if ambiguous:
        await run.record_failures(spec.name, ambiguous)
    skip = {e.local_id for e, _ in ambiguous}
    out = []
    for entry in entries:
        if entry.local_id in skip:
            continue
        obj = matched.get(entry.local_id) if entry.action == Action.CREATE else None
        if obj is not None:
            entry = PlanEntry(**{**entry.__dict__, 'action': Action.UPDATE, 'qbo_id': str(obj['Id']),
                                 'sync_token': str(obj.get('SyncToken', '0'))})
            run.linked.add((spec.name, entry.local_id))
        out.append(entry)
    return out


async def _names(run: _OutboundRun, spec: EntitySpec, local_name: str, ids: list[int]) -> dict[int, tuple[str, str]]:
    model = spec.model
    email = getattr(model, 'email', None)
    columns = [model.id, getattr(model, local_name)] + ([email] if email is not None else [])  # type: ignore
    found: dict[int, tuple[str, str]] = {}
    async with run.ctx.db.session() as session:
        for start in range(0, len(ids), 500):
            rows = (await session.exec(select(*columns).where(col(model.id).in_(ids[start:start + 500])))).all()
            for row in rows:
                found[row[0]] = (row[1], row[2] if len(row) > 2 else '')
    return found


async def _link(run: _OutboundRun, spec: EntitySpec, matched: dict[int, dict[str, Any]]) -> None:
    """Links written now (pending: the update that follows confirms them), so a crash cannot lose the match."""
    ctx = run.ctx
    async with ctx.db.session() as session:
        links = await link_rows(session, ctx.realm_id, [(spec.name, local) for local in matched])
        for local_id, obj in matched.items():
            link = links.get((spec.name, local_id)) or EntityLink(realm_id=ctx.realm_id, entity_type=spec.name,
                                                                  local_id=local_id)
            link.qbo_id, link.sync_token = str(obj['Id']), str(obj.get('SyncToken', '0'))
            link.status, link.synced_version, link.qbo_updated_at = LinkStatus.PENDING, 0, qbo_time(obj)
            link.updated_at = utcnow()
            session.add(link)
            session.add(ctx.entry(entity_type=spec.name, local_id=local_id, qbo_id=link.qbo_id, action='link',
                                  status=LinkStatus.PENDING, message=f"Matched to {spec.singular} "
                                  f"'{obj.get(NAME_FIELDS[spec.name][0])}' already in QuickBooks (Id {obj['Id']})."))
            run.refs.link(spec.name, local_id, str(obj['Id']))
        await session.commit()
