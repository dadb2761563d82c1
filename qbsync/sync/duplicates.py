"""No duplicates of name-list records: before creating a customer or item that has no link, look for one
QuickBooks already has (exact DisplayName / Name, then email for customers) and link to it when exactly one
matches. The record then goes as an update of that object, counted as "linked".

QuickBooks is read once per entity per run (all pages, inactive included), not once per record.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from ..db import Database
from ..mapping import MappingError
from ..models import EntityLink, LinkStatus
from ..models.records import utcnow
from ..quickbooks.client import QuickBooksClient
from .answers import link_rows, qbo_time
from .entities import NAME_LIST, EntitySpec
from .plan import Action, Plan, PlanEntry
from .references import Call

if TYPE_CHECKING:
    from .outbound import _OutboundRun

__all__ = ['match_existing', 'find_matches', 'preview_links', 'NAME_FIELDS']

NAME_FIELDS = {'customer': ('DisplayName', 'display_name'), 'item': ('Name', 'name')}
Ambiguous = list[tuple[PlanEntry, MappingError]]


async def match_existing(run: _OutboundRun, spec: EntitySpec, entries: list[PlanEntry]) -> list[PlanEntry]:
    creates = [e for e in entries if e.action == Action.CREATE]
    if not creates:
        return entries
    taken = {run.refs.links[key] for key in run.refs.links if key[0] == spec.name}
    matched, ambiguous = await find_matches(run.ctx.db, run.ctx.client, run.call, spec, creates, taken)
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
            entry = replace(entry, action=Action.UPDATE, qbo_id=str(obj['Id']),
                            sync_token=str(obj.get('SyncToken', '0')))
            run.linked.add((spec.name, entry.local_id))
        out.append(entry)
    return out


async def find_matches(db: Database, client: QuickBooksClient, call: Call, spec: EntitySpec,
                       creates: list[PlanEntry], taken: set[str]) -> tuple[dict[int, dict[str, Any]], Ambiguous]:
    """Which records about to be created QuickBooks already has (local id -> its object), and those that match
    several; ``taken`` holds the QuickBooks Ids already linked to other local records. Reads only: the run and
    the preview both decide with it."""
    wire_name, local_name = NAME_FIELDS[spec.name]
    existing = await call(lambda: client.query(f'SELECT * FROM {spec.qbo_name} WHERE Active IN (true, false)'))
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
    values = await _names(db, spec, local_name, list(records))
    matched: dict[int, dict[str, Any]] = {}
    ambiguous: Ambiguous = []
    for local_id, (name, email) in values.items():
        candidates = by_name.get(name) or (by_email.get(email.lower(), []) if email else [])
        if len(candidates) == 1:
            matched[local_id] = candidates[0]
        elif len(candidates) > 1:
            ambiguous.append((records[local_id], MappingError(
                f"QuickBooks has {len(candidates)} {spec.label.lower()} matching '{name}'.",
                'Rename or merge them in QuickBooks so that exactly one matches, then sync again.')))
    return matched, ambiguous


async def preview_links(db: Database, client: QuickBooksClient, call: Call, plan: Plan) -> Plan:
    """The plan as the run will carry it out: a customer or item it would create but will link to the record
    QuickBooks already has (by name, then email) is shown as ``Action.LINK``, not as a create."""
    for part in plan.entities:
        creates = [e for e in part.send if e.action == Action.CREATE]
        if part.spec.kind != NAME_LIST or not creates:
            continue
        async with db.session() as session:
            taken = set((await session.exec(select(EntityLink.qbo_id).where(
                EntityLink.realm_id == plan.realm_id, EntityLink.entity_type == part.entity_type,
                col(EntityLink.qbo_id).isnot(None)))).all())
        matched, _ = await find_matches(db, client, call, part.spec, creates, taken)  # type: ignore[arg-type]
        part.send = [replace(e, action=Action.LINK, qbo_id=str(matched[e.local_id]['Id']))
                     if e.action == Action.CREATE and e.local_id in matched else e for e in part.send]
    return plan


async def _names(db: Database, spec: EntitySpec, local_name: str, ids: list[int]) -> dict[int, tuple[str, str]]:
    model = spec.model
    email = getattr(model, 'email', None)
    columns = [model.id, getattr(model, local_name)] + ([email] if email is not None else [])  # type: ignore
    found: dict[int, tuple[str, str]] = {}
    async with db.session() as session:
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
