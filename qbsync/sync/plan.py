"""What a run must move, and why everything else stays: the plan, computed before anything is sent.

A record is due when it has no confirmed send to this company (no link, or a link without a QuickBooks id) or
changed since (its version differs from the version the link confirms, or the last attempt failed). Each due
record is either sent (create, update, void, deactivate) or skipped with a reason a person can act on: its entity
is switched off, the accounts it posts to are not mapped (the mapping gate), it is dated before the sync start
date, QuickBooks kept its own version in a conflict, or it points at a record that is not in QuickBooks and will
not get there in this run ("blocked by Customer 'Acme'"). Entities come in dependency tiers (``entities.tiers``).

The plan reads each table once (record joined to its link) plus one query per dependency kind, so 10,000
records plan in well under a second.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from typing import Any

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import (AccountMapping, CreditMemo, CreditMemoLine, EntityLink, ExpenseLine, Invoice, InvoiceLine,
                      LinkStatus, MappingPurpose, Payment, PaymentApplication, SyncSettings)
from .entities import NAME_LIST, EntitySpec, entity, tiers

__all__ = ['Action', 'PlanEntry', 'EntityPlan', 'Plan', 'build_plan', 'REQUIRED_MAPPINGS', 'MAPPING_LABELS', 'SENDING']


class Action:
    CREATE = 'create'
    LINK = 'link'  # a create that will be matched to the record QuickBooks already has (preview only)
    UPDATE = 'update'
    VOID = 'void'
    DEACTIVATE = 'deactivate'
    SKIP = 'skip'


SENDING = (Action.CREATE, Action.LINK, Action.UPDATE, Action.VOID, Action.DEACTIVATE)  # what the preview counts

# the mapping gate: accounts an entity posts to, which must be mapped before any of its records goes out
REQUIRED_MAPPINGS: dict[str, tuple[str, ...]] = {
    'item': (MappingPurpose.INCOME,),
    'invoice': (MappingPurpose.INCOME, MappingPurpose.ACCOUNTS_RECEIVABLE),
    'credit_memo': (MappingPurpose.INCOME, MappingPurpose.ACCOUNTS_RECEIVABLE),
    'payment': (MappingPurpose.ACCOUNTS_RECEIVABLE,),
    'expense': (MappingPurpose.EXPENSE_PAYMENT,),
}
MAPPING_LABELS = {MappingPurpose.INCOME: 'Income', MappingPurpose.ACCOUNTS_RECEIVABLE: 'Accounts Receivable',
                  MappingPurpose.EXPENSE_PAYMENT: '"Expenses are paid from"'}


@dataclass(frozen=True)
class PlanEntry:
    entity_type: str
    local_id: int
    version: int
    action: str  # Action.*
    title: str  # "Customer 'Acme'", "Invoice 1042"
    qbo_id: str | None = None  # set when the record is already linked
    sync_token: str | None = None
    reason: str = ''  # why it is skipped
    blocked_by: str = ''  # title of the record that blocks it
    has_link: bool = False  # a link row exists for it (failed or unconfirmed sends leave one without an id)


@dataclass
class EntityPlan:
    spec: EntitySpec
    send: list[PlanEntry] = field(default_factory=list)
    skipped: list[PlanEntry] = field(default_factory=list)

    @property
    def entity_type(self) -> str:
        return self.spec.name

    def count(self, action: str) -> int:
        return len(self.skipped) if action == Action.SKIP else sum(1 for e in self.send if e.action == action)


@dataclass
class Plan:
    realm_id: str
    entities: list[EntityPlan]  # in sending order (tiers)

    @property
    def to_send(self) -> int:
        return sum(len(e.send) for e in self.entities)

    @property
    def skipped(self) -> int:
        return sum(len(e.skipped) for e in self.entities)

    def entries(self) -> Iterable[PlanEntry]:
        for part in self.entities:
            yield from part.send

    def summary(self) -> str:
        """"3 to create, 1 to update, 2 skipped" (what the preview and ``--dry-run`` headline)."""
        counts = {a: sum(e.count(a) for e in self.entities)
                  for a in SENDING}
        words = [f'{n} to {a}' for a, n in counts.items() if n]
        return ', '.join(words + [f'{self.skipped} skipped']) if words or self.skipped else 'Nothing to send'


@dataclass
class _Row:
    record: Any  # a row of the record's table (attribute access like the model)
    link: Any  # the link's columns the plan needs, or None

    @property
    def in_quickbooks(self) -> bool:
        return self.link is not None and bool(self.link.qbo_id)


# entity -> queries giving (owner id, dependency id) pairs, with the dependency's entity type
_DEPENDENCIES: dict[str, list[tuple[str, object]]] = {
    'invoice': [('customer', select(Invoice.id, Invoice.customer_id)),
                ('item', select(InvoiceLine.invoice_id, InvoiceLine.item_id)
                 .where(col(InvoiceLine.item_id).isnot(None)))],
    'credit_memo': [('customer', select(CreditMemo.id, CreditMemo.customer_id)),
                    ('item', select(CreditMemoLine.credit_memo_id, CreditMemoLine.item_id)
                     .where(col(CreditMemoLine.item_id).isnot(None)))],
    'payment': [('customer', select(Payment.id, Payment.customer_id)),
                ('invoice', select(PaymentApplication.payment_id, PaymentApplication.invoice_id))],
    'expense': [('customer', select(ExpenseLine.expense_id, ExpenseLine.customer_id)
                 .where(col(ExpenseLine.customer_id).isnot(None)))],
}


async def build_plan(session: AsyncSession, realm_id: str, *, settings: SyncSettings | None,
                     entities: Iterable[str] | None = None, only: tuple[str, int] | None = None) -> Plan:
    """The plan for ``realm_id``; ``only`` narrows it to one record and the unsent records it depends on."""
    settings = settings or SyncSettings()
    chosen = list(entities) if entities else None
    if only is not None:
        chosen = None  # dependencies may be of any entity
    mapped = set((await session.exec(select(AccountMapping.purpose).where(  # type: ignore[call-overload]
        AccountMapping.realm_id == realm_id))).scalars().all())
    rows: dict[str, dict[int, _Row]] = {}
    planned: dict[tuple[str, int], PlanEntry] = {}
    deps_of: dict[tuple[str, int], list[tuple[str, int]]] = {}
    parts: list[EntityPlan] = []
    for level in tiers(chosen):
        for spec in level:
            rows[spec.name] = await _rows(session, realm_id, spec)
            deps = await _dependencies(session, spec.name)
            deps_of.update({(spec.name, owner): found for owner, found in deps.items()})
            part = EntityPlan(spec)
            for local_id, row in rows[spec.name].items():
                if not _due(row):
                    continue
                entry = _decide(spec, row, settings, mapped, deps.get(local_id, ()), rows, planned)
                planned[(spec.name, local_id)] = entry
                (part.skipped if entry.action == Action.SKIP else part.send).append(entry)
            parts.append(part)
    plan = Plan(realm_id, parts)
    return _narrowed(plan, only, deps_of) if only is not None else plan


async def _rows(session: AsyncSession, realm_id: str, spec: EntitySpec) -> dict[int, _Row]:
    """Every record of the entity with its link, as plain rows (no ORM objects: 10,000 of them add up)."""
    table = spec.model.__table__  # type: ignore[attr-defined]
    records = (await session.exec(select(*table.c).order_by(table.c.id))).all()  # type: ignore[call-overload]
    links = (await session.exec(select(  # type: ignore[call-overload]
        EntityLink.local_id, EntityLink.qbo_id, EntityLink.sync_token, EntityLink.status, EntityLink.synced_version,
        EntityLink.needs_inbound, EntityLink.last_error).where(
        EntityLink.realm_id == realm_id, EntityLink.entity_type == spec.name))).all()
    by_local = {link.local_id: link for link in links}
    return {record.id: _Row(record, by_local.get(record.id)) for record in records}


async def _dependencies(session: AsyncSession, entity_type: str) -> dict[int, list[tuple[str, int]]]:
    found: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for dep_type, statement in _DEPENDENCIES.get(entity_type, []):
        for owner, dep in (await session.exec(statement)).all():  # type: ignore[call-overload]
            if (dep_type, dep) not in found[owner]:
                found[owner].append((dep_type, dep))
    return found


def _due(row: _Row) -> bool:
    link = row.link
    if link is not None and link.status == LinkStatus.DELETED_IN_QBO:
        return False  # deleted in QuickBooks: kept locally, never sent again (inbound sync flagged it)
    if link is None or not link.qbo_id or link.status != LinkStatus.SYNCED:
        return True
    return link.synced_version != row.record.version  # type: ignore[attr-defined]


def _decide(spec: EntitySpec, row: _Row, settings: SyncSettings, mapped: set[str],
            deps: Iterable[tuple[str, int]], rows: dict[str, dict[int, _Row]],
            planned: dict[tuple[str, int], PlanEntry]) -> PlanEntry:
    record, link = row.record, row.link
    base = PlanEntry(spec.name, record.id, record.version, Action.SKIP, spec.title(record),  # type: ignore
                     qbo_id=link.qbo_id if link else None, sync_token=link.sync_token if link else None,
                     has_link=link is not None)

    def skip(reason: str, blocked_by: str = '') -> PlanEntry:
        return PlanEntry(**{**base.__dict__, 'reason': reason, 'blocked_by': blocked_by})

    if not getattr(settings, spec.switch):
        return skip(f'{spec.label} are switched off in Sync Settings.')
    missing = [MAPPING_LABELS.get(p, p) for p in REQUIRED_MAPPINGS.get(spec.name, ()) if p not in mapped]
    if missing:
        return skip(f'Map the {" and ".join(missing)} account{"s" if len(missing) > 1 else ""} on the Account '
                    f'Mapping tab before {spec.label.lower()} can go to QuickBooks.')
    txn_date: date | None = getattr(record, 'txn_date', None)
    if settings.start_date is not None and txn_date is not None and txn_date < settings.start_date:
        return skip(f'Dated {txn_date.isoformat()}, before the sync start date {settings.start_date.isoformat()}.')
    if link is not None and link.status == LinkStatus.HELD:
        return skip('Changed in both the app and QuickBooks: choose the version to keep in the Sync Log.')
    if link is not None and link.needs_inbound:
        return skip('QuickBooks kept its own version in a conflict; inbound sync brings it into the app.')
    voided = bool(getattr(record, 'voided', False))
    if voided and not row.in_quickbooks:
        return skip('Voided before it was ever sent: there is nothing to void in QuickBooks.')
    for dep_type, dep_id in deps:
        dep_row = rows.get(dep_type, {}).get(dep_id)
        if dep_row is None or dep_row.in_quickbooks:
            continue
        entry = planned.get((dep_type, dep_id))
        if entry is not None and entry.action != Action.SKIP:
            continue  # goes earlier in this run
        title = entity(dep_type).title(dep_row.record)
        if entry is not None:
            why = entry.reason  # it is skipped this run, for this reason
        elif dep_row.link is not None and dep_row.link.status == LinkStatus.FAILED and dep_row.link.last_error:
            why = dep_row.link.last_error
        else:
            why = 'it is not in QuickBooks'
        return skip(f'Blocked by {title}: {why}', blocked_by=title)
    if not row.in_quickbooks:
        action = Action.CREATE
    elif voided:
        action = Action.VOID
    elif spec.kind == NAME_LIST and not getattr(record, 'active', True):
        action = Action.DEACTIVATE
    else:
        action = Action.UPDATE
    return PlanEntry(**{**base.__dict__, 'action': action})


def _narrowed(plan: Plan, only: tuple[str, int], deps_of: dict[tuple[str, int], list[tuple[str, int]]]) -> Plan:
    """Keep the record ``only`` and, transitively, the due records it depends on."""
    due = {(e.entity_type, e.local_id) for part in plan.entities for e in (*part.send, *part.skipped)}
    wanted: set[tuple[str, int]] = set()
    todo = [only]
    while todo:
        key = todo.pop()
        if key in wanted or key not in due:
            continue
        wanted.add(key)
        todo.extend(deps_of.get(key, ()))
    parts = [EntityPlan(p.spec, [e for e in p.send if (e.entity_type, e.local_id) in wanted],
                        [e for e in p.skipped if (e.entity_type, e.local_id) in wanted]) for p in plan.entities]
    return Plan(plan.realm_id, [p for p in parts if p.send or p.skipped])
