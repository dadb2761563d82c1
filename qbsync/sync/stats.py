"""Dashboard figures: per entity type how many records are synced, pending, failed or not synced, and run times.

Everything is counted by the database. Each entity type costs one ``LEFT JOIN ... GROUP BY`` that walks the record
table's primary key and probes the ``uq_link_local`` index (realm_id, entity_type, local_id) of EntityLink, so no
row ever reaches Python; the run times come from ``max()`` over the indexed SyncRun columns. The figures are derived
from the links and the records each time (never stored counters), so they cannot drift from the truth.

A record is *synced* when its link says so and reflects the record's current version, *pending* when the link is
pending or the record changed since it was last sent, *failed* when the last attempt failed, and *not synced* when
it has no link in the active company.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, case, func, literal, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import RECORD_TYPES, EntityLink, LinkStatus, SyncRun

__all__ = ['ENTITY_LABELS', 'NOT_SYNCED', 'EntityCounts', 'DashboardStats', 'dashboard_stats', 'entity_counts',
           'run_times', 'link_state_expression', 'counts_statement']

NOT_SYNCED = 'not_synced'
ENTITY_LABELS: dict[str, str] = {
    'customer': 'Customers', 'item': 'Items', 'invoice': 'Invoices', 'payment': 'Payments',
    'expense': 'Expenses', 'credit_memo': 'Credit memos',
}
SUCCEEDED = 'succeeded'


@dataclass(frozen=True)
class EntityCounts:
    entity_type: str
    label: str
    synced: int = 0
    pending: int = 0
    failed: int = 0
    not_synced: int = 0

    @property
    def total(self) -> int:
        return self.synced + self.pending + self.failed + self.not_synced


@dataclass(frozen=True)
class DashboardStats:
    realm_id: str | None
    entities: tuple[EntityCounts, ...]
    last_run_at: datetime | None
    last_run_status: str
    last_success_at: datetime | None

    @property
    def totals(self) -> EntityCounts:
        return EntityCounts('all', 'All records', synced=sum(e.synced for e in self.entities),
                            pending=sum(e.pending for e in self.entities),
                            failed=sum(e.failed for e in self.entities),
                            not_synced=sum(e.not_synced for e in self.entities))


def link_state_expression(record_version, link=EntityLink):  # type: ignore[no-untyped-def]
    """SQL CASE giving one record's QuickBooks state from its (outer-joined) link; shared so every count agrees."""
    return case(
        (link.id.is_(None), literal(NOT_SYNCED)),
        (link.status == LinkStatus.FAILED, literal(LinkStatus.FAILED)),
        (and_(link.status == LinkStatus.SYNCED, link.synced_version >= record_version), literal(LinkStatus.SYNCED)),
        else_=literal(LinkStatus.PENDING),
    )


def counts_statement(realm_id: str | None, entity_type: str) -> Select[tuple[str, int]]:
    """SELECT state, count(*) over one record table outer-joined to its links in the company."""
    table = RECORD_TYPES[entity_type]
    record_id, record_version = table.id, table.version  # type: ignore[attr-defined]
    joined = and_(EntityLink.realm_id == (realm_id or ''), EntityLink.entity_type == entity_type,
                  EntityLink.local_id == record_id)
    state = link_state_expression(record_version).label('state')
    return select(state, func.count()).select_from(table).outerjoin(EntityLink, joined).group_by(state)


async def entity_counts(session: AsyncSession, realm_id: str | None, entity_type: str) -> EntityCounts:
    """Counts for one entity type in the active company (every record counts as not synced without one)."""
    rows = (await session.exec(counts_statement(realm_id, entity_type))).all()
    counts = {name: count for name, count in rows}
    return EntityCounts(entity_type, ENTITY_LABELS[entity_type], synced=counts.get(LinkStatus.SYNCED, 0),
                        pending=counts.get(LinkStatus.PENDING, 0), failed=counts.get(LinkStatus.FAILED, 0),
                        not_synced=counts.get(NOT_SYNCED, 0))


async def run_times(session: AsyncSession, realm_id: str | None) -> tuple[datetime | None, str, datetime | None]:
    """(last run start, its status, last successful finish) for the company; both max() use indexes."""
    if realm_id is None:
        return None, '', None
    last = (await session.exec(
        select(SyncRun.started_at, SyncRun.status).where(SyncRun.realm_id == realm_id)
        .order_by(SyncRun.started_at.desc()).limit(1))).first()
    success = (await session.exec(
        select(func.max(SyncRun.finished_at)).where(SyncRun.realm_id == realm_id, SyncRun.status == SUCCEEDED)
    )).scalar_one_or_none()
    return (last[0] if last else None), (last[1] if last else ''), success


async def dashboard_stats(session: AsyncSession, realm_id: str | None) -> DashboardStats:
    """Everything the Sync Dashboard shows, in seven small queries."""
    entities = tuple([await entity_counts(session, realm_id, name) for name in ENTITY_LABELS])
    last_run_at, last_status, last_success_at = await run_times(session, realm_id)
    return DashboardStats(realm_id, entities, last_run_at, last_status, last_success_at)
