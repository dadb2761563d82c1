"""Dashboard figures: per entity type how many records are synced, pending, failed or not synced, and run times.

The linked states come from ``LinkStateCount``: a few rows per company that database triggers (migration 0010)
move in the same transaction as every change to a link or to a record's version, so they are exact after a crash or
under concurrent runs and cost the same at 100 or 100,000 links. Records without a link are the record count (one
``count(*)`` per table, all six in one statement) minus the linked ones; the run times are scalar subqueries over
the company's runs: three statements whatever the size.

``counts_statement`` is the definition those counts must always equal (a join of the links to their records with
the state from ``qbsync.sync.record_status``, which the record lists use too); ``derived_entity_counts`` runs it, for
the tests that prove the triggers right and for anyone who doubts a figure.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Select, func, literal, select, union_all
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from ..models import LinkStateCount, SyncRun
from .entities import ENTITY_NAMES, entity
from .record_status import QuickBooksStatus, active_realm, link_alias, status_case

__all__ = ['EntityCounts', 'RunResult', 'DashboardStats', 'dashboard_stats', 'entity_counts', 'all_entity_counts',
           'run_times', 'direction_times', 'counts_statement', 'derived_entity_counts', 'recent_runs']

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
class RunResult:
    """How a finished run ended, for "Last run to QuickBooks: 12 synced, 1 failed" (one per direction, so an
    inbound run brought by a webhook never hides the result of the outbound run just started by hand)."""
    finished_at: datetime | None
    status: str
    message: str  # "12 synced, 1 failed, 3 skipped", or what stopped it


@dataclass(frozen=True)
class DashboardStats:
    realm_id: str | None
    entities: tuple[EntityCounts, ...]
    last_run_at: datetime | None
    last_run_status: str
    last_success_at: datetime | None
    last_outbound_at: datetime | None = None  # the last run that sent to QuickBooks and finished (fully or partly)
    last_inbound_at: datetime | None = None  # the same for changes brought in from QuickBooks
    last_outbound: RunResult | None = None  # the newest finished run to QuickBooks, whatever its outcome
    last_inbound: RunResult | None = None  # the newest finished run from QuickBooks

    @property
    def totals(self) -> EntityCounts:
        return EntityCounts('all', 'All records', synced=sum(e.synced for e in self.entities),
                            pending=sum(e.pending for e in self.entities),
                            failed=sum(e.failed for e in self.entities),
                            not_synced=sum(e.not_synced for e in self.entities))


def counts_statement(entity_type: str) -> Select[tuple[str, str, int]]:
    """SELECT entity type, state, count(*) over the active company's links of one type, joined to their records.

    Walked from the link side: the ``ix_link_state`` index covers every link column it reads, and each record is one
    rowid probe; records without a link are the record count minus the linked ones.
    """
    model = entity(entity_type).model
    link = link_alias()
    state = status_case(link, model).label('state')
    return (select(literal(entity_type).label('entity_type'), state, func.count()).select_from(link)
            .join(model, model.id == link.local_id)  # type: ignore[attr-defined]
            .where(link.realm_id == active_realm(), link.entity_type == entity_type).group_by(state))


async def all_entity_counts(session: AsyncSession) -> tuple[EntityCounts, ...]:
    """Counts for every entity type from the kept counts, in two round trips (the counts; the records per type)."""
    counted = select(LinkStateCount.entity_type, LinkStateCount.state, LinkStateCount.records).where(
        LinkStateCount.realm_id == active_realm())
    return await _entity_counts(session, (await session.exec(counted)).all())


async def derived_entity_counts(session: AsyncSession) -> tuple[EntityCounts, ...]:
    """The same counts joined from the links and their records (the definition the kept counts must equal)."""
    return await _entity_counts(session, (await session.exec(union_all(*map(counts_statement, ENTITY_NAMES)))).all())


async def _entity_counts(session: AsyncSession, rows: Any) -> tuple[EntityCounts, ...]:
    linked: dict[str, dict[str, int]] = {name: {} for name in ENTITY_NAMES}
    for entity_type, state, count in rows:
        if entity_type in linked:
            linked[entity_type][state] = int(count)
    records = (await session.exec(select(*(select(func.count()).select_from(entity(name).model).scalar_subquery()
                                           for name in ENTITY_NAMES)))).one()
    return tuple(EntityCounts(name, entity(name).label, synced=linked[name].get(QuickBooksStatus.SYNCED, 0),
                              pending=linked[name].get(QuickBooksStatus.PENDING, 0),
                              failed=linked[name].get(QuickBooksStatus.FAILED, 0),
                              not_synced=int(total) - sum(linked[name].values()))
                 for name, total in zip(ENTITY_NAMES, records, strict=True))


async def entity_counts(session: AsyncSession, entity_type: str) -> EntityCounts:
    """Counts for one entity type in the active company (every record is not synced without one)."""
    return next(e for e in await all_entity_counts(session) if e.entity_type == entity_type)


async def run_times(session: AsyncSession, realm_id: str | None) -> tuple[datetime | None, str, datetime | None]:
    """(last run start, its status, last successful finish) for the company."""
    times = await _times(session, realm_id)
    return times[0], times[1], times[2]


async def direction_times(session: AsyncSession, realm_id: str | None) -> tuple[datetime | None, datetime | None]:
    """When the company last synced outbound and inbound (runs that finished, fully or partly)."""
    times = await _times(session, realm_id)
    return times[3], times[4]


async def _times(session: AsyncSession, realm_id: str | None) -> tuple[Any, ...]:
    """Last run start and status, last success, last outbound and inbound sync, and the newest finished run of each
    direction: one statement of scalar subqueries, each an index walk over the company's runs."""
    if realm_id is None:
        return None, '', None, None, None, None, None
    ours = SyncRun.realm_id == realm_id
    done = col(SyncRun.status).in_((SUCCEEDED, PARTIAL))

    def newest(column: Any, *where: Any) -> Any:
        return select(column).where(ours, *where).order_by(col(SyncRun.started_at).desc()).limit(1).scalar_subquery()

    def finished(*where: Any) -> Any:
        # the newest matching run's finish: runs never overlap (the lease), so this is the latest finish, and the
        # walk down the started_at index stops at the first match instead of reading every run
        return newest(SyncRun.finished_at, *where)
    outbound, inbound = (col(SyncRun.direction).in_((name, 'both')) for name in ('outbound', 'inbound'))
    ended = col(SyncRun.finished_at).is_not(None)
    last = [newest(column, side, ended) for side in (outbound, inbound)
            for column in (SyncRun.finished_at, SyncRun.status, SyncRun.message, SyncRun.error)]
    row = (await session.exec(select(
        newest(SyncRun.started_at), newest(SyncRun.status), finished(SyncRun.status == SUCCEEDED),
        finished(done, outbound), finished(done, inbound), *last))).one()
    started, status, success, sent, received = row[:5]
    results = [_result(*row[at:at + 4]) for at in (5, 9)]
    return _utc(started), status or '', _utc(success), _utc(sent), _utc(received), *results


def _result(finished_at: Any, status: str | None, message: str | None, error: str | None) -> RunResult | None:
    if status is None:
        return None
    return RunResult(_utc(finished_at), status, message or error or '')


def _utc(moment: Any) -> datetime | None:
    """Scalar subqueries come back untyped from SQLite (text); the column's own type would give UTC datetimes."""
    if moment is None or isinstance(moment, datetime):
        return moment
    parsed = datetime.fromisoformat(str(moment))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


async def dashboard_stats(session: AsyncSession) -> DashboardStats:
    """Everything the Sync Dashboard shows for the active company, in four small statements."""
    realm_id = (await session.exec(select(active_realm()))).scalar_one_or_none()
    entities = await all_entity_counts(session)
    return DashboardStats(realm_id, entities, *await _times(session, realm_id))


async def recent_runs(session: AsyncSession, realm_id: str | None, limit: int = 10) -> list[SyncRun]:
    """The company's latest runs, newest first (the started_at index keeps it cheap)."""
    if realm_id is None:
        return []
    statement = select(SyncRun).where(SyncRun.realm_id == realm_id).order_by(SyncRun.started_at.desc()).limit(limit)
    return list((await session.exec(statement)).scalars().all())
