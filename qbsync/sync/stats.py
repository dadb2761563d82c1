"""Dashboard figures: per entity type how many records are synced, pending, failed or not synced, and run times.

Everything is counted by the database. Each entity type costs one ``LEFT JOIN ... GROUP BY`` that walks the record
table's primary key and probes the ``uq_link_local`` index (realm_id, entity_type, local_id) of EntityLink, so no
row ever reaches Python; the run times come from ``max()`` over the indexed SyncRun columns. The figures are derived
from the links and the records each time (never stored counters), so they cannot drift from the truth.

A record's state (synced, pending, failed, not synced) is the one definition in ``qbsync.sync.record_status``,
which the record lists use too, so the dashboard and the lists always agree.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import SyncRun
from .entities import ENTITY_NAMES, entity
from .record_status import QuickBooksStatus, active_realm, link_alias, link_condition, status_case

__all__ = ['EntityCounts', 'DashboardStats', 'dashboard_stats', 'entity_counts', 'run_times', 'direction_times',
           'counts_statement', 'recent_runs']

SUCCEEDED = 'succeeded'
PARTIAL = 'partial'


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
    last_outbound_at: datetime | None = None  # the last run that sent to QuickBooks and finished (fully or partly)
    last_inbound_at: datetime | None = None  # the same for changes brought in from QuickBooks

    @property
    def totals(self) -> EntityCounts:
        return EntityCounts('all', 'All records', synced=sum(e.synced for e in self.entities),
                            pending=sum(e.pending for e in self.entities),
                            failed=sum(e.failed for e in self.entities),
                            not_synced=sum(e.not_synced for e in self.entities))


def counts_statement(entity_type: str) -> Select[tuple[str, int]]:
    """SELECT status, count(*) over one record table outer-joined to its links in the active company."""
    model = entity(entity_type).model
    link = link_alias()
    state = status_case(link, model).label('state')
    return (select(state, func.count()).select_from(model)
            .outerjoin(link, link_condition(link, model, entity_type)).group_by(state))


async def entity_counts(session: AsyncSession, entity_type: str) -> EntityCounts:
    """Counts for one entity type in the active company (every record is not synced without one)."""
    counts = {name: count for name, count in (await session.exec(counts_statement(entity_type))).all()}
    return EntityCounts(entity_type, entity(entity_type).label, synced=counts.get(QuickBooksStatus.SYNCED, 0),
                        pending=counts.get(QuickBooksStatus.PENDING, 0), failed=counts.get(QuickBooksStatus.FAILED, 0),
                        not_synced=counts.get(QuickBooksStatus.NOT_SYNCED, 0))


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


async def direction_times(session: AsyncSession, realm_id: str | None) -> tuple[datetime | None, datetime | None]:
    """When the company last synced outbound and inbound (runs that finished, fully or partly)."""
    if realm_id is None:
        return None, None
    times = []
    for direction in ('outbound', 'inbound'):
        times.append((await session.exec(select(func.max(SyncRun.finished_at)).where(
            SyncRun.realm_id == realm_id, SyncRun.status.in_((SUCCEEDED, PARTIAL)),  # type: ignore[attr-defined]
            SyncRun.direction.in_((direction, 'both'))))).scalar_one_or_none())  # type: ignore[attr-defined]
    return times[0], times[1]


async def dashboard_stats(session: AsyncSession) -> DashboardStats:
    """Everything the Sync Dashboard shows for the active company, in ten small queries."""
    realm_id = (await session.exec(select(active_realm()))).scalar_one_or_none()
    entities = tuple([await entity_counts(session, name) for name in ENTITY_NAMES])
    last_run_at, last_status, last_success_at = await run_times(session, realm_id)
    outbound_at, inbound_at = await direction_times(session, realm_id)
    return DashboardStats(realm_id, entities, last_run_at, last_status, last_success_at, outbound_at, inbound_at)


async def recent_runs(session: AsyncSession, realm_id: str | None, limit: int = 10) -> list[SyncRun]:
    """The company's latest runs, newest first (the started_at index keeps it cheap)."""
    if realm_id is None:
        return []
    statement = select(SyncRun).where(SyncRun.realm_id == realm_id).order_by(SyncRun.started_at.desc()).limit(limit)
    return list((await session.exec(statement)).scalars().all())
